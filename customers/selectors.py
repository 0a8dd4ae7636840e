"""Reads about customers. Every read starts from the secrecy core, customers.secrecy."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.dashboard import Urgency, todo
from crm_archive.history import HistoryEntry, record_history
from crm_archive.pagination import bounded
from crm_archive.sql import BranchRows, among

from .models import (
    Complaint,
    Contact,
    CorrectionRequest,
    Customer,
    CustomerCategory,
    CustomerGrade,
    Deal,
    FollowUp,
    Handover,
    Interaction,
    VisitPlan,
)
from .secrecy import customers_readable_by, few_readable_ids, few_readable_sets

SORTS = {
    "name": ["name", "pk"],
    "-name": ["-name", "-pk"],
    "updated": ["updated_at", "pk"],
    "-updated": ["-updated_at", "-pk"],
    "grade": ["grade", "name", "pk"],
    "category": ["category", "name", "pk"],
}


_ROW_JOINS = ("owner", "department")  # what a list row shows of others


def _customer_rows() -> QuerySet[Customer]:
    return Customer.objects.select_related(*_ROW_JOINS)


def customers_for_list(user, *, search: str = "", sort: str = "name", narrowed: bool = True) -> QuerySet[Customer]:
    """The customers `user` may read, matching `search` on name, phone or a contact's name or
    phone, with what a list row shows joined in (one query per page). `narrowed`: read through a
    sales person's own id sets (few_readable_ids), for reading the whole list; a page reads them
    through customers_paged instead."""
    queryset = customers_readable_by(user).select_related(*_ROW_JOINS)
    few = few_readable_ids(user) if narrowed else None
    if few is not None:
        queryset = queryset.filter(among("id", few))
    search = search.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a literal
    if search:
        # A UNION of id sets lets each branch use its own trigram index; an OR across the
        # two tables would scan every customer instead.
        # Each part drops the model's default ordering: SQLite refuses ORDER BY inside a UNION.
        matches = (
            Customer.objects.filter(name__icontains=search)
            .order_by()
            .values("pk")
            .union(Customer.objects.filter(phone__icontains=search).order_by().values("pk"))
            .union(
                Contact.objects.filter(
                    Q(name__icontains=search) | Q(phone__icontains=search) | Q(mobile__icontains=search)
                )
                .order_by()
                .values("customer_id")
            )
        )
        # Matched rows fetched by key (crm_archive.sql.among): for `id IN (…)` the planner guessed a
        # trigram match finds 2% of the table and hashed all 200,000 customers (78 ms against 2).
        queryset = queryset.filter(among("id", matches))
    return queryset.order_by(*SORTS.get(sort, SORTS["name"]))


def customers_paged(user, customers: QuerySet[Customer]):
    """`customers` (customers_for_list, not narrowed, with the list's filters and order) for
    `paginate`: for a sales person, a page's rows from each of their id sets, each walked on its
    own index in the list's order and cut to the page (crm_archive.sql.BranchRows) — a page of
    their list reads a page's rows, not the rows of all their customers sorted for one page."""
    sets = few_readable_sets(user)
    if sets is None:
        return customers
    return BranchRows(_customer_rows(), [customers.filter(part) for part in sets], customers.query.order_by)


def customer_related_records(customer: Customer, *, limit: int = 50) -> dict:
    """Contacts, interactions, deals and complaints of `customer`, newest first, `limit` each."""
    return {
        "contacts": list(customer.contacts.all()[:limit]),
        "interactions": list(customer.interactions.select_related("recorded_by")[:limit]),
        "deals": list(customer.deals.all()[:limit]),
        "complaints": list(customer.complaints.select_related("owner")[:limit]),
    }


def customer_history(customer: Customer, *, limit: int = 50) -> list[HistoryEntry]:
    """The profile's changes, newest first: who, when, and each field's old → new value, with
    labels and choices in the reader's language. A fixed number of queries, whatever the length."""
    return record_history(customer, limit=limit)


def next_actions_for(user, *, days: int = 14, limit: int = 10) -> list[Interaction]:
    """Upcoming next actions (from today on, within `days`) on customers `user` owns."""
    today = timezone.localdate()
    return list(
        Interaction.objects.filter(
            customer__owner=user,
            next_action_on__gte=today,
            next_action_on__lte=today + timedelta(days=days),
            next_action_done_at__isnull=True,
        )
        .filter(customer__in=customers_readable_by(user))
        .select_related("customer")
        .order_by("next_action_on", "pk")[:limit]
    )


def complaints_overdue_for(user) -> QuerySet[Complaint]:
    """Open complaints past their deadline that `user` handles, or whose customer `user` is
    responsible for (owner or second responsible person) and may read."""
    # The customers `user` is responsible for and may read, as one id set from the owner and
    # second-owner indexes: tested row by row against every readable customer instead, the
    # estimate ran so high that PostgreSQL compiled the query (JIT, 0.8 s) to return nothing.
    responsible = Q(customer__in=customers_readable_by(user).filter(Q(owner=user) | Q(second_owner=user)).values("pk"))
    return (
        Complaint.objects.filter(kind="complaint", closed_on__isnull=True, deadline__lt=timezone.localdate())
        .filter(Q(owner=user) | responsible)
        .select_related("customer", "owner")
        .order_by("deadline", "pk")
    )


def handovers_recent(*, limit: int = 20) -> list[Handover]:
    return list(Handover.objects.select_related("from_user", "to_user", "performed_by")[:limit])


@dataclass(frozen=True)
class HandoverCheck:
    """Something a leaver may still hold that keeps their account open: a label and how to count it."""

    label: str
    count: Callable[[object], int]


# Apps above customers (dossiers, lending) register what a leaver still holds of theirs (originals
# out, open requests) in their AppConfig.ready(); customers never imports them.
HANDOVER_CHECKS: list[HandoverCheck] = []


def register_handover_check(label, count: Callable[[object], int]) -> None:
    if all(check.label != label for check in HANDOVER_CHECKS):
        HANDOVER_CHECKS.append(HandoverCheck(label, count))


@dataclass(frozen=True)
class RemainingItem:
    label: str
    count: int


def handover_remaining(user) -> list[RemainingItem]:
    """What is still in `user`'s name: customers, customers they are second contact of, open
    complaints, follow-ups and correction requests, and what the other apps registered."""
    own = [
        (_("名下客户"), Customer.objects.filter(owner=user)),
        (_("担任第二负责人的客户"), Customer.objects.filter(second_owner=user)),
        (_("未结投诉"), Complaint.objects.filter(owner=user, closed_on__isnull=True)),
        (_("待回访"), FollowUp.objects.filter(assigned_to=user, done_at__isnull=True)),
        (_("未办结的资料更正通知"), CorrectionRequest.objects.filter(addressed_to=user, done_at__isnull=True)),
        (_("未完成的拜访计划"), VisitPlan.objects.filter(planned_by=user, interaction__isnull=True)),
    ]
    return [RemainingItem(str(label), queryset.count()) for label, queryset in own] + [
        RemainingItem(str(check.label), check.count(user)) for check in HANDOVER_CHECKS
    ]


def handover_letters(handover: Handover, *, user) -> tuple[list[dict], int]:
    """The customers a handover moved that `user` may read, each with the contact to write to (a
    decision maker first) and its address: the letter list telling them of their new contact (seed
    003 制度1 第七条4); and how many moved customers `user` may not read (told by someone who may)."""
    moved = Customer.objects.filter(pk__in=handover.customers.values("customer_id"))
    readable = moved.filter(pk__in=customers_readable_by(user).values("pk"))
    hidden = moved.count() - readable.count()
    customers = list(readable.select_related("owner", "second_owner").order_by("name", "pk"))
    contacts = {}
    for contact in Contact.objects.filter(customer__in=customers).order_by("-is_decision_maker", "created_at", "pk"):
        contacts.setdefault(contact.customer_id, contact)
    rows = []
    for customer in customers:
        contact = contacts.get(customer.pk)
        phone = (contact.mobile or contact.phone) if contact else ""
        rows.append({"customer": customer, "contact": contact, "phone": phone or customer.phone})
    return rows, hidden


def active_users() -> QuerySet:
    return get_user_model().objects.filter(is_active=True).select_related("department").order_by("username")


def important_without_second_owner(user) -> QuerySet[Customer]:
    """Important customers (grade in IMPORTANT_CUSTOMER_GRADES) of `user`'s department with no
    second responsible person yet (seed 003 制度1 第七条3)."""
    if not user.department_id:
        return Customer.objects.none()
    return (
        customers_readable_by(user)
        .filter(
            department_id=user.department_id,
            grade__in=settings.IMPORTANT_CUSTOMER_GRADES,
            second_owner__isnull=True,
        )
        .select_related("owner")
        .order_by("name", "pk")
    )


def department_manager_dashboard(user) -> dict:
    important = bounded(important_without_second_owner(user))
    return {
        "important": important,
        "todos": [
            todo(
                "important-without-second",
                _("重要客户未指定第二负责人"),
                important,
                "#important-without-second",
                Urgency.SOON,
            )
        ],
    }


def sales_dashboard(user) -> dict:
    """The sales person's panel: upcoming next actions (today's counted) and overdue complaints."""
    today = timezone.localdate()
    due_today = bounded(
        Interaction.objects.filter(customer__owner=user, next_action_on=today, next_action_done_at__isnull=True).filter(
            customer__in=customers_readable_by(user)
        ),
        show=0,
    )
    overdue_complaints = bounded(complaints_overdue_for(user))
    return {
        "next_actions": next_actions_for(user),
        "overdue_complaints": overdue_complaints.items,
        "todos": [
            todo("next-actions-today", _("今日的下一步行动"), due_today, "#next-actions", Urgency.TODAY),
            todo(
                "complaints-overdue",
                _("逾期未结的投诉"),
                overdue_complaints,
                "#overdue-complaints",
                Urgency.OVERDUE,
            ),
        ],
    }


@dataclass(frozen=True)
class CompositionRow:
    """One group of the composition: its customers and their share, its sales amount and share."""

    label: str
    count: int
    count_share: str
    amount: Decimal
    amount_share: str


def customer_composition(user, *, top: int = 15) -> dict:
    """客户构成分析 (SPEC §7, seed 003 制度9 第四条3) over the customers `user` may read: for grade,
    category, region and industry the head-count and the sales amount (the sum of their deals) with
    each group's share of the total; for product, the sales amount and how many customers bought it.
    One grouped query each, and one for the totals."""
    customers = customers_readable_by(user)
    deals = Deal.objects.filter(customer__in=customers)
    totals = customers.aggregate(count=Count("pk"))
    total_amount = deals.aggregate(amount=Sum("amount"))["amount"] or Decimal(0)

    def share(amount) -> str:
        return f"{amount / total_amount * 100:.1f}%" if total_amount else "—"

    def grouped(field, labels=None, limit=None):
        counts = customers.values(field).annotate(count=Count("pk")).order_by("-count", field)
        counts = list(counts[:limit] if limit else counts)
        amounts = dict(
            deals.filter(**{f"customer__{field}__in": [row[field] for row in counts]})
            .values_list(f"customer__{field}")
            .annotate(amount=Sum("amount"))
            .order_by()
        )
        return [
            CompositionRow(
                (labels(row[field]) if labels else row[field]) or "—",
                row["count"],
                f"{row['count'] / totals['count'] * 100:.1f}%" if totals["count"] else "—",
                amounts.get(row[field]) or Decimal(0),
                share(amounts.get(row[field]) or Decimal(0)),
            )
            for row in counts
        ]

    products = (
        deals.values("product")
        .annotate(amount=Sum("amount"), count=Count("customer", distinct=True))
        .order_by("-amount", "product")[:top]
    )
    return {
        "total_count": totals["count"],
        "total_amount": total_amount,
        "by_grade": grouped("grade", lambda code: CustomerGrade(code).label),
        "by_category": grouped("category", lambda code: CustomerCategory(code).label),
        "by_region": grouped("region", limit=top),
        "by_industry": grouped("industry", limit=top),
        "by_product": [
            CompositionRow(row["product"] or "—", row["count"], "", row["amount"], share(row["amount"]))
            for row in products
        ],
    }
