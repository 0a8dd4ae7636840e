"""Every state change of loans, photocopies, extensions and the monthly report (SPEC §5)."""

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
from crm_archive.workdays import end_of_working_day, is_working_day, next_working_day
from customers import secrecy
from customers.services import customer_access_extend, customer_access_grant, customer_access_revoke
from dossiers.models import DossierCustody, DossierStatus
from dossiers.services import dossier_custody_move, dossiers_lock, repair_open

from . import circulation, permissions, selectors
from .models import (
    NOT_RETURNED_STATUSES,
    OFFICIAL_REPORT_DAY,
    OUTSTANDING_STATUSES,
    Extension,
    ExtensionStatus,
    Loan,
    LoanKind,
    LoanNotice,
    LoanStatus,
    MonthlyReport,
    MonthlyReportKind,
    MonthlyReportLine,
    NoticeKind,
    OvernightStatus,
    PhotocopyRecord,
    ReferenceCopy,
)


def due_on_day(day, *, now=None) -> datetime:
    """When something lent on `day` is due: the end of that working day (of the next one when `day`
    is a holiday or a weekend of the company calendar), or — when that has already passed (an
    original handed out after hours) — the end of that calendar day."""
    now = now or timezone.now()
    if not is_working_day(day) and day > timezone.localdate(now):
        day = next_working_day(day)
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
    """The original is back on its shelf (on the dossier row the caller locked), and held for the
    next requester in its reservation queue, who is told."""
    if dossier.custody == DossierCustody.ON_LOAN:
        dossier_custody_move(dossier, DossierCustody.IN_CABINET, by=by)
        circulation.reservation_serve_after_commit(dossier.pk)


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
    *,
    borrower,
    dossier,
    kind: str,
    content: str,
    purpose: str,
    documents=(),
    requested_due_on=None,
    overnight_reason: str = "",
) -> Loan:
    """A request to borrow an original (read in the company) or to photocopy it. Only formal
    dossiers can be lent; one whose original is out is accepted into its reservation queue. When
    the borrower may not read the dossier's tier, the tier's approver must agree as well as the
    archive manager. An original asked for beyond the day (借阅 with a later return date) needs a
    reason and its own approval (seed 000 §3). A borrower with an overdue loan is refused unless
    the archive manager granted an override. Destroyed dossiers and those held apart for
    destruction are refused, as their locked row says."""
    overnight_reason = (overnight_reason or "").strip()
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
        overnight = kind == LoanKind.BORROW and bool(requested_due_on) and requested_due_on > timezone.localdate()
        if overnight and not overnight_reason:
            raise ActionRefused(_("原件原则上当天借阅当天归还；如需留存过夜，请写明原因。"))
        blocked = circulation.block_refusal(borrower)
        loan = Loan.objects.create(
            kind=kind,
            dossier=dossier,
            borrower=borrower,
            department_id=borrower.department_id,
            content=content.strip(),
            purpose=purpose.strip(),
            requested_due_on=requested_due_on,
            needs_tier_approval=not secrecy.tier_opens_customer(borrower, dossier.customer),
            overnight_status=OvernightStatus.REQUESTED if overnight else OvernightStatus.NONE,
            overnight_reason=overnight_reason[:300] if overnight else "",
        )
        if blocked and not circulation.block_override_use(borrower, loan):
            raise ActionRefused(blocked)
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
        if overnight:
            # Its own step (seed 000 §3): the archive manager decides on keeping the original overnight.
            approval_open(
                kind=RequestKind.OVERNIGHT,
                request_id=loan.pk,
                reference=_("%(number)s过夜") % {"number": loan.register_number},
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
        _leave_queue(loan, by=by)
    notification_send(
        recipient=loan.borrower,
        message=_("您的申请 %(number)s 未获批准：%(reason)s") % {"number": loan.register_number, "reason": reason},
        link=_loan_link(loan),
    )
    return loan


def _overnight_close(loan: Loan):
    """A loan that ends (returned, lost) needs no decision on keeping its original overnight."""
    if loan.overnight_status == OvernightStatus.REQUESTED:
        approval_close(kind=RequestKind.OVERNIGHT, request_id=loan.pk)
        loan.overnight_status = OvernightStatus.REJECTED
        Loan.objects.filter(pk=loan.pk).update(overnight_status=OvernightStatus.REJECTED)


def _leave_queue(loan: Loan, *, by):
    """A request that will not be issued leaves the queue (saved here): its overnight step ends
    with it, and an original held for it passes to the next request."""
    if loan.overnight_status == OvernightStatus.REQUESTED:
        approval_close(kind=RequestKind.OVERNIGHT, request_id=loan.pk)
        loan.overnight_status = OvernightStatus.REJECTED
    held, loan.held_until = loan.held_until is not None, None
    loan._history_user = by
    loan.save()
    if held:
        circulation.reservation_serve_after_commit(loan.dossier_id)


def loan_cancel(loan: Loan, *, by) -> Loan:
    """The borrower withdraws their own request, before the original is handed out; any read grant
    it gave ends with it."""
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk != loan.borrower_id:
            raise ActionRefused(_("只有申请人可以撤回申请。"))
        _refuse_unless(loan.status in (LoanStatus.REQUESTED, LoanStatus.APPROVED), loan)
        loan.status = LoanStatus.CANCELLED
        _leave_queue(loan, by=by)
        approval_close(kind=loan.kind, request_id=loan.pk)
        customer_access_revoke(loan.grant)
    return loan


def loan_issue(
    loan: Loan, *, by, pages: int | None = None, reference_copy: ReferenceCopy | None = None, due_at=None
) -> Loan:
    """The clerk hands the original — or a reference copy of a requested document, which leaves the
    original in its cabinet — to the borrower (never to themself), recording the pages handed out.
    An original is due back the same day unless keeping it overnight was approved (then on the
    requested date); a reference copy on the requested date. Only a dossier in its cabinet goes
    out, and its custody says "on loan, with the borrower" from then on (on its locked row): the
    same original cannot be out twice, an original held for another requester (预约) goes to them,
    a borrower with an overdue loan is refused unless the archive manager overrode it, and a dossier
    destroyed or held apart for destruction is never handed out."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以发放档案。"))
    if pages is not None and pages < 1:
        raise ActionRefused(_("请填写交付的页数。"))
    with transaction.atomic():
        loan = _locked(loan)
        _refuse_unless(loan.status == LoanStatus.APPROVED, loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        loan.dossier = _dossier_locked_for_lending(loan.dossier_id)
        blocked = circulation.block_refusal(loan.borrower, loan=loan)
        if blocked:
            raise ActionRefused(blocked)
        now = timezone.now()
        today = timezone.localdate(now)
        if reference_copy is not None:
            _reference_copy_check(loan, reference_copy)
            loan.reference_copy = reference_copy
            due_day = max(loan.requested_due_on or today, today)
        else:
            _original_on_shelf_for(loan, now=now)
            overnight = loan.overnight_status == OvernightStatus.APPROVED and loan.kind == LoanKind.BORROW
            due_day = max(loan.requested_due_on or today, today) if overnight else today
        held = loan.held_until is not None
        loan.status = LoanStatus.ISSUED
        loan.issued_at, loan.issued_by, loan.pages_out, loan.held_until = now, by, pages, None
        loan.due_at = due_at or due_on_day(due_day, now=now)
        loan._history_user = by
        try:
            with transaction.atomic():
                loan.save()
        except IntegrityError:
            if reference_copy is not None:
                raise ActionRefused(_("此参考副本已借出。")) from None
            raise TransitionRefused(
                _("档案 %(number)s 的原件已借出，尚未归还。") % {"number": loan.dossier.archive_number}
            ) from None
        if reference_copy is None:
            dossier_custody_move(loan.dossier, DossierCustody.ON_LOAN, by=by, holder=loan.borrower)
        elif held:
            # Served with a copy: the original it was held for goes to the next requester.
            circulation.reservation_serve_after_commit(loan.dossier_id)
        _grant_until(loan, loan.due_at)
    return loan


def _original_on_shelf_for(loan: Loan, *, now):
    """Refuse, saying who has it, unless the dossier's original is on its shelf and not held for
    another requester."""
    if loan.dossier.custody == DossierCustody.ON_LOAN:
        holder = circulation.original_holder(loan.dossier_id)
        if holder is not None:
            raise TransitionRefused(
                _(
                    "档案 %(archive)s 的原件已借出，尚未归还：在 %(borrower)s 处（%(number)s），应还 %(due)s；"
                    "归还后按预约顺序发放。"
                )
                % {
                    "archive": loan.dossier.archive_number,
                    "borrower": holder.borrower,
                    "number": holder.register_number,
                    "due": timezone.localtime(holder.due_at).strftime("%Y-%m-%d %H:%M") if holder.due_at else "—",
                }
            )
        raise TransitionRefused(_("档案 %(number)s 的原件已借出，尚未归还。") % {"number": loan.dossier.archive_number})
    if loan.dossier.status != DossierStatus.FORMAL or loan.dossier.custody != DossierCustody.IN_CABINET:
        raise ActionRefused(_("此档案不是在柜的正式档案，不能发放。"))
    held = circulation.hold_for_another(loan, at=now)
    if held is not None:
        raise TransitionRefused(
            _("档案 %(archive)s 的原件为预约人 %(borrower)s（%(number)s）保留至 %(until)s。")
            % {
                "archive": loan.dossier.archive_number,
                "borrower": held.borrower,
                "number": held.register_number,
                "until": timezone.localtime(held.held_until).strftime("%Y-%m-%d %H:%M"),
            }
        )


def _reference_copy_check(loan: Loan, copy: ReferenceCopy):
    """A reference copy lent for this loan: one of the dossier's documents, not withdrawn."""
    copy = ReferenceCopy.objects.select_for_update().select_related("document").get(pk=copy.pk)
    if copy.document.dossier_id != loan.dossier_id:
        raise ActionRefused(_("此参考副本不属于本档案。"))
    if copy.withdrawn_at is not None:
        raise ActionRefused(_("此参考副本已注销。"))
    if copy.loans.filter(status__in=NOT_RETURNED_STATUSES).exists():
        raise ActionRefused(_("此参考副本已借出。"))
    if loan.kind != LoanKind.BORROW:
        raise ActionRefused(_("影印须使用原件，参考副本只用于借阅。"))


def _receipt_record(loan: Loan, *, by, note: str = "") -> Loan:
    """Record the 签收 of what is out now: on the loan for the original (or a reference copy), on
    the photocopy record for the copies once registered; `note` names a witnessed signature."""
    _refuse_unless(loan.status in OUTSTANDING_STATUSES and loan.awaiting_receipt, loan)
    now = timezone.now()
    if loan.status == LoanStatus.COPIES_OUT:
        record = loan.photocopy
        record.copies_signed_at = now
        if note:
            record.copies_witnessed_by, record.copies_witness_note = by, note
        record.save()
        return loan
    loan.borrower_confirmed_at = now
    if note:
        loan.receipt_witnessed_by, loan.receipt_witness_note = by, note
    loan._history_user = by
    loan.save()
    return loan


def loan_confirm_receipt(loan: Loan, *, by) -> Loan:
    """The borrower signs (签收) for what they received: the original, a reference copy, or — once
    registered — the photocopies."""
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk != loan.borrower_id:
            raise ActionRefused(_("只有借阅人本人可以签收。"))
        return _receipt_record(loan, by=by)


def loan_receipt_witness(loan: Loan, *, by, note: str) -> Loan:
    """The clerk records the borrower's signature on the paper register, witnessed (who signed,
    where), for a borrower who does not sign in: the receipt then stands as if they had."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以登记见证签收。"))
    if not note.strip():
        raise ActionRefused(_("请写明见证签收的情况（签字人、见证人）。"))
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        return _receipt_record(loan, by=by, note=note.strip()[:300])


def _refuse_unsigned(loan: Loan):
    """A loan is not complete until the borrower's receipt (签收) of what is out is recorded."""
    if loan.awaiting_receipt:
        raise ActionRefused(
            _("借阅人尚未签收 %(number)s，请先由借阅人签收，或登记见证签收后再注销。")
            % {"number": loan.register_number}
        )


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


def loan_return(
    loan: Loan,
    *,
    by,
    complete: bool,
    remarks: str = "",
    damaged_documents=(),
    pages_returned: int | None = None,
    damaged: bool = False,
) -> Loan:
    """借阅归还: the clerk receives what was lent, counts the pages against those handed out, checks
    completeness (检查完整性) and damage, and closes the entry (注销) — only once the borrower's
    receipt is recorded. An incomplete or damaged return is recorded and opens a repair follow-up
    for the documents concerned. The original is back in its cabinet (custody, on its locked row)
    and, when someone reserved it, held for the next requester."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以办理归还。"))
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        _refuse_unless(loan.kind == LoanKind.BORROW and loan.status == LoanStatus.ISSUED, loan)
        _refuse_unsigned(loan)
        if complete and damaged:
            raise ActionRefused(_("有破损时请选择“不完整或有破损”并写明情况。"))
        if complete and pages_returned is not None and loan.pages_out and pages_returned < loan.pages_out:
            raise ActionRefused(
                _("归还 %(back)d 页，少于交付的 %(out)d 页：请登记为不完整并写明情况。")
                % {"back": pages_returned, "out": loan.pages_out}
            )
        loan.dossier = dossiers_lock([loan.dossier_id])[loan.dossier_id]
        if not complete:
            _follow_up_damage(loan, by=by, damaged_documents=damaged_documents, remarks=remarks)
        now = timezone.now()
        loan.status = LoanStatus.CLOSED
        loan.original_returned_at = loan.returned_at = now
        loan.original_complete = loan.returned_complete = complete
        loan.pages_returned, loan.returned_damaged = pages_returned, damaged
        loan.closed_by = loan.original_received_by = by
        loan.remarks = remarks.strip()
        loan._history_user = by
        loan.save()
        if loan.lends_original:
            _original_back_in_cabinet(loan.dossier, by=by)
        customer_access_revoke(loan.grant)
        _close_pending_extensions(loan)
        _overnight_close(loan)
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
        loan.original_received_by = by
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
        _refuse_unsigned(loan)
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
        asked = loan.extensions.exclude(status=ExtensionStatus.REJECTED).count()
        if asked >= settings.LOAN_MAX_EXTENSIONS:
            raise ActionRefused(
                _("每笔借阅最多续借 %(count)d 次，%(number)s 已达上限，请先归还。")
                % {"count": settings.LOAN_MAX_EXTENSIONS, "number": loan.register_number}
            )
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


def loan_overnight_decide(loan: Loan, *, by, approve: bool, comment: str = "") -> Loan:
    """The archive manager decides on keeping an original beyond the day it is lent (seed 000 §3),
    a step of its own beside the loan's chain. Approved: the loan is due on the requested date (an
    original already out gets that date now); refused: due back the same day, and the borrower is
    told."""
    with transaction.atomic():
        loan = _locked(loan)
        if loan.overnight_status != OvernightStatus.REQUESTED:
            raise TransitionRefused(_("此过夜留存申请已处理。"))
        _refuse_unless(loan.status in (LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.ISSUED), loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("不能审批自己的申请。"))
        if not approve and not comment.strip():
            raise ActionRefused(_("请写明不批准的原因。"))
        decision = approval_decide(
            kind=RequestKind.OVERNIGHT, request_id=loan.pk, by=by, approve=approve, comment=comment
        )
        if decision.outcome == ApprovalOutcome.PENDING:
            return loan
        now = timezone.now()
        if decision.outcome == ApprovalOutcome.APPROVED:
            loan.overnight_status = OvernightStatus.APPROVED
            if loan.status == LoanStatus.ISSUED and loan.requested_due_on:
                loan.due_at = max(loan.due_at, due_on_day(loan.requested_due_on, now=now))
                _grant_until(loan, loan.due_at)
            message = _("%(number)s 的原件可留存至 %(day)s。")
        else:
            loan.overnight_status = OvernightStatus.REJECTED
            message = _("%(number)s 的原件过夜留存未获批准，请当天归还。")
        loan._history_user = by
        loan.save()
    notification_send(
        recipient=loan.borrower,
        message=message % {"number": loan.register_number, "day": loan.requested_due_on},
        link=_loan_link(loan),
    )
    return loan


def loan_report_lost(loan: Loan, *, by, description: str) -> Loan:
    """The clerk reports what a loan took out as lost (丢失): the loan waits for its write-off to be
    approved (by default the archive manager, then the general manager), the archive manager is
    told at once, and the notice is recorded on the loan. Pending extensions end."""
    if not permissions.can_issue_loans(by):
        raise ActionRefused(_("只有档案管理员可以登记丢失。"))
    if not description.strip():
        raise ActionRefused(_("请写明丢失的情况。"))
    with transaction.atomic():
        loan = _locked(loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("经办人不能是借阅人本人。"))
        _refuse_unless(loan.status in OUTSTANDING_STATUSES, loan)
        loan.status = LoanStatus.LOST
        loan.loss_reported_by, loan.loss_reported_at = by, timezone.now()
        loan.loss_description = description.strip()[:300]
        loan._history_user = by
        loan.save()
        _close_pending_extensions(loan)
        _overnight_close(loan)
        message = _("借阅 %(number)s（档号 %(archive)s，借阅人 %(borrower)s）登记丢失：%(description)s") % {
            "number": loan.register_number,
            "archive": loan.dossier.archive_number,
            "borrower": loan.borrower,
            "description": loan.loss_description,
        }
        managers = list(people_with_role(Role.ARCHIVE_MANAGER))
        notifications_send([(manager, message, _loan_link(loan)) for manager in managers])
        report = LoanNotice.objects.create(
            loan=loan,
            kind=NoticeKind.LOSS,
            recipients=circulation.recipients_text(managers),
            message=message[:500],
        )
        # The write-off chain of this report (a loss reported again after a refusal has its own).
        approval_open(
            kind=RequestKind.WRITE_OFF,
            request_id=report.pk,
            reference=_("%(number)s丢失") % {"number": loan.register_number},
            link=_loan_link(loan),
            subject=subject_for_customer(loan.borrower, loan.dossier.customer),
        )
    return loan


def loan_write_off_decide(loan: Loan, *, by, approve: bool, comment: str = "") -> Loan:
    """A step of the write-off chain. Once approved the loan ends as 已丢失注销: a repair-or-replace
    follow-up (补办或复制替换) opens for each document lent (or the dossier's first), a lost
    reference copy is withdrawn, the rest of the dossier is back in its cabinet, the read grant
    ends. Refused (the item was found, say): the loan is out again as before."""
    with transaction.atomic():
        loan = _locked(loan)
        _refuse_unless(loan.status == LoanStatus.LOST, loan)
        if by.pk == loan.borrower_id:
            raise ActionRefused(_("不能审批自己的申请。"))
        if not approve and not comment.strip():
            raise ActionRefused(_("请写明不批准的原因。"))
        decision = approval_decide(
            kind=RequestKind.WRITE_OFF, request_id=loan.loss_report_id, by=by, approve=approve, comment=comment
        )
        if decision.outcome == ApprovalOutcome.PENDING:
            return loan
        loan._history_user = by
        if decision.outcome == ApprovalOutcome.REJECTED:
            loan.status = LoanStatus.COPIES_OUT if loan.original_returned_at else LoanStatus.ISSUED
            loan.save()
            return loan
        now = timezone.now()
        loan.status, loan.written_off_at, loan.closed_by = LoanStatus.WRITTEN_OFF, now, by
        loan.save()
        loan.dossier = dossiers_lock([loan.dossier_id])[loan.dossier_id]
        documents = list(loan.documents.all()) or list(loan.dossier.documents.all()[:1])
        if loan.reference_copy_id:
            documents = [loan.reference_copy.document]
            ReferenceCopy.objects.filter(pk=loan.reference_copy_id).update(
                withdrawn_at=now, withdrawn_reason=_("借阅 %(number)s 丢失") % {"number": loan.register_number}
            )
        for document in documents:
            # The follow-up is the archive office's work: opened in the name of the clerk who reported.
            repair_open(
                document,
                by=loan.loss_reported_by,
                damage=_("借阅 %(number)s 丢失，需补办或复制替换：%(description)s")
                % {"number": loan.register_number, "description": loan.loss_description},
            )
        if loan.lends_original and loan.original_returned_at is None:
            _original_back_in_cabinet(loan.dossier, by=by)
        customer_access_revoke(loan.grant)
    return loan


def _report_lines_store(report: MonthlyReport) -> list[MonthlyReportLine]:
    """Copy what is out at the report's moment into its lines, so the report never changes."""
    at = report.taken_at
    lines = []
    # Plain rows, not loans with five related objects each: a month of 10,000 lines is copied in
    # about a second. The unsaved Loan only lends its register number and days overdue.
    for row in selectors.loans_outstanding_rows(at=at):
        loan = Loan(pk=row["pk"], kind=row["kind"], due_at=row["due_at"], reference_copy_id=row["reference_copy_id"])
        original_out = loan.lends_original and row["original_returned_at"] is None
        lines.append(
            MonthlyReportLine(
                report=report,
                loan_id=loan.pk,
                item="reference_copy" if loan.reference_copy_id else "original" if original_out else "photocopy",
                register_number=loan.register_number,
                archive_number=row["archive_number"] or "",
                material=row["copied_content"] if row["status"] == LoanStatus.COPIES_OUT else row["content"],
                borrower=row["borrower"],
                department=row["department"],
                purpose=row["purpose"],
                issued_at=row["issued_at"],
                due_at=row["due_at"],
                days_overdue=loan.days_overdue(at),
            )
        )
    return MonthlyReportLine.objects.bulk_create(lines, batch_size=2000)


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
