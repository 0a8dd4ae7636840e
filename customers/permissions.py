"""Role checks about customers, built on the secrecy core (customers/secrecy.py).

Reading is decided by the core; this module says who keeps a profile current, who opens,
imports and hands over customers, and which actions a person may take on a customer now.
A superuser administers and may do the office's work (`accounts.roles.handles`); signatures
are personal (`accounts.roles.signs_as`).
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.roles import Role, handles
from accounts.selectors import people_with_role

from .models import Customer, ExportPermit, SecrecyTier
from .secrecy import can_read_customer


def can_edit_customer(user, customer: Customer) -> bool:
    """Who keeps a profile (and its contacts, interactions, deals, complaints) current: the owner
    and the second responsible person, the manager of the customer's department, the marketing
    director for the company tier, the general manager for top secret. Callers have already established
    that `user` may read `customer` (it came from `customers_readable_by`)."""
    if user.is_superuser:
        return True
    tier = customer.secrecy_tier
    if tier == SecrecyTier.TOP_SECRET:
        return user.has_role(Role.GENERAL_MANAGER)
    if user.pk in (customer.owner_id, customer.second_owner_id):
        return True
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id == customer.department_id:
        return True
    return tier == SecrecyTier.COMPANY and user.has_role(Role.MARKETING_DIRECTOR)


def can_create_customer_for(user, owner) -> bool:
    """A sales person opens customers for themself; a department manager for people of their
    department; the marketing director and general manager for anyone."""
    if handles(user, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER):
        return True
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id and owner.department_id == user.department_id:
        return True
    return user.has_role(Role.SALES) and owner.pk == user.pk


def can_create_customers(user) -> bool:
    return handles(user, Role.SALES, Role.DEPARTMENT_MANAGER, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER)


def can_import_customers(user) -> bool:
    return handles(user, Role.DEPARTMENT_MANAGER, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER)


def can_hand_over_customers_of(user, from_user) -> bool:
    """A department manager hands over the customers of people in their department; the general
    manager anyone's."""
    if handles(user, Role.GENERAL_MANAGER):
        return True
    return (
        user.has_role(Role.DEPARTMENT_MANAGER)
        and user.department_id is not None
        and from_user.department_id == user.department_id
    )


def can_name_second_owner(user, customer: Customer) -> bool:
    """Who names an important customer's second responsible person: whoever hands over its
    owner's customers (the department manager, the general manager)."""
    return can_hand_over_customers_of(user, customer.owner)


def second_owners_for(customer: Customer):
    """The people who may be named second responsible person of `customer`: active people of
    its department who are not its owner and not administrators."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, department_id=customer.department_id)
        .exclude(pk=customer.owner_id)
        .select_related("department")
        .order_by("username")
    )


def complaint_handlers_for(customer: Customer):
    """Who may be named handler (处理责任人) of a complaint about `customer`: active people of the
    customer's department (its owner and colleagues, their manager), its responsible people
    wherever they sit, and the customer service managers. Never an administrator."""
    near = Q(department_id=customer.department_id) | Q(pk__in=[customer.owner_id, customer.second_owner_id])
    service = Q(pk__in=people_with_role(Role.CS_MANAGER).values("pk"))
    return (
        get_user_model()
        .objects.filter(near | service, is_active=True, is_superuser=False)
        .select_related("department")
        .order_by("username")
    )


def can_hand_over(user) -> bool:
    return handles(user, Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER)


# Who exports the customers they may read on their role alone (seed 004 part 4 §3: copying or
# extracting customer data needs a superior's approval — these are the superiors).
EXPORTING_ROLES = (
    Role.DEPARTMENT_MANAGER,
    Role.ARCHIVE_MANAGER,
    Role.CS_MANAGER,
    Role.CUSTOMER_DIRECTOR,
    Role.MARKETING_DIRECTOR,
    Role.GENERAL_MANAGER,
)


def can_export_customers_by_role(user) -> bool:
    return handles(user, *EXPORTING_ROLES)


def export_permit_of(user, *, at=None):
    """`user`'s running export permit (an approved export request), or None."""
    return (
        ExportPermit.objects.filter(user_id=user.pk, expires_at__gt=at or timezone.now(), revoked_at__isnull=True)
        .order_by("-expires_at")
        .first()
    )


def export_right(user) -> tuple[bool, str]:
    """Whether `user` may export customers now, and the request it goes through ("" for a role)."""
    if can_export_customers_by_role(user):
        return True, ""
    permit = export_permit_of(user)
    return (True, permit.reference) if permit else (False, "")


def can_read_access_log(user) -> bool:
    return handles(user, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)


def customer_owners():
    """Who may be a customer's responsible sales person (负责业务员): active sales people, never an
    administrator."""
    return people_with_role(Role.SALES).filter(is_superuser=False).select_related("department").order_by("username")


def owners_assignable_by(user):
    """The people `user` may make responsible for a new customer (see can_create_customer_for):
    among customer_owners, anyone for the marketing director and the general manager, the people
    of their department for a department manager, themself for a sales person."""
    people = customer_owners()
    if handles(user, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER):
        return people
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return people.filter(department_id=user.department_id)
    if user.has_role(Role.SALES):
        return people.filter(pk=user.pk)
    return people.none()


def _handover_scope(user, people):
    """`people` narrowed to those whose customers `user` hands over (can_hand_over_customers_of)."""
    if handles(user, Role.GENERAL_MANAGER):
        return people
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return people.filter(department_id=user.department_id)
    return people.none()


def handover_leavers_for(user):
    """The people whose customers and open items `user` may hand over (the 移交人 of a handover):
    the active people of their scope, and those already deactivated who still own customers or
    are second responsible person of one. Never an administrator."""
    holding = Exists(Customer.objects.filter(Q(owner=OuterRef("pk")) | Q(second_owner=OuterRef("pk"))))
    people = get_user_model().objects.filter(Q(is_active=True) | holding, is_superuser=False)
    return _handover_scope(user, people).select_related("department").order_by("username")


def handover_successors_for(user):
    """Who may receive the customers in a handover `user` performs (the 接收人, rule C7): an active
    sales person with a department, of the manager's own department (anyone's for the general
    manager). Never an administrator."""
    people = people_with_role(Role.SALES).filter(is_superuser=False, department__isnull=False)
    return _handover_scope(user, people).select_related("department").order_by("username")


# The actions of customer_actions: edit → customers.services.customer_update and customer_record_save;
# second_owner → customers.services.customer_second_owner_set.
CUSTOMER_ACTIONS = frozenset({"edit", "second_owner"})


def customer_actions(user, customer: Customer) -> set[str]:
    """What `user` may do on `customer` now: "edit" the profile and its records (contacts,
    interactions, deals, complaints) — someone who keeps it current (can_edit_customer) and may
    read it, since nobody keeps a profile they could not read; name its "second_owner"."""
    if not can_read_customer(user, customer):
        return set()
    actions = {"edit"} if can_edit_customer(user, customer) else set()
    if can_name_second_owner(user, customer):
        actions.add("second_owner")
    return actions
