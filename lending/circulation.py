"""The circulation desk's rules around a loan (SPEC §5, issue 13): reservations (预约), borrower
blocks and their overrides, notices (courtesy, overdue escalation, reservation), and reference
copies (参考副本). The loan's own life is lending.services, which calls these.

Notices are each recorded on the loan (LoanNotice, append-only); the overdue escalation counts
working days of the company calendar (crm_archive.workdays)."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, handles
from accounts.selectors import people_with_role
from accounts.services import notification_send, notifications_send
from crm_archive.errors import ActionRefused
from crm_archive.escalation import NoticeLevel, parse_levels
from crm_archive.workdays import end_of_next_working_days, working_days_between
from dossiers.models import Document, DossierCustody, DossierStatus
from dossiers.services import dossiers_lock

from .models import (
    NOT_RETURNED_STATUSES,
    OUTSTANDING_STATUSES,
    WAITING_STATUSES,
    BlockOverride,
    Loan,
    LoanNotice,
    LoanStatus,
    NoticeKind,
    ReferenceCopy,
)

NOTICE_ROLES = {
    "borrower": None,
    "department_manager": Role.DEPARTMENT_MANAGER,
    "archive_manager": Role.ARCHIVE_MANAGER,
    "general_manager": Role.GENERAL_MANAGER,
}


def notice_levels(text: str | None = None) -> list[NoticeLevel]:
    """LOAN_OVERDUE_NOTICE_LEVELS parsed: "0:borrower;1:department_manager;3:archive_manager+general_manager"
    — working days after the due day, then who is told. Refuses a malformed setting at startup."""
    text = settings.LOAN_OVERDUE_NOTICE_LEVELS if text is None else text
    return parse_levels("LOAN_OVERDUE_NOTICE_LEVELS", text, NOTICE_ROLES)


def _link(loan) -> str:
    return reverse("lending:detail", args=[loan.pk])


def recipients_text(people) -> str:
    """Who a notice went to, as recorded on the loan."""
    return "、".join(sorted({str(person) for person in people}))[:500]


# ── Borrower blocks ────────────────────────────────────────────────────────────────────────────


def overdue_loans(*, at=None):
    """Loans past their due time and not returned (lost ones too): their borrowers are blocked."""
    return Loan.objects.filter(status__in=NOT_RETURNED_STATUSES, due_at__lt=at or timezone.now())


def overdue_loans_of(borrower, *, at=None):
    return overdue_loans(at=at).filter(borrower=borrower).order_by("due_at")


def block_override_usable(borrower, *, at=None) -> BlockOverride | None:
    """An override the archive manager granted `borrower`, not yet used, still valid."""
    at = at or timezone.now()
    return (
        BlockOverride.objects.filter(borrower=borrower, loan__isnull=True, valid_until__gt=at)
        .order_by("granted_at", "pk")
        .first()
    )


def block_refusal(borrower, *, loan=None) -> str | None:
    """Why `borrower` gets no new loan now (SPEC §5: an overdue loan blocks new ones unless the
    archive manager overrides), or None. A loan made under an override is not blocked again."""
    if not settings.LOAN_BLOCK_OVERDUE_BORROWERS:
        return None
    if loan is not None and BlockOverride.objects.filter(loan=loan).exists():
        return None
    overdue = list(overdue_loans_of(borrower).exclude(pk=getattr(loan, "pk", None))[:3])
    if not overdue:
        return None
    return _("%(borrower)s 有逾期未还的借阅（%(numbers)s），归还前不能再借；确需借阅请内勤部经理特批。") % {
        "borrower": borrower,
        "numbers": "、".join(loan.register_number for loan in overdue),
    }


def block_override_use(borrower, loan) -> bool:
    """Spend an override on `loan` (in the request's transaction); False when there is none."""
    override = (
        BlockOverride.objects.select_for_update()
        .filter(borrower=borrower, loan__isnull=True, valid_until__gt=timezone.now())
        .order_by("granted_at", "pk")
        .first()
    )
    if override is None:
        return False
    override.loan = loan
    override._history_user = borrower
    override.save(update_fields=["loan"])
    return True


def block_override_grant(borrower, *, by, reason: str) -> BlockOverride:
    """The archive manager lets a blocked borrower make one more request, until the end of the next
    working day, with a reason (recorded, and the borrower is told)."""
    # A signature, as an approval is: the archive manager in person (a superuser holds no role).
    if not by.has_role(Role.ARCHIVE_MANAGER):
        raise ActionRefused(_("只有内勤部经理可以特批。"))
    if by.pk == borrower.pk:
        raise ActionRefused(_("不能为自己特批。"))
    if not reason.strip():
        raise ActionRefused(_("请写明特批原因。"))
    if not overdue_loans_of(borrower).exists():
        raise ActionRefused(_("%(borrower)s 没有逾期未还的借阅，无需特批。") % {"borrower": borrower})
    override = BlockOverride(
        borrower=borrower,
        granted_by=by,
        reason=reason.strip(),
        valid_until=end_of_next_working_days(1),
    )
    override._history_user = by
    override.save()
    notification_send(
        recipient=borrower,
        message=_("内勤部经理已特批您在 %(until)s 前提交一次借阅申请：%(reason)s")
        % {"until": timezone.localtime(override.valid_until).strftime("%Y-%m-%d %H:%M"), "reason": override.reason},
        link=reverse("lending:request"),
    )
    return override


# ── Reservations (预约) ────────────────────────────────────────────────────────────────────────


def reservation_queue(dossier_id):
    """Requests waiting for the dossier's original, oldest first (reference-copy loans do not wait)."""
    return Loan.objects.filter(
        dossier_id=dossier_id, status__in=WAITING_STATUSES, reference_copy__isnull=True
    ).order_by("requested_at", "pk")


def original_holder(dossier_id) -> Loan | None:
    """The loan that has the dossier's original out now (or reported it lost), if any."""
    return (
        Loan.objects.filter(
            dossier_id=dossier_id,
            reference_copy__isnull=True,
            status__in=[LoanStatus.ISSUED, LoanStatus.LOST],
            original_returned_at__isnull=True,
        )
        .select_related("borrower")
        .first()
    )


def original_holders(dossier_ids) -> dict[int, Loan]:
    """original_holder of each of `dossier_ids` that has its original out, by dossier id: one query
    for a whole list (the desk's loans to issue)."""
    return {
        loan.dossier_id: loan
        for loan in Loan.objects.filter(
            dossier_id__in=list(dossier_ids),
            reference_copy__isnull=True,
            status__in=[LoanStatus.ISSUED, LoanStatus.LOST],
            original_returned_at__isnull=True,
        ).select_related("borrower")
    }


def hold_for_another(loan, *, at=None) -> Loan | None:
    """Another request the returned original is held for now (its hold not run out)."""
    at = at or timezone.now()
    return (
        reservation_queue(loan.dossier_id)
        .filter(held_until__gt=at)
        .exclude(pk=loan.pk)
        .select_related("borrower")
        .first()
    )


def reservation_serve_after_commit(dossier_id):
    """Serve the dossier's reservation queue once the caller's transaction has committed: never while
    it holds the dossier's lock, since serving locks the waiting loans first, then the dossier (the
    order every service takes: a workflow's own rows, then dossiers)."""
    transaction.on_commit(lambda: reservation_serve_next(dossier_id))


def reservation_serve_next(dossier_id, *, at=None) -> Loan | None:
    """When the dossier's original is on its shelf and nobody's hold still runs, hold it for the
    first request in the queue not yet served, until the end of LOAN_RESERVATION_HOLD_WORKING_DAYS
    working days, and tell the requester (recorded on their loan). Holds that ran out are cleared
    on the way. Decided on locked rows — the waiting loans, then the dossier — so two runs never
    serve twice and nobody is told of an original that is out."""
    at = at or timezone.now()
    with transaction.atomic():
        queue = list(reservation_queue(dossier_id).select_for_update())
        if not queue:
            return None
        dossier = dossiers_lock([dossier_id]).get(dossier_id)
        lapsed = [loan.pk for loan in queue if loan.held_until is not None and loan.held_until <= at]
        if lapsed:
            Loan.objects.filter(pk__in=lapsed).update(held_until=None)
        if dossier is None or dossier.custody != DossierCustody.IN_CABINET or dossier.status != DossierStatus.FORMAL:
            return None
        if any(loan.held_until is not None and loan.held_until > at for loan in queue):
            return None
        served = set(
            LoanNotice.objects.filter(loan_id__in=[loan.pk for loan in queue], kind=NoticeKind.RESERVATION).values_list(
                "loan_id", flat=True
            )
        )
        following = next((loan for loan in queue if loan.pk not in served), None)
        if following is None:
            return None
        following.held_until = end_of_next_working_days(settings.LOAN_RESERVATION_HOLD_WORKING_DAYS, at=at)
        Loan.objects.filter(pk=following.pk).update(held_until=following.held_until)
        borrower = get_user_model().objects.get(pk=following.borrower_id)
        message = _("您预约的档案 %(archive)s 已归还，为您保留至 %(until)s，请到档案室领取（%(number)s）。") % {
            "archive": dossier.archive_number,
            "until": timezone.localtime(following.held_until).strftime("%Y-%m-%d %H:%M"),
            "number": following.register_number,
        }
        notification_send(recipient=borrower, message=message, link=_link(following))
        LoanNotice.objects.create(
            loan=following, kind=NoticeKind.RESERVATION, recipients=str(borrower), message=message, sent_at=at
        )
    return following


def reservations_lapse(*, at=None) -> int:
    """Holds that ran out without the original being issued pass to the next request in the queue."""
    at = at or timezone.now()
    dossier_ids = set(
        Loan.objects.filter(held_until__lte=at, status__in=WAITING_STATUSES).values_list("dossier_id", flat=True)
    )
    for dossier_id in sorted(dossier_ids):
        reservation_serve_next(dossier_id, at=at)
    return len(dossier_ids)


# ── Notices ────────────────────────────────────────────────────────────────────────────────────


def _sent_levels(loan_ids, kind) -> dict[int, set[int]]:
    sent = defaultdict(set)
    for loan_id, level in LoanNotice.objects.filter(loan_id__in=loan_ids, kind=kind).values_list("loan_id", "level"):
        sent[loan_id].add(level)
    return sent


def _record(notices, *, at) -> int:
    """Store the notices (loan, kind, level, people, message) and send them in-app; a notice some
    concurrent run already recorded is skipped, so nobody is told twice."""
    sent = 0
    for loan, kind, level, people, message in notices:
        try:
            with transaction.atomic():
                LoanNotice.objects.create(
                    loan=loan,
                    kind=kind,
                    level=level,
                    recipients=recipients_text(people),
                    message=message[:500],
                    sent_at=at,
                )
                notifications_send([(person, message, _link(loan)) for person in people])
        except IntegrityError:
            continue
        sent += 1
    return sent


def courtesy_reminders_send(*, at=None) -> int:
    """A reminder to each borrower whose loan falls due within LOAN_COURTESY_REMINDER_MINUTES."""
    at = at or timezone.now()
    soon = at + timedelta(minutes=settings.LOAN_COURTESY_REMINDER_MINUTES)
    loans = list(
        Loan.objects.filter(status__in=OUTSTANDING_STATUSES, due_at__gt=at, due_at__lte=soon)
        .exclude(notices__kind=NoticeKind.COURTESY)
        .select_related("borrower", "dossier")
    )
    notices = []
    for loan in loans:
        message = _("提醒：借阅 %(number)s（档号 %(archive)s）应于 %(due)s 归还。") % {
            "number": loan.register_number,
            "archive": loan.dossier.archive_number,
            "due": timezone.localtime(loan.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        notices.append((loan, NoticeKind.COURTESY, 0, [loan.borrower], message))
    return _record(notices, at=at)


def overdue_notices_send(*, at=None) -> int:
    """The overdue escalation (SPEC §5): each level of LOAN_OVERDUE_NOTICE_LEVELS once per loan, when
    the working days since the due day reach its delay — by default the borrower at once, the
    borrower's department manager after one working day, the archive manager and the general
    manager after three. A fixed number of reads however many loans are overdue, then each notice
    stored and sent on its own (a concurrent run cannot send it twice)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    levels = notice_levels()
    overdue = list(
        Loan.objects.filter(status__in=OUTSTANDING_STATUSES, due_at__lt=at).select_related("borrower", "dossier")
    )
    if not overdue or not levels:
        return 0
    sent = _sent_levels([loan.pk for loan in overdue], NoticeKind.OVERDUE)
    # Working days since each due day, counted once per day (the calendar is read per count).
    since = {}
    for day in {timezone.localdate(loan.due_at) for loan in overdue}:
        since[day] = working_days_between(day, today)
    due = [
        (loan, level)
        for loan in overdue
        for level in levels
        if level.level not in sent[loan.pk] and since[timezone.localdate(loan.due_at)] >= level.after
    ]
    if not due:
        return 0
    needed = {name for _loan, level in due for name in level.recipients} - {"borrower"}
    managers_of = defaultdict(list)
    if "department_manager" in needed:
        for manager in people_with_role(Role.DEPARTMENT_MANAGER).filter(
            department_id__in={loan.department_id for loan, _level in due}
        ):
            managers_of[manager.department_id].append(manager)
    company = {
        name: list(people_with_role(NOTICE_ROLES[name]))
        for name in needed
        if name in ("archive_manager", "general_manager")
    }
    notices = []
    for loan, level in due:
        people = []
        for name in level.recipients:
            if name == "borrower":
                people.append(loan.borrower)
            elif name == "department_manager":
                people += managers_of[loan.department_id]
            else:
                people += company[name]
        people = list({person.pk: person for person in people}.values())
        message = _("借阅 %(number)s（档号 %(archive)s，借阅人 %(borrower)s）已逾期，应还时间 %(due)s。") % {
            "number": loan.register_number,
            "archive": loan.dossier.archive_number,
            "borrower": loan.borrower,
            "due": timezone.localtime(loan.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        if level.level > 1:
            message = _("第%(level)d级逾期通知：%(message)s") % {"level": level.level, "message": message}
        notices.append((loan, NoticeKind.OVERDUE, level.level, people, message))
    return _record(notices, at=at)


def loan_notices_send(*, at=None) -> dict[str, int]:
    """The periodic job: courtesy reminders, the overdue escalation, reservations whose hold ran out."""
    at = at or timezone.now()
    return {
        "courtesy": courtesy_reminders_send(at=at),
        "overdue": overdue_notices_send(at=at),
        "reservations_lapsed": reservations_lapse(at=at),
    }


# ── Reference copies (参考副本) ─────────────────────────────────────────────────────────────────


def reference_copy_register(document, *, by) -> ReferenceCopy:
    """Register one more reference copy of `document` (numbered after the last)."""
    if not handles(by, Role.ARCHIVE_CLERK):
        raise ActionRefused(_("只有档案管理员可以登记参考副本。"))
    if document.destroyed_at is not None:
        raise ActionRefused(_("此文件已销毁，不能登记参考副本。"))
    with transaction.atomic():
        # The document's row is the lock that numbers its copies one at a time (MAX locks nothing).
        Document.objects.select_for_update().filter(pk=document.pk).first()
        last = ReferenceCopy.objects.filter(document=document).aggregate(last=Max("number"))["last"]
        copy = ReferenceCopy(document=document, number=(last or 0) + 1, registered_by=by)
        copy._history_user = by
        copy.save()
    return copy


def reference_copies_on_shelf(*, dossier_id):
    """Reference copies of the dossier's documents on the shelf now (not withdrawn, not out)."""
    out = Loan.objects.filter(status__in=NOT_RETURNED_STATUSES, reference_copy__isnull=False)
    return (
        ReferenceCopy.objects.filter(document__dossier_id=dossier_id, withdrawn_at__isnull=True)
        .exclude(pk__in=out.values("reference_copy_id"))
        .order_by("document__position", "document_id", "number")
    )
