"""Reads about loans: registers, dashboards and reports."""

from collections.abc import Iterator
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dashboard import Urgency, todo
from accounts.models import Department
from crm_archive.charts import chart
from crm_archive.memo import remembered
from crm_archive.pagination import Bounded, bounded
from crm_archive.periods import by_month, calendar_months, moment_range
from crm_archive.workdays import add_months
from dossiers import selectors as dossier_selectors
from dossiers.labels import parse_scan
from dossiers.models import Document
from dossiers.statistics import Column, StatRow, StatTable

from . import circulation
from .models import (
    NOT_RETURNED_STATUSES,
    OUTSTANDING_STATUSES,
    Extension,
    Loan,
    LoanKind,
    LoanStatus,
    MonthlyReport,
    MonthlyReportKind,
    ReferenceCopy,
)
from .permissions import loans_awaiting_approval_by, loans_visible_to

# What a register row shows, joined in. The people it names (borrower, approvers, who issued,
# closed and received) are not joined: six joins to the users table made PostgreSQL spend 60–90 ms
# planning each page for 2 ms of running it; RegisterRows reads them in one query instead.
REGISTER_RELATED = [
    "department",
    "dossier__customer",
    "dossier__cabinet",
    "photocopy",
]
REGISTER_PEOPLE = [
    "borrower",
    "archive_approved_by",
    "tier_approved_by",
    "issued_by",
    "closed_by",
    "original_received_by",
]


class RegisterRows(ModelIterable):
    """Loans as a register lists them: each chunk of rows gets the people it names from one query on
    the users table, so a page costs one query more, not six joins; an export, one per chunk."""

    chunk = 2000

    def __iter__(self):
        rows = []
        for loan in super().__iter__():
            rows.append(loan)
            if len(rows) == self.chunk:
                yield from _people_named(rows)
                rows = []
        yield from _people_named(rows)


def _people_named(loans: list[Loan]) -> list[Loan]:
    fields = [Loan._meta.get_field(name) for name in REGISTER_PEOPLE]
    wanted = {getattr(loan, field.attname) for loan in loans for field in fields} - {None}
    people = get_user_model().objects.in_bulk(wanted) if wanted else {}
    for loan in loans:
        for field in fields:
            field.set_cached_value(loan, people.get(getattr(loan, field.attname)))
    return loans


def register(user, *, kind: str) -> QuerySet[Loan]:
    """One register (borrow or photocopy) as `user` may see it, newest first, with what a row shows
    joined in, and the people it names read with it (RegisterRows): a fixed number of queries per
    page. The page's filters are lending.forms.RegisterFilter."""
    queryset = (
        loans_visible_to(user)
        .filter(kind=kind)
        .select_related(*REGISTER_RELATED)
        .prefetch_related(Prefetch("extensions", queryset=Extension.objects.filter(status="approved")))
        .order_by("-requested_at", "-pk")
    )
    queryset._iterable_class = RegisterRows  # Django's hook for what a queryset's rows become
    return queryset


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


def loans_outstanding_rows(*, at) -> Iterator[dict]:
    """loans_outstanding(at=at) as plain rows for the monthly report to copy: each loan's own fields,
    its dossier's archive number, its photocopy record's content, and the borrower's and the
    department's names as they print. No model instances: 10,000 lines are read in a fraction of a
    second. Three queries (the names, then the rows in chunks)."""
    loans = loans_outstanding(at=at)
    # Every person's and department's name (a few hundred rows): asking only for the borrowers of
    # the loans out made PostgreSQL read every loan (1 s at a million loans).
    people = {person.pk: str(person) for person in get_user_model().objects.only("username", "first_name", "last_name")}
    departments = {department.pk: str(department) for department in Department.objects.all()}
    rows = loans.values(
        "pk",
        "kind",
        "status",
        "reference_copy_id",
        "original_returned_at",
        "content",
        "purpose",
        "issued_at",
        "due_at",
        "borrower_id",
        "department_id",
        archive_number=F("dossier__archive_number"),
        copied_content=F("photocopy__copied_content"),
    )
    for row in rows.iterator(chunk_size=2000):
        yield {**row, "borrower": people[row["borrower_id"]], "department": departments[row["department_id"]]}


def approvals_waiting_for(user, *, limit: int = 20) -> Bounded:
    """Loan requests waiting for `user`'s signature: the first `limit`, counted up to the cap (read
    once for a home page whose panels of several roles ask)."""
    return remembered(
        ("loan-approvals-waiting", user.pk, limit),
        lambda: bounded(
            loans_awaiting_approval_by(user)
            .select_related("borrower", "dossier__customer")
            .order_by("requested_at", "pk"),
            show=limit,
        ),
    )


def _end_of_today(now):
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.max))


def clerk_lending_dashboard(user) -> dict:
    """The desk's day: loans to issue, due back today, overdue (originals and copies). Three queries."""
    now = timezone.now()
    outstanding = Loan.objects.filter(status__in=OUTSTANDING_STATUSES).select_related("borrower", "dossier__customer")
    to_issue = bounded(
        Loan.objects.filter(status=LoanStatus.APPROVED)
        .select_related("borrower", "dossier__customer")
        .order_by("requested_at", "pk"),
        show=20,
    )
    due_today = bounded(
        outstanding.filter(due_at__gte=now, due_at__lte=_end_of_today(now)).order_by("due_at", "pk"), show=20
    )
    overdue = bounded(outstanding.filter(due_at__lt=now).order_by("due_at", "pk"), show=20)
    desk = reverse("lending:desk")
    return {
        "to_issue": to_issue.items,
        "due_today": due_today.items,
        "overdue": overdue.items,
        "todos": [
            todo("loans-overdue", _("逾期未还的借阅"), overdue, desk + "#overdue", Urgency.OVERDUE),
            todo("loans-due-today", _("今日应还"), due_today, desk + "#due-today", Urgency.TODAY),
            todo("loans-to-issue", _("待发放的借阅"), to_issue, desk + "#to-issue", Urgency.TODAY),
        ],
    }


def _waiting_todo(waiting: Bounded):
    return todo("loans-waiting", _("待我审批的借阅、影印"), waiting, reverse("approvals:inbox"), Urgency.WAITING)


def approver_dashboard(user) -> dict:
    waiting = approvals_waiting_for(user)
    return {"waiting": waiting.items, "todos": [_waiting_todo(waiting)]}


def borrower_dashboard(user) -> dict:
    """The borrower's open requests and loans, and how many are overdue or due today: one query,
    the counts counted with the home page's others."""
    now = timezone.now()
    mine = Loan.objects.filter(borrower=user)
    outstanding = mine.filter(status__in=OUTSTANDING_STATUSES)
    counts = {
        "overdue": bounded(outstanding.filter(due_at__lt=now), show=0),
        "due_today": bounded(outstanding.filter(due_at__gte=now, due_at__lte=_end_of_today(now)), show=0),
    }
    return {
        "my_open": list(
            mine.filter(status__in=[LoanStatus.REQUESTED, LoanStatus.APPROVED, *OUTSTANDING_STATUSES])
            .select_related("dossier__customer")
            .order_by("-requested_at", "-pk")[:20]
        ),
        "todos": [
            todo("my-loans-overdue", _("我的逾期未还"), counts["overdue"], "#my-loans", Urgency.OVERDUE),
            todo("my-loans-due-today", _("我今日应还"), counts["due_today"], "#my-loans", Urgency.TODAY),
        ],
    }


def department_overdue(user, *, limit: int = 20) -> Bounded:
    """Overdue loans of the department `user` manages."""
    if not user.department_id:
        return bounded(Loan.objects.none())
    return bounded(
        Loan.objects.filter(
            department_id=user.department_id, status__in=OUTSTANDING_STATUSES, due_at__lt=timezone.now()
        )
        .select_related("borrower", "dossier__customer")
        .order_by("due_at", "pk"),
        show=limit,
    )


def manager_dashboard(user) -> dict:
    waiting = approvals_waiting_for(user)
    overdue = department_overdue(user)
    return {
        "waiting": waiting.items,
        "department_overdue": overdue.items,
        "todos": [
            _waiting_todo(waiting),
            todo("department-loans-overdue", _("本部门逾期未还"), overdue, "#department-overdue", Urgency.OVERDUE),
        ],
    }


def general_manager_dashboard(user) -> dict:
    """The general manager's view of the archive: what is out now (originals, copies, overdue, lost),
    the latest monthly report, and a few key figures with small charts. A fixed number of queries."""
    now = timezone.now()
    out = Loan.objects.filter(status__in=NOT_RETURNED_STATUSES).aggregate(
        originals=Count("pk", filter=Q(status=LoanStatus.ISSUED)),
        copies=Count("pk", filter=Q(status=LoanStatus.COPIES_OUT)),
        overdue_originals=Count("pk", filter=Q(kind=LoanKind.BORROW, status__in=OUTSTANDING_STATUSES, due_at__lt=now)),
        overdue_photocopies=Count(
            "pk", filter=Q(kind=LoanKind.PHOTOCOPY, status__in=OUTSTANDING_STATUSES, due_at__lt=now)
        ),
        lost=Count("pk", filter=Q(status=LoanStatus.LOST)),
    )
    report = MonthlyReport.objects.filter(kind=MonthlyReportKind.OFFICIAL).order_by("-year", "-month", "-pk").first()
    if report is not None:
        report.line_count = report.lines.count()  # one report's lines, on the (report) index
    # The last twelve months, this one included, months without loans at 0.
    this_month = timezone.localdate(now).replace(day=1)
    months = [add_months(this_month, offset) for offset in range(-11, 1)]
    # Counted over those months only (the index on issued_at), not over every loan ever made; a
    # year of loans is still a large read at a million loans, so the series is kept five minutes.
    per_month = cache.get_or_set(
        f"lending:loans-per-month-from-{months[0]:%Y-%m}",
        lambda: loans_per_month(months=None, date_from=months[0]),
        300,
    )
    counted = {timezone.localdate(row["month"]).replace(day=1): row for row in per_month}
    loans_chart = chart(
        "gm-loans-per-month",
        "line",
        [month.strftime("%Y-%m") for month in months],
        {
            _("借阅"): [counted.get(month, {}).get("borrow", 0) for month in months],
            _("影印"): [counted.get(month, {}).get("photocopy", 0) for month in months],
        },
        title=_("近 12 个月借出"),
    )
    figures = dossier_selectors.key_figures()
    tier_chart = chart(
        "gm-dossiers-by-tier",
        "doughnut",
        [label for label, _count in figures["by_tier"]],
        {_("档案"): [count for _label, count in figures["by_tier"]]},
        title=_("档案按密级"),
    )
    out["overdue"] = out["overdue_originals"] + out["overdue_photocopies"]
    return {
        "out": out,
        "report": report,
        "figures": figures,
        "loans_chart": loans_chart,
        "tier_chart": tier_chart,
        "todos": [
            todo(
                "archive-out-overdue",
                _("逾期未还的借阅（全公司）"),
                out["overdue_originals"],
                reverse("lending:register", args=[LoanKind.BORROW]) + "?overdue=on",
                Urgency.OVERDUE,
            ),
            todo(
                "archive-copies-overdue",
                _("逾期未还的影印（全公司）"),
                out["overdue_photocopies"],
                reverse("lending:register", args=[LoanKind.PHOTOCOPY]) + "?overdue=on",
                Urgency.OVERDUE,
            ),
        ],
    }


def loan_detail(user, pk) -> Loan:
    return (
        loans_visible_to(user)
        .select_related(
            *REGISTER_RELATED,
            *REGISTER_PEOPLE,
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


def loans_per_month(*, months: int | None = 12, date_from=None, date_to=None) -> list[dict]:
    """Loans issued per month (SPEC §7), borrow and photocopy counted apart, newest first: the
    last `months` months with loans, or every month of a period (issued on its days, Asia/Shanghai)."""
    rows = (
        Loan.objects.filter(moment_range("issued_at", date_from, date_to), issued_at__isnull=False)
        .annotate(month=TruncMonth("issued_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            borrow=Count("pk", filter=Q(kind=LoanKind.BORROW)), photocopy=Count("pk", filter=Q(kind=LoanKind.PHOTOCOPY))
        )
        .order_by("-month")
    )
    return list(rows[:months] if months else rows)


def loan_statistics(user, *, date_from=None, date_to=None) -> dict:
    """Lending's section of the statistics page (dossiers.statistics): loans per month over the
    period (without one, the last 12 months), with a line chart. One query."""
    shown = calendar_months(date_from, date_to)
    counted = loans_per_month(months=None, date_from=shown[0] if shown else date_from, date_to=date_to)
    rows = [
        {"borrow": row.get("borrow", 0), "photocopy": row.get("photocopy", 0)}
        for _month, row in by_month(counted, shown)
    ]
    months = [f"{month:%Y-%m}" for month, _row in by_month(counted, shown)]
    title = _("借阅（按月）")
    table = StatTable(
        key="loans",
        title=title,
        heading=_("月份"),
        columns=[Column(_("借阅"), shared=False), Column(_("影印"), shared=False), Column(_("合计"))],
        rows=[
            StatRow(month, (row["borrow"], row["photocopy"], row["borrow"] + row["photocopy"]))
            for month, row in zip(months, rows, strict=True)
        ],
        chart=chart(
            "stat-loans",
            "line",
            months,
            {_("借阅"): [row["borrow"] for row in rows], _("影印"): [row["photocopy"] for row in rows]},
            title=title,
        ),
    )
    return {"tables": [table]}
