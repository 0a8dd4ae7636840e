import itertools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm_archive.errors import ActionRefused
from crm_archive.excel import workbook_response
from crm_archive.pagination import paginate
from crm_archive.views import button_action, form_action
from dossiers import permissions as dossier_permissions

from . import permissions, selectors, services
from .forms import (
    ExtensionForm,
    LoanRequestForm,
    PhotocopyCloseForm,
    PhotocopyForm,
    RegisterFilterForm,
    RejectForm,
    ReturnForm,
)
from .models import Extension, Loan, LoanKind, MonthlyReport
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


def loan_detail(request, pk):
    loan = _visible_loan_or_404(request, pk)
    user = request.user
    is_clerk = permissions.can_issue_loans(user)
    context = {
        "loan": loan,
        "can_approve": loan.status == "requested"
        and permissions.loan_approval_due_from(
            user, loan, archive_approved_by_id=loan.archive_approved_by_id, tier_approved_by_id=loan.tier_approved_by_id
        )
        is not None,
        "can_issue": is_clerk and loan.status == "approved" and user.pk != loan.borrower_id,
        "is_borrower": user.pk == loan.borrower_id,
        "is_clerk": is_clerk,
        "reject_form": RejectForm(),
        "return_form": ReturnForm(loan=loan)
        if is_clerk and loan.kind == LoanKind.BORROW and loan.status == "issued"
        else None,
        "photocopy_form": PhotocopyForm(loan=loan)
        if is_clerk and loan.kind == LoanKind.PHOTOCOPY and loan.status == "issued"
        else None,
        "photocopy_close_form": PhotocopyCloseForm() if is_clerk and loan.status == "copies_out" else None,
        "extension_form": ExtensionForm()
        if user.pk == loan.borrower_id and loan.status in ("issued", "copies_out")
        else None,
        "pending_extensions": [item for item in loan.extensions.all() if item.status == "requested"],
    }
    return render(request, "lending/loan_detail.html", context)


def _run(request, pk, action, success_message, form_class=None, *, pass_loan=False):
    """One step of a loan from a POSTed form or button; the outcome comes back as a message."""
    loan = _visible_loan_or_404(request, pk)
    form = None
    if form_class is not None:
        form = form_class(request.POST, loan=loan) if pass_loan else form_class(request.POST)
    button_action(request, lambda data: action(loan, data), success_message, form=form)
    return redirect("lending:detail", pk=loan.pk)


@require_POST
def loan_approve(request, pk):
    return _run(request, pk, lambda loan, data: services.loan_approve(loan, by=request.user), _("已审批。"))


@require_POST
def loan_reject(request, pk):
    return _run(
        request,
        pk,
        lambda loan, data: services.loan_reject(loan, by=request.user, reason=data["reason"]),
        _("已驳回申请。"),
        RejectForm,
    )


@require_POST
def loan_cancel(request, pk):
    return _run(request, pk, lambda loan, data: services.loan_cancel(loan, by=request.user), _("申请已撤回。"))


@require_POST
def loan_issue(request, pk):
    return _run(request, pk, lambda loan, data: services.loan_issue(loan, by=request.user), _("已发放，请借阅人签收。"))


@require_POST
def loan_confirm(request, pk):
    return _run(request, pk, lambda loan, data: services.loan_confirm_receipt(loan, by=request.user), _("已签收。"))


@require_POST
def loan_return(request, pk):
    return _run(
        request,
        pk,
        lambda loan, data: services.loan_return(
            loan,
            by=request.user,
            complete=data["complete"],
            remarks=data["remarks"],
            damaged_documents=data["damaged_documents"],
        ),
        _("已归还并注销。"),
        ReturnForm,
        pass_loan=True,
    )


@require_POST
def photocopy_register(request, pk):
    return _run(
        request,
        pk,
        lambda loan, data: services.photocopy_register(loan, by=request.user, **data),
        _("已登记影印，原件已还原存档。"),
        PhotocopyForm,
        pass_loan=True,
    )


@require_POST
def photocopy_close(request, pk):
    return _run(
        request,
        pk,
        lambda loan, data: services.photocopy_close(loan, by=request.user, **data),
        _("影印件已归还并注销。"),
        PhotocopyCloseForm,
    )


@require_POST
def extension_request(request, pk):
    return _run(
        request,
        pk,
        lambda loan, data: services.extension_request(
            loan, by=request.user, until=data["until"], reason=data["reason"]
        ),
        _("续借申请已提交。"),
        ExtensionForm,
    )


@require_POST
def extension_decide(request, pk, extension_id):
    approve = request.POST.get("decision") == "approve"

    def decide(loan, data):
        extension = get_object_or_404(Extension, pk=extension_id, loan=loan)
        services.extension_decide(extension, by=request.user, approve=approve)

    return _run(request, pk, decide, _("已审批续借。") if approve else _("已驳回续借。"))


def _register_filters(request):
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, {
        "status": filters.get("status") or "",
        "department_id": getattr(filters.get("department"), "pk", None),
        "borrower_id": getattr(filters.get("borrower"), "pk", None),
        "date_from": filters.get("date_from"),
        "date_to": filters.get("date_to"),
        "overdue": bool(filters.get("overdue")),
    }


def _kind_or_404(kind: str) -> str:
    if kind not in LoanKind.values:
        raise Http404
    return kind


def register(request, kind):
    """借阅登记簿 / 影印登记簿 with the columns of SPEC §5; printable and exportable."""
    kind = _kind_or_404(kind)
    form, filters = _register_filters(request)
    loans = selectors.register(request.user, kind=kind, **filters)
    page = paginate(loans, page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(
        request,
        "lending/register.html",
        {
            "kind": kind,
            "kind_label": LoanKind(kind).label,
            "form": form,
            "page_obj": page,
            "rows": [(loan.pk, loan.is_overdue, register_row(loan)) for loan in page],
            "columns": [label for label, _getter in REGISTER_COLUMNS],
            "query": request.GET.urlencode(),
        },
    )


def register_export(request, kind):
    kind = _kind_or_404(kind)
    _form, filters = _register_filters(request)
    loans = selectors.register(request.user, kind=kind, **filters).iterator(chunk_size=2000)
    return workbook_response(
        filename=f"register-{kind}-{timezone.localdate().isoformat()}.xlsx",
        sheet_title=str(LoanKind(kind).label),
        headers=[label for label, _getter in REGISTER_COLUMNS],
        rows=(register_row(loan) for loan in loans),
    )


def _require_reports(request):
    if not permissions.can_read_monthly_reports(request.user):
        raise PermissionDenied


def report_list(request):
    _require_reports(request)
    page = paginate(selectors.monthly_reports(), page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(
        request,
        "lending/reports.html",
        {"page_obj": page, "can_generate": permissions.can_generate_monthly_report(request.user)},
    )


@require_POST
def report_generate(request):
    """The general manager's button takes a labelled snapshot; the month's official report is the 5th's."""
    if not permissions.can_generate_monthly_report(request.user):
        raise PermissionDenied
    try:
        report = services.monthly_report_snapshot_take(by=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("lending:reports")
    messages.success(request, _("已生成即时快照：统计的是此刻借出未还的档案，不是本月的官方月报。"))
    return redirect("lending:report_detail", pk=report.pk)


def report_detail(request, pk):
    _require_reports(request)
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
    _require_reports(request)
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
        rows=itertools.chain(preamble, (report_row(line) for line in report.lines.all())),
    )
