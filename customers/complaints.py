"""Customer feedback and the handling of complaints (seed 001 §10, seed 003 制度7 §7, SPEC §10).

Feedback of every kind is recorded and classified (表扬, 建议, 投诉). A complaint has a handler and a
deadline; its handling is a log of progress steps, each saying whether the customer was told; the
handler submits a result, which the general manager approves when COMPLAINT_RESULT_APPROVAL asks for
it (制度7 §7.2–7.3: 处理结果经公司总经理审批后反馈到客户); a review note (回访意见) closes it.

An open complaint past its deadline escalates by COMPLAINT_ESCALATION_LEVELS — by default the
department manager of the customer's department the day after the deadline, the customer service
manager two working days later, the general manager after five — each level sent once and
recorded (ComplaintEscalation, append-only). Whoever it reached sees it on their dashboard and may
open it, even when the customer's tier would not let them read the rest of the profile.
"""

from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dashboard import Urgency, todo
from accounts.roles import Role, signs_as
from accounts.selectors import people_with_role
from accounts.services import notifications_send
from crm_archive.errors import ActionRefused
from crm_archive.escalation import NoticeLevel, parse_levels
from crm_archive.pagination import bounded
from crm_archive.workdays import working_days_between

from .models import Complaint, ComplaintEscalation, ComplaintProgress, FeedbackKind
from .permissions import can_edit_customer
from .secrecy import customers_readable_by

ESCALATION_ROLES = {
    "department_manager": Role.DEPARTMENT_MANAGER,
    "cs_manager": Role.CS_MANAGER,
    "general_manager": Role.GENERAL_MANAGER,
}


def escalation_levels(text: str | None = None) -> list[NoticeLevel]:
    """COMPLAINT_ESCALATION_LEVELS parsed: working days after the deadline, then who is told."""
    text = settings.COMPLAINT_ESCALATION_LEVELS if text is None else text
    return parse_levels("COMPLAINT_ESCALATION_LEVELS", text, ESCALATION_ROLES)


def responsible_people(customer) -> list:
    """Who is told what concerns a customer: its owner and, for an important customer, the second
    responsible person (seed 003 制度1 第七条3)."""
    people = [customer.owner]
    if customer.second_owner_id and customer.second_owner_id != customer.owner_id:
        people.append(customer.second_owner)
    return people


def link(complaint: Complaint) -> str:
    return reverse("customers:complaint", args=[complaint.customer_id, complaint.pk])


# ── Who may do what ────────────────────────────────────────────────────────────────────────────


def escalated_rule(user) -> Q:
    """The complaints whose escalation reached `user`: a level naming one of their roles (the
    department manager only for customers of their department). Matches nothing otherwise."""
    rules = Q(pk__in=[])
    for name, role in ESCALATION_ROLES.items():
        if not user.has_role(role):
            continue
        reached = ComplaintEscalation.objects.filter(complaint=OuterRef("pk"), role__contains=name)
        if role == Role.DEPARTMENT_MANAGER:
            if user.department_id is not None:
                rules |= Q(Exists(reached)) & Q(customer__department_id=user.department_id)
        else:
            rules |= Q(Exists(reached))
    return rules


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """Feedback on customers `user` may read, the complaints they handle, and those escalated to them."""
    if not user.is_authenticated or not user.is_active:
        return Complaint.objects.none()
    return Complaint.objects.filter(
        Q(customer__in=customers_readable_by(user)) | Q(owner_id=user.pk) | escalated_rule(user)
    )


def complaint_actions(user, complaint: Complaint) -> set[str]:
    """What `user` may do on `complaint` now: "progress" (log a step), "resolve" (submit the result),
    "approve"/"return" (the general manager, on a result waiting), "close" (the review note)."""
    if complaint.closed_on is not None:
        return set()
    handles_it = complaint.owner_id == user.pk or can_edit_customer(user, complaint.customer)
    escalated = Complaint.objects.filter(escalated_rule(user), pk=complaint.pk).exists()
    actions = set()
    if handles_it or escalated:
        actions.add("progress")
    if handles_it:
        if not complaint.is_complaint:
            actions.add("close")
        elif complaint.resolved_at is None:
            actions.add("resolve")
        elif complaint.result_approved_at is not None or not settings.COMPLAINT_RESULT_APPROVAL:
            actions.add("close")
    waiting = complaint.is_complaint and complaint.resolved_at is not None and complaint.result_approved_at is None
    if waiting and settings.COMPLAINT_RESULT_APPROVAL and signs_as(user, Role.GENERAL_MANAGER):
        actions |= {"approve", "return"}
    return actions


def _locked(complaint: Complaint, *, by, action: str) -> Complaint:
    locked = Complaint.objects.select_for_update().select_related("customer").get(pk=complaint.pk)
    if action not in complaint_actions(by, locked):
        raise ActionRefused(_("您现在不能办理此项，或此反馈已结案。"))
    locked._history_user = by
    return locked


# ── State changes ──────────────────────────────────────────────────────────────────────────────


def complaint_progress_add(complaint: Complaint, *, by, note: str, customer_told: bool) -> ComplaintProgress:
    """Log one step of the handling, and whether the customer was told of it."""
    if not note.strip():
        raise ActionRefused(_("请填写处理进展。"))
    with transaction.atomic():
        locked = _locked(complaint, by=by, action="progress")
        return ComplaintProgress.objects.create(complaint=locked, by=by, note=note.strip(), customer_told=customer_told)


def complaint_resolve(complaint: Complaint, *, by, resolution: str) -> Complaint:
    """The handler submits the result; when the general manager must approve it, they are told."""
    if not resolution.strip():
        raise ActionRefused(_("请填写处理结果。"))
    with transaction.atomic():
        locked = _locked(complaint, by=by, action="resolve")
        locked.resolution = resolution.strip()
        locked.resolved_at = timezone.now()
        locked.result_approved_by = None
        locked.result_approved_at = None
        locked.save()
        if settings.COMPLAINT_RESULT_APPROVAL:
            message = _("投诉处理结果待您审批：%(customer)s — %(complaint)s") % {
                "customer": locked.customer,
                "complaint": locked,
            }
            notifications_send((person, message, link(locked)) for person in people_with_role(Role.GENERAL_MANAGER))
    return locked


def complaint_result_approve(complaint: Complaint, *, by) -> Complaint:
    """The general manager approves the result; the handler and the customer's responsible people
    are told it may go back to the customer."""
    with transaction.atomic():
        locked = _locked(complaint, by=by, action="approve")
        locked.result_approved_by = by
        locked.result_approved_at = timezone.now()
        locked.save()
        message = _("投诉处理结果已获总经理批准，请反馈客户并回访结案：%(customer)s") % {"customer": locked.customer}
        _tell([locked.owner, *responsible_people(locked.customer)], message, locked)
    return locked


def complaint_result_return(complaint: Complaint, *, by, reason: str) -> Complaint:
    """The general manager sends the result back with a reason: the handler handles it further."""
    if not reason.strip():
        raise ActionRefused(_("退回时请填写理由。"))
    with transaction.atomic():
        locked = _locked(complaint, by=by, action="return")
        locked.resolved_at = None
        locked.save()
        ComplaintProgress.objects.create(
            complaint=locked, by=by, note=_("总经理退回处理结果：%(reason)s") % {"reason": reason.strip()}
        )
        _tell([locked.owner], _("投诉处理结果被退回：%(customer)s") % {"customer": locked.customer}, locked)
    return locked


def complaint_close(complaint: Complaint, *, by, review_note: str) -> Complaint:
    """The review note (回访意见: what the customer said of the result) closes the feedback."""
    if not review_note.strip():
        raise ActionRefused(_("结案时请填写回访意见。"))
    with transaction.atomic():
        locked = _locked(complaint, by=by, action="close")
        locked.review_note = review_note.strip()
        locked.closed_by = by
        locked.closed_on = timezone.localdate()
        locked.save()
    return locked


def _tell(people, message: str, complaint: Complaint) -> None:
    unique = {person.pk: person for person in people if person is not None and person.is_active}
    notifications_send((person, message, link(complaint)) for person in unique.values())


def complaint_escalations_send(*, at=None) -> int:
    """Each level of COMPLAINT_ESCALATION_LEVELS once per open complaint whose deadline lies that
    many working days back; the handler and the customer's responsible people are told too. A fixed
    number of reads however many complaints are overdue; each level recorded on its own, so a
    concurrent run cannot send it twice."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    levels = escalation_levels()
    overdue = list(
        Complaint.objects.filter(kind=FeedbackKind.COMPLAINT, closed_on__isnull=True, deadline__lt=today)
        .select_related("customer__owner", "customer__second_owner", "owner")
        .order_by("deadline", "pk")
    )
    if not overdue or not levels:
        return 0
    sent = defaultdict(set)
    for complaint_id, level in ComplaintEscalation.objects.filter(
        complaint_id__in=[complaint.pk for complaint in overdue]
    ).values_list("complaint_id", "level"):
        sent[complaint_id].add(level)
    since = {day: working_days_between(day, today) for day in {complaint.deadline for complaint in overdue}}
    due = [
        (complaint, level)
        for complaint in overdue
        for level in levels
        if level.level not in sent[complaint.pk] and since[complaint.deadline] >= level.after
    ]
    if not due:
        return 0
    managers_of = defaultdict(list)
    for manager in people_with_role(Role.DEPARTMENT_MANAGER).filter(
        department_id__in={complaint.customer.department_id for complaint, _level in due}
    ):
        managers_of[manager.department_id].append(manager)
    company = {name: list(people_with_role(ESCALATION_ROLES[name])) for name in ("cs_manager", "general_manager")}
    count = 0
    for complaint, level in due:
        people = []
        for name in level.recipients:
            people += managers_of[complaint.customer.department_id] if name == "department_manager" else company[name]
        message = _("投诉逾期未结（第%(level)d级上报）：%(customer)s，处理人 %(handler)s，期限 %(deadline)s。") % {
            "level": level.level,
            "customer": complaint.customer,
            "handler": complaint.owner,
            "deadline": complaint.deadline.isoformat(),
        }
        try:
            with transaction.atomic():
                ComplaintEscalation.objects.create(
                    complaint=complaint,
                    level=level.level,
                    role="+".join(level.recipients),
                    recipients="、".join(sorted({str(person) for person in people}))[:300],
                    sent_at=at,
                )
                _tell([*people, complaint.owner, *responsible_people(complaint.customer)], message, complaint)
        except IntegrityError:
            continue
        count += 1
    return count


# ── Reads ──────────────────────────────────────────────────────────────────────────────────────


def complaints_escalated_to(user) -> QuerySet[Complaint]:
    """Open complaints escalated to `user`, most overdue first."""
    return (
        Complaint.objects.filter(escalated_rule(user), closed_on__isnull=True)
        .select_related("customer", "owner")
        .order_by("deadline", "pk")
    )


def complaint_results_waiting(user) -> QuerySet[Complaint]:
    """Results waiting for the general manager's approval (none for anyone else)."""
    if not settings.COMPLAINT_RESULT_APPROVAL or not signs_as(user, Role.GENERAL_MANAGER):
        return Complaint.objects.none()
    return (
        Complaint.objects.filter(
            kind=FeedbackKind.COMPLAINT,
            closed_on__isnull=True,
            resolved_at__isnull=False,
            result_approved_at__isnull=True,
        )
        .select_related("customer", "owner")
        .order_by("resolved_at", "pk")
    )


def managers_dashboard(user) -> dict:
    """Complaints escalated to a manager, and (the general manager) results waiting for approval."""
    escalated = bounded(complaints_escalated_to(user))
    waiting = bounded(complaint_results_waiting(user))
    return {
        "escalated": escalated,
        "waiting": waiting,
        "todos": [
            todo("complaints-escalated", _("逾期投诉（已上报）"), escalated, "#complaints-escalated", Urgency.OVERDUE),
            todo("complaint-results", _("投诉处理结果待审批"), waiting, "#complaint-results", Urgency.WAITING),
        ],
    }


def complaint_page(complaint: Complaint) -> dict:
    """The complaint page's records: progress steps and escalations, oldest first."""
    return {
        "progress": list(complaint.progress.select_related("by")),
        "escalations": list(complaint.escalations.all()),
    }
