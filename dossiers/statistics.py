"""The statistics page (档案统计 and 客户构成分析, SPEC §7): its tables, their charts, its period, and
the sections apps above `dossiers` add to it.

Every figure is a `StatTable`: rows of counts (or amounts) under a few columns, each row's share of
the column total, a total row, and a chart of the same numbers. The page shows the tables with
their charts beside them, the Excel export writes the same tables, so the two never disagree.

The page belongs to the archive, but some of its figures are another app's (loans per month are
lending's). Such an app registers a section from its AppConfig.ready() — a template and a function
of the user and the period giving its context, with a fixed number of queries; its tables go in
the context as "tables" — so `dossiers` never imports the app above it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_archive.charts import chart
from crm_archive.excel import Percent
from crm_archive.periods import by_month, calendar_months, day_range, moment_range
from customers.models import SecrecyTier
from customers.selectors import customer_composition

from .models import Document, Dossier, DossierStatus, Inspection, Repair

# Without a period, the monthly tables show the last year.
RECENT_MONTHS = 12


# The period.


def period_words(date_from: date | None, date_to: date | None) -> str:
    if date_from and date_to:
        return _("%(from)s 至 %(to)s") % {"from": date_from.isoformat(), "to": date_to.isoformat()}
    if date_from:
        return _("%(from)s 起") % {"from": date_from.isoformat()}
    if date_to:
        return _("截至 %(to)s") % {"to": date_to.isoformat()}
    return _("全部日期")


# Tables.


@dataclass(frozen=True)
class Column:
    """A column of figures; `shared` columns are followed by each row's share of the column total."""

    heading: str
    shared: bool = True
    money: bool = False


@dataclass(frozen=True)
class StatRow:
    label: str
    values: tuple
    # An attribute on the row's first figure (data-<marker>), for a figure scripts and tests look up.
    marker: str = ""


@dataclass(frozen=True)
class Figure:
    """One cell as shown and as exported: `value` is the number, `text` its words."""

    value: object
    text: str
    share: bool = False


@dataclass(frozen=True)
class Line:
    label: str
    figures: list[Figure]
    marker: str = ""


@dataclass
class StatTable:
    key: str
    title: str
    heading: str
    columns: list[Column]
    rows: list[StatRow]
    chart: dict | None = None
    # The whole's totals when the rows are only its first groups (top 15 regions); else their sums.
    totals: tuple | None = None
    note: str = ""
    lines: list[Line] = field(init=False)
    total: Line = field(init=False)

    def __post_init__(self):
        totals = self.totals or tuple(
            sum((row.values[index] or 0) for row in self.rows) for index in range(len(self.columns))
        )
        self.lines = [Line(row.label, self._figures(row.values, totals), row.marker) for row in self.rows]
        self.total = Line(_("合计"), self._figures(totals, totals))

    def _figures(self, values: Sequence, totals: Sequence) -> list[Figure]:
        figures = []
        for column, value, total in zip(self.columns, values, totals, strict=True):
            figures.append(Figure(value, "—" if value is None else f"{value:.2f}" if column.money else str(value)))
            if column.shared:
                share = Percent(value / total) if total and value is not None else None
                figures.append(Figure(share, "—" if share is None else f"{share * 100:.1f}%", share=True))
        return figures

    @property
    def headings(self) -> list[str]:
        headings = [self.heading]
        for column in self.columns:
            headings.append(column.heading)
            if column.shared:
                headings.append(_("占比"))
        return headings

    def export_rows(self) -> list[list]:
        """The table for Excel, one row per figure (统计项, 分组, 指标, 数值, 占比): a long table a
        pivot table reads."""
        rows = []
        for line in [*self.lines, self.total]:
            figures = iter(line.figures)
            for column in self.columns:
                value = next(figures).value
                share = next(figures).value if column.shared else None
                rows.append([self.title, line.label, column.heading, value, share])
        return rows


EXPORT_HEADINGS = (
    gettext_lazy("统计项"),
    gettext_lazy("分组"),
    gettext_lazy("指标"),
    gettext_lazy("数值"),
    gettext_lazy("占比"),
)


def export_headings() -> list[str]:
    return [str(heading) for heading in EXPORT_HEADINGS]


def counted(key: str, title: str, heading: str, rows: list[tuple], *, kind: str, count_heading=None) -> StatTable:
    """A table of (label, count) rows with a chart of `kind`."""
    labels = [str(label) for label, _count in rows]
    counts = [count for _label, count in rows]
    return StatTable(
        key=key,
        title=title,
        heading=heading,
        columns=[Column(count_heading or _("数量"))],
        rows=[StatRow(label, (count,)) for label, count in zip(labels, counts, strict=True)],
        chart=chart(f"stat-{key}", kind, labels, {count_heading or _("数量"): counts}, title=title),
    )


# The archive's tables.


def archive_tables(*, date_from: date | None = None, date_to: date | None = None) -> dict:
    """档案统计 (SPEC §7) over a period: dossiers opened in it by status, year, tier and cabinet;
    promotions made in it on time vs late; documents filed, inspections made and repairs reported
    in it. Without a period, everything (inspections: the last RECENT_MONTHS months). Each figure is
    one grouped query, whatever the archive's size."""
    dossiers = Dossier.objects.filter(day_range("opened_on", date_from, date_to))
    # promoted_at is a moment, the due date a local date: compare in Asia/Shanghai.
    promoted = (
        Dossier.objects.exclude(promoted_at__isnull=True)
        .exclude(promotion_due_on__isnull=True)
        .filter(moment_range("promoted_at", date_from, date_to))
        .annotate(promoted_on=TruncDate("promoted_at", tzinfo=timezone.get_current_timezone()))
        .aggregate(
            on_time=Count("pk", filter=Q(promoted_on__lte=F("promotion_due_on"))),
            late=Count("pk", filter=Q(promoted_on__gt=F("promotion_due_on"))),
        )
    )
    inspections = (
        Inspection.objects.filter(day_range("inspected_on", date_from, date_to))
        .annotate(month=TruncMonth("inspected_on"))
        .values("month")
        .annotate(
            count=Count("pk"),
            with_problems=Count("pk", filter=Q(damage_found=True) | Q(mould_found=True) | Q(insects_found=True)),
        )
        .order_by("-month")
    )
    shown = calendar_months(date_from, date_to, last=RECENT_MONTHS)
    if shown and not date_from:
        inspections = inspections.filter(inspected_on__gte=shown[0])
    inspections = [
        {"month": month, "count": row.get("count", 0), "with_problems": row.get("with_problems", 0)}
        for month, row in by_month(inspections, shown)
    ]
    repairs = Repair.objects.filter(day_range("reported_on", date_from, date_to)).aggregate(
        open=Count("pk", filter=Q(repaired_on__isnull=True)),
        closed=Count("pk", filter=Q(repaired_on__isnull=False)),
    )
    documents = Document.objects.filter(moment_range("filed_at", date_from, date_to)).aggregate(
        count=Count("pk"), pages=Sum("pages")
    )
    status_rows = [
        (DossierStatus(row["status"]).label, row["count"])
        for row in dossiers.values("status").annotate(count=Count("pk")).order_by("status")
    ]
    tier_rows = [
        (SecrecyTier(row["customer__secrecy_tier"]).label, row["count"])
        for row in dossiers.values("customer__secrecy_tier")
        .annotate(count=Count("pk"))
        .order_by("customer__secrecy_tier")
    ]
    year_rows = [
        (str(row["year"]), row["count"])
        for row in dossiers.annotate(year=ExtractYear("opened_on"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("-year")
    ]
    cabinet_rows = [
        (row["cabinet__code"] or "—", row["count"])
        for row in dossiers.filter(status=DossierStatus.FORMAL)
        .values("cabinet__code")
        .annotate(count=Count("pk"))
        .order_by("cabinet__code")
    ]
    promotions = StatTable(
        key="promotions",
        title=_("转正时效"),
        heading=_("时效"),
        columns=[Column(_("数量"))],
        rows=[
            StatRow(_("按期（5 天内）"), (promoted["on_time"],), marker="on-time"),
            StatRow(_("逾期"), (promoted["late"],), marker="late"),
        ],
        chart=chart(
            "stat-promotions",
            "doughnut",
            [_("按期（5 天内）"), _("逾期")],
            {_("数量"): [promoted["on_time"], promoted["late"]]},
            title=_("转正时效"),
        ),
    )
    repairs_table = StatTable(
        key="repairs",
        title=_("修复"),
        heading=_("状态"),
        columns=[Column(_("数量"))],
        rows=[StatRow(_("待修复"), (repairs["open"],)), StatRow(_("已修复"), (repairs["closed"],))],
        chart=chart(
            "stat-repairs",
            "pie",
            [_("待修复"), _("已修复")],
            {_("数量"): [repairs["open"], repairs["closed"]]},
            title=_("修复"),
        ),
    )
    months = [f"{row['month']:%Y-%m}" for row in inspections]
    inspections_table = StatTable(
        key="inspections",
        title=_("检查（按月）") if date_from or date_to else _("检查（近 12 个月）"),
        heading=_("月份"),
        columns=[Column(_("检查次数")), Column(_("发现问题"), shared=False)],
        rows=[
            StatRow(month, (row["count"], row["with_problems"])) for month, row in zip(months, inspections, strict=True)
        ],
        chart=chart(
            "stat-inspections",
            "line",
            months,
            {
                _("检查次数"): [row["count"] for row in inspections],
                _("发现问题"): [row["with_problems"] for row in inspections],
            },
            title=_("检查（按月）"),
        ),
    )
    # Empty groups carry no figure: a table without rows shows 暂无数据 rather than a row of zeros.
    for table in (promotions, repairs_table):
        if not any(row.values[0] for row in table.rows):
            table.rows, table.lines = [], []
    return {
        "tables": [
            counted("status", _("按状态"), _("状态"), status_rows, kind="bar", count_heading=_("档案数")),
            counted("tier", _("按密级"), _("密级"), tier_rows, kind="pie", count_heading=_("档案数")),
            counted("year", _("按建档年度"), _("年度"), year_rows, kind="bar", count_heading=_("档案数")),
            counted(
                "cabinet", _("按档案柜（正式档案）"), _("档案柜"), cabinet_rows, kind="bar", count_heading=_("档案数")
            ),
            promotions,
            inspections_table,
            repairs_table,
        ],
        "documents": {"count": documents["count"], "pages": documents["pages"] or 0},
    }


def composition_tables(composition: dict) -> list[StatTable]:
    """客户构成分析 (customers.selectors.customer_composition) as tables: head-count and sales amount
    with their shares of all the reader's customers and deals (regions and industries list the
    first 15 groups; the total row is the whole)."""
    whole = (composition["total_count"], composition["total_amount"])

    def table(key, title, rows, *, kind):
        labels = [row.label for row in rows]
        return StatTable(
            key=key,
            title=title,
            heading=_("分组"),
            columns=[Column(_("客户数")), Column(_("成交金额（元）"), money=True)],
            rows=[StatRow(row.label, (row.count, row.amount)) for row in rows],
            totals=whole,
            chart=chart(f"stat-{key}", kind, labels, {_("客户数"): [row.count for row in rows]}, title=title),
        )

    products = composition["by_product"]
    return [
        table("grade", _("按客户等级"), composition["by_grade"], kind="pie"),
        table("category", _("按客户类别"), composition["by_category"], kind="pie"),
        table("region", _("按区域"), composition["by_region"], kind="bar"),
        table("industry", _("按行业"), composition["by_industry"], kind="bar"),
        StatTable(
            key="product",
            title=_("按产品"),
            heading=_("产品"),
            columns=[Column(_("成交客户"), shared=False), Column(_("成交金额（元）"), money=True)],
            rows=[StatRow(row.label, (row.count, row.amount)) for row in products],
            totals=(None, composition["total_amount"]),
            chart=chart(
                "stat-product",
                "bar",
                [row.label for row in products],
                {_("成交金额（元）"): [row.amount for row in products]},
                title=_("按产品"),
            ),
        ),
    ]


# The page.


def statistics_page(user, *, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Everything the statistics page shows `user` over the period, in a fixed number of queries:
    the archive's tables, the sections of the apps above, the customer composition (of the
    customers `user` may read; a head-count of today, which the period does not narrow)."""
    composition = customer_composition(user)
    return {
        **archive_tables(date_from=date_from, date_to=date_to),
        "sections": sections_for(user, date_from=date_from, date_to=date_to),
        "composition": composition,
        "composition_tables": composition_tables(composition),
        "period": period_words(date_from, date_to),
    }


def export_rows(page: dict):
    """The page's tables as the rows of its Excel file (EXPORT_HEADINGS)."""
    for table in page["tables"]:
        yield from table.export_rows()
    yield [_("卷内文件"), _("全部"), _("文件数"), page["documents"]["count"], None]
    yield [_("卷内文件"), _("全部"), _("页数"), page["documents"]["pages"], None]
    for _template, context in page["sections"]:
        for table in context.get("tables", ()):
            yield from table.export_rows()
    for table in page["composition_tables"]:
        yield from table.export_rows()


# Sections of apps above.


@dataclass(frozen=True)
class Section:
    template_name: str
    context: Callable[..., dict]


SECTIONS: list[Section] = []


def register(template_name: str, context: Callable[..., dict]) -> None:
    """Add a section: `context(user, *, date_from, date_to)` gives its template's context; the
    StatTables under "tables" are exported with the page's."""
    if all(section.template_name != template_name for section in SECTIONS):
        SECTIONS.append(Section(template_name, context))


def sections_for(user, *, date_from: date | None = None, date_to: date | None = None) -> list[tuple[str, dict]]:
    return [
        (section.template_name, section.context(user, date_from=date_from, date_to=date_to)) for section in SECTIONS
    ]
