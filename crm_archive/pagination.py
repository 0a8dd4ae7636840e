"""Pagination without COUNT(*) over the whole table, and without paying OFFSET on the rows.

A page is fetched with one extra row to know whether a next page exists, and the total is
counted only up to a cap ("1000+"), so a list costs the same on a hundred rows as on a
million; the capped count rides along in the page's own query. A later page is read in two steps:
its ids (walked in the list's index), then those rows with what they show joined in — so a deep
page pays its OFFSET over ids alone, never over joined rows. The object offers what
templates/includes/pagination.html uses."""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable, QuerySet

from crm_archive.sql import BranchRows

PAGE_SIZES = (10, 25, 50, 100)
COUNT_CAP = 1000
# How deep a list pages: past this many rows, its search and filters find a row sooner than paging
# would, and the ids walked before a page stay a bounded number.
MAX_OFFSET = 100_000


@dataclass
class CappedPage:
    object_list: list
    number: int
    per_page: int
    has_next: bool
    total: int
    total_is_capped: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_previous() or self.has_next

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    @property
    def total_display(self) -> str:
        return f"{self.total}+" if self.total_is_capped else str(self.total)


def _positive_int(value, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def paginate(
    queryset, *, page=None, per_page=None, default_per_page: int = 25, cap: int = COUNT_CAP, count: bool = True
) -> CappedPage:
    """A page of `queryset` and its total counted up to `cap`, in a fixed number of queries.

    Model rows: the first page in one query, its rows and the capped count together; a later page
    in two, its ids (walked in the list's index, with the count) then its rows — so no page pays
    OFFSET over joined rows. Without `count` (a page that shows no total) the total is only what
    the pages so far hold. Other querysets (a UNION, values()) are read with their OFFSET, and
    counted in a second query."""
    size = _positive_int(per_page, default_per_page)
    if size not in PAGE_SIZES:
        size = default_per_page
    # A page beyond MAX_OFFSET shows the last page there is room for.
    number = min(_positive_int(page, 1), MAX_OFFSET // size + 1)
    offset = (number - 1) * size
    counted = None
    if _model_rows(queryset):
        rows, counted = _model_page(queryset, offset, size, cap if count else None)
    elif isinstance(queryset, BranchRows):
        rows, counted = queryset.page(offset, offset + size + 1, cap if count else None)
    else:
        rows = list(queryset[offset : offset + size + 1])
    has_next = len(rows) > size
    if count:
        if counted is None:  # not read with the page (other rows, or a page past the end)
            # A list read through its sets (crm_archive.sql.BranchRows) cuts each set to the cap.
            if isinstance(queryset, BranchRows):
                ids = queryset.ids(cap + 1)
            else:
                ids = queryset.order_by().values("pk")[: cap + 1]
            counted = _count(ids)
        total, total_is_capped = min(counted, cap), counted > cap
    else:
        total, total_is_capped = offset + len(rows[:size]), has_next
    return CappedPage(
        object_list=rows[:size],
        number=number,
        per_page=size,
        has_next=has_next,
        total=total,
        total_is_capped=total_is_capped,
    )


def _count(queryset) -> int:
    """How many rows `queryset` reads, counted in the database with its SQL as written: no
    thousand ids fetched, and no second compilation (Django's count() of a sliced UNION compiles
    it again inside an aggregate: 5 ms on a sales person's list)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)
        return cursor.fetchone()[0]


def _model_rows(queryset) -> bool:
    """Whether `queryset` reads model rows that can be fetched by id: not sliced, no UNION."""
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    return (
        issubclass(queryset._iterable_class, ModelIterable)
        and query.combinator is None
        and not query.is_sliced
        and not query.distinct_fields
    )


def _with_capped_count(queryset, cap: int | None, *, in_order: bool = False):
    """`queryset` with each row carrying the total counted up to `cap` (`_capped_total`); as it is
    without a cap, or when its rows are grouped (the count is then a query of its own). `in_order`
    counts the first rows in the list's own order, for a list whose order has an index and whose
    filter does not (the count then walks the same index as the rows)."""
    if cap is None or queryset.query.group_by is not None:
        return queryset, False
    capped = (queryset if in_order else queryset.order_by()).values("pk")[: cap + 1]
    sql, params = capped.query.sql_with_params()
    # An uncorrelated subquery: the database counts once for the statement, not once per row.
    return queryset.annotate(_capped_total=RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)), True


def _model_page(queryset, offset: int, size: int, cap: int | None) -> tuple[list, int | None]:
    """Up to size + 1 rows from `offset`, in the list's order, and the total counted up to `cap`
    (None when not counted with them: no cap, grouped rows, or no row to carry it)."""
    counting, counts = _with_capped_count(queryset, cap)
    if offset == 0:
        rows = list(counting[: size + 1])
        return rows, (rows[0]._capped_total if rows and counts else None)
    if counts:
        found = list(counting.values_list("pk", "_capped_total")[offset : offset + size + 1])
        ids, counted = [pk for pk, _total in found], (found[0][1] if found else None)
    else:
        ids, counted = list(queryset.values_list("pk", flat=True)[offset : offset + size + 1]), None
    if not ids:
        return [], counted
    # In the ids' order: the rows query needs no sort, and plans its joins for one page of ids.
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk], counted


# Dashboard counts stop here ("99+"): a panel costs the same however much is waiting.
PANEL_COUNT_CAP = 99


class Bounded:
    """The first rows of a list and how many there are, counted up to PANEL_COUNT_CAP. Reads as its
    count ("99+" beyond the cap) and is false when nothing is waiting.

    A count alone (`bounded(…, show=0)`) is read when first asked for, so that a page showing many
    (the home page's to-dos) reads them all in one statement with `count_together`."""

    def __init__(self, items: list, count: int = 0, capped: bool = False, *, pending=None):
        self.items = items
        self._count = count
        self._capped = capped
        self._pending = pending  # the ids to count, limited to PANEL_COUNT_CAP + 1, until counted

    def _counted(self, found: int) -> None:
        self._count, self._capped, self._pending = min(found, PANEL_COUNT_CAP), found > PANEL_COUNT_CAP, None

    def _settle(self) -> None:
        if self._pending is not None:
            self._counted(len(self._pending))

    @property
    def count(self) -> int:
        self._settle()
        return self._count

    @property
    def capped(self) -> bool:
        self._settle()
        return self._capped

    @property
    def label(self) -> str:
        return f"{PANEL_COUNT_CAP}+" if self.capped else str(self.count)

    def __str__(self):
        return self.label

    def __bool__(self):
        return self.count > 0


def bounded(queryset, *, show: int = 10, count_in_order: bool = False) -> Bounded:
    """One query: the first `show` rows and how many there are, up to PANEL_COUNT_CAP (with
    `show=0`, only the ids are counted, when first asked for). `count_in_order` counts the first
    rows in the list's order: for a filter with no index of its own whose order has one (a
    department's missed follow-ups: 76 ms counted unordered, 1 ms in order); unordered is the
    better plan where the filter has an index (a sales person's missed next actions: 4 against 50)."""
    if isinstance(queryset, BranchRows):
        return _bounded_branches(queryset, show)
    if show and _model_rows(queryset) and queryset.query.group_by is None:
        # The shown rows carry the count (up to the cap) in the same statement, so a panel of ten
        # reads ten rows with their joins, not a hundred.
        try:
            counting, _counts = _with_capped_count(queryset, PANEL_COUNT_CAP, in_order=count_in_order)
        except EmptyResultSet:  # a .none(), or a filter no row can match
            return Bounded([], 0, False)
        rows = list(counting[:show])
        found = rows[0]._capped_total if rows else 0
        return Bounded(rows, min(found, PANEL_COUNT_CAP), found > PANEL_COUNT_CAP)
    if show:
        rows = list(queryset[: max(PANEL_COUNT_CAP, show) + 1])
        return Bounded(rows[:show], min(len(rows), PANEL_COUNT_CAP), len(rows) > PANEL_COUNT_CAP)
    counted = queryset if count_in_order else queryset.order_by()
    return Bounded([], pending=counted.values_list("pk", flat=True)[: PANEL_COUNT_CAP + 1])


def _bounded_branches(rows: BranchRows, show: int) -> Bounded:
    """`bounded` of a list read through its sets: its first rows carry its count, each set cut to
    the cap (PostgreSQL); a count alone counts the sets cut to the cap, with the page's others."""
    if not show:
        return Bounded([], pending=rows.ids(PANEL_COUNT_CAP + 1))
    items, found = rows.page(0, show, PANEL_COUNT_CAP)
    found = found or 0  # None: no row to carry it, nothing in the list
    return Bounded(items, min(found, PANEL_COUNT_CAP), found > PANEL_COUNT_CAP)


def count_together(counts) -> None:
    """Count every not yet counted Bounded of `counts` in one statement — SELECT (SELECT COUNT(*)
    FROM (…)), (SELECT COUNT(*) FROM (…)), … — instead of one query each. Others are left alone."""
    waiting, parts, params = [], [], []
    for item in counts:
        if not isinstance(item, Bounded) or item._pending is None or item in waiting:
            continue
        try:
            sql, item_params = item._pending.query.sql_with_params()
        except EmptyResultSet:  # a .none(): nothing to count
            item._counted(0)
            continue
        waiting.append(item)
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{len(parts)})")
        params.extend(item_params)
    if not waiting:
        return
    with connections[waiting[0]._pending.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        for item, found in zip(waiting, cursor.fetchone(), strict=True):
            item._counted(found)
