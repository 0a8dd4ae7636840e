"""Reads about dossiers. What a user may see is asked of dossiers.permissions."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dashboard import Urgency, todo
from crm_archive.pagination import bounded
from customers.links import CustomerLink
from customers.models import Customer, SecrecyTier
from customers.read_log import ReadTarget

from .models import (
    BackupKeyUse,
    Cabinet,
    Document,
    DocumentType,
    Dossier,
    DossierCustody,
    DossierStatus,
    FindingGroup,
    Inspection,
    InspectionSchedule,
    Repair,
    ScanKind,
    Stocktake,
    StocktakeFinding,
    StocktakeScan,
    StocktakeStatus,
    VolumeRemarks,
    VolumeRemarksEntry,
)
from .permissions import document_title_visible, documents_readable_by, dossiers_visible_to

DUE_SOON_DAYS = 2


def missing_required_types(dossier: Dossier) -> list[DocumentType]:
    """The required document types of which `dossier` holds no document."""
    return list(
        DocumentType.objects.filter(required_for_promotion=True)
        .exclude(pk__in=Document.objects.filter(dossier=dossier).values("document_type_id"))
        .order_by("sort_order", "name")
    )


def dossiers_for_list(user, *, search: str = "", due: str = "") -> QuerySet[Dossier]:
    """Dossiers `user` may see, with what a list row shows joined in."""
    queryset = dossiers_visible_to(user).select_related("customer", "cabinet", "retention")
    search = search.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a literal
    if search:
        # A UNION of id sets lets each branch use its trigram index (see customers.selectors).
        matches = (
            Dossier.objects.filter(archive_number__icontains=search)
            .order_by()
            .values("pk")
            .union(Dossier.objects.filter(customer__name__icontains=search).order_by().values("pk"))
        )
        queryset = queryset.filter(pk__in=matches)
    today = timezone.localdate()
    if due == "overdue":
        queryset = queryset.filter(status=DossierStatus.COMPLETION_RECEIVED, promotion_due_on__lt=today)
    elif due == "soon":
        queryset = queryset.filter(
            status=DossierStatus.COMPLETION_RECEIVED,
            promotion_due_on__gte=today,
            promotion_due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
    return queryset.order_by("-opened_on", "-pk")


def promotions_due(*, today=None, soon_days: int = DUE_SOON_DAYS, limit: int = 20) -> dict:
    """Dossiers waiting for promotion: overdue (past the 5 days) and due within `soon_days`, the first
    `limit` of each and how many (counted up to the panel cap). Two queries."""
    today = today or timezone.localdate()
    waiting = Dossier.objects.filter(status=DossierStatus.COMPLETION_RECEIVED).select_related("customer")
    overdue = bounded(waiting.filter(promotion_due_on__lt=today).order_by("promotion_due_on", "pk"), show=limit)
    due_soon = bounded(
        waiting.filter(promotion_due_on__gte=today, promotion_due_on__lte=today + timedelta(days=soon_days)).order_by(
            "promotion_due_on", "pk"
        ),
        show=limit,
    )
    return {
        "overdue": overdue.items,
        "overdue_count": overdue,
        "due_soon": due_soon.items,
        "due_soon_count": due_soon,
        "today": today,
    }


def repairs_open(user, *, limit: int | None = 20) -> list[Repair]:
    """Damaged documents awaiting repair, each marked `title_visible` for `user`."""
    queryset = (
        Repair.objects.filter(repaired_on__isnull=True)
        .select_related("document", "document__dossier", "document__dossier__customer", "reported_by")
        .annotate(title_visible=document_title_visible(user, document_ref="document"))
        .order_by("reported_on", "pk")
    )
    return list(queryset[:limit] if limit else queryset)


def _dashboard_todos(due: dict, inspections: list) -> list:
    dossiers = reverse("dossiers:list")
    schedules = reverse("dossiers:inspection_schedules")
    today = due["today"]
    late = sum(1 for schedule in inspections if schedule.next_due_on < today)  # a handful of schedules
    return [
        todo("promotions-overdue", _("转正已逾期"), due["overdue_count"], dossiers + "?due=overdue", Urgency.OVERDUE),
        todo("promotions-due-soon", _("即将到期的转正"), due["due_soon_count"], dossiers + "?due=soon", Urgency.SOON),
        todo("inspections-late", _("逾期未做的检查"), late, schedules, Urgency.OVERDUE),
        todo("inspections-due", _("今日到期的检查"), len(inspections) - late, schedules, Urgency.TODAY),
    ]


def clerk_dashboard(user) -> dict:
    due = promotions_due()
    repairs = bounded(
        Repair.objects.filter(repaired_on__isnull=True)
        .select_related("document", "document__dossier", "document__dossier__customer", "reported_by")
        .annotate(title_visible=document_title_visible(user, document_ref="document"))
        .order_by("reported_on", "pk"),
        show=10,
    )
    inspections = inspections_due()
    return {
        **due,
        "open_repairs": repairs.items,
        "inspections_due": inspections[:10],
        "todos": [
            *_dashboard_todos(due, inspections),
            todo("repairs-open", _("待修复的文件"), repairs, reverse("dossiers:inspections"), Urgency.WAITING),
        ],
    }


def archive_manager_dashboard(user) -> dict:
    due = promotions_due()
    inspections = inspections_due()
    return {
        **due,
        "backup_key_uses": list(BackupKeyUse.objects.select_related("cabinet", "used_by")[:5]),
        "inspections_due": inspections[:10],
        "todos": _dashboard_todos(due, inspections),
    }


KEY_FIGURES_SECONDS = 300


def key_figures() -> dict:
    """The archive in a few numbers, for the general manager's home page: customers, dossiers by
    state and by secrecy tier. Whole-table counts (three grouped queries over up to hundreds of
    thousands of rows), so kept for five minutes in the cache: the home page stays fast however
    large the archive, and a figure is at most five minutes old."""
    return cache.get_or_set("dossiers:key-figures", _key_figures, KEY_FIGURES_SECONDS)


def _key_figures() -> dict:
    by_status = dict(Dossier.objects.values_list("status").annotate(count=Count("pk")).order_by())
    return {
        "customers": Customer.objects.count(),
        "formal": by_status.get(DossierStatus.FORMAL, 0),
        "filing": by_status.get(DossierStatus.TEMPORARY, 0) + by_status.get(DossierStatus.COMPLETION_RECEIVED, 0),
        "destroyed": by_status.get(DossierStatus.DESTROYED, 0),
        "by_tier": [
            (SecrecyTier(tier).label, count)
            for tier, count in Dossier.objects.exclude(status=DossierStatus.DESTROYED)
            .values_list("customer__secrecy_tier")
            .annotate(count=Count("pk"))
            .order_by("customer__secrecy_tier")
        ],
    }


def documents_of(dossier: Dossier, user) -> list[Document]:
    """The dossier's documents, each marked `is_readable` (may open the scan) and `title_visible`
    (see dossiers.permissions.document_title_visible) for `user`; one query. Every document is listed,
    a top-secret one too: where the title is not for `user`, the page shows it masked."""
    return list(
        dossier.documents.select_related("document_type", "retention")
        .annotate(is_readable=Exists(documents_readable_by(user).filter(pk=OuterRef("pk"))))
        .annotate(title_visible=document_title_visible(user))
        .annotate(open_repairs=Count("repairs", filter=Q(repairs__repaired_on__isnull=True)))
        .order_by("filing_year", "position", "made_on", "pk")
    )


def volumes_of(documents: list[Document]) -> list[dict]:
    """Group documents into volumes (按年度立卷; top-secret documents in a volume of their own)."""
    volumes: dict[tuple, dict] = {}
    for document in documents:
        key = (document.filing_year, document.is_top_secret)
        volume = volumes.setdefault(
            key,
            {
                "year": document.filing_year,
                "top_secret": document.is_top_secret,
                "kind": document.volume_kind,
                "documents": [],
                "pages": 0,
            },
        )
        volume["documents"].append(document)
        volume["pages"] += document.pages
    return [volumes[key] for key in sorted(volumes)]


def volume(dossier: Dossier, user, *, year: int, top_secret: bool) -> dict:
    """One volume's documents in order, each marked `title_visible` for `user`, its counts and
    remarks sheet, for the printed catalogue."""
    documents = list(
        dossier.documents.filter(filing_year=year)
        .filter(Q(secrecy_tier="top_secret") if top_secret else ~Q(secrecy_tier="top_secret"))
        .select_related("document_type")
        .annotate(title_visible=document_title_visible(user))
        .order_by("position", "made_on", "pk")
    )
    remarks = (
        VolumeRemarks.objects.filter(dossier=dossier, filing_year=year, top_secret=top_secret)
        .select_related("compiled_by", "checked_by")
        .prefetch_related(
            Prefetch("entries", queryset=VolumeRemarksEntry.objects.select_related("written_by", "checked_by"))
        )
        .first()
    )
    return {
        "documents": documents,
        "document_count": len(documents),
        "page_count": sum(document.pages for document in documents),
        "remarks": remarks,
        "year": year,
        "top_secret": top_secret,
    }


def cabinets_with_occupancy() -> list[Cabinet]:
    """Every cabinet with its formal dossiers counted (`occupied`), the day it was last checked
    (`last_checked_on`: its latest inspection or finished stocktake), the next check its schedule
    wants (`next_check_due_on`, and `check_is_due` once that day has come) and its stocktake in
    progress (`open_stocktake_id`). One query, whatever the number of cabinets."""
    latest = Inspection.objects.filter(cabinet=OuterRef("pk")).order_by("-inspected_on", "-pk")
    schedule = InspectionSchedule.objects.filter(cabinet=OuterRef("pk"), is_active=True)
    open_stocktake = Stocktake.objects.filter(cabinet=OuterRef("pk"), status=StocktakeStatus.OPEN)
    cabinets = list(
        Cabinet.objects.annotate(
            occupied=Count("dossiers", filter=Q(dossiers__status=DossierStatus.FORMAL)),
            last_checked_on=Subquery(latest.values("inspected_on")[:1]),
            next_check_due_on=Subquery(schedule.values("next_due_on")[:1]),
            open_stocktake_id=Subquery(open_stocktake.values("pk")[:1]),
        ).order_by("code")
    )
    today = timezone.localdate()
    for cabinet in cabinets:
        cabinet.check_is_due = cabinet.next_check_due_on is not None and cabinet.next_check_due_on <= today
    return cabinets


def store_inspection_status() -> dict:
    """The whole store's (整个库房) last inspection and its schedule, for the cabinets page."""
    last = Inspection.objects.filter(cabinet__isnull=True).order_by("-inspected_on", "-pk").first()
    schedule = InspectionSchedule.objects.filter(cabinet__isnull=True, is_active=True).first()
    return {
        "last_checked_on": last.inspected_on if last else None,
        "schedule": schedule,
        "check_is_due": schedule is not None and schedule.is_due,
    }


def backup_key_uses(*, limit: int = 50) -> list[BackupKeyUse]:
    return list(BackupKeyUse.objects.select_related("cabinet", "used_by", "recorded_by")[:limit])


def inspections_recent() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("inspector", "cabinet", "stocktake").annotate(
        repair_count=Count("repairs")
    )


# Custody: where a dossier is, and where it has been.


def custody_words(custody: str, *, status: str = "", cabinet_code: str = "", position=None, holder=None) -> str:
    """Where a dossier is, in words: 在柜 A02/5, 借出给 张一, 单独存放待销毁, 已销毁, or still being
    filed. A history row written before custody was recorded (empty) is read from its status."""
    custody = custody or _custody_from_status(status)
    if custody == DossierCustody.IN_CABINET:
        if not cabinet_code:
            return _("在柜")
        return _("在柜 %(cabinet)s/%(position)s") % {"cabinet": cabinet_code, "position": position or "—"}
    if custody == DossierCustody.ON_LOAN:
        return _("借出给 %(holder)s") % {"holder": holder} if holder else _("原件已借出")
    if custody == DossierCustody.HELD_APART:
        return _("单独存放待销毁")
    if custody == DossierCustody.DESTROYED:
        return _("已销毁")
    return _("临时档案，整理归档中")


def dossier_place(dossier: Dossier) -> str:
    """custody_words for a dossier as it is now (its cabinet and holder joined in by the caller)."""
    return custody_words(
        dossier.custody,
        status=dossier.status,
        cabinet_code=dossier.cabinet.code if dossier.cabinet_id else "",
        position=dossier.position,
        holder=dossier.custody_holder if dossier.custody_holder_id else None,
    )


@dataclass
class CustodySpell:
    """A stretch of time the dossier spent in one place: from `since` (Asia/Shanghai) to `until`
    (None: to this day), moved there by `by`."""

    since: datetime
    until: datetime | None
    custody: str
    words: str
    by: object = None

    @property
    def is_current(self) -> bool:
        return self.until is None


def dossier_custody_timeline(dossier: Dossier) -> list[CustodySpell]:
    """Where `dossier` is and has been (SPEC §5: its custody timeline), newest first, read from its
    history rows: a new spell starts whenever its custody, or while in a cabinet its cabinet or
    position, or while on loan its holder, changed. One query, however long its history."""
    rows = dossier.history.select_related("history_user", "cabinet", "custody_holder").order_by(
        "history_date", "history_id"
    )
    spells: list[CustodySpell] = []
    place = None
    for row in rows:
        if row.history_type == "-":
            continue
        custody = row.custody or _custody_from_status(row.status)
        in_cabinet = custody == DossierCustody.IN_CABINET
        on_loan = custody == DossierCustody.ON_LOAN
        cabinet_code = row.cabinet.code if in_cabinet and row.cabinet_id and row.cabinet else ""
        holder = row.custody_holder if on_loan and row.custody_holder_id else None
        key = (custody, cabinet_code, row.position if in_cabinet else None, holder.pk if holder else None)
        if key == place:
            continue
        place = key
        since = timezone.localtime(row.history_date)
        if spells:
            spells[-1].until = since
        spells.append(
            CustodySpell(
                since=since,
                until=None,
                custody=custody,
                words=custody_words(custody, cabinet_code=cabinet_code, position=row.position, holder=holder),
                by=row.history_user,
            )
        )
    return spells[::-1]


def _custody_from_status(status: str) -> str:
    """The custody a history row written before custody was recorded stands for (as 0007 set it)."""
    return {
        DossierStatus.FORMAL: DossierCustody.IN_CABINET,
        DossierStatus.DESTROYED: DossierCustody.DESTROYED,
    }.get(status, DossierCustody.FILING)


# Labels


def dossiers_in_cabinet(cabinet: Cabinet, *, first_position: int = 1, last_position: int | None = None):
    """The formal dossiers shelved in `cabinet` (between two positions), in position order."""
    queryset = Dossier.objects.filter(cabinet=cabinet, status=DossierStatus.FORMAL, position__gte=first_position)
    if last_position is not None:
        queryset = queryset.filter(position__lte=last_position)
    return queryset.select_related("customer", "cabinet").order_by("position", "pk")


def dossier_for_scan(archive_number: str) -> Dossier | None:
    """The dossier a scanned archive number (labels.parse_scan) names: exactly, or else ignoring
    case (a scanner typing with Caps Lock on). None when it names none."""
    if not archive_number:
        return None
    dossiers = Dossier.objects.select_related("customer", "cabinet", "custody_holder")
    return (
        dossiers.filter(archive_number=archive_number).first()
        or dossiers.filter(archive_number__iexact=archive_number).order_by("pk").first()
    )


def dossiers_for_labels(numbers: list[str]) -> tuple[list[Dossier], list[str], list[str]]:
    """The formal dossiers of these archive numbers, in their order; the numbers naming no dossier;
    those naming one that is not formal (destroyed): they get no label."""
    found = {
        dossier.archive_number: dossier
        for dossier in Dossier.objects.filter(archive_number__in=numbers).select_related("customer", "cabinet")
    }
    unknown = [number for number in numbers if number not in found]
    not_formal = [number for number in numbers if number in found and found[number].status != DossierStatus.FORMAL]
    dossiers = [found[number] for number in numbers if number in found and number not in not_formal]
    return dossiers, unknown, not_formal


# Stocktakes (盘点)


@dataclass
class StocktakeRow:
    """One line of a stocktake's result: a dossier (or a code naming none), where it is recorded
    and the position it was found at."""

    group: str
    code: str
    dossier: Dossier | None = None
    recorded: str = ""
    found_position: int | None = None


@dataclass
class StocktakeReport:
    found: list[StocktakeRow] = field(default_factory=list)
    missing: list[StocktakeRow] = field(default_factory=list)
    misplaced: list[StocktakeRow] = field(default_factory=list)
    unexpected: list[StocktakeRow] = field(default_factory=list)
    # Recorded in this cabinet but out as recorded (on loan, held apart), and not scanned: no finding.
    away: list[StocktakeRow] = field(default_factory=list)

    @property
    def findings(self) -> list[StocktakeRow]:
        return [*self.missing, *self.misplaced, *self.unexpected]


FOUND = "found"
AWAY = "away"


def stocktake_report(stocktake: Stocktake) -> StocktakeReport:
    """Compare what was scanned in `stocktake` with the records, as they are now (two queries):

    - missing: recorded in this cabinet and in it (custody), but not scanned anywhere;
    - misplaced: a dossier of this cabinet scanned at another position, or a dossier recorded in
      another cabinet found here;
    - unexpected: scanned here but recorded on loan, held apart, destroyed or not yet formal, or a
      code that names no dossier.

    A dossier scanned more than once counts where it was scanned last (a clerk corrects a scan by
    scanning the right position label, then the dossier again)."""
    scans = (
        stocktake.scans.exclude(kind=ScanKind.POSITION)
        .select_related("dossier__cabinet", "dossier__custody_holder", "dossier__customer")
        .order_by("pk")
    )
    last: dict[tuple, StocktakeScan] = {}
    for scan in scans:
        key = ("dossier", scan.dossier_id) if scan.dossier_id else ("code", scan.code)
        last.pop(key, None)
        last[key] = scan
    report = StocktakeReport()
    groups = {
        FOUND: report.found,
        FindingGroup.MISPLACED: report.misplaced,
        FindingGroup.UNEXPECTED: report.unexpected,
    }
    scanned_ids = {scan.dossier_id for scan in last.values() if scan.dossier_id}
    for scan in last.values():
        row = stocktake_scan_verdict(scan, cabinet_id=stocktake.cabinet_id)
        groups[row.group].append(row)
    recorded_here = (
        Dossier.objects.filter(cabinet_id=stocktake.cabinet_id, status=DossierStatus.FORMAL)
        .exclude(pk__in=scanned_ids)
        .select_related("cabinet", "custody_holder", "customer")
        .order_by("position", "pk")
    )
    for dossier in recorded_here:
        in_cabinet = dossier.custody == DossierCustody.IN_CABINET
        row = StocktakeRow(
            FindingGroup.MISSING if in_cabinet else AWAY, dossier.archive_number, dossier, dossier_place(dossier)
        )
        (report.missing if in_cabinet else report.away).append(row)
    report.misplaced.sort(key=lambda row: (row.found_position or 0, row.code))
    report.unexpected.sort(key=lambda row: (row.found_position or 0, row.code))
    return report


def stocktake_scan_verdict(scan: StocktakeScan, *, cabinet_id: int | None = None) -> StocktakeRow:
    """What one scan of a dossier (or of a code naming none) found, against the records as they
    are now: FOUND where recorded, MISPLACED (recorded in another cabinet, or at another position
    of this one) or UNEXPECTED (recorded on loan, held apart, destroyed or not formal; no such
    dossier). `cabinet_id` defaults to the scan's stocktake's cabinet."""
    if cabinet_id is None:
        cabinet_id = scan.stocktake.cabinet_id
    dossier = scan.dossier
    if dossier is None:
        return StocktakeRow(FindingGroup.UNEXPECTED, scan.code, recorded=_("无此档案"), found_position=scan.position)
    row = StocktakeRow(FOUND, dossier.archive_number or scan.code, dossier, dossier_place(dossier), scan.position)
    if dossier.status != DossierStatus.FORMAL or dossier.custody != DossierCustody.IN_CABINET:
        row.group = FindingGroup.UNEXPECTED
    elif dossier.cabinet_id != cabinet_id or dossier.position != scan.position:
        row.group = FindingGroup.MISPLACED
    return row


def stocktake_current_position(stocktake: Stocktake) -> int | None:
    """The position the clerk is at: the one the last scan was made at (None before the first
    position label)."""
    return stocktake.scans.order_by("-pk").values_list("position", flat=True).first()


def stocktake_recent_scans(stocktake: Stocktake, *, limit: int = 20) -> list[StocktakeScan]:
    return list(stocktake.scans.select_related("dossier").order_by("-pk")[:limit])


def stocktake_findings(stocktake: Stocktake) -> dict[str, list[StocktakeFinding]]:
    """A finished stocktake's findings, as they were when it finished, by group."""
    groups: dict[str, list[StocktakeFinding]] = {group: [] for group in FindingGroup}
    for finding in stocktake.findings.select_related("dossier__customer").order_by("pk"):
        groups[finding.group].append(finding)
    return groups


def stocktakes_of(cabinet: Cabinet, *, limit: int = 10) -> list[Stocktake]:
    return list(cabinet.stocktakes.select_related("started_by", "finished_by")[:limit])


# Inspection schedules


def inspection_schedules() -> QuerySet[InspectionSchedule]:
    return InspectionSchedule.objects.select_related("cabinet").order_by("-is_active", "next_due_on", "pk")


def inspections_due(*, today=None) -> list[InspectionSchedule]:
    """The active schedules whose next inspection is due (today or earlier)."""
    today = today or timezone.localdate()
    return list(
        InspectionSchedule.objects.filter(is_active=True, next_due_on__lte=today)
        .select_related("cabinet")
        .order_by("next_due_on", "pk")
    )


def customer_dossier_links(user, customer) -> list[CustomerLink]:
    """The customer page's link to its dossier (一户一档), for those who may open the dossier's page
    (registered in DossiersConfig.ready). One query."""
    dossier = dossiers_visible_to(user).filter(customer=customer).only("pk", "archive_number", "status").first()
    if dossier is None:
        return []
    text = f"{dossier.archive_number or _('临时档案')} · {dossier.get_status_display()}"
    return [CustomerLink("dossier", _("客户档案"), text, reverse("dossiers:detail", args=[dossier.pk]))]


def read_log_dossiers(viewer, ids: set[int]) -> dict[int, ReadTarget]:
    """The dossiers the read log names (customers.read_log): their archive numbers, linked for a
    `viewer` who may open their pages. One query."""
    rows = (
        Dossier.objects.filter(pk__in=ids)
        .annotate(visible=Exists(dossiers_visible_to(viewer).filter(pk=OuterRef("pk"))))
        .values_list("pk", "archive_number", "visible")
    )
    return {
        pk: ReadTarget(number or _("临时档案"), reverse("dossiers:detail", args=[pk]) if visible else "")
        for pk, number, visible in rows
    }


def read_log_documents(viewer, ids: set[int]) -> dict[int, ReadTarget]:
    """The documents the read log names: title (masked where `viewer` may not see it) and archive
    number, linked to its scan for a `viewer` who may read it, else to the dossier's page for one
    who may open that. One query."""
    rows = (
        Document.objects.filter(pk__in=ids)
        .annotate(
            title_visible=document_title_visible(viewer),
            readable=Exists(documents_readable_by(viewer).filter(pk=OuterRef("pk"))),
            dossier_visible=Exists(dossiers_visible_to(viewer).filter(pk=OuterRef("dossier_id"))),
        )
        .values_list(
            "pk",
            "title",
            "dossier_id",
            "dossier__archive_number",
            "title_visible",
            "readable",
            "dossier_visible",
            "scan",
        )
    )
    targets = {}
    for pk, title, dossier_id, number, title_visible, readable, dossier_visible, scan in rows:
        url = ""
        if readable and scan:
            url = reverse("dossiers:document_scan", args=[pk])
        elif dossier_visible:
            url = reverse("dossiers:detail", args=[dossier_id])
        label = f"{title if title_visible else _('密级文件')}（{number or _('临时档案')}）"
        targets[pk] = ReadTarget(label, url)
    return targets
