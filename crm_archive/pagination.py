"""Pagination without COUNT(*) over the whole table.

A page is fetched with one extra row to know whether a next page exists, and the total is
counted only up to a cap ("1000+"), so a list costs the same on a hundred rows as on a
million. The object offers what templates/includes/pagination.html uses."""

from dataclasses import dataclass

PAGE_SIZES = (10, 25, 50, 100)
COUNT_CAP = 1000
MAX_PAGE = 100_000


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
    """Two queries: the page (plus one row) and a count bounded by `cap`. Without `count` (a UNION,
    which cannot be counted by its ids), one: the total is only what the pages so far hold."""
    size = _positive_int(per_page, default_per_page)
    if size not in PAGE_SIZES:
        size = default_per_page
    # Deep pages of a capped list are empty anyway; the cap keeps OFFSET within PostgreSQL's range.
    number = min(_positive_int(page, 1), MAX_PAGE)
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    has_next = len(rows) > size
    if count:
        counted = len(queryset.order_by().values("pk")[: cap + 1])
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


# Dashboard counts stop here ("99+"): a panel costs the same however much is waiting.
PANEL_COUNT_CAP = 99


@dataclass(frozen=True)
class Bounded:
    """The first rows of a list and how many there are, counted up to PANEL_COUNT_CAP. Reads as its
    count ("99+" beyond the cap) and is false when nothing is waiting."""

    items: list
    count: int
    capped: bool

    @property
    def label(self) -> str:
        return f"{PANEL_COUNT_CAP}+" if self.capped else str(self.count)

    def __str__(self):
        return self.label

    def __bool__(self):
        return self.count > 0


def bounded(queryset, *, show: int = 10) -> Bounded:
    """One query: up to PANEL_COUNT_CAP + 1 rows, of which the first `show` are kept (with `show=0`,
    only their ids are read, for a count alone)."""
    if show:
        rows = list(queryset[: max(PANEL_COUNT_CAP, show) + 1])
    else:
        rows = list(queryset.order_by().values_list("pk", flat=True)[: PANEL_COUNT_CAP + 1])
    return Bounded(rows[:show], min(len(rows), PANEL_COUNT_CAP), len(rows) > PANEL_COUNT_CAP)
