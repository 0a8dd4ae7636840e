import itertools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals.selectors import approval_timeline
from crm_archive.errors import ActionRefused
from crm_archive.excel import workbook_response
from crm_archive.history import record_history
from crm_archive.pagination import paginate
from crm_archive.views import button_step, form_action, require
from customers.services import export_logged
from dossiers import permissions as dossier_permissions

from . import permissions, selectors, services
from .forms import (
    ExtensionForm,
    LoanRequestForm,
    PhotocopyCloseForm,
    PhotocopyForm,
    RegisterFilter,
    RejectForm,
    ReturnForm,
)
from .models import Extension, ExtensionStatus, Loan, LoanKind, MonthlyReport
from .registers import REGISTER_COLUMNS, REPORT_COLUMNS, register_row, report_row


def _visible_loan_or_404(request, pk) -> Loan:
    try:
        return selectors.loan_detail(request.user, pk)
    except Loan.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def loan_request(request):
    initial = {}
    dossier_id = request.GET.get("dossier", "")
    if dossier_id.isascii() and dossier_id.isdecimal():
        dossier = dossier_permissions.dossiers_visible_to(request.user).filter(pk=request.GET["dossier"]).first()
        if dossier and dossier.archive_number:
            initial["archive_number"] = dossier.archive_number
    form = LoanRequestForm(request.POST or None, initial=initial)
    loan = form_action(
        request,
        form,
        lambda data: services.loan_request(
            borrower=request.user,
            dossier=data["dossier"],
            kind=data["kind"],
            content=data["content"],
            purpose=data["purpose"],
            requested_due_on=data["requested_due_on"],
        ),
    )
    if loan:
        messages.success(request, _("申请已提交，登记号 %(number)s。") % {"number": loan.register_number})
        return redirect("lending:detail", pk=loan.pk)
    return render(request, "lending/request_form.html", {"form": form})


LOAN_PAGE = "lending:detail"


def loan_detail(request, pk):
    loan = _visible_loan_or_404(request, pk)
    user = request.user
    actions = permissions.loan_actions(user, loan)
    context = {
        "loan": loan,
        "actions": actions,
        "reject_form": RejectForm() if "reject" in actions else None,
        "return_form": ReturnForm(loan=loan) if "return" in actions else None,
        "photocopy_form": PhotocopyForm(loan=loan) if "register_photocopy" in actions else None,
        "photocopy_close_form": PhotocopyCloseForm() if "close_photocopy" in actions else None,
        "extension_form": ExtensionForm() if "request_extension" in actions else None,
        "pending_extensions": [
            (extension, permissions.extension_actions(user, extension))
            for extension in loan.extensions.all()
            if extension.status == ExtensionStatus.REQUESTED
        ],
        "timeline": approval_timeline(loan.kind, loan.pk),
        "history": record_history(loan),
    }
    return render(request, "lending/loan_detail.html", context)


@require_POST
def loan_approve(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_approve(loan, by=request.user),
        _("已审批。"),
        back_to=LOAN_PAGE,
        record=loan,
    )


@require_POST
def loan_reject(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_reject(loan, by=request.user, reason=data["reason"]),
        _("已驳回申请。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=RejectForm(request.POST),
    )


@require_POST
def loan_cancel(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_cancel(loan, by=request.user),
        _("申请已撤回。"),
        back_to=LOAN_PAGE,
        record=loan,
    )


@require_POST
def loan_issue(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_issue(loan, by=request.user),
        _("已发放，请借阅人签收。"),
        back_to=LOAN_PAGE,
        record=loan,
    )


@require_POST
def loan_confirm(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_confirm_receipt(loan, by=request.user),
        _("已签收。"),
        back_to=LOAN_PAGE,
        record=loan,
    )


@require_POST
def loan_return(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_return(
            loan,
            by=request.user,
            complete=data["complete"],
            remarks=data["remarks"],
            damaged_documents=data["damaged_documents"],
        ),
        _("已归还并注销。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=ReturnForm(request.POST, loan=loan),
    )


@require_POST
def photocopy_register(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.photocopy_register(loan, by=request.user, **data),
        _("已登记影印，原件已还原存档。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=PhotocopyForm(request.POST, loan=loan),
    )


@require_POST
def photocopy_close(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.photocopy_close(loan, by=request.user, **data),
        _("影印件已归还并注销。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=PhotocopyCloseForm(request.POST),
    )


@require_POST
def extension_request(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.extension_request(loan, by=request.user, until=data["until"], reason=data["reason"]),
        _("续借申请已提交。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=ExtensionForm(request.POST),
    )


@require_POST
def extension_decide(request, pk, extension_id):
    loan = _visible_loan_or_404(request, pk)
    extension = get_object_or_404(Extension, pk=extension_id, loan=loan)
    approve = request.POST.get("decision") == "approve"
    return button_step(
        request,
        lambda data: services.extension_decide(extension, by=request.user, approve=approve),
        _("已审批续借。") if approve else _("已驳回续借。"),
        back_to=LOAN_PAGE,
        record=loan,
    )


def _filtered_register(request, kind: str) -> RegisterFilter:
    return RegisterFilter(request.GET or None, queryset=selectors.register(request.user, kind=kind))


def _kind_or_404(kind: str) -> str:
    if kind not in LoanKind.values:
        raise Http404
    return kind


def register(request, kind):
    """借阅登记簿 / 影印登记簿 with the columns of SPEC §5; printable and exportable."""
    kind = _kind_or_404(kind)
    filterset = _filtered_register(request, kind)
    page = paginate(filterset.qs, page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(
        request,
        "lending/register.html",
        {
            "kind": kind,
            "kind_label": LoanKind(kind).label,
            "form": filterset.form,
            "page_obj": page,
            "rows": [(loan.pk, loan.is_overdue, register_row(loan)) for loan in page],
            "columns": [label for label, _getter in REGISTER_COLUMNS],
            "query": request.GET.urlencode(),
        },
    )


def register_export(request, kind):
    kind = _kind_or_404(kind)
    loans = _filtered_register(request, kind).qs.iterator(chunk_size=2000)
    return workbook_response(
        filename=f"register-{kind}-{timezone.localdate().isoformat()}.xlsx",
        sheet_title=str(LoanKind(kind).label),
        headers=[label for label, _getter in REGISTER_COLUMNS],
        rows=export_logged(
            (register_row(loan) for loan in loans),
            user=request.user,
            what=f"{LoanKind(kind).label} {request.GET.urlencode()}".strip(),
        ),
    )


def report_list(request):
    require(permissions.can_read_monthly_reports(request.user))
    page = paginate(selectors.monthly_reports(), page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(
        request,
        "lending/reports.html",
        {"page_obj": page, "can_generate": permissions.can_generate_monthly_report(request.user)},
    )


@require_POST
def report_generate(request):
    """The general manager's button takes a labelled snapshot; the month's official report is the 5th's."""
    require(permissions.can_generate_monthly_report(request.user))
    try:
        report = services.monthly_report_snapshot_take(by=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("lending:reports")
    messages.success(request, _("已生成即时快照：统计的是此刻借出未还的档案，不是本月的官方月报。"))
    return redirect("lending:report_detail", pk=report.pk)


def report_detail(request, pk):
    require(permissions.can_read_monthly_reports(request.user))
    report = get_object_or_404(MonthlyReport.objects.select_related("generated_by"), pk=pk)
    lines = list(report.lines.all())
    return render(
        request,
        "lending/report_detail.html",
        {"report": report, "rows": [report_row(line) for line in lines], "columns": [c for c, _g in REPORT_COLUMNS]},
    )


def _report_heading(report: MonthlyReport) -> str:
    if report.is_official:
        return _("%(year)d 年 %(month)d 月借阅未还统计（官方月报）") % {"year": report.year, "month": report.month}
    return _("借阅未还即时快照（非官方月报）")


def report_export(request, pk):
    """The report as Excel: a heading naming its kind and the moment it states, then the rows."""
    require(permissions.can_read_monthly_reports(request.user))
    report = get_object_or_404(MonthlyReport, pk=pk)
    taken_at = timezone.localtime(report.taken_at)
    preamble = [
        [_("统计时间"), taken_at.strftime("%Y-%m-%d %H:%M"), _("类型"), report.get_kind_display()],
        [],
        [label for label, _getter in REPORT_COLUMNS],
    ]
    kind = "official" if report.is_official else f"snapshot-{taken_at:%Y%m%d-%H%M}"
    return workbook_response(
        filename=f"outstanding-loans-{report.year}-{report.month:02d}-{kind}.xlsx",
        sheet_title=f"{report.year}-{report.month:02d}",
        headers=[_report_heading(report)],
        rows=itertools.chain(
            preamble,
            export_logged(
                (report_row(line) for line in report.lines.all()), user=request.user, what=f"{report} #{report.pk}"
            ),
        ),
    )
