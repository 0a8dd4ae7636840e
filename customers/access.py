"""Who may read and change which customer, dossier and document (SPEC §4). Decided here and only here.

Reading is a queryset filter — the tier rules for the user's roles, plus unexpired
django-guardian grants on the customer — so lists, exports, searches and single pages all
ask the same question. Views fetch a customer through `get_readable_customer_or_404`, so a
user who may not read it gets 404 and learns nothing, not even the name.

Tier rules (who reads without asking):
- company: marketing director, general manager;
- department: that department's manager, marketing director, general manager;
- personal: the owner, the owner's department manager, general manager;
- top secret: general manager.
The owning sales person also reads their own customers of the company and department tiers
(they keep the profile current); top secret stays closed to them.

Dossiers: archive staff (clerk, archive manager) and the general manager open every dossier's
page — its metadata and catalogue, what running the archive needs; others open the dossiers of
customers they may read. A document's contents (its scan) need the customer readable *and* the
document's own tier open to the reader, or a grant on the customer. Titles on every page that
lists documents follow one rule, `document_title_visible`: the document readable, or the reader
runs the archive; elsewhere the title is masked.
"""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from dossiers.models import Document, Dossier
from lending.models import Loan, LoanStatus

from .models import Customer, CustomerAccessGrant, SecrecyTier

READ_PERMISSION = "view_customer"


def _tier_rule(user, *, prefix: str = "", tier_field: str = "secrecy_tier") -> Q | None:
    """The rows `user` reads by role and tier alone; None means every row.

    `prefix` leads from the filtered model to its customer ("" for Customer itself,
    "dossier__customer__" for Document); `tier_field` names the tier judged (the customer's
    own, or a document's)."""
    if user.is_superuser or user.has_role(Role.GENERAL_MANAGER):
        return None
    tier = tier_field
    rules = [Q(**{f"{prefix}owner_id": user.pk}) & ~Q(**{tier: SecrecyTier.TOP_SECRET})]
    if user.has_role(Role.MARKETING_DIRECTOR):
        rules.append(Q(**{f"{tier}__in": [SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT]}))
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        rules.append(Q(**{tier: SecrecyTier.DEPARTMENT, f"{prefix}department_id": user.department_id}))
        rules.append(Q(**{tier: SecrecyTier.PERSONAL, f"{prefix}owner__department_id": user.department_id}))
    return reduce(or_, rules)


def _granted(user, *, at, customer_path: str = "pk") -> Exists:
    """An unexpired guardian grant of `user` on the customer at `customer_path` of the outer row."""
    return Exists(
        CustomerAccessGrant.objects.filter(
            user_id=user.pk,
            content_object=OuterRef(customer_path),
            permission__codename=READ_PERMISSION,
            expires_at__gt=at,
        )
    )


def customers_readable_by(user, *, at=None, include_grants: bool = True) -> QuerySet[Customer]:
    """Every customer whose contents `user` may read at `at` (default: now); with
    `include_grants=False`, only those the tier rules open without any approval."""
    if not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    rule = _tier_rule(user)
    if rule is None:
        return Customer.objects.all()
    if not include_grants:
        return Customer.objects.filter(rule)
    return Customer.objects.filter(rule | _granted(user, at=at or timezone.now()))


def tier_opens_customer(user, customer: Customer) -> bool:
    """Whether the tier rules alone (no grant) let `user` read `customer`: a request by someone
    for whom they do not needs the tier's approver, whatever grants are running."""
    return customers_readable_by(user, include_grants=False).filter(pk=customer.pk).exists()


def is_archive_staff(user) -> bool:
    """Archive clerks and the archive manager run the archive: they see every dossier's metadata
    (number, customer, status, cabinet, the catalogue) but no contents beyond their own rights."""
    return user.is_superuser or user.has_role(Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER)


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """The dossiers whose page (metadata and catalogue) `user` may open: all for archive staff and
    the general manager; for others, the dossiers of customers they may read."""
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    if can_oversee_archive(user):
        return Dossier.objects.all()
    return Dossier.objects.filter(customer__in=customers_readable_by(user))


def get_visible_dossier_or_404(user, pk, queryset=None) -> Dossier:
    """The dossier `pk` if `user` may open its page; 404 otherwise."""
    queryset = queryset if queryset is not None else Dossier.objects.all()
    try:
        return queryset.filter(pk__in=dossiers_visible_to(user).values("pk")).get(pk=pk)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def documents_readable_by(user, *, at=None) -> QuerySet[Document]:
    """The documents whose contents (the scanned file) `user` may read: the customer must be
    readable and the document's own tier open to `user` — or a grant covers the customer."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    rule = _tier_rule(user, prefix="dossier__customer__", tier_field="secrecy_tier")
    if rule is None:
        return Document.objects.all()
    at = at or timezone.now()
    tier_open = Document.objects.filter(rule, dossier__customer__in=customers_readable_by(user, at=at))
    # A grant (an approved loan) opens the customer's documents, but never the top-secret ones:
    # those only the general manager reads.
    return Document.objects.filter(
        Q(pk__in=tier_open.values("pk"))
        | (~Q(secrecy_tier=SecrecyTier.TOP_SECRET) & _granted(user, at=at, customer_path="dossier__customer_id"))
    )


def document_title_visible(user, *, document_ref: str = "pk", dossier_ref: str | None = None, at=None):
    """Whether `user` sees the title on each row: the one rule for every page that lists documents
    (SPEC §4) — the dossier page, the volume catalogue, the destruction list and its register, the
    expired records, repairs. Where it is False the page masks the title (绝密文件 / 密级文件) and
    keeps the archive number, year, retention, pages and document type.

    A reader sees a document's title when they may read that document's own tier: the rows of
    `documents_readable_by` (the customer readable and the document's tier open to them, or a
    running grant for what is not top secret). Archive staff and the general manager compile,
    check and keep every catalogue, so they see every title. A row standing for a whole dossier (a
    destruction item without a document: pass `dossier_ref`) is titled with the customer's name,
    shown to those who may open that dossier's page.

    Returns a boolean expression for `.annotate(title_visible=...)`; `document_ref` and `dossier_ref`
    lead from the annotated rows to the document and to the dossier. It is a subquery of the list's
    own query: no query per row."""
    if can_oversee_archive(user):
        return Value(True, output_field=BooleanField())
    document_visible = Exists(documents_readable_by(user, at=at).filter(pk=OuterRef(document_ref)))
    if dossier_ref is None:
        return document_visible
    dossier_visible = Exists(dossiers_visible_to(user).filter(pk=OuterRef(dossier_ref)))
    return Case(
        When(**{f"{document_ref}__isnull": True}, then=dossier_visible),
        default=document_visible,
        output_field=BooleanField(),
    )


def can_print_volume(user, *, top_secret: bool) -> bool:
    """Catalogues and remarks sheets of a top-secret volume list top-secret titles: archive staff
    and the general manager only. A regular volume's go with the dossier page."""
    return not top_secret or can_oversee_archive(user)


def can_manage_archive(user) -> bool:
    """Opening, filing, promoting and shelving dossiers, inspections and repairs: the archive clerk."""
    return user.is_superuser or user.has_role(Role.ARCHIVE_CLERK)


def can_record_backup_key_use(user) -> bool:
    return user.is_superuser or user.has_role(Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)


def can_read_archive_statistics(user) -> bool:
    return user.is_superuser or user.has_role(Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)


def can_read_customer(user, customer: Customer) -> bool:
    return customers_readable_by(user).filter(pk=customer.pk).exists()


def get_readable_customer_or_404(user, pk, queryset=None) -> Customer:
    """The customer `pk` if `user` may read it; 404 otherwise (its existence is not revealed)."""
    queryset = queryset if queryset is not None else Customer.objects.all()
    try:
        return queryset.filter(pk__in=customers_readable_by(user).values("pk")).get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_edit_customer(user, customer: Customer) -> bool:
    """Who keeps a profile (and its contacts, interactions, deals, complaints) current:
    the owner, the manager of the customer's department, the marketing director for the
    company tier, the general manager for top secret. Callers have already established
    that `user` may read `customer` (it came from `customers_readable_by`)."""
    if user.is_superuser:
        return True
    tier = customer.secrecy_tier
    if tier == SecrecyTier.TOP_SECRET:
        return user.has_role(Role.GENERAL_MANAGER)
    if customer.owner_id == user.pk:
        return True
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id == customer.department_id:
        return True
    return tier == SecrecyTier.COMPANY and user.has_role(Role.MARKETING_DIRECTOR)


def can_create_customer_for(user, owner) -> bool:
    """A sales person opens customers for themself; a department manager for people of their
    department; the marketing director and general manager for anyone."""
    if user.is_superuser or user.has_role(Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER):
        return True
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id and owner.department_id == user.department_id:
        return True
    return user.has_role(Role.SALES) and owner.pk == user.pk


def can_create_customers(user) -> bool:
    return user.is_superuser or user.has_role(
        Role.SALES, Role.DEPARTMENT_MANAGER, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER
    )


def can_import_customers(user) -> bool:
    return user.is_superuser or user.has_role(Role.DEPARTMENT_MANAGER, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER)


def can_hand_over_customers_of(user, from_user) -> bool:
    """A department manager hands over the customers of people in their department; the general
    manager anyone's."""
    if user.is_superuser or user.has_role(Role.GENERAL_MANAGER):
        return True
    return (
        user.has_role(Role.DEPARTMENT_MANAGER)
        and user.department_id is not None
        and from_user.department_id == user.department_id
    )


def can_hand_over(user) -> bool:
    return user.is_superuser or user.has_role(Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER)


def can_read_access_log(user) -> bool:
    return user.is_superuser or user.has_role(Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)


def owners_assignable_by(user):
    """The people `user` may make responsible for a new customer (see can_create_customer_for)."""

    people = get_user_model().objects.filter(is_active=True).select_related("department").order_by("username")
    if user.is_superuser or user.has_role(Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER):
        return people
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return people.filter(department_id=user.department_id)
    if user.has_role(Role.SALES):
        return people.filter(pk=user.pk)
    return people.none()


def handover_people_for(user):
    """The people whose customers `user` may hand over, and to whom."""

    people = get_user_model().objects.select_related("department").order_by("username")
    if user.is_superuser or user.has_role(Role.GENERAL_MANAGER):
        return people
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return people.filter(department_id=user.department_id)
    return people.none()


def _tier_approver_rule(user, *, prefix: str) -> Q:
    """The rows whose customer (at `prefix`) `user` approves access to by tier (SPEC §4):
    company → marketing director; department → that department's manager; personal → the
    owner's department manager; top secret → general manager. Never matches nothing-but-all."""
    tier = f"{prefix}secrecy_tier"
    rules = [Q(pk__in=[])]
    if user.has_role(Role.MARKETING_DIRECTOR):
        rules.append(Q(**{tier: SecrecyTier.COMPANY}))
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        rules.append(Q(**{tier: SecrecyTier.DEPARTMENT, f"{prefix}department_id": user.department_id}))
        rules.append(Q(**{tier: SecrecyTier.PERSONAL, f"{prefix}owner__department_id": user.department_id}))
    if user.has_role(Role.GENERAL_MANAGER):
        rules.append(Q(**{tier: SecrecyTier.TOP_SECRET}))
    return reduce(or_, rules)


def loans_awaiting_approval_by(user):
    """Requests waiting for `user`'s approval: as archive manager, or as the approver of the
    dossier's tier. Nobody approves their own request."""
    waiting = Loan.objects.filter(status=LoanStatus.REQUESTED).exclude(borrower_id=user.pk)
    rule = Q(needs_tier_approval=True, tier_approved_by__isnull=True) & _tier_approver_rule(
        user, prefix="dossier__customer__"
    )
    if user.has_role(Role.ARCHIVE_MANAGER):
        rule |= Q(archive_approved_by__isnull=True)
    return waiting.filter(rule)


def can_approve_loan_as_archive_manager(user, loan) -> bool:
    return user.has_role(Role.ARCHIVE_MANAGER) and user.pk != loan.borrower_id


def can_approve_loan_tier(user, loan) -> bool:
    if user.pk == loan.borrower_id:
        return False
    return Loan.objects.filter(pk=loan.pk).filter(_tier_approver_rule(user, prefix="dossier__customer__")).exists()


def loan_approval_due_from(user, loan, *, archive_approved_by_id, tier_approved_by_id) -> str | None:
    """Which approval `user` may still give to a loan (or to its extension, whose own approvals
    are passed in): "archive", "tier", or None. Nobody approves their own request."""
    if user.pk == loan.borrower_id:
        return None
    if archive_approved_by_id is None and can_approve_loan_as_archive_manager(user, loan):
        return "archive"
    if loan.needs_tier_approval and tier_approved_by_id is None and can_approve_loan_tier(user, loan):
        return "tier"
    return None


def can_issue_loans(user) -> bool:
    """Issuing, receiving back and closing loans: the archive clerk."""
    return user.is_superuser or user.has_role(Role.ARCHIVE_CLERK)


def loans_visible_to(user):
    """Register rows `user` may see: everything for archive staff and the general manager; the
    department's loans for a department manager; the loans a tier approver must approve; one's
    own loans for everyone."""
    if can_oversee_archive(user):
        return Loan.objects.all()
    rule = Q(borrower_id=user.pk) | (
        Q(needs_tier_approval=True) & _tier_approver_rule(user, prefix="dossier__customer__")
    )
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        rule |= Q(department_id=user.department_id)
    return Loan.objects.filter(rule)


def can_read_monthly_reports(user) -> bool:
    return user.is_superuser or user.has_role(Role.GENERAL_MANAGER, Role.ARCHIVE_MANAGER)


def can_generate_monthly_report(user) -> bool:
    return user.is_superuser or user.has_role(Role.GENERAL_MANAGER)


def can_draft_destruction_lists(user) -> bool:
    return user.is_superuser or user.has_role(Role.ARCHIVE_CLERK)


def can_appraise_as_customer_service(user) -> bool:
    return user.has_role(Role.CS_MANAGER)


def can_appraise_as_department_head(user, department_id) -> bool:
    """The head of the department that produced the records: its department manager."""
    return user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id == department_id


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
    return user.has_role(Role.CUSTOMER_DIRECTOR)


def can_verify_destruction(user) -> bool:
    """Confirming, after the six months apart, that the records truly have no value."""
    return user.has_role(Role.ARCHIVE_MANAGER, Role.CS_MANAGER)


def can_supervise_destruction(user) -> bool:
    """监销人: supervises the destruction and signs the register."""
    return user.has_role(Role.ARCHIVE_MANAGER, Role.CS_MANAGER, Role.GENERAL_MANAGER)


def can_withdraw_destruction_items(user, destruction_list) -> bool:
    if user.is_superuser or user.has_role(
        Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.CS_MANAGER, Role.CUSTOMER_DIRECTOR
    ):
        return True
    return can_appraise_as_department_head(user, destruction_list.department_id)


def destruction_lists_visible_to(user):
    """Lists name customers and titles: everyone concerned sees all of them, but a department
    manager only the lists of records their department produced."""
    from destruction.models import DestructionList

    if user.is_superuser or user.has_role(
        Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.CS_MANAGER, Role.CUSTOMER_DIRECTOR, Role.GENERAL_MANAGER
    ):
        return DestructionList.objects.all()
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return DestructionList.objects.filter(department_id=user.department_id)
    return DestructionList.objects.none()


def can_oversee_archive(user) -> bool:
    """Archive staff and the general manager: every dossier's metadata, cabinets and the key log,
    inspections and repairs, holds."""
    return is_archive_staff(user) or user.has_role(Role.GENERAL_MANAGER)


def can_read_holds(user) -> bool:
    """The holds page names held customers."""
    return can_oversee_archive(user)


def can_manage_holds(user) -> bool:
    return user.is_superuser or user.has_role(Role.ARCHIVE_MANAGER)


def can_read_destruction(user) -> bool:
    return user.is_superuser or user.has_role(
        Role.ARCHIVE_CLERK,
        Role.ARCHIVE_MANAGER,
        Role.CS_MANAGER,
        Role.DEPARTMENT_MANAGER,
        Role.CUSTOMER_DIRECTOR,
        Role.GENERAL_MANAGER,
    )
