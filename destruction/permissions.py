"""Who drafts, appraises, approves, verifies and supervises destruction, and who sees holds.

Built on the dossiers' checks (dossiers/permissions.py), which are built on the secrecy core.
Appraisal and approval are the steps of the list's approval chain (approvals/, SPEC §9): who
signs is whoever a due step names. Verification and supervision are signatures
(`accounts.roles.signs_as`): only a person holding the role gives them, never the drafter; a
superuser gives none. Drafting
lists and placing holds are office work a superuser may also do (`accounts.roles.handles`).
"""

from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role, handles, signs_as
from approvals.models import RequestKind
from approvals.selectors import may_sign, request_ids_awaiting, request_ids_signed_by
from dossiers.models import Dossier, DossierStatus
from dossiers.permissions import can_oversee_archive
from lending.models import OPEN_LOAN_STATUSES, Loan

from .models import DestructionList, Hold, ItemStatus, ListStatus


def can_draft_destruction_lists(user) -> bool:
    return handles(user, Role.ARCHIVE_CLERK)


def can_appraise_as_department_head(user, department_id) -> bool:
    """The head of the department that produced the records: its department manager."""
    return signs_as(user, Role.DEPARTMENT_MANAGER) and user.department_id == department_id


def _awaits(user, destruction_list) -> bool:
    """Whether a due step of the list's approval chain (SPEC §9) names `user`, in person or as a
    deputy — never the drafter, nor someone who already signed it."""
    return may_sign(user, RequestKind.DESTRUCTION, destruction_list.pk)


def can_verify_destruction(user) -> bool:
    """Confirming, after the six months apart, that the records truly have no value."""
    return signs_as(user, Role.ARCHIVE_MANAGER, Role.CS_MANAGER)


def can_supervise_destruction(user) -> bool:
    """监销人: supervises the destruction and signs the register."""
    return signs_as(user, Role.ARCHIVE_MANAGER, Role.CS_MANAGER, Role.GENERAL_MANAGER)


def can_withdraw_destruction_items(user, destruction_list) -> bool:
    if handles(user, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.CS_MANAGER, Role.CUSTOMER_DIRECTOR):
        return True
    return can_appraise_as_department_head(user, destruction_list.department_id)


def destruction_lists_visible_to(user):
    """Lists name customers and titles: everyone concerned sees all of them, a department manager
    the lists of records their department produced, and anyone the lists whose chain names them
    now or that they signed (a deputy, a step an office added)."""
    if handles(
        user, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.CS_MANAGER, Role.CUSTOMER_DIRECTOR, Role.GENERAL_MANAGER
    ):
        return DestructionList.objects.all()
    signing = Q(pk__in=request_ids_awaiting(user, [RequestKind.DESTRUCTION])) | Q(
        pk__in=request_ids_signed_by(user, [RequestKind.DESTRUCTION])
    )
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return DestructionList.objects.filter(Q(department_id=user.department_id) | signing)
    return DestructionList.objects.filter(signing)


def can_read_holds(user) -> bool:
    """The holds page names held customers."""
    return can_oversee_archive(user)


def can_manage_holds(user) -> bool:
    return handles(user, Role.ARCHIVE_MANAGER)


def can_read_destruction(user) -> bool:
    """The destruction pages of the roles concerned (a deputy opens the lists that name them:
    can_read_destruction_list)."""
    return handles(
        user,
        Role.ARCHIVE_CLERK,
        Role.ARCHIVE_MANAGER,
        Role.CS_MANAGER,
        Role.DEPARTMENT_MANAGER,
        Role.CUSTOMER_DIRECTOR,
        Role.GENERAL_MANAGER,
    )


def can_read_destruction_list(user, pk) -> bool:
    """One list's page: the roles concerned, and whoever the list's chain names or named."""
    return can_read_destruction(user) or (
        user.is_authenticated and destruction_lists_visible_to(user).filter(pk=pk).exists()
    )


# Every action of destruction_list_actions, each a service of destruction.services: submit →
# destruction_list_submit, appraise → destruction_list_appraise, approve → destruction_list_approve,
# reject → destruction_list_reject, verify → destruction_list_verify, destroy →
# destruction_list_destroy, withdraw → destruction_item_withdraw of one of its proposed items.
DESTRUCTION_LIST_ACTIONS = frozenset({"submit", "appraise", "approve", "reject", "verify", "destroy", "withdraw"})


def _proposed_dossier_ids(destruction_list):
    return destruction_list.items.filter(status=ItemStatus.PROPOSED).values("dossier_id")


def destruction_list_actions(user, destruction_list) -> set[str]:
    """The actions of DESTRUCTION_LIST_ACTIONS that `user` may take on `destruction_list` now —
    those its service would accept from them given well-formed input (a reason, a place). The
    drafter never signs (appraisal, approval, verification, supervision); a list is approved only
    while none of its dossiers is lent, verified only after its six months apart, and destroyed
    only while none of its dossiers is lent, held or already destroyed."""
    status = destruction_list.status
    actions = set()
    if status == ListStatus.DRAFT and can_draft_destruction_lists(user):
        actions.add("submit")
    if (
        status not in (ListStatus.DESTROYED, ListStatus.REJECTED)
        and can_withdraw_destruction_items(user, destruction_list)
        and _proposed_dossier_ids(destruction_list).exists()
    ):
        actions.add("withdraw")
    if user.pk == destruction_list.drafted_by_id:
        return actions
    if status == ListStatus.SUBMITTED and _awaits(user, destruction_list):
        actions.add("appraise")
    elif status == ListStatus.APPRAISED and _awaits(user, destruction_list):
        actions.add("reject")
        proposed = _proposed_dossier_ids(destruction_list)
        if (
            proposed.exists()
            and not Loan.objects.filter(dossier_id__in=proposed, status__in=OPEN_LOAN_STATUSES).exists()
        ):
            actions.add("approve")
    elif (
        status == ListStatus.HELD
        and can_verify_destruction(user)
        and timezone.localdate() >= destruction_list.hold_until
    ):
        actions.add("verify")
    elif status == ListStatus.VERIFIED and can_supervise_destruction(user):
        proposed = _proposed_dossier_ids(destruction_list)
        if proposed.exists() and not (
            Loan.objects.filter(dossier_id__in=proposed, status__in=OPEN_LOAN_STATUSES).exists()
            or Hold.objects.filter(dossier_id__in=proposed, lifted_at__isnull=True).exists()
            or Dossier.objects.filter(pk__in=proposed, status=DossierStatus.DESTROYED).exists()
        ):
            actions.add("destroy")
    return actions


# The actions of destruction_item_actions: withdraw → destruction_item_withdraw; keep_back → keeping
# the item back in the appraisal (destruction_list_appraise's keep_back).
DESTRUCTION_ITEM_ACTIONS = frozenset({"withdraw", "keep_back"})


def destruction_item_actions(item, *, list_actions: set[str]) -> set[str]:
    """What may be done on one item of a list, given its list's actions (destruction_list_actions of
    the same user): only a proposed item is withdrawn or kept back."""
    if item.status != ItemStatus.PROPOSED:
        return set()
    actions = list_actions & {"withdraw"}
    if "appraise" in list_actions:
        actions.add("keep_back")
    return actions


# The action of hold_actions: lift → destruction.services.hold_lift.
HOLD_ACTIONS = frozenset({"lift"})


def hold_actions(user, hold) -> set[str]:
    """The archive manager lifts a hold still in force."""
    return {"lift"} if hold.lifted_at is None and can_manage_holds(user) else set()
