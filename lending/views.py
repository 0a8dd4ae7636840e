from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals.models import RequestKind
from approvals.selectors import approval_progress
from crm_archive.errors import ActionRefused
from crm_archive.excel import form_filters, workbook_response
from crm_archive.history import record_history
from crm_archive.page_cache import kept_for_its_reader
from crm_archive.pagination import paginate
from crm_archive.sorting import Sorts
from crm_archive.views import button_step, form_action, require
from customers.services import export_logged
from dossiers import permissions as dossier_permissions

from . import circulation, permissions, selectors, services
from .forms import (
    BlockOverrideForm,
    DecisionForm,
    DeskScanForm,
    ExtensionForm,
    IssueForm,
    LoanRequestForm,
    LostForm,
    PhotocopyCloseForm,
    PhotocopyForm,
    ReferenceCopyForm,
    RegisterFilter,
    RejectForm,
    ReturnForm,
    WitnessForm,
)
from .models import BlockOverride, Extension, ExtensionStatus, Loan, LoanKind, MonthlyReport
from .registers import REGISTER_COLUMNS, REPORT_COLUMNS, register_cells, register_row, report_row


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
        refusal = permissions.dossier_lending_refusal(dossier) if dossier and request.method == "GET" else ""
        if refusal:
            # Said before anything is typed; the service refuses a request posted anyway.
            messages.error(request, refusal)
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
            overnight_reason=data["overnight_reason"],
        ),
    )
    if loan:
        messages.success(request, _("申请已提交，登记号 %(number)s。") % {"number": loan.register_number})
        place = selectors.whereabouts(loan)
        if place["holder"] is not None and place["ahead"] is not None:
            messages.info(
                request,
                _("原件已借出，您已进入预约队列（前面 %(ahead)d 人），归还后将通知您。") % {"ahead": place["ahead"]},
            )
        return redirect("lending:detail", pk=loan.pk)
    return render(request, "lending/request_form.html", {"form": form})


LOAN_PAGE = "lending:detail"


def loan_detail(request, pk):
    loan = _visible_loan_or_404(request, pk)
    user = request.user
    actions = permissions.loan_actions(user, loan)
    copies = None
    if "issue_copy" in actions:
        copies = circulation.reference_copies_on_shelf(dossier_id=loan.dossier_id).select_related("document")
    # Who has the original and who waits: for those who decide (approvers, the archive office).
    sees_place = bool({"approve", "reject", "issue", "issue_copy"} & actions) or (
        permissions.can_issue_loans(user) or dossier_permissions.can_oversee_archive(user)
    )
    context = {
        "loan": loan,
        "actions": actions,
        "place": selectors.whereabouts(loan) if loan.lends_original and sees_place else None,
        "issue_form": (
            IssueForm(loan=loan, copies=copies, original="issue" in actions)
            if {"issue", "issue_copy"} & actions
            else None
        ),
        "witness_form": WitnessForm() if "witness_receipt" in actions else None,
        "lost_form": LostForm() if "report_lost" in actions else None,
        "decision_form": DecisionForm() if {"decide_overnight", "decide_write_off"} & actions else None,
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
        "timeline": approval_progress(loan.kind, loan.pk),
        "overnight_timeline": approval_progress(RequestKind.OVERNIGHT, loan.pk) if loan.overnight_status else [],
        "write_off_timeline": approval_progress(RequestKind.WRITE_OFF, loan.loss_report_id)
        if loan.loss_reported_at
        else [],
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
    copies = circulation.reference_copies_on_shelf(dossier_id=loan.dossier_id) if loan.kind == LoanKind.BORROW else None
    return button_step(
        request,
        lambda data: services.loan_issue(
            loan, by=request.user, pages=data["pages"], reference_copy=data.get("reference_copy")
        ),
        _("已发放，请借阅人签收。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=IssueForm(request.POST, loan=loan, copies=copies, original=True),
    )


@require_POST
def loan_witness(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_receipt_witness(loan, by=request.user, note=data["note"]),
        _("已登记见证签收。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=WitnessForm(request.POST),
    )


@require_POST
def loan_report_lost(request, pk):
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.loan_report_lost(loan, by=request.user, description=data["description"]),
        _("已登记丢失，等待审批注销。"),
        back_to=LOAN_PAGE,
        record=loan,
        form=LostForm(request.POST),
    )


def _decision(request, pk, decide, done: str):
    """A signature on one of a loan's own steps (过夜留存, 丢失注销): approve, or refuse with a reason."""
    loan = _visible_loan_or_404(request, pk)
    return button_step(
        request,
        lambda data: decide(loan, by=request.user, approve=data["decision"] == "approve", comment=data["comment"]),
        done,
        back_to=LOAN_PAGE,
        record=loan,
        form=DecisionForm(request.POST),
    )


@require_POST
def loan_overnight_decide(request, pk):
    return _decision(request, pk, services.loan_overnight_decide, _("已审批过夜留存。"))


@require_POST
def loan_write_off_decide(request, pk):
    return _decision(request, pk, services.loan_write_off_decide, _("已审批丢失注销。"))


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
            pages_returned=data["pages_returned"],
            damaged=data["damaged"],
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


# The registers' sortable columns: 登记号 is the id; each date has an index (kind, date) on Loan.
REGISTER_SORTS = Sorts(
    {
        "requested": ("requested_at",),
        "number": ("id",),
        "issued": ("issued_at",),
        "due": ("due_at",),
        "returned": ("returned_at",),
    },
    default="-requested",
)


def _register_sort_keys() -> dict[str, str]:
    """The sort key of each sortable column of REGISTER_COLUMNS, by its label in the reader's language."""
    return {_("登记号"): "number", _("借出日期"): "issued", _("应还时间"): "due", _("归还日期"): "returned"}


def _filtered_register(request, kind: str) -> RegisterFilter:
    queryset = selectors.register(request.user, kind=kind).order_by(*REGISTER_SORTS.from_request(request).order_by)
    return RegisterFilter(request.GET or None, queryset=queryset)


def _kind_or_404(kind: str) -> str:
    if kind not in LoanKind.values:
        raise Http404
    return kind


@kept_for_its_reader
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
            "rows": [(loan.pk, loan.is_overdue, register_cells(loan.pk, register_row(loan))) for loan in page],
            "columns": [(label, _register_sort_keys().get(str(label))) for label, _getter in REGISTER_COLUMNS],
            "sorting": REGISTER_SORTS.from_request(request),
            "query": request.GET.urlencode(),
        },
    )


def register_export(request, kind):
    kind = _kind_or_404(kind)
    filterset = _filtered_register(request, kind)
    loans = filterset.qs.iterator(chunk_size=2000)
    return workbook_response(
        filename=f"register-{kind}-{timezone.localdate().isoformat()}.xlsx",
        title=_("借阅登记簿") if kind == LoanKind.BORROW else _("影印登记簿"),
        headers=[label for label, _getter in REGISTER_COLUMNS],
        user=request.user,
        filters=form_filters(filterset.form),
        rows=export_logged(
            (register_row(loan) for loan in loans),
            user=request.user,
            what=f"{LoanKind(kind).label} {request.GET.urlencode()}".strip(),
        ),
    )


@kept_for_its_reader
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


@kept_for_its_reader
def report_detail(request, pk):
    require(permissions.can_read_monthly_reports(request.user))
    report = get_object_or_404(MonthlyReport.objects.select_related("generated_by"), pk=pk)
    # A page of lines at a time: a month of 10,000 lines is 2 MB of HTML (the Excel file has them all).
    page = paginate(
        report.lines.order_by("pk"),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
        default_per_page=100,
        count=False,
    )
    return render(
        request,
        "lending/report_detail.html",
        {
            "report": report,
            "page_obj": page,
            "line_count": report.lines.count(),
            "rows": [report_row(line) for line in page],
            "columns": [c for c, _g in REPORT_COLUMNS],
        },
    )


def _report_heading(report: MonthlyReport) -> str:
    if report.is_official:
        return _("%(year)d 年 %(month)d 月借阅未还统计（官方月报）") % {"year": report.year, "month": report.month}
    return _("借阅未还即时快照（非官方月报）")


def report_export(request, pk):
    """The report as Excel: its title names its kind, the line under it the moment it states."""
    require(permissions.can_read_monthly_reports(request.user))
    report = get_object_or_404(MonthlyReport, pk=pk)
    taken_at = timezone.localtime(report.taken_at)
    kind = "official" if report.is_official else f"snapshot-{taken_at:%Y%m%d-%H%M}"
    return workbook_response(
        filename=f"outstanding-loans-{report.year}-{report.month:02d}-{kind}.xlsx",
        title=_report_heading(report),
        headers=[label for label, _getter in REPORT_COLUMNS],
        user=request.user,
        filters=[(_("统计时间"), taken_at), (_("类型"), report.get_kind_display())],
        rows=export_logged(
            (report_row(line) for line in report.lines.iterator(chunk_size=2000)),
            user=request.user,
            what=f"{report} #{report.pk}",
        ),
    )


def desk(request):
    """The circulation desk (借还台): a scanned spine label (or a typed archive number) goes straight to
    the loan to take back or to issue; below, what waits for the desk today."""
    require(permissions.can_issue_loans(request.user))
    form = DeskScanForm(request.GET or None)
    if form.is_valid():
        dossier = selectors.dossier_for_scan(form.cleaned_data["code"])
        if dossier is None:
            form.add_error("code", _("没有找到此档号的档案：%(code)s") % {"code": form.cleaned_data["code"][:60]})
        else:
            loan = selectors.desk_loan_for(dossier)
            if loan is not None:
                return redirect(f"{reverse(LOAN_PAGE, args=[loan.pk])}#desk")
            form.add_error(
                "code",
                _("档案 %(archive)s 没有待发放或借出未还的借阅（%(custody)s）。")
                % {"archive": dossier.archive_number, "custody": dossier.get_custody_display()},
            )
    dashboard = selectors.clerk_lending_dashboard(request.user)
    # What the desk decides on: whether each original to issue is in, or out with whom (one query).
    holders = circulation.original_holders(loan.dossier_id for loan in dashboard["to_issue"])
    for loan in dashboard["to_issue"]:
        loan.original_out = holders.get(loan.dossier_id)
    return render(request, "lending/desk.html", {"form": form, **dashboard})


@require_http_methods(["GET", "POST"])
def block_overrides(request):
    """借阅限制: people blocked by an overdue loan; the archive manager lets one borrow once more."""
    require(permissions.can_override_blocks(request.user) or permissions.can_issue_loans(request.user))
    borrowers = selectors.blocked_borrowers()
    form = None
    if permissions.can_override_blocks(request.user):
        form = BlockOverrideForm(request.POST or None, borrowers=permissions.block_override_borrowers())
        override = form_action(
            request,
            form,
            lambda data: circulation.block_override_grant(data["borrower"], by=request.user, reason=data["reason"]),
        )
        if override:
            messages.success(request, _("已特批 %(borrower)s 提交一次借阅申请。") % {"borrower": override.borrower})
            return redirect("lending:blocks")
    overrides = BlockOverride.objects.select_related("borrower", "granted_by", "loan")[:50]
    return render(
        request,
        "lending/blocks.html",
        {
            "borrowers": borrowers,
            "form": form,
            "overrides": overrides,
            "blocking": settings.LOAN_BLOCK_OVERDUE_BORROWERS,
        },
    )


@require_http_methods(["GET", "POST"])
def reference_copies(request):
    """参考副本: registered copies of frequently used documents, lent instead of the original."""
    require(permissions.can_issue_loans(request.user) or dossier_permissions.can_oversee_archive(request.user))
    form = ReferenceCopyForm(request.POST or None) if permissions.can_issue_loans(request.user) else None
    if form is not None:
        copy = form_action(
            request, form, lambda data: circulation.reference_copy_register(data["document"], by=request.user)
        )
        if copy:
            messages.success(request, _("已登记 %(copy)s。") % {"copy": copy})
            return redirect("lending:reference_copies")
    rows = list(selectors.reference_copy_rows())
    kept_for = set(settings.REFERENCE_COPY_KEPT_FOR)
    return render(
        request,
        "lending/reference_copies.html",
        {"form": form, "rows": [(row, row.document_type.name in kept_for and row.on_shelf < 1) for row in rows]},
    )
