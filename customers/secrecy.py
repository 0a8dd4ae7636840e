"""The secrecy core: who may read which customer (SPEC §4). Decided here and only here.

This module imports only `customers` and `accounts`. Every app builds its own checks on it
(`dossiers/permissions.py`, `lending/permissions.py`, …) by naming the path from its model to
the customer — `to_customer="dossier__customer"` for a document — so nothing above re-implements
a tier.

Reading is a queryset filter — the tier rule for the user's roles, plus unexpired
django-guardian grants on the customer — so lists, exports, searches and single pages all ask
the same question. Views fetch a customer through `get_readable_customer_or_404`, so a user
who may not read it gets 404 and learns nothing, not even the name.

Tier rule (who reads without asking):
- company: marketing director, general manager;
- department: that department's manager, marketing director, general manager;
- personal: the owner, the owner's department manager, general manager;
- top secret: general manager.
The owning sales person also reads their own customers of the company and department tiers
(they keep the profile current); top secret stays closed to them. The second responsible person
of an important customer (seed 003 制度1 第七条3) reads it as its owner does.

Grant rule: each approved request (read request, loan) gives its requester its own time-limited
grant on the customer (`CustomerAccessGrant`, with `expires_at`, `revoked_at`); an expired or
revoked grant opens nothing and stays as history. Which documents a grant opens (all but the
top-secret ones, only those the request named, top secret only with the general manager's
approval) is decided beside the documents, in dossiers/permissions.py, from the grant's flags.

Tier-approver rule (who approves reading outside one's tier): company → marketing director;
department → that department's manager; personal → the owner's department manager; top secret →
general manager.

A superuser administers the system and reads everything, like the general manager.
"""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from crm_archive.memo import remembered
from crm_archive.sql import union_of

from .models import Customer, CustomerAccessGrant, SecrecyTier

READ_PERMISSION = "view_customer"


def _path(to_customer: str, field: str) -> str:
    """The lookup of the customer's `field` from a model `to_customer` leads from ("" for Customer)."""
    return f"{to_customer}__{field}" if to_customer else field


def tier_rule(user, *, to_customer: str = "", tier_field: str | None = None) -> Q | None:
    """The rows `user` reads by role and tier alone; None means every row.

    `to_customer` leads from the filtered model to its customer ("" for Customer itself,
    "dossier__customer" for Document); `tier_field` names the tier judged (default: the
    customer's own; a document passes its own "secrecy_tier")."""
    if user.is_superuser or user.has_role(Role.GENERAL_MANAGER):
        return None
    tier = tier_field or _path(to_customer, "secrecy_tier")
    responsible = Q(**{_path(to_customer, "owner_id"): user.pk}) | Q(**{_path(to_customer, "second_owner_id"): user.pk})
    rules = [responsible & ~Q(**{tier: SecrecyTier.TOP_SECRET})]
    if user.has_role(Role.MARKETING_DIRECTOR):
        rules.append(Q(**{f"{tier}__in": [SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT]}))
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        rules.append(Q(**{tier: SecrecyTier.DEPARTMENT, _path(to_customer, "department_id"): user.department_id}))
        rules.append(Q(**{tier: SecrecyTier.PERSONAL, _path(to_customer, "owner__department_id"): user.department_id}))
    return reduce(or_, rules)


def grant_rule(user, *, at=None, to_customer: str = "") -> Exists:
    """An unexpired grant of `user` on the customer of the outer row (at `to_customer`)."""
    return Exists(
        CustomerAccessGrant.objects.filter(
            user_id=user.pk,
            content_object=OuterRef(_path(to_customer, "pk")),
            permission__codename=READ_PERMISSION,
            expires_at__gt=at or timezone.now(),
            revoked_at__isnull=True,
        )
    )


def grants_open(user, *, at=None) -> QuerySet[CustomerAccessGrant]:
    """`user`'s grants that are open at `at` (default now): not expired, not revoked."""
    return CustomerAccessGrant.objects.filter(
        user_id=user.pk, expires_at__gt=at or timezone.now(), revoked_at__isnull=True
    )


def tier_approver_rule(user, *, to_customer: str = "") -> Q:
    """The rows whose customer (at `to_customer`) `user` approves reading of by tier. Matches
    nothing for someone who approves no tier."""
    tier = _path(to_customer, "secrecy_tier")
    rules = [Q(pk__in=[])]
    if user.has_role(Role.MARKETING_DIRECTOR):
        rules.append(Q(**{tier: SecrecyTier.COMPANY}))
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        rules.append(Q(**{tier: SecrecyTier.DEPARTMENT, _path(to_customer, "department_id"): user.department_id}))
        rules.append(Q(**{tier: SecrecyTier.PERSONAL, _path(to_customer, "owner__department_id"): user.department_id}))
    if user.has_role(Role.GENERAL_MANAGER):
        rules.append(Q(**{tier: SecrecyTier.TOP_SECRET}))
    return reduce(or_, rules)


def customers_readable_by(user, *, at=None, include_grants: bool = True) -> QuerySet[Customer]:
    """Every customer whose contents `user` may read at `at` (default: now); with
    `include_grants=False`, only those the tier rule opens without any approval.

    Within one page that asks it from many places (the home page's panels, crm_archive.memo), the
    rule is built once, for the page's first moment: the sales person's home page built it ten
    times (0.4 ms each). A queryset is never changed in place by its users, only copied."""
    if at is None:
        key = ("customers_readable_by", user.pk, include_grants)  # pk None: signed out
        return remembered(key, lambda: _customers_readable_by(user, at=timezone.now(), include_grants=include_grants))
    return _customers_readable_by(user, at=at, include_grants=include_grants)


def _customers_readable_by(user, *, at, include_grants: bool) -> QuerySet[Customer]:
    if not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    rule = tier_rule(user)
    if rule is None:
        return Customer.objects.all()
    if not include_grants:
        return Customer.objects.filter(rule)
    return Customer.objects.filter(rule | grant_rule(user, at=at))


def few_readable_sets(user, *, at=None) -> list[Q] | None:
    """For someone who reads customers only as their owner, their second owner or through a grant
    (a sales person): those three sets, each found on its own index, for a list to read from each
    apart — a few thousand rows, where walking the sort index of 200,000 customers for the ones
    the rule opens read 60,000. None for anyone whose tier rule opens whole tiers (a manager, a
    director): their lists walk the sort index. Narrows a query that still applies
    `customers_readable_by`; it decides nothing alone."""
    if not user.is_authenticated or tier_rule(user) is None or user.has_role(Role.MARKETING_DIRECTOR):
        return None
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return None
    granted = grants_open(user, at=at).filter(permission__codename=READ_PERMISSION)
    return [Q(owner_id=user.pk), Q(second_owner_id=user.pk), Q(pk__in=granted.values("content_object_id"))]


def few_readable_ids(user, *, at=None) -> QuerySet | None:
    """few_readable_sets as one UNION of ids (None where there are none)."""
    sets = few_readable_sets(user, at=at)
    if sets is None:
        return None
    return union_of(Customer.objects.filter(part).order_by().values("pk") for part in sets)


def tier_opens_customer(user, customer: Customer) -> bool:
    """Whether the tier rule alone (no grant) lets `user` read `customer`: a request by someone
    for whom it does not needs the tier's approver, whatever grants are running."""
    return customers_readable_by(user, include_grants=False).filter(pk=customer.pk).exists()


def can_read_customer(user, customer: Customer) -> bool:
    return customers_readable_by(user).filter(pk=customer.pk).exists()


def get_readable_customer_or_404(user, pk, queryset=None) -> Customer:
    """The customer `pk` if `user` may read it; 404 otherwise (its existence is not revealed)."""
    queryset = queryset if queryset is not None else Customer.objects.all()
    try:
        return queryset.filter(pk__in=customers_readable_by(user).values("pk")).get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def read_through(user, customer: Customer) -> str:
    """The request (its reference) through which `user` reads `customer` now: "" when their tier
    opens it, else the open grant that lasts longest."""
    return reads_through(user, [customer.pk]).get(customer.pk, "")


def reads_through(user, customer_ids) -> dict[int, str]:
    """read_through for many customers at once (two queries): customer id → the request's
    reference, for the customers a grant opens to `user` and their tier does not."""
    customer_ids = list(customer_ids)
    tier_open = set(
        customers_readable_by(user, include_grants=False).filter(pk__in=customer_ids).values_list("pk", flat=True)
    )
    through = {}
    grants = grants_open(user).filter(content_object_id__in=set(customer_ids) - tier_open)
    # Ascending, so the grant that lasts longest is written last and kept.
    for customer_id, reference in grants.order_by("expires_at", "pk").values_list("content_object_id", "reference"):
        through[customer_id] = reference
    return through
