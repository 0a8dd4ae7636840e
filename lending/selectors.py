"""Reads about loans: registers, dashboards and reports."""

from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dossiers import selectors as dossier_selectors
from dossiers.labels import parse_scan
from dossiers.models import Document

from . import circulation
from .models import (
    NOT_RETURNED_STATUSES,
    OUTSTANDING_STATUSES,
    Extension,
    Loan,
    LoanKind,
    LoanStatus,
    MonthlyReport,
    ReferenceCopy,
)
from .permissions import loans_awaiting_approval_by, loans_visible_to

REGISTER_RELATED = [
    "borrower",
    "department",
    "dossier__customer",
    "dossier__cabinet",
    "archive_approved_by",
    "tier_approved_by",
    "issued_by",
    "closed_by",
    "original_received_by",
    "photocopy",
]


def register(user, *, kind: str) -> QuerySet[Loan]:
    """One register (borrow or photocopy) as `user` may see it, newest first, with what a row shows
    joined in: one query per page. The page's filters are lending.forms.RegisterFilter."""
    return (
        loans_visible_to(user)
        .filter(kind=kind)
        .select_related(*REGISTER_RELATED)
        .prefetch_related(Prefetch("extensions", queryset=Extension.objects.filter(status="approved")))
        .order_by("-requested_at", "-pk")
    )


def loans_outstanding(*, at=None) -> QuerySet[Loan]:
    """Everything out and not returned: originals out, photocopies not yet back, and what was
    reported lost and is not yet written off. The states
    are today's, so `at` (the report's moment, default now) only leaves out loans issued after it."""
    queryset = Loan.objects.filter(status__in=NOT_RETURNED_STATUSES)
    if at is not None:
        queryset = queryset.filter(issued_at__lte=at)
    return queryset.select_related("borrower", "department", "dossier__customer", "photocopy").order_by(
        "issued_at", "pk"
    )


def approvals_waiting_for(user, *, limit: int = 20) -> list[Loan]:
    return list(
        loans_awaiting_approval_by(user)
        .select_related("borrower", "dossier__customer")
        .order_by("requested_at")[:limit]
    )


def clerk_lending_dashboard(user) -> dict:
    now = timezone.now()
    end_of_today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.max))
    outstanding = Loan.objects.filter(status__in=OUTSTANDING_STATUSES).select_related("borrower", "dossier__customer")
    return {
        "to_issue": list(
            Loan.objects.filter(status=LoanStatus.APPROVED).select_related("borrower", "dossier__customer")[:20]
        ),
        "due_today": list(outstanding.filter(due_at__gte=now, due_at__lte=end_of_today).order_by("due_at")[:20]),
        "overdue": list(outstanding.filter(due_at__lt=now).order_by("due_at")[:20]),
    }


def approver_dashboard(user) -> dict:
    return {"waiting": approvals_waiting_for(user)}


def borrower_dashboard(user) -> dict:
    mine = Loan.objects.filter(borrower=user).select_related("dossier__customer")
    return {
        "my_open": list(
            mine.filter(status__in=[LoanStatus.REQUESTED, LoanStatus.APPROVED, *OUTSTANDING_STATUSES]).order_by(
                "-requested_at"
            )[:20]
        ),
    }


def department_overdue(user, *, limit: int = 20) -> list[Loan]:
    """Overdue loans of the department `user` manages."""
    if not user.department_id:
        return []
    return list(
        Loan.objects.filter(
            department_id=user.department_id, status__in=OUTSTANDING_STATUSES, due_at__lt=timezone.now()
        )
        .select_related("borrower", "dossier__customer")
        .order_by("due_at")[:limit]
    )


def manager_dashboard(user) -> dict:
    return {"waiting": approvals_waiting_for(user), "department_overdue": department_overdue(user)}


def loan_detail(user, pk) -> Loan:
    return (
        loans_visible_to(user)
        .select_related(
            *REGISTER_RELATED,
            "rejected_by",
            "receipt_witnessed_by",
            "original_received_by",
            "loss_reported_by",
            "reference_copy__document",
        )
        .prefetch_related("documents", "extensions", "notices")
        .get(pk=pk)
    )


def whereabouts(loan: Loan) -> dict:
    """Where the loan's original is, for the approver and the clerk (SPEC §5): out with whom until
    when, the requests waiting for it, and who it is held for. A fixed number of queries."""
    queue = list(circulation.reservation_queue(loan.dossier_id).select_related("borrower")[:50])
    ahead = [waiting for waiting in queue if (waiting.requested_at, waiting.pk) < (loan.requested_at, loan.pk)]
    now = timezone.now()
    return {
        "holder": circulation.original_holder(loan.dossier_id),
        "waiting": len(queue),
        "ahead": len(ahead) if loan in queue else None,
        "held_for": next((waiting for waiting in queue if waiting.held_until and waiting.held_until > now), None),
    }


def desk_loan_for(dossier) -> Loan | None:
    """What the desk does with a scanned dossier: the loan that has its original out (to take it
    back), else the approved request it is held for, else the oldest approved request (to issue)."""
    out = circulation.original_holder(dossier.pk)
    if out is not None:
        return out
    approved = Loan.objects.filter(dossier=dossier, status=LoanStatus.APPROVED, reference_copy__isnull=True).order_by(
        F("held_until").desc(nulls_last=True), "requested_at", "pk"
    )
    return approved.first()


def dossier_for_scan(code: str):
    """The dossier a scanned spine label (or a typed archive number) names, or None."""
    scanned = parse_scan(code)
    return dossier_selectors.dossier_for_scan(scanned.archive_number) if scanned.is_dossier else None


def blocked_people():
    """People with a loan past its due time and not returned: no new loan without an override."""
    return (
        get_user_model().objects.filter(pk__in=circulation.overdue_loans().values("borrower_id")).order_by("username")
    )


def blocked_borrowers(*, limit: int = 100) -> list:
    """`blocked_people`, each with how many loans are overdue and since when, most overdue first
    (the archive manager's override page)."""
    overdue = circulation.overdue_loans()
    return list(
        blocked_people()
        .annotate(
            overdue_count=Count("loans", filter=Q(loans__in=overdue)),
            oldest_due=Min("loans__due_at", filter=Q(loans__in=overdue)),
        )
        .order_by("oldest_due", "pk")[:limit]
    )


def reference_copy_rows(*, limit: int = 500):
    """Documents with registered reference copies: how many, how many on the shelf; documents of a
    type that must keep one (REFERENCE_COPY_KEPT_FOR, 设备说明书 by default) flagged when none is."""
    on_shelf = Count(
        "reference_copies",
        filter=Q(reference_copies__withdrawn_at__isnull=True)
        & ~Q(reference_copies__in=ReferenceCopy.objects.filter(loans__status__in=NOT_RETURNED_STATUSES)),
        distinct=True,
    )
    return (
        Document.objects.filter(reference_copies__isnull=False)
        .distinct()
        .annotate(
            copy_count=Count("reference_copies", filter=Q(reference_copies__withdrawn_at__isnull=True), distinct=True),
            on_shelf=on_shelf,
        )
        .select_related("dossier", "document_type")
        .order_by("dossier__archive_number", "position", "pk")[:limit]
    )


def monthly_reports() -> QuerySet[MonthlyReport]:
    """Official reports and snapshots, newest month first; in a month the official report leads,
    then its snapshots, newest first."""
    return MonthlyReport.objects.select_related("generated_by").order_by("-year", "-month", "kind", "-taken_at")


def loans_per_month(*, months: int = 12) -> list[dict]:
    """Loans issued per month (SPEC §7), borrow and photocopy counted apart."""
    return list(
        Loan.objects.filter(issued_at__isnull=False)
        .annotate(month=TruncMonth("issued_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            borrow=Count("pk", filter=Q(kind=LoanKind.BORROW)), photocopy=Count("pk", filter=Q(kind=LoanKind.PHOTOCOPY))
        )
        .order_by("-month")[:months]
    )
