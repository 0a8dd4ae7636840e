"""Lists sorted by their column headers: ?sort=key ascending, ?sort=-key descending.

A list view names its sortable columns in a `Sorts` whitelist: each public key and the model
fields it orders by. Whatever else arrives (a field name, a lookup through a relation, a list of
values, junk) falls back to the list's default order, never to an error. The order always ends on
a unique column (the primary key unless told otherwise), so paging never repeats or skips a row.
Every field a list sorts by is indexed (a column of its own index or the first one after the
list's filter): keep it so when adding a key, and check with EXPLAIN on PostgreSQL.

Templates draw the headers with {% sort_header %} (crm_archive/templatetags/sorting.py)."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Sorting:
    """The order a list is shown in: `key` (a whitelisted one), `descending`, and the
    `order_by` arguments that produce it."""

    key: str
    descending: bool
    order_by: tuple[str, ...]

    @property
    def value(self) -> str:
        """What ?sort= holds for this order."""
        return f"-{self.key}" if self.descending else self.key


@dataclass(frozen=True)
class Sorts:
    """A list's sortable keys, each with the fields it orders by (ascending; a descending sort
    reverses every one), its `default` (e.g. "-requested") and its unique `tiebreaker` field."""

    columns: Mapping[str, tuple[str, ...]]
    default: str
    tiebreaker: str = "pk"

    def __post_init__(self):
        if self.default.removeprefix("-") not in self.columns:
            raise ValueError(f"the default sort {self.default!r} is not one of {sorted(self.columns)}")

    def parse(self, value) -> Sorting:
        """The order `value` (the ?sort= parameter) asks for, or the default one."""
        if not isinstance(value, str) or value.removeprefix("-") not in self.columns:
            value = self.default
        descending = value.startswith("-")
        key = value.removeprefix("-")
        sign = "-" if descending else ""
        fields = tuple(f"{sign}{field}" for field in (*self.columns[key], self.tiebreaker))
        return Sorting(key=key, descending=descending, order_by=fields)

    def from_request(self, request) -> Sorting:
        return self.parse(request.GET.get("sort"))
