"""Reads about loans: registers, dashboards and reports."""

from datetime import datetime, time

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import OUTSTANDING_STATUSES, Extension, Loan, LoanKind, LoanStatus, MonthlyReport
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
    """Everything out and not returned: originals out, and photocopies not yet back. The states
    are today's, so `at` (the report's moment, default now) only leaves out loans issued after it."""
    queryset = Loan.objects.filter(status__in=OUTSTANDING_STATUSES)
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
        .select_related(*REGISTER_RELATED, "rejected_by")
        .prefetch_related("documents", "extensions")
        .get(pk=pk)
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
