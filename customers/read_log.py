"""The read log page (查阅日志, SPEC §4): who read which customer's contents, when, and what exactly
they opened — a profile, a dossier's page, a scanned document, a catalogue, an export…

A log entry records the customer and `what` was read as a short code (profile, dossier:12,
document:7, catalogue:12:2025, api:dossier:12, …). The page names it in words and links it where
the person reading the log may open it: the customer when they may read that customer, a dossier
when they may open its page, a document when they may read its scan. Dossiers and documents are
known to the app above (dossiers), which registers how to name and link them from its
AppConfig.ready(); customers never imports it."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_archive.periods import moment_range
from crm_archive.templatetags.id_urls import id_url

from .models import CustomerReadLog
from .secrecy import customers_readable_by

# What was read, in words (the first part of the code).
READ_WHAT = {
    "profile": gettext_lazy("客户资料"),
    "complaint": gettext_lazy("投诉"),
    "visit_plan": gettext_lazy("拜访计划"),
    "dossier": gettext_lazy("档案页"),
    "document": gettext_lazy("扫描件"),
    "catalogue": gettext_lazy("卷内文件目录"),
    "labels": gettext_lazy("档案标签"),
    "export": gettext_lazy("导出"),
}
# Reads through the ERP interface (api:<what>).
API_WHAT = {
    "customers": gettext_lazy("客户列表"),
    "customer": gettext_lazy("客户资料"),
    "contacts": gettext_lazy("联系人"),
    "interactions": gettext_lazy("联系记录"),
    "deals": gettext_lazy("交易记录"),
    "dossiers": gettext_lazy("档案列表"),
    "dossier": gettext_lazy("档案"),
}
# The reads of one customer's own pages: linked to the customer.
CUSTOMER_PAGES = {"profile", "complaint", "visit_plan", "customer", "contacts", "interactions", "deals"}
# Codes naming a record of the app above: catalogue:<dossier id>:<year> names a dossier too.
RECORD_KINDS = {"dossier": "dossier", "catalogue": "dossier", "document": "document"}


@dataclass(frozen=True)
class ReadTarget:
    """A record a read opened, as the log's reader sees it: its name and, if they may open it, a link."""

    label: str
    url: str = ""


# kind ("dossier", "document") → describe(viewer, ids) → {id: ReadTarget}, in a fixed number of queries.
READ_TARGET_SOURCES: dict[str, Callable[[object, set[int]], dict[int, ReadTarget]]] = {}


def read_target_register(kind: str, describe: Callable[[object, set[int]], dict[int, ReadTarget]]) -> None:
    READ_TARGET_SOURCES[kind] = describe


def read_log_entries(
    *, user_id=None, customer_name: str = "", date_from: date | None = None, date_to: date | None = None
) -> QuerySet[CustomerReadLog]:
    """The log, newest first, of one reader, of customers whose name holds `customer_name`, read on
    the days of a period (Asia/Shanghai); the readers with their departments and the customers joined."""
    queryset = CustomerReadLog.objects.select_related("user__department", "customer").order_by("-read_at", "-id")
    if user_id:
        queryset = queryset.filter(user_id=user_id)
    customer_name = customer_name.replace("\x00", "").strip()
    if customer_name:
        queryset = queryset.filter(customer__name__icontains=customer_name)
    return queryset.filter(moment_range("read_at", date_from, date_to))


@dataclass(frozen=True)
class _Code:
    words: str
    kind: str = ""  # "customer", or a key of READ_TARGET_SOURCES
    record: int | None = None
    suffix: str = ""


def _parse(what: str) -> _Code:
    parts = what.split(":")
    head, through_api = parts[0], False
    if head == "api" and len(parts) > 1:
        parts, through_api = parts[1:], True
        head = parts[0]
    words = str((API_WHAT if through_api else READ_WHAT).get(head, what))
    if through_api:
        words = _("接口·%(what)s") % {"what": words}
    if head in CUSTOMER_PAGES:
        return _Code(words, "customer")
    if head in RECORD_KINDS and len(parts) > 1 and parts[1].isdecimal():
        suffix = _("%(year)s 年度") % {"year": parts[2]} if head == "catalogue" and len(parts) > 2 else ""
        return _Code(words, RECORD_KINDS[head], int(parts[1]), suffix)
    return _Code(words)


@dataclass
class ReadLine:
    """One row of the page and of its export."""

    entry: CustomerReadLog
    customer_url: str
    what: str
    what_url: str


def read_log_lines(entries: Iterable[CustomerReadLog], viewer) -> list[ReadLine]:
    """The entries with what each read, in words and linked where `viewer` may open it: one query
    for the customers `viewer` may read, one per kind of record read (dossiers, documents)."""
    entries = list(entries)
    codes = [_parse(entry.what) for entry in entries]
    customer_ids = {entry.customer_id for entry in entries}
    readable = set(customers_readable_by(viewer).filter(pk__in=customer_ids).values_list("pk", flat=True))
    wanted = defaultdict(set)
    for code in codes:
        if code.record is not None:
            wanted[code.kind].add(code.record)
    targets = {
        kind: READ_TARGET_SOURCES[kind](viewer, ids) if kind in READ_TARGET_SOURCES else {}
        for kind, ids in wanted.items()
    }
    lines = []
    for entry, code in zip(entries, codes, strict=True):
        # id_url: the page's URL reversed once, not once a row (crm_archive.templatetags.id_urls).
        customer_url = id_url("customers:detail", entry.customer_id) if entry.customer_id in readable else ""
        what, url = code.words, ""
        if code.kind == "customer":
            url = customer_url
        elif code.record is not None:
            target = targets[code.kind].get(code.record)
            name = target.label if target else f"#{code.record}"
            what = _("%(what)s：%(name)s") % {"what": code.words, "name": f"{name} {code.suffix}".strip()}
            url = target.url if target else ""
        lines.append(ReadLine(entry, customer_url, what, url))
    return lines


def export_rows(entries: QuerySet[CustomerReadLog], viewer, *, batch: int = 500):
    """The log as Excel rows, in batches (each batch described like a page)."""
    chunk = []
    for entry in entries.iterator(chunk_size=batch):
        chunk.append(entry)
        if len(chunk) == batch:
            yield from _rows(read_log_lines(chunk, viewer))
            chunk = []
    yield from _rows(read_log_lines(chunk, viewer))


EXPORT_HEADINGS = (
    gettext_lazy("查阅时间"),
    gettext_lazy("查阅人"),
    gettext_lazy("部门"),
    gettext_lazy("客户"),
    gettext_lazy("密级"),
    gettext_lazy("查阅内容"),
    gettext_lazy("依据"),
)


def _rows(lines: list[ReadLine]):
    for line in lines:
        entry = line.entry
        yield [
            entry.read_at,
            str(entry.user),
            str(entry.user.department or ""),
            entry.customer.name,
            entry.customer.get_secrecy_tier_display(),
            line.what,
            entry.through,
        ]
