"""Reads of the approval engine: the chain that applies, who may sign a step, what waits for whom."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dashboard import Urgency, todo
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import people_with_role
from crm_archive.memo import remembered
from crm_archive.pagination import bounded

from .models import ApprovalChain, ApprovalStep, ApprovalTask, Deputy, TaskStatus

# Everyone a default or edited chain can name: they see the approvals inbox and may name a deputy.
APPROVER_ROLES = (
    Role.DEPARTMENT_MANAGER,
    Role.ARCHIVE_MANAGER,
    Role.CS_MANAGER,
    Role.CUSTOMER_DIRECTOR,
    Role.MARKETING_DIRECTOR,
    Role.GENERAL_MANAGER,
)


def chain_for(kind: str, tier: str) -> ApprovalChain | None:
    """The chain of `kind` for `tier`, else the kind's chain for every tier; steps prefetched in order."""
    chains = ApprovalChain.objects.filter(kind=kind, tier__in=[tier, ""]).prefetch_related(
        Prefetch("steps", queryset=ApprovalStep.objects.order_by("stage", "id"))
    )
    by_tier = {chain.tier: chain for chain in chains}
    return by_tier.get(tier) or by_tier.get("")


def principals_of(user, *, on=None) -> list[User]:
    """The people `user` signs for on `on` (default today), under a delegation not cancelled."""
    on = on or timezone.localdate()
    return remembered(
        ("principals_of", user.pk, on),
        lambda: list(
            User.objects.filter(
                is_active=True,
                deputies__deputy=user,
                deputies__starts_on__lte=on,
                deputies__ends_on__gte=on,
                deputies__cancelled_at__isnull=True,
            )
            .prefetch_related("groups")
            .distinct()
            .order_by("pk")
        ),
    )


def approvers_of(task: ApprovalTask, *, on=None) -> list[User]:
    """Who may sign `task` on `on`: the holders of its role (in its department), and their deputies —
    never the requester, nor anyone who already signed this chain (in person or as a deputy)."""
    on = on or timezone.localdate()
    signed = ApprovalTask.objects.filter(kind=task.kind, request_id=task.request_id)
    signers = {pk for pair in signed.values_list("decided_by_id", "on_behalf_of_id") for pk in pair if pk}
    holders = people_with_role(task.role, task.department_id) if task.department_id else people_with_role(task.role)
    holders = holders.exclude(pk=task.requester_id).exclude(pk__in=signers)
    deputies = (
        User.objects.filter(
            is_active=True,
            deputising__principal__in=holders,
            deputising__starts_on__lte=on,
            deputising__ends_on__gte=on,
            deputising__cancelled_at__isnull=True,
        )
        .exclude(pk=task.requester_id)
        .exclude(pk__in=signers)
    )
    return list((holders | deputies).distinct())


def _signed_by(person) -> Exists:
    """Whether `person` signed the chain of the outer step (in person or through a deputy)."""
    return Exists(
        ApprovalTask.objects.filter(kind=OuterRef("kind"), request_id=OuterRef("request_id")).filter(
            Q(decided_by_id=person.pk) | Q(on_behalf_of_id=person.pk)
        )
    )


def _capacity_rule(user, principals) -> Q:
    """Steps naming `user`'s roles (in their department), or a principal's — never that person's
    own request, nor a chain that person already signed."""
    rule = Q(pk__in=[])
    for person in [user, *principals]:
        roles = list(person.role_names)
        if not roles:
            continue
        in_department = Q(department__isnull=True) | Q(department_id=person.department_id)
        rule |= Q(role__in=roles) & in_department & ~Q(requester_id=person.pk) & ~_signed_by(person)
    return rule


def tasks_awaiting(user, *, on=None) -> QuerySet[ApprovalTask]:
    """The due steps `user` may sign now (in person or as a deputy): never on their own requests,
    nor on a chain they already signed."""
    if not user.is_authenticated:
        return ApprovalTask.objects.none()
    return (
        ApprovalTask.objects.filter(status=TaskStatus.WAITING)
        .filter(_capacity_rule(user, principals_of(user, on=on)))
        .exclude(requester_id=user.pk)
        .exclude(_signed_by(user))
        .select_related("requester", "department")
        .order_by("created_at", "id")
    )


def request_ids_awaiting(user, kinds) -> QuerySet:
    """The ids of requests of `kinds` with a step `user` may sign now (a subquery for list filters)."""
    return tasks_awaiting(user).filter(kind__in=kinds).values("request_id")


def request_ids_signed_by(user, kinds) -> QuerySet:
    """The ids of requests of `kinds` whose chain `user` signed (in person or as a deputy)."""
    return (
        ApprovalTask.objects.filter(kind__in=kinds)
        .filter(Q(decided_by_id=user.pk) | Q(on_behalf_of_id=user.pk))
        .values("request_id")
    )


def may_sign(user, kind: str, request_id) -> bool:
    return tasks_awaiting(user).filter(kind=kind, request_id=request_id).exists()


def stage_due(kind: str, request_id) -> int | None:
    """The stage of the request's chain whose steps are waiting now; None when none is (the chain
    is complete, refused or closed)."""
    return (
        ApprovalTask.objects.filter(kind=kind, request_id=request_id, status=TaskStatus.WAITING)
        .order_by("stage")
        .values_list("stage", flat=True)
        .first()
    )


def approval_timeline(kind: str, request_id) -> list[ApprovalTask]:
    """The request's steps in order, with their signatures: the timeline on its page."""
    return list(
        ApprovalTask.objects.filter(kind=kind, request_id=request_id)
        .select_related("decided_by", "on_behalf_of", "department")
        .order_by("stage", "id")
    )


class Progress(list):
    """A request's steps in order (ApprovalTask rows, as approval_timeline lists them) and what its
    page says of them where a decision is made: `due`, the steps waiting now, each with `approvers`
    (who may sign it: its role's holders and their deputies); `later`, the steps after them;
    `complete` once every step is approved; `refused` once one was not."""

    due: list[ApprovalTask]
    later: list[ApprovalTask]
    complete: bool
    refused: bool


def approval_progress(kind: str, request_id) -> Progress:
    """The timeline of the request's page, saying who must sign next (issue 15 §4: no blind
    decisions). One query, and two for each step due now (a stage has a step or two)."""
    progress = Progress(approval_timeline(kind, request_id))
    progress.due = [task for task in progress if task.status == TaskStatus.WAITING]
    progress.later = [task for task in progress if task.status == TaskStatus.QUEUED]
    for task in progress.due:
        task.approvers = approvers_of(task)
    progress.complete = bool(progress) and all(task.status == TaskStatus.APPROVED for task in progress)
    progress.refused = any(task.status == TaskStatus.REJECTED for task in progress)
    return progress


def deputies_of(user) -> QuerySet[Deputy]:
    return Deputy.objects.filter(principal=user).select_related("deputy").order_by("-starts_on", "-id")


def deputising_for(user) -> QuerySet[Deputy]:
    return Deputy.objects.filter(deputy=user).select_related("principal").order_by("-starts_on", "-id")


def approvals_dashboard(user) -> dict:
    """The approver's panel: the first steps waiting for them (three queries)."""
    # Loans and destruction lists have their own panels.
    waiting = bounded(
        tasks_awaiting(user).filter(kind__in=["read", "export", "extension", "overnight", "write_off"]), show=10
    )
    return {
        "approval_tasks": waiting.items,
        "approval_tasks_more": waiting.count > len(waiting.items),
        "todos": [
            todo(
                "approvals-waiting",
                _("待我审批的查阅、导出、延期"),
                waiting,
                reverse("approvals:inbox"),
                Urgency.WAITING,
            )
        ],
    }
