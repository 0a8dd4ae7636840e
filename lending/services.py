"""Every state change of loans, photocopies, extensions and the monthly report (SPEC §5)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.selectors import people_with_role
from accounts.services import notification_send, notification_send_to_role, notifications_send
from approvals.models import RequestKind, StepRole
from approvals.services import (
    ApprovalOutcome,
    approval_close,
    approval_decide,
    approval_open,
    approval_require,
    approval_serves,
    subject_for_customer,
)
from crm_archive.errors import ActionRefused, TransitionRefused
from crm_archive.workdays import end_of_working_day
from customers import secrecy
from customers.services import customer_access_extend, customer_access_grant, customer_access_revoke
from dossiers.models import DossierCustody, DossierStatus
from dossiers.services import dossier_custody_move, dossiers_lock, repair_open

from . import permissions, selectors
from .models import (
    OFFICIAL_REPORT_DAY,
    OUTSTANDING_STATUSES,
    Extension,
    ExtensionStatus,
    Loan,
    LoanKind,
    LoanStatus,
    MonthlyReport,
    MonthlyReportKind,
    MonthlyReportLine,
    PhotocopyRecord,
)


def due_on_day(day, *, now=None) -> datetime:
    """When something lent on `day` is due: the end of that working day, or — when that has
    already passed (an original handed out after hours) — the end of that calendar day."""
    now = now or timezone.now()
    due = end_of_working_day(day)
    if due > now:
        return due
    return max(timezone.make_aware(datetime.combine(day, time(23, 59, 59))), now + timedelta(minutes=1))


def _locked(loan: Loan) -> Loan:
    """The loan's row, read again under a lock held until the transaction ends."""
    # Only the loan's row: its dossier is locked on its own, in the one order every service uses
    # (dossiers.services.dossiers_lock), by the steps that decide on it.
    return Loan.objects.select_for_update(of=("self",)).select_related("dossier__customer", "borrower").get(pk=loan.pk)


def _dossier_locked_for_lending(dossier_id):
    """Lock the dossier's row and refuse when it cannot be lent now — destroyed, or held apart for
    destruction — as the locked row's custody says: a destruction approved or recorded meanwhile
    waits for this transaction or is seen by it, never missed."""
    dossier = dossiers_lock([dossier_id])[dossier_id]
    if dossier.status == DossierStatus.DESTROYED or dossier.custody == DossierCustody.DESTROYED:
        raise ActionRefused(_("此档案已销毁，不能借阅。"))
    if dossier.custody == DossierCustody.HELD_APART:
        raise ActionRefused(_("此档案已批准销毁，正单独存放，不能借阅。"))
    return dossier


def _original_back_in_cabinet(dossier, *, by):
    """The original is back on its shelf (on the dossier row the caller locked)."""
    if dossier.custody == DossierCustody.ON_LOAN:
        dossier_custody_move(dossier, DossierCustody.IN_CABINET, by=by)


def _loan_link(loan: Loan) -> str:
    """The loan's page, for notifications."""
    return reverse("lending:detail", args=[loan.pk])


def _refuse_unless(status_ok: bool, loan: Loan):
    """Refuse the step, naming the loan's current status, unless `status_ok`."""
    if not status_ok:
        raise TransitionRefused(
            _("登记 %(number)s 当前状态为“%(status)s”，不能办理此事项。")
            % {"number": loan.register_number, "status": loan.get_status_display()}
        )


def loan_request(
    *, borrower, dossier, kind: str, content: str, purpose: str, documents=(), requested_due_on=None
) -> Loan:
    """A request to borrow an original (read in the company) or to photocopy it. Only formal
    dossiers in their cabinet can be lent. When the borrower may not read the dossier's tier,
    the tier's approver must agree as well as the archive manager. Destroyed dossiers and those
    held apart for destruction are refused, as their locked row says."""
    with transaction.atomic():
        dossier = _dossier_locked_for_lending(dossier.pk)
        if dossier.status != DossierStatus.FORMAL:
            raise ActionRefused(_("此档案尚未转为正式档案，不能借阅。"))
        if borrower.department_id is None:
            raise ActionRefused(_("您尚未分配部门，请联系系统管理员。"))
        if not content.strip() or not purpose.strip():
            raise ActionRefused(_("请写明借阅内容和用途。"))
        if requested_due_on and requested_due_on < timezone.localdate():
            raise ActionRefused(_("申请归还日期不能早于今天。"))
        if requested_due_on and requested_due_on > timezone.localdate() + timedelta(days=settings.LOAN_MAX_DAYS):
            raise ActionRefused(_("申请归还日期最多为 %(days)d 天之后。") % {"days": settings.LOAN_MAX_DAYS})
        loan = Loan.objects.create(
            kind=kind,
            dossier=dossier,
            borrower=borrower,
            department_id=borrower.department_id,
            content=content.strip(),
            purpose=purpose.strip(),
            requested_due_on=requested_due_on,
            needs_tier_approval=not secrecy.tier_opens_customer(borrower, dossier.customer),
        )
        if documents:
            loan.documents.set(documents)
        # The chain of SPEC §9 for this kind and tier, copied now: a chain edited later changes
        # only later requests.
        approval_open(
            kind=loan.kind,
            request_id=loan.pk,
            reference=loan.register_number,
            link=_loan_link(loan),
            subject=subject_for_customer(borrower, dossier.customer),
        )
    return loan


def _grant_until(loan: Loan, until):
    """A borrower who may not read the tier reads through the loan's own grant, which ends with
    the loan (and only this loan: another request of the same customer has its own)."""
    if not loan.needs_tier_approval:
        return
    if loan.grant_id is None:
        loan.grant = customer_access_grant(
            loan.dossier.customer,
            user=loan.borrower,
            until=until,
            reference=loan.register_number,
            reason=_("借阅 %(number)s") % {"number": loan.register_number},
        )
        Loan.objects.filter(pk=loan.pk).update(grant=loan.grant)
    else:
        customer_access_extend(loan.grant, until=until)


def _signature_in_register(loan_or_extension, task, by, now, *, loan: Loan):
    """The register's approver columns: the archive manager's and the tier manager's signatures —
    also when the chain merged that step into another naming the same person (the borrower's
    department manager who also manages the tier signs once, in both columns)."""
    subject = subject_for_customer(loan.borrower, loan.dossier.customer)
    if approval_serves(task, StepRole.ARCHIVE_MANAGER, subject):
        loan_or_extension.archive_approved_by = by
        if hasattr(loan_or_extension, "archive_approved_at"):
            loan_or_extension.archive_approved_at = now
    if loan.needs_tier_approval and approval_serves(task, StepRole.TIER_MANAGER, subject):
        loan_or_extension.tier_approved_by = by
        if hasattr(loan_or_extension, "tier_approved_at"):
            loan_or_extension.tier_approved_at = now


def loan_approve(loan: Loan, *, by) -> Loan:
    """`by` signs the next step of the loan's chain (SPEC §9: by default the requester's department
    manager, then the archive manager, with the tier's manager when the tier is closed to the
    borrower). The loan is approved once the chain is complete. Never for a dossier destroyed or
    held apart for destruction, even one destroyed while this approval was being given."""
    with transaction.atomic():
        loan = _locked(loan)
        _refuse_unless(loan.status == LoanStatus.REQUESTED, loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("不能审批自己的申请。"))
        loan.dossier = _dossier_locked_for_lending(loan.dossier_id)
        # Whether the tier's manager must sign is decided again now: the customer's tier or owner may
        # have changed since the request, and a borrower the tier no longer opens needs that step.
        if not loan.needs_tier_approval and not secrecy.tier_opens_customer(loan.borrower, loan.dossier.customer):
            loan.needs_tier_approval = True
            approval_require(
                kind=loan.kind,
                request_id=loan.pk,
                step_role=StepRole.TIER_MANAGER,
                subject=subject_for_customer(loan.borrower, loan.dossier.customer),
            )
        decision = approval_decide(kind=loan.kind, request_id=loan.pk, by=by, approve=True)
        now = timezone.now()
        _signature_in_register(loan, decision.task, by, now, loan=loan)
        if decision.outcome == ApprovalOutcome.APPROVED:
            loan.status = LoanStatus.APPROVED
            today = timezone.localdate(now)
            _grant_until(loan, due_on_day(max(loan.requested_due_on or today, today), now=now))
            notification_send(
                recipient=loan.borrower,
                message=_("您的申请 %(number)s 已批准，请到档案室领取。") % {"number": loan.register_number},
                link=_loan_link(loan),
            )
            notification_send_to_role(
                role=Role.ARCHIVE_CLERK,
                message=_("申请 %(number)s 已批准，待发放。") % {"number": loan.register_number},
                link=_loan_link(loan),
            )
        loan._history_user = by
        loan.save()
    return loan


def loan_reject(loan: Loan, *, by, reason: str) -> Loan:
    """An approver due to decide refuses a request, with a reason; the borrower is told. Only a
    request still waiting is refused (decided on the locked loan row), never by its borrower."""
    with transaction.atomic():
        loan = _locked(loan)
        _refuse_unless(loan.status == LoanStatus.REQUESTED, loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("不能审批自己的申请。"))
        if not reason.strip():
            raise ActionRefused(_("请写明不批准的原因。"))
        approval_decide(kind=loan.kind, request_id=loan.pk, by=by, approve=False, comment=reason)
        loan.status = LoanStatus.REJECTED
        loan.rejected_by, loan.rejection_reason = by, reason.strip()
        loan._history_user = by
        loan.save()
    notification_send(
        recipient=loan.borrower,
        message=_("您的申请 %(number)s 未获批准：%(reason)s") % {"number": loan.register_number, "reason": reason},
        link=_loan_link(loan),
    )
    return loan


def loan_cancel(loan: Loan, *, by) -> Loan:
    """The borrower withdraws their own request, before the original is handed out; any read grant
    it gave ends with it."""
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk != loan.borrower_id:
            raise ActionRefused(_("只有申请人可以撤回申请。"))
        _refuse_unless(loan.status in (LoanStatus.REQUESTED, LoanStatus.APPROVED), loan)
        loan.status = LoanStatus.CANCELLED
        loan._history_user = by
        loan.save()
        approval_close(kind=loan.kind, request_id=loan.pk)
        customer_access_revoke(loan.grant)
    return loan


def loan_issue(loan: Loan, *, by, due_at=None) -> Loan:
    """The clerk hands the original to the borrower (never to themself). Due back the same day
    unless an approved later date was asked for. Only a dossier in its cabinet goes out, and its
    custody says "on loan" from then on (on its locked row): the same original cannot be out twice,
    and a dossier destroyed or held apart for destruction is never handed out."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以发放档案。"))
    with transaction.atomic():
        loan = _locked(loan)
        _refuse_unless(loan.status == LoanStatus.APPROVED, loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        loan.dossier = _dossier_locked_for_lending(loan.dossier_id)
        if loan.dossier.custody == DossierCustody.ON_LOAN:
            raise TransitionRefused(
                _("档案 %(number)s 的原件已借出，尚未归还。") % {"number": loan.dossier.archive_number}
            )
        if loan.dossier.status != DossierStatus.FORMAL or loan.dossier.custody != DossierCustody.IN_CABINET:
            raise ActionRefused(_("此档案不是在柜的正式档案，不能发放。"))
        now = timezone.now()
        today = timezone.localdate(now)
        due_day = max(loan.requested_due_on or today, today) if loan.kind == LoanKind.BORROW else today
        loan.status = LoanStatus.ISSUED
        loan.issued_at, loan.issued_by = now, by
        loan.due_at = due_at or due_on_day(due_day, now=now)
        loan._history_user = by
        try:
            with transaction.atomic():
                loan.save()
        except IntegrityError:
            raise TransitionRefused(
                _("档案 %(number)s 的原件已借出，尚未归还。") % {"number": loan.dossier.archive_number}
            ) from None
        dossier_custody_move(loan.dossier, DossierCustody.ON_LOAN, by=by)
        _grant_until(loan, loan.due_at)
    return loan


def loan_confirm_receipt(loan: Loan, *, by) -> Loan:
    """The borrower signs for what they received."""
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk != loan.borrower_id:
            raise ActionRefused(_("只有借阅人本人可以签收。"))
        _refuse_unless(loan.status == LoanStatus.ISSUED and loan.borrower_confirmed_at is None, loan)
        loan.borrower_confirmed_at = timezone.now()
        loan._history_user = by
        loan.save()
    return loan


def _follow_up_damage(loan, *, by, damaged_documents, remarks):
    """An incomplete or damaged return is described and opens a repair for each document concerned."""
    if not remarks.strip():
        raise ActionRefused(_("归还不完整或有破损时，请写明情况。"))
    documents = list(damaged_documents) or list(loan.documents.all()) or list(loan.dossier.documents.all()[:1])
    if not documents:
        raise ActionRefused(_("请选择缺损的文件。"))
    for document in documents:
        repair_open(
            document,
            by=by,
            damage=_("借阅 %(number)s 归还时发现：%(remarks)s")
            % {"number": loan.register_number, "remarks": remarks.strip()},
        )


def loan_return(loan: Loan, *, by, complete: bool, remarks: str = "", damaged_documents=()) -> Loan:
    """借阅归还: the clerk checks completeness (检查完整性) and closes the entry (注销). An incomplete
    or damaged return is recorded and opens a repair follow-up for the documents concerned. The
    dossier is back in its cabinet (custody, on its locked row)."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以办理归还。"))
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        _refuse_unless(loan.kind == LoanKind.BORROW and loan.status == LoanStatus.ISSUED, loan)
        loan.dossier = dossiers_lock([loan.dossier_id])[loan.dossier_id]
        if not complete:
            _follow_up_damage(loan, by=by, damaged_documents=damaged_documents, remarks=remarks)
        now = timezone.now()
        loan.status = LoanStatus.CLOSED
        loan.original_returned_at = loan.returned_at = now
        loan.original_complete = loan.returned_complete = complete
        loan.closed_by = by
        loan.remarks = remarks.strip()
        loan._history_user = by
        loan.save()
        _original_back_in_cabinet(loan.dossier, by=by)
        customer_access_revoke(loan.grant)
        _close_pending_extensions(loan)
    return loan


def _close_pending_extensions(loan):
    """A returned loan needs no extension: pending requests are refused with it."""
    pending = list(loan.extensions.filter(status=ExtensionStatus.REQUESTED).values_list("pk", flat=True))
    loan.extensions.filter(pk__in=pending).update(status=ExtensionStatus.REJECTED, decided_at=timezone.now())
    for extension_id in pending:
        approval_close(kind=RequestKind.EXTENSION, request_id=extension_id)


def photocopy_register(
    loan: Loan,
    *,
    by,
    copied_content: str,
    pages: int,
    copies: int,
    copies_due_on,
    original_complete: bool,
    remarks: str = "",
    damaged_documents=(),
) -> Loan:
    """影印登记: record what was copied; the original goes back to its cabinet after a
    completeness check (custody: in its cabinet again, on the locked row); the copies stay
    registered as lent until `copies_due_on`."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以办理影印登记。"))
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        _refuse_unless(loan.kind == LoanKind.PHOTOCOPY and loan.status == LoanStatus.ISSUED, loan)
        # The copies go out as a loan of this dossier: the same lock and rules as issuing it.
        loan.dossier = _dossier_locked_for_lending(loan.dossier_id)
        if copies_due_on < timezone.localdate():
            raise ActionRefused(_("影印件应还日期不能早于今天。"))
        if not original_complete:
            _follow_up_damage(loan, by=by, damaged_documents=damaged_documents, remarks=remarks)
        now = timezone.now()
        PhotocopyRecord.objects.create(
            loan=loan,
            copied_content=copied_content,
            pages=pages,
            copies=copies,
            registered_by=by,
            copies_due_on=copies_due_on,
        )
        loan.status = LoanStatus.COPIES_OUT
        loan.original_returned_at, loan.original_complete = now, original_complete
        loan.due_at = due_on_day(copies_due_on, now=now)
        loan.remarks = remarks.strip()
        loan._history_user = by
        loan.save()
        _original_back_in_cabinet(loan.dossier, by=by)
    return loan


def photocopy_close(loan: Loan, *, by, complete: bool, remarks: str = "") -> Loan:
    """The photocopies come back; their completeness is checked before the entry is closed."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以办理归还。"))
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        _refuse_unless(loan.kind == LoanKind.PHOTOCOPY and loan.status == LoanStatus.COPIES_OUT, loan)
        if not complete and not remarks.strip():
            raise ActionRefused(_("归还不完整或有破损时，请写明情况。"))
        now = timezone.now()
        record = loan.photocopy
        record.copies_returned_at, record.copies_complete = now, complete
        record.save()
        loan.status = LoanStatus.CLOSED
        loan.returned_at, loan.returned_complete, loan.closed_by = now, complete, by
        if remarks.strip():
            loan.remarks = "；".join(part for part in (loan.remarks, remarks.strip()) if part)
        loan._history_user = by
        loan.save()
        customer_access_revoke(loan.grant)
        _close_pending_extensions(loan)
    return loan


def extension_request(loan: Loan, *, by, until, reason: str) -> Extension:
    """续借: the borrower asks for a later due date; it is approved like the loan."""
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk != loan.borrower_id:
            raise ActionRefused(_("只有借阅人本人可以申请续借。"))
        _refuse_unless(loan.status in OUTSTANDING_STATUSES, loan)
        if until <= loan.due_at:
            raise ActionRefused(_("续借日期必须晚于现在的应还时间。"))
        if not reason.strip():
            raise ActionRefused(_("请写明续借原因。"))
        try:
            with transaction.atomic():
                extension = Extension.objects.create(loan=loan, requested_due_at=until, reason=reason.strip())
        except IntegrityError:
            raise ActionRefused(_("此登记已有一个待审批的续借申请。")) from None
        # 续借 is approved like the loan it extends (SPEC §9): the loan kind's chain, copied now.
        approval_open(
            kind=RequestKind.EXTENSION,
            chain_kind=loan.kind,
            request_id=extension.pk,
            reference=_("%(number)s续借") % {"number": loan.register_number},
            link=_loan_link(loan),
            subject=subject_for_customer(loan.borrower, loan.dossier.customer),
        )
    return extension


def extension_decide(extension: Extension, *, by, approve: bool) -> Extension:
    """Approve or refuse a 续借 with the same approvers as the loan."""
    with transaction.atomic():
        # The loan first, then its extension, then the dossier: the order of loan_return and
        # photocopy_close, which also touch a loan's pending extensions, so the two never deadlock.
        loan = _locked(extension.loan)
        extension = Extension.objects.select_for_update().get(pk=extension.pk, loan=loan)
        if extension.status != ExtensionStatus.REQUESTED:
            raise TransitionRefused(_("此续借申请已处理。"))
        _refuse_unless(loan.status in OUTSTANDING_STATUSES, loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("不能审批自己的申请。"))
        if approve:
            # Granting more time is lending again: not for a dossier destroyed or held apart — refused
            # at every signature, as the page offers none.
            loan.dossier = _dossier_locked_for_lending(loan.dossier_id)
        decision = approval_decide(kind=RequestKind.EXTENSION, request_id=extension.pk, by=by, approve=approve)
        now = timezone.now()
        if not approve:
            extension.status, extension.decided_at = ExtensionStatus.REJECTED, now
            extension.save()
            return extension
        _signature_in_register(extension, decision.task, by, now, loan=loan)
        if decision.outcome == ApprovalOutcome.APPROVED:
            extension.status, extension.decided_at = ExtensionStatus.APPROVED, now
            loan.due_at = extension.requested_due_at
            loan._history_user = by
            loan.save()
            if loan.status == LoanStatus.COPIES_OUT:
                PhotocopyRecord.objects.filter(loan=loan).update(
                    copies_due_on=timezone.localdate(extension.requested_due_at)
                )
            _grant_until(loan, loan.due_at)
        extension.save()
    return extension


def _report_lines_store(report: MonthlyReport) -> list[MonthlyReportLine]:
    """Copy what is out at the report's moment into its lines, so the report never changes."""
    at = report.taken_at
    lines = []
    for loan in selectors.loans_outstanding(at=at):
        original_out = loan.status == LoanStatus.ISSUED
        lines.append(
            MonthlyReportLine(
                report=report,
                loan=loan,
                item="original" if original_out else "photocopy",
                register_number=loan.register_number,
                archive_number=loan.dossier.archive_number or "",
                material=loan.content if original_out else loan.photocopy.copied_content,
                borrower=str(loan.borrower),
                department=str(loan.department),
                purpose=loan.purpose,
                issued_at=loan.issued_at,
                due_at=loan.due_at,
                days_overdue=loan.days_overdue(at),
            )
        )
    return MonthlyReportLine.objects.bulk_create(lines)


def official_report_due_on(year: int, month: int) -> date:
    """The day from which the official report of `year`-`month` may be taken: the 5th."""
    return date(year, month, OFFICIAL_REPORT_DAY)


def monthly_report_generate(*, year: int, month: int) -> tuple[MonthlyReport | None, bool]:
    """每月5日统计: take the official report of `year`-`month` — what is out and not returned now.

    Guarantees: a month has one official report, whoever runs this and however often (the
    database refuses a second; a concurrent run gets the stored one). It is taken only on or after
    the 5th of that month (Asia/Shanghai): by the beat job on the 5th, or by the first run after it
    if beat was down; a run before the 5th stores nothing and returns (None, False). A run that
    finds the report stored returns it with False. Snapshots never stand in for it. The general
    manager is notified once, when it is stored."""
    now = timezone.now()
    if timezone.localdate(now) < official_report_due_on(year, month):
        return None, False
    official = MonthlyReport.objects.filter(kind=MonthlyReportKind.OFFICIAL, year=year, month=month)
    existing = official.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(kind=MonthlyReportKind.OFFICIAL, year=year, month=month, taken_at=now)
            lines = _report_lines_store(report)
    except IntegrityError:
        # Another run stored this month's report between our check and our insert.
        return official.get(), False
    notification_send_to_role(
        role=Role.GENERAL_MANAGER,
        message=_("%(year)d 年 %(month)d 月借阅未还统计已生成，共 %(count)d 项。")
        % {"year": year, "month": month, "count": len(lines)},
        link=reverse("lending:report_detail", args=[report.pk]),
        email=True,
    )
    return report, True


def monthly_report_snapshot_take(*, by) -> MonthlyReport:
    """即时快照: store what is out and not returned now, on demand, labelled as a snapshot of the
    current month. Each call stores a new snapshot; none ever takes or replaces the month's
    official report. Only those who may generate reports (the general manager) take one."""
    if not permissions.can_generate_monthly_report(by):
        raise ActionRefused(_("只有总经理可以生成即时快照。"))
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        report = MonthlyReport.objects.create(
            kind=MonthlyReportKind.SNAPSHOT, year=today.year, month=today.month, taken_at=now, generated_by=by
        )
        _report_lines_store(report)
    return report


def overdue_reminders_send(*, at=None) -> int:
    """Remind each borrower of their overdue loans, and the managers of the borrowing department
    (never the borrower twice). A constant number of queries however many loans are overdue: the
    managers of every department concerned are read once, and the reminders stored together."""
    at = at or timezone.now()
    overdue = list(
        Loan.objects.filter(status__in=OUTSTANDING_STATUSES, due_at__lt=at).select_related("borrower", "dossier")
    )
    managers_of = defaultdict(list)
    for manager in people_with_role(Role.DEPARTMENT_MANAGER).filter(
        department_id__in={loan.department_id for loan in overdue}
    ):
        managers_of[manager.department_id].append(manager)
    reminders = []
    for loan in overdue:
        message = _("借阅 %(number)s（档号 %(archive)s）已逾期，应还时间 %(due)s。") % {
            "number": loan.register_number,
            "archive": loan.dossier.archive_number,
            "due": timezone.localtime(loan.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        reminders.append((loan.borrower, message, _loan_link(loan)))
        for manager in managers_of[loan.department_id]:
            if manager.pk != loan.borrower_id:
                reminders.append(
                    (
                        manager,
                        _("%(borrower)s 的%(message)s") % {"borrower": loan.borrower, "message": message},
                        _loan_link(loan),
                    )
                )
    notifications_send(reminders)
    return len(overdue)
