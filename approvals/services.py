"""The approval engine (SPEC §9): a request copies its chain when it is made; approvers sign the
steps in order; every signature is a row.

The flows that need approvals (read requests, loans, photocopies, extensions, exports,
destruction lists) call three functions: `approval_open` when the request is made,
`approval_decide` when someone signs, `approval_close` when the request ends otherwise (withdrawn,
refused by a rule). Each keeps its own state machine and asks the engine only whether its chain
is complete.

Guarantees: nobody signs their own request; nobody signs twice in one chain (in person or for
someone else); a deputy signs only within their dates and only what their principal could sign,
and the row says on whose behalf; a step whose role nobody holds is reported to the
administrators when it falls due instead of waiting unseen.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import people_with_role
from accounts.services import notifications_send
from crm_archive.errors import ActionRefused
from customers import secrecy
from customers.models import SecrecyTier

from . import selectors
from .models import ApprovalTask, Deputy, RequestKind, StepCondition, StepRole, TaskStatus


@dataclass(frozen=True)
class Subject:
    """What a chain is resolved against: who asks, the secrecy tier concerned, the department
    whose manager manages that tier (department tier: the customer's; personal: the owner's), the
    department that produced the records (destruction), and whether the tier is closed to the
    requester."""

    requester: User
    tier: str = ""
    tier_department_id: int | None = None
    producing_department_id: int | None = None
    tier_closed: bool = False


def subject_for_customer(requester, customer, *, tier: str | None = None) -> Subject:
    """The subject of a request about `customer` (its tier, unless `tier` names a stricter one)."""
    tier = tier or customer.secrecy_tier
    if tier == SecrecyTier.DEPARTMENT:
        tier_department_id = customer.department_id
    elif tier == SecrecyTier.PERSONAL:
        tier_department_id = customer.owner.department_id
    else:
        tier_department_id = None
    return Subject(
        requester=requester,
        tier=tier,
        tier_department_id=tier_department_id,
        tier_closed=not secrecy.tier_opens_customer(requester, customer),
    )


def _resolve(step_role: str, subject: Subject) -> tuple[str, int | None] | None:
    """The role and department a step names for `subject`; None when it names nobody (a tier
    manager without a tier)."""
    if step_role == StepRole.REQUESTER_DEPARTMENT_MANAGER:
        return _department_manager(step_role, subject.requester.department_id)
    if step_role == StepRole.PRODUCING_DEPARTMENT_MANAGER:
        return _department_manager(step_role, subject.producing_department_id)
    if step_role == StepRole.TIER_MANAGER:
        if subject.tier in (SecrecyTier.DEPARTMENT, SecrecyTier.PERSONAL):
            return _department_manager(step_role, subject.tier_department_id)
        return {
            SecrecyTier.COMPANY: (Role.MARKETING_DIRECTOR, None),
            SecrecyTier.TOP_SECRET: (Role.GENERAL_MANAGER, None),
        }.get(subject.tier)
    return Role(step_role), None


# Who heads a department that has no department manager: the archive office is headed by the
# archive manager (内勤部经理), customer service by its manager, and so on.
DEPARTMENT_HEAD_ROLES = (
    Role.DEPARTMENT_MANAGER,
    Role.ARCHIVE_MANAGER,
    Role.CS_MANAGER,
    Role.CUSTOMER_DIRECTOR,
    Role.MARKETING_DIRECTOR,
    Role.GENERAL_MANAGER,
)


def _department_manager(step_role: str, department_id) -> tuple[str, int]:
    """The head of one department (never "any department manager"): its department manager, or,
    where it has none, the holder of the first managing role found in it."""
    if department_id is None:
        raise ActionRefused(
            _("审批步骤“%(step)s”找不到对应的部门，请联系系统管理员。") % {"step": StepRole(step_role).label}
        )
    for role in DEPARTMENT_HEAD_ROLES:
        if people_with_role(role, department_id).exists():
            return role, department_id
    return Role.DEPARTMENT_MANAGER, department_id


def _applies(step_role: str, condition: str, subject: Subject) -> bool:
    if step_role == StepRole.REQUESTER_DEPARTMENT_MANAGER and subject.requester.has_role(*selectors.APPROVER_ROLES):
        # A manager's or director's own request has no department head above it to sign: the
        # next steps carry it.
        return False
    if condition == StepCondition.TIER_CLOSED:
        return subject.tier_closed
    if condition == StepCondition.REQUESTER_NOT_MANAGER:
        return not subject.requester.has_role(*selectors.APPROVER_ROLES)
    return True


def approval_plan(kind: str, subject: Subject) -> list[tuple[int, str, str, int | None]]:
    """The steps a request of `kind` about `subject` would need now: (stage, step role, role,
    department), stages numbered from 1. A step resolving to the same person-in-role as an earlier
    one is dropped (one signature serves both: nobody signs twice in one chain)."""
    chain = selectors.chain_for(kind, subject.tier)
    if chain is None:
        raise ActionRefused(
            _("系统尚未配置“%(kind)s”的审批流程，请联系系统管理员。") % {"kind": RequestKind(kind).label}
        )
    plan, seen, stages = [], set(), {}
    for step in chain.steps.all():
        if not step.active or not _applies(step.role, step.condition, subject):
            continue
        resolved = _resolve(step.role, subject)
        if resolved is None or _covered(resolved, seen):
            continue
        seen.add(resolved)
        stage = stages.setdefault(step.stage, len(stages) + 1)
        plan.append((stage, step.role, *resolved))
    return plan


def _covered(resolved, seen) -> bool:
    """Whether an earlier step already names the same people in that role (the same department,
    or one of the two company-wide): one signature serves both, nobody signs twice."""
    role, department_id = resolved
    return any(
        role == seen_role and (department_id == seen_department or None in (department_id, seen_department))
        for seen_role, seen_department in seen
    )


def approval_serves(task: ApprovalTask, step_role: str, subject: Subject) -> bool:
    """Whether `task`'s signature stands for `step_role` of the request — its own step, or one the
    plan merged into it because it names the same people (a register's signature columns)."""
    if task.step_role == step_role:
        return True
    resolved = _resolve(step_role, subject)
    return resolved is not None and _covered(resolved, {(task.role, task.department_id)})


def _notify_waiting(tasks) -> None:
    """Tell whoever may sign the newly due `tasks` (and their deputies); report a step nobody can
    sign to the administrators."""
    notes = []
    for task in tasks:
        approvers = selectors.approvers_of(task)
        if approvers:
            message = _("%(requester)s 的%(kind)s %(reference)s 待您审批。") % {
                "requester": task.requester,
                "kind": task.get_kind_display(),
                "reference": task.reference,
            }
            notes += [(person, message, task.link) for person in approvers]
        else:
            message = _("%(kind)s %(reference)s 的审批步骤“%(step)s”无人担任，请在系统管理中指定审批人。") % {
                "kind": task.get_kind_display(),
                "reference": task.reference,
                "step": task.get_step_role_display(),
            }
            notes += [(admin, message, task.link) for admin in User.objects.filter(is_superuser=True, is_active=True)]
    notifications_send(notes)


def approval_open(
    *, kind: str, request_id: int, reference: str, subject: Subject, link: str = "", chain_kind: str | None = None
) -> list[ApprovalTask]:
    """Copy the chain for `kind` (or `chain_kind`: an extension follows its loan's) into the
    request's steps and make the first stage due. Returns the steps; none means nothing needs
    approving (a manager's export)."""
    plan = approval_plan(chain_kind or kind, subject)
    tasks = bulk_create_with_history(
        [
            ApprovalTask(
                kind=kind,
                request_id=request_id,
                reference=reference,
                link=link,
                requester=subject.requester,
                stage=stage,
                step_role=step_role,
                role=role,
                department_id=department_id,
                status=TaskStatus.WAITING if stage == 1 else TaskStatus.QUEUED,
            )
            for stage, step_role, role, department_id in plan
        ],
        ApprovalTask,
        default_user=subject.requester,
    )
    _notify_waiting([task for task in tasks if task.status == TaskStatus.WAITING])
    return tasks


def _capacity(user, task, *, on, signed=frozenset()) -> tuple[bool, User | None]:
    """Whether `user` may sign `task` on `on`, and for whom: in person when they hold its role (in
    its department), else as the deputy of someone who does and has not signed this chain."""

    def holds(person):
        return person.has_role(task.role) and (task.department_id is None or person.department_id == task.department_id)

    if holds(user):
        return True, None
    for principal in selectors.principals_of(user, on=on):
        if principal.pk != task.requester_id and principal.pk not in signed and holds(principal):
            return True, principal
    return False, None


class ApprovalOutcome:
    APPROVED = "approved"
    REJECTED = "rejected"
    PENDING = "pending"


@dataclass(frozen=True)
class Decision:
    """What a signature did: `outcome` (an ApprovalOutcome) and the step signed."""

    outcome: str
    task: ApprovalTask


def approval_decide(*, kind: str, request_id: int, by, approve: bool, comment: str = "") -> Decision:
    """`by` signs the first due step they may sign. The outcome is APPROVED when that completed
    the chain, REJECTED when `by` refused (the rest is skipped), PENDING otherwise.
    Refused — with a message — to the requester, to someone who already signed this chain (in
    person or as a deputy, or whose principal signed), and to someone no due step names."""
    comment = comment.strip()
    with transaction.atomic():
        tasks = list(
            ApprovalTask.objects.select_for_update().filter(kind=kind, request_id=request_id).order_by("stage", "id")
        )
        if not tasks:
            raise ActionRefused(_("此申请没有待审批的步骤。"))
        if tasks[0].requester_id == by.pk:
            raise ActionRefused(_("不能审批自己的申请。"))
        signed = {t.decided_by_id for t in tasks} | {t.on_behalf_of_id for t in tasks}
        if by.pk in signed:
            raise ActionRefused(_("您已在此审批流程中签署过，同一人不能签署两次。"))
        today = timezone.localdate()
        for task in tasks:
            if task.status != TaskStatus.WAITING:
                continue
            may, principal = _capacity(by, task, on=today, signed=signed)
            if may:
                break
        else:
            raise ActionRefused(_("此申请当前不需要您审批，或您已审批过。"))
        task.status = TaskStatus.APPROVED if approve else TaskStatus.REJECTED
        task.decided_by, task.decided_at, task.on_behalf_of, task.comment = by, timezone.now(), principal, comment[:300]
        task._history_user = by
        task.save()
        if not approve:
            _set_status([t for t in tasks if t.status in (TaskStatus.WAITING, TaskStatus.QUEUED)], TaskStatus.SKIPPED)
            return Decision(ApprovalOutcome.REJECTED, task)
        if any(t.stage == task.stage and t.status == TaskStatus.WAITING and t.pk != task.pk for t in tasks):
            return Decision(ApprovalOutcome.PENDING, task)
        following = [t for t in tasks if t.status == TaskStatus.QUEUED]
        if not following:
            return Decision(ApprovalOutcome.APPROVED, task)
        next_stage = min(t.stage for t in following)
        due = [t for t in following if t.stage == next_stage]
        _set_status(due, TaskStatus.WAITING)
        _notify_waiting(due)
        return Decision(ApprovalOutcome.PENDING, task)


def approval_require(*, kind: str, request_id: int, step_role: str, subject: Subject) -> ApprovalTask | None:
    """A running request now needs `step_role` too (the customer's tier changed since it was made):
    the step joins the chain's last stage, due with it, unless a step already names those people."""
    resolved = _resolve(step_role, subject)
    tasks = list(ApprovalTask.objects.select_for_update().filter(kind=kind, request_id=request_id))
    if resolved is None or not tasks or _covered(resolved, {(t.role, t.department_id) for t in tasks}):
        return None
    last = max(t.stage for t in tasks)
    due = any(t.stage == last and t.status == TaskStatus.WAITING for t in tasks)
    task = ApprovalTask.objects.create(
        kind=kind,
        request_id=request_id,
        reference=tasks[0].reference,
        link=tasks[0].link,
        requester=tasks[0].requester,
        stage=last,
        step_role=step_role,
        role=resolved[0],
        department_id=resolved[1],
        status=TaskStatus.WAITING if due else TaskStatus.QUEUED,
    )
    if due:
        _notify_waiting([task])
    return task


def approval_close(*, kind: str, request_id: int) -> int:
    """The request ended without its chain (withdrawn, refused by a rule): open steps are skipped."""
    open_steps = ApprovalTask.objects.select_for_update().filter(
        kind=kind, request_id=request_id, status__in=[TaskStatus.WAITING, TaskStatus.QUEUED]
    )
    return _set_status(list(open_steps), TaskStatus.SKIPPED)


def _set_status(tasks: list[ApprovalTask], status: str) -> int:
    """Move `tasks` to `status`, each change kept in their history (the audit trail)."""
    for task in tasks:
        task.status = status
    if not tasks:
        return 0
    bulk_update_with_history(tasks, ApprovalTask, ["status"])
    return len(tasks)


def deputy_appoint(*, principal, deputy, starts_on, ends_on, reason: str) -> Deputy:
    """`principal`, an approver, names `deputy` to sign for them from `starts_on` to `ends_on`."""
    if not principal.has_role(*selectors.APPROVER_ROLES):
        raise ActionRefused(_("只有审批人可以指定代理人。"))
    if deputy.pk == principal.pk or not deputy.is_active or deputy.is_superuser:
        raise ActionRefused(_("请选择另一位在职同事作为代理人。"))
    if ends_on < starts_on:
        raise ActionRefused(_("结束日期不能早于开始日期。"))
    if ends_on < timezone.localdate():
        raise ActionRefused(_("代理期间已经结束。"))
    if not reason.strip():
        raise ActionRefused(_("请写明代理事由（出差、休假等）。"))
    return Deputy.objects.create(
        principal=principal, deputy=deputy, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()
    )


def deputy_cancel(appointment: Deputy, *, by) -> Deputy:
    """The principal ends a delegation early; the record stays."""
    if by.pk != appointment.principal_id:
        raise ActionRefused(_("只有被代理人可以撤销代理。"))
    if appointment.cancelled_at is None:
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["cancelled_at"])
    return appointment
