"""Who drafts, appraises, approves, verifies and supervises destruction, and who sees holds.

Built on the dossiers' checks (dossiers/permissions.py), which are built on the secrecy core.
Appraisal, approval, verification and supervision are signatures (`accounts.roles.signs_as`):
only a person holding the role gives them, never the drafter; a superuser gives none. Drafting
lists and placing holds are office work a superuser may also do (`accounts.roles.handles`).
"""

from accounts.roles import Role, handles, signs_as
from dossiers.permissions import can_oversee_archive

from .models import DestructionList


def can_draft_destruction_lists(user) -> bool:
    return handles(user, Role.ARCHIVE_CLERK)


def can_appraise_as_customer_service(user) -> bool:
    return signs_as(user, Role.CS_MANAGER)


def can_appraise_as_department_head(user, department_id) -> bool:
    """The head of the department that produced the records: its department manager."""
    return signs_as(user, Role.DEPARTMENT_MANAGER) and user.department_id == department_id


def destruction_appraisal_side(user, destruction_list) -> str | None:
    """Which signature `user` may still give to a submitted list: "customer_service",
    "department", or None. Two different people sign, and never the drafter."""
    if user.pk == destruction_list.drafted_by_id:
        return None
    if (
        destruction_list.cs_appraised_by_id is None
        and can_appraise_as_customer_service(user)
        and user.pk != destruction_list.department_appraised_by_id
    ):
        return "customer_service"
    if (
        destruction_list.department_appraised_by_id is None
        and can_appraise_as_department_head(user, destruction_list.department_id)
        and user.pk != destruction_list.cs_appraised_by_id
    ):
        return "department"
    return None


def can_approve_destruction(user) -> bool:
    return signs_as(user, Role.CUSTOMER_DIRECTOR)


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
    """Lists name customers and titles: everyone concerned sees all of them, but a department
    manager only the lists of records their department produced."""
    if handles(
        user, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.CS_MANAGER, Role.CUSTOMER_DIRECTOR, Role.GENERAL_MANAGER
    ):
        return DestructionList.objects.all()
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return DestructionList.objects.filter(department_id=user.department_id)
    return DestructionList.objects.none()


def can_read_holds(user) -> bool:
    """The holds page names held customers."""
    return can_oversee_archive(user)


def can_manage_holds(user) -> bool:
    return handles(user, Role.ARCHIVE_MANAGER)


def can_read_destruction(user) -> bool:
    return handles(
        user,
        Role.ARCHIVE_CLERK,
        Role.ARCHIVE_MANAGER,
        Role.CS_MANAGER,
        Role.DEPARTMENT_MANAGER,
        Role.CUSTOMER_DIRECTOR,
        Role.GENERAL_MANAGER,
    )
