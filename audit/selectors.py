"""The audit trail (issue 14, DoD 5015.2's audit trail the people responsible can read): every
change django-simple-history kept of the records that are evidence, and every read and export of
customer data, in one list, newest first.

One UNION of the history tables and the read and export logs, filtered inside each branch (so each
uses its own indexes) and cut to one page; then, for that page only, the historical rows and the
rows before them (one query per kind of record on the page), the people, and the names the changes
refer to. A fixed number of queries whatever the page size.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import ApprovalChain, ApprovalStep, ApprovalTask
from crm_archive.history import FieldChange, describe
from crm_archive.models import CalendarDay
from crm_archive.sql import union_of
from customers.models import Customer, CustomerExport, CustomerReadLog
from destruction.models import DestructionList, Hold
from dossiers.models import Document, Dossier
from lending.models import BlockOverride, Loan, ReferenceCopy

User = get_user_model()

CREATED, CHANGED, DELETED, READ, EXPORT = "+", "~", "-", "read", "export"
ACTIONS = [
    (CREATED, gettext_lazy("创建")),
    (CHANGED, gettext_lazy("修改")),
    (DELETED, gettext_lazy("删除")),
    (READ, gettext_lazy("查阅")),
    (EXPORT, gettext_lazy("导出")),
]
HISTORY_ACTIONS = {CREATED, CHANGED, DELETED}


def _number(text: str, prefix: str) -> int | None:
    """The id in a register number as people type it (J000012, j12, 12)."""
    text = text.strip().upper().removeprefix(prefix)
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 12 else None


def _by_number(prefix: str) -> Callable[[str], Q]:
    def search(text):
        number = _number(text, prefix)
        return Q(id=number) if number is not None else Q(pk__in=[])

    return search


def _loan_search(text: str) -> Q:
    number = next((n for n in (_number(text, "J"), _number(text, "Y")) if n is not None), None)
    return Q(id=number) if number is not None else Q(pk__in=[])


def _list_search(text: str) -> Q:
    number = _number(text.strip().upper().split("-")[-1], "XH")
    return Q(id=number) if number is not None else Q(pk__in=[])


@dataclass(frozen=True)
class Source:
    """One kind of record whose changes the trail shows."""

    key: str
    label: object
    model: type
    search: Callable[[str], Q]
    # The record as the trail names it, from its historical row and the names looked up for the page.
    name: Callable[[object, dict], str]
    url: Callable[[object], str | None]
    # Names the `name` needs: {attribute of the historical row: model whose str() is wanted}.
    lookups: dict = field(default_factory=dict)


SOURCES = [
    Source(
        "customer",
        gettext_lazy("客户"),
        Customer,
        search=lambda text: Q(name__icontains=text),
        name=lambda row, names: row.name,
        url=lambda row: reverse("customers:detail", args=[row.id]),
    ),
    Source(
        "dossier",
        gettext_lazy("档案"),
        Dossier,
        search=lambda text: Q(archive_number__icontains=text),
        name=lambda row, names: Dossier.label(row.archive_number, names.get((Customer, row.customer_id), "")),
        url=lambda row: reverse("dossiers:detail", args=[row.id]),
        lookups={"customer_id": Customer},
    ),
    Source(
        "document",
        gettext_lazy("卷内文件"),
        Document,
        search=lambda text: Q(title__icontains=text),
        name=lambda row, names: f"{names.get((Dossier, row.dossier_id), '')} · {row.title}",
        url=lambda row: reverse("dossiers:detail", args=[row.dossier_id]),
        lookups={"dossier_id": Dossier},
    ),
    Source(
        "loan",
        gettext_lazy("借阅"),
        Loan,
        search=_loan_search,
        name=lambda row, names: row.instance.register_number,
        url=lambda row: reverse("lending:detail", args=[row.id]),
    ),
    Source(
        "destruction_list",
        gettext_lazy("销毁清册"),
        DestructionList,
        search=_list_search,
        name=lambda row, names: row.instance.number,
        url=lambda row: reverse("destruction:detail", args=[row.id]),
    ),
    Source(
        "hold",
        gettext_lazy("保留冻结"),
        Hold,
        search=lambda text: Q(reason__icontains=text),
        name=lambda row, names: f"{names.get((Dossier, row.dossier_id), '')} · {row.reason}",
        url=lambda row: reverse("dossiers:detail", args=[row.dossier_id]),
        lookups={"dossier_id": Dossier},
    ),
    Source(
        "approval",
        gettext_lazy("审批记录"),
        ApprovalTask,
        search=lambda text: Q(reference__icontains=text),
        name=lambda row, names: str(row.instance),
        url=lambda row: row.link or None,
    ),
    Source(
        "approval_chain",
        gettext_lazy("审批流程"),
        ApprovalStep,
        search=lambda text: Q(pk__in=[]),
        name=lambda row, names: f"{names.get((ApprovalChain, row.chain_id), '')} · {row.instance}",
        url=lambda row: reverse("admin:approvals_approvalchain_change", args=[row.chain_id]),
        lookups={"chain_id": ApprovalChain},
    ),
    Source(
        "block_override",
        gettext_lazy("逾期借阅特批"),
        BlockOverride,
        search=lambda text: Q(reason__icontains=text),
        name=lambda row, names: f"{names.get((User, row.borrower_id), '')} · {row.reason}",
        url=lambda row: reverse("lending:blocks"),
        lookups={"borrower_id": User},
    ),
    Source(
        "reference_copy",
        gettext_lazy("参考副本"),
        ReferenceCopy,
        search=lambda text: Q(pk__in=[]),
        name=lambda row, names: f"{names.get((Document, row.document_id), '')} · {row.number}",
        url=lambda row: reverse("lending:reference_copies"),
        lookups={"document_id": Document},
    ),
    Source(
        "calendar_day",
        gettext_lazy("工作日历"),
        CalendarDay,
        search=lambda text: Q(note__icontains=text),
        name=lambda row, names: f"{row.day:%Y-%m-%d} {row.note}",
        url=lambda row: reverse("admin:crm_archive_calendarday_change", args=[row.id]),
    ),
]
SOURCE_BY_KEY = {source.key: source for source in SOURCES}
# The record kinds people filter by: each source, and the export log (reads are of customers).
RECORD_KINDS = [(source.key, source.label) for source in SOURCES] + [(EXPORT, gettext_lazy("数据导出"))]

READ_WHAT = {
    "profile": gettext_lazy("客户资料"),
    "dossier": gettext_lazy("档案页"),
    "document": gettext_lazy("扫描件"),
    "catalogue": gettext_lazy("卷内文件目录"),
    "export": gettext_lazy("导出"),
    "api": gettext_lazy("接口"),
}


def read_what(what: str) -> str:
    """A read log's `what` (profile, dossier:12, catalogue:12:2025, api:contacts…) in words."""
    head, _sep, rest = what.partition(":")
    if head not in READ_WHAT:
        return what
    return f"{READ_WHAT[head]} {rest}".strip()


@dataclass
class Filters:
    person: object = None
    kind: str = ""
    action: str = ""
    record: str = ""
    date_from: object = None
    date_to: object = None


@dataclass
class TrailEntry:
    when: datetime
    who: object
    kind: str
    action: str
    record: str = ""
    url: str | None = None
    details: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    unknown_before: bool = False

    @property
    def action_display(self) -> str:
        return str(dict(ACTIONS)[self.action])


def _columns(queryset, *, at: str, actor: str, source: str, action, record, ref: str = "pk") -> QuerySet:
    """One branch of the UNION: the same six columns, in the same order, from any table."""
    # No ordering inside a branch: SQLite refuses ORDER BY in the parts of a UNION.
    return (
        queryset.order_by()
        .annotate(
            audit_at=F(at),
            audit_actor=F(actor),
            audit_source=Value(source, output_field=CharField()),
            audit_action=action,
            audit_record=record,
            audit_ref=F(ref),
        )
        .values("audit_at", "audit_actor", "audit_source", "audit_action", "audit_record", "audit_ref")
    )


def _period(filters: Filters, column: str) -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{column}__gte": timezone.make_aware(datetime.combine(filters.date_from, time.min))})
    if filters.date_to:
        q &= Q(**{f"{column}__lte": timezone.make_aware(datetime.combine(filters.date_to, time.max))})
    if filters.person:
        actor = "history_user" if column == "history_date" else "user"
        q &= Q(**{actor: filters.person})
    return q


def _branches(filters: Filters) -> list[QuerySet]:
    record = filters.record.replace("\x00", "").strip()
    branches = []
    if not filters.action or filters.action in HISTORY_ACTIONS:
        for source in SOURCES:
            if filters.kind and filters.kind != source.key:
                continue
            rows = source.model.history.filter(_period(filters, "history_date"))
            if filters.action:
                rows = rows.filter(history_type=filters.action)
            if record:
                rows = rows.filter(source.search(record))
            branches.append(
                _columns(
                    rows,
                    at="history_date",
                    actor="history_user_id",
                    source=source.key,
                    action=F("history_type"),
                    record=F("id"),
                    ref="history_id",
                )
            )
    if filters.action in ("", READ) and filters.kind in ("", "customer"):
        rows = CustomerReadLog.objects.filter(_period(filters, "read_at"))
        if record:
            rows = rows.filter(customer__name__icontains=record)
        branches.append(
            _columns(
                rows,
                at="read_at",
                actor="user_id",
                source=READ,
                action=Value(READ, output_field=CharField()),
                record=F("customer_id"),
            )
        )
    if filters.action in ("", EXPORT) and filters.kind in ("", EXPORT):
        rows = CustomerExport.objects.filter(_period(filters, "exported_at"))
        if record:
            rows = rows.filter(filters__icontains=record)
        branches.append(
            _columns(
                rows,
                at="exported_at",
                actor="user_id",
                source=EXPORT,
                action=Value(EXPORT, output_field=CharField()),
                record=Value(0, output_field=BigIntegerField()),
            )
        )
    return branches


def trail_rows(filters: Filters, *, order: tuple[str, ...] = ("-audit_at", "-audit_ref")):
    """The matching entries as plain rows (the six columns), newest first unless `order` (of those
    columns) says otherwise; slice it for a page."""
    branches = _branches(filters)
    if not branches:
        return CustomerExport.objects.none().values("pk")
    return TrailRows(branches, order)


class TrailRows:
    """trail_rows' answer: the UNION of the branches in `order`. Sliced (a page), each branch is
    first cut to the slice's end in the same order, where the database allows ORDER BY and LIMIT
    inside a UNION (PostgreSQL): the newest rows of each table come from its time index, instead of
    every row of every history table being sorted for one page (2.4 s at a million loans). Iterated
    (the Excel export), the whole UNION."""

    def __init__(self, branches: list[QuerySet], order: tuple[str, ...]):
        self.branches, self.order = branches, order

    def _union(self, branches: list[QuerySet]) -> QuerySet:
        return union_of(branches, all=True).order_by(*self.order)

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.stop is None:
            return self._union(self.branches)[key]
        branches = self.branches
        if len(branches) > 1 and connection.features.supports_slicing_ordering_in_compound:
            branches = [branch.order_by(*self.order)[: key.stop] for branch in branches]
        return self._union(branches)[key]

    def iterator(self, chunk_size: int = 2000):
        return self._union(self.branches).iterator(chunk_size=chunk_size)


def trail_entries(rows: list[dict]) -> list[TrailEntry]:
    """The entries of one page of `trail_rows`, with the people, the records' names and each
    change's fields in words: a fixed number of queries whatever the number of rows."""
    refs = defaultdict(list)
    for row in rows:
        refs[row["audit_source"]].append(row["audit_ref"])
    historical, pairs = {}, []
    for source in SOURCES:
        if not refs[source.key]:
            continue
        model = source.model.history.model
        before = (
            model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        previous_ids = model.objects.filter(history_id__in=refs[source.key]).annotate(before=Subquery(before))
        # The page's rows and the row before each, as one id set: an OR of the two sets would make
        # the database read the whole history table (0.6 s at a million loans).
        wanted = (
            model.objects.filter(history_id__in=refs[source.key])
            .order_by()
            .values("history_id")
            .union(previous_ids.order_by().values("before"))
        )
        found = {r.history_id: r for r in model.objects.select_related("history_user").filter(history_id__in=wanted)}
        by_record = defaultdict(list)
        for r in found.values():
            by_record[r.id].append(r)
        for history_id in refs[source.key]:
            new = found[history_id]
            older = [r for r in by_record[new.id] if r.history_id < history_id]
            pairs.append((new, max(older, key=lambda r: r.history_id) if older else None))
            historical[(source.key, history_id)] = new
    changes = {(e.record.instance_type, e.record.history_id): e for e in describe(pairs)}
    names = _names(rows, historical)
    reads = CustomerReadLog.objects.select_related("user").in_bulk(
        [row["audit_ref"] for row in rows if row["audit_source"] == READ]
    )
    exports = CustomerExport.objects.select_related("user").in_bulk(
        [row["audit_ref"] for row in rows if row["audit_source"] == EXPORT]
    )
    # Who did each thing, from the rows just read (their people joined in): no query of its own.
    people = {
        person.pk: person
        for person in [r.history_user for r in historical.values()]
        + [r.user for r in (*reads.values(), *exports.values())]
        if person is not None
    }

    entries = []
    for row in rows:
        key, ref = row["audit_source"], row["audit_ref"]
        entry = TrailEntry(
            when=row["audit_at"], who=people.get(row["audit_actor"]), kind=key, action=row["audit_action"]
        )
        if key in SOURCE_BY_KEY:
            source, record = SOURCE_BY_KEY[key], historical[(key, ref)]
            described = changes[(source.model, ref)]
            entry.kind = str(source.label)
            entry.record = source.name(record, names)
            entry.url = source.url(record)
            entry.changes, entry.unknown_before = described.changes, described.unknown_before
            entry.details = [described.reason] if described.reason else []
        elif key == READ:
            read = reads[ref]
            entry.kind = str(SOURCE_BY_KEY["customer"].label)
            entry.record = names.get((Customer, read.customer_id), "")
            entry.url = reverse("customers:detail", args=[read.customer_id])
            entry.details = [read_what(read.what)] + (
                [_("依据 %(through)s") % {"through": read.through}] if read.through else []
            )
        else:
            export = exports[ref]
            entry.kind = str(dict(RECORD_KINDS)[EXPORT])
            entry.record = _("%(rows)d 行") % {"rows": export.rows}
            entry.details = [
                d for d in (export.filters, export.through and _("依据 %(through)s") % {"through": export.through}) if d
            ]
        entries.append(entry)
    return entries


def _names(rows: list[dict], historical: dict) -> dict:
    """{(model, pk): name} for what the page's records are named by: the customers read, and the
    customers, dossiers and chains the historical rows point to. One query per model."""
    wanted = defaultdict(set)
    wanted[Customer].update(row["audit_record"] for row in rows if row["audit_source"] == READ)
    for (key, _ref), record in historical.items():
        for attribute, model in SOURCE_BY_KEY[key].lookups.items():
            wanted[model].add(getattr(record, attribute))
    names = {}
    for model, pks in wanted.items():
        pks.discard(None)
        if not pks:
            continue
        if model is Customer:
            names.update(
                ((Customer, pk), name) for pk, name in Customer.objects.filter(pk__in=pks).values_list("pk", "name")
            )
        elif model is Dossier:
            for pk, number, customer in Dossier.objects.filter(pk__in=pks).values_list(
                "pk", "archive_number", "customer__name"
            ):
                names[(Dossier, pk)] = Dossier.label(number, customer)
        else:
            names.update(((model, obj.pk), str(obj)) for obj in model.objects.filter(pk__in=pks))
    return names


def trail_iter(filters: Filters, *, batch: int = 500) -> Iterator[TrailEntry]:
    """Every matching entry, newest first, in batches (the Excel export)."""
    rows = trail_rows(filters)
    chunk = []
    for row in rows.iterator(chunk_size=batch):
        chunk.append(row)
        if len(chunk) == batch:
            yield from trail_entries(chunk)
            chunk = []
    if chunk:
        yield from trail_entries(chunk)
