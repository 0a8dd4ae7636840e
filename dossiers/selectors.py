"""Reads about dossiers. What a user may see is asked of dossiers.permissions."""

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, TruncDate, TruncMonth
from django.utils import timezone

from .models import (
    BackupKeyUse,
    Cabinet,
    Document,
    DocumentType,
    Dossier,
    DossierStatus,
    Inspection,
    Repair,
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
    """Dossiers waiting for promotion: overdue (past the 5 days) and due within `soon_days`."""
    today = today or timezone.localdate()
    waiting = Dossier.objects.filter(status=DossierStatus.COMPLETION_RECEIVED).select_related("customer")
    return {
        "overdue": list(waiting.filter(promotion_due_on__lt=today).order_by("promotion_due_on", "pk")[:limit]),
        "due_soon": list(
            waiting.filter(
                promotion_due_on__gte=today, promotion_due_on__lte=today + timedelta(days=soon_days)
            ).order_by("promotion_due_on", "pk")[:limit]
        ),
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


def clerk_dashboard(user) -> dict:
    return {**promotions_due(), "open_repairs": repairs_open(user, limit=10)}


def archive_manager_dashboard(user) -> dict:
    return {
        **promotions_due(),
        "backup_key_uses": list(BackupKeyUse.objects.select_related("cabinet", "used_by")[:5]),
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
    return list(
        Cabinet.objects.annotate(occupied=Count("dossiers", filter=Q(dossiers__status=DossierStatus.FORMAL))).order_by(
            "code"
        )
    )


def backup_key_uses(*, limit: int = 50) -> list[BackupKeyUse]:
    return list(BackupKeyUse.objects.select_related("cabinet", "used_by", "recorded_by")[:limit])


def inspections_recent() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("inspector", "cabinet").annotate(repair_count=Count("repairs"))


def archive_statistics() -> dict:
    """档案统计 (SPEC §7): dossiers by status, year, tier and cabinet; promotions on time vs late;
    inspections and repairs. Each figure is one grouped query, whatever the archive's size."""
    dossiers = Dossier.objects.all()
    promoted = dossiers.exclude(promoted_at__isnull=True).exclude(promotion_due_on__isnull=True)
    # promoted_at is a moment, the due date a local date: compare in Asia/Shanghai.
    promoted = promoted.annotate(promoted_on=TruncDate("promoted_at", tzinfo=timezone.get_current_timezone()))
    return {
        "by_status": [
            (DossierStatus(row["status"]).label, row["count"])
            for row in dossiers.values("status").annotate(count=Count("pk")).order_by("status")
        ],
        "by_year": list(
            dossiers.annotate(year=ExtractYear("opened_on"))
            .values("year")
            .annotate(count=Count("pk"))
            .order_by("-year")
        ),
        "by_tier": list(
            dossiers.values("customer__secrecy_tier").annotate(count=Count("pk")).order_by("customer__secrecy_tier")
        ),
        "by_cabinet": list(
            dossiers.filter(status=DossierStatus.FORMAL)
            .values("cabinet__code")
            .annotate(count=Count("pk"))
            .order_by("cabinet__code")
        ),
        "promotions": promoted.aggregate(
            on_time=Count("pk", filter=Q(promoted_on__lte=F("promotion_due_on"))),
            late=Count("pk", filter=Q(promoted_on__gt=F("promotion_due_on"))),
        ),
        "documents": Document.objects.aggregate(count=Count("pk"), pages=Sum("pages")),
        "inspections_by_month": list(
            Inspection.objects.annotate(month=TruncMonth("inspected_on"))
            .values("month")
            .annotate(
                count=Count("pk"),
                with_problems=Count("pk", filter=Q(damage_found=True) | Q(mould_found=True) | Q(insects_found=True)),
            )
            .order_by("-month")[:12]
        ),
        "repairs": Repair.objects.aggregate(
            open=Count("pk", filter=Q(repaired_on__isnull=True)),
            closed=Count("pk", filter=Q(repaired_on__isnull=False)),
        ),
    }
