"""Reads about retention, holds and destruction lists."""

from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dashboard import Urgency, todo
from approvals.models import RequestKind
from approvals.selectors import request_ids_awaiting
from crm_archive.pagination import bounded
from dossiers.models import Document, Dossier, DossierStatus
from dossiers.notices import DossierNotice
from dossiers.permissions import document_title_visible
from lending.models import OPEN_LOAN_STATUSES, Loan

from .models import (
    HELD_APART_STATUSES,
    DestructionItem,
    DestructionList,
    Hold,
    ItemStatus,
    ListStatus,
)
from .permissions import destruction_lists_visible_to


def retention_due_on(filing_year: int, years: int | None) -> date | None:
    """保管期限 is counted from the filing year: a record filed in 2015 and kept 10 years may be
    destroyed from 1 January 2026 on. Permanent records (no years) never fall due."""
    if years is None:
        return None
    return date(filing_year + years + 1, 1, 1)


def _proposed(*, dossier_ref: str, document_ref: str | None = None) -> Exists:
    items = DestructionItem.objects.filter(status=ItemStatus.PROPOSED, dossier_id=OuterRef(dossier_ref))
    if document_ref is None:
        items = items.filter(document__isnull=True)
    else:
        items = items.filter(Q(document__isnull=True) | Q(document_id=OuterRef(document_ref)))
    return Exists(items)


def expired_dossiers(*, today=None) -> QuerySet[Dossier]:
    """Formal dossiers whose retention has passed and that are on no list yet. Permanent never."""
    today = today or timezone.localdate()
    return (
        Dossier.objects.filter(status=DossierStatus.FORMAL, retention__years__isnull=False, filing_year__isnull=False)
        .annotate(due_year=F("filing_year") + F("retention__years") + 1)
        .filter(due_year__lte=today.year)
        .exclude(_proposed(dossier_ref="pk"))
        .select_related("customer", "customer__department", "retention")
        .order_by("filing_year", "archive_number")
    )


def expired_documents(user, *, today=None) -> QuerySet[Document]:
    """Documents whose own retention has passed, in dossiers not destroyed, on no list yet, each
    marked `title_visible` for `user`."""
    today = today or timezone.localdate()
    return (
        Document.objects.filter(destroyed_at__isnull=True, retention__years__isnull=False)
        .exclude(dossier__status=DossierStatus.DESTROYED)
        .annotate(due_year=F("filing_year") + F("retention__years") + 1)
        .filter(due_year__lte=today.year)
        .exclude(_proposed(dossier_ref="dossier_id", document_ref="pk"))
        .annotate(title_visible=document_title_visible(user))
        .select_related("dossier__customer", "retention", "document_type")
        .order_by("filing_year", "dossier__archive_number", "position")
    )


def documents_not_yet_due(dossier, *, today=None) -> QuerySet[Document]:
    """Live documents of `dossier` whose own retention is still running (or permanent)."""
    today = today or timezone.localdate()
    return (
        Document.objects.filter(dossier=dossier, destroyed_at__isnull=True)
        .annotate(due_year=F("filing_year") + F("retention__years") + 1)
        .filter(Q(retention__years__isnull=True) | Q(due_year__gt=today.year))
    )


def dossier_open_loans(dossier) -> list[str]:
    """Why `dossier` cannot be held apart now: a loan approved or out (empty when there is none)."""
    loan = Loan.objects.filter(dossier=dossier, status__in=OPEN_LOAN_STATUSES).order_by("pk").first()
    if loan is None:
        return []
    return [
        _("档案 %(number)s 有未结的借阅 %(loan)s（%(status)s）。")
        % {"number": dossier.archive_number, "loan": loan.register_number, "status": loan.get_status_display()}
    ]


def dossier_blocks(dossier) -> list[str]:
    """Why `dossier` cannot be proposed for or undergo destruction now (empty when it can)."""
    reasons = dossier_open_loans(dossier)
    hold = Hold.objects.filter(dossier=dossier, lifted_at__isnull=True).first()
    if hold is not None:
        reasons.append(
            _("档案 %(number)s 处于保留冻结中：%(reason)s") % {"number": dossier.archive_number, "reason": hold.reason}
        )
    return reasons


def dossier_is_held_apart(dossier) -> bool:
    """Whether an item of `dossier` is approved for destruction and kept apart (单独存放). The
    services record the answer as the dossier's custody, which lending reads."""
    return DestructionItem.objects.filter(
        dossier=dossier, status=ItemStatus.PROPOSED, destruction_list__status__in=HELD_APART_STATUSES
    ).exists()


def lists_for(user) -> QuerySet[DestructionList]:
    return (
        destruction_lists_visible_to(user)
        .select_related("department", "drafted_by", "approved_by")
        .order_by("-drafted_at")
    )


def list_detail(user, pk) -> DestructionList:
    return (
        destruction_lists_visible_to(user)
        .select_related(
            "department",
            "drafted_by",
            "cs_appraised_by",
            "department_appraised_by",
            "approved_by",
            "verified_by",
            "supervisor",
        )
        .get(pk=pk)
    )


def items_of(destruction_list, user) -> list[DestructionItem]:
    """The list's items, each marked `title_visible` for `user`: appraisers who may not read a
    record still see its archive number, year, retention, pages and document type."""
    return list(
        destruction_list.items.select_related("dossier__customer", "document__document_type", "decided_by")
        .annotate(title_visible=document_title_visible(user, document_ref="document", dossier_ref="dossier"))
        .order_by("pk")
    )


def active_holds() -> QuerySet[Hold]:
    return Hold.objects.filter(lifted_at__isnull=True).select_related("dossier__customer", "placed_by")


def lists_whose_hold_ended(*, today=None) -> QuerySet[DestructionList]:
    today = today or timezone.localdate()
    return DestructionList.objects.filter(
        status=ListStatus.HELD, hold_until__lte=today, hold_end_notified_on__isnull=True
    )


def clerk_dashboard(user) -> dict:
    """Lists whose half-year apart has ended (to verify) and lists verified (to destroy). Two queries."""
    hold_ended = bounded(
        DestructionList.objects.filter(status=ListStatus.HELD, hold_until__lte=timezone.localdate()).order_by(
            "hold_until", "pk"
        ),
        show=10,
    )
    to_destroy = bounded(DestructionList.objects.filter(status=ListStatus.VERIFIED), show=0)
    index = reverse("destruction:index")
    return {
        "hold_ended": hold_ended.items,
        "todos": [
            todo("destruction-hold-ended", _("单独存放期满的销毁清册"), hold_ended, index, Urgency.TODAY),
            todo("destruction-verified", _("已验证待销毁的清册"), to_destroy, index, Urgency.TODAY),
        ],
    }


def signer_dashboard(user) -> dict:
    """The lists whose chain waits for `user`'s signature (appraisal or approval), oldest first."""
    waiting = bounded(
        DestructionList.objects.filter(pk__in=request_ids_awaiting(user, [RequestKind.DESTRUCTION]))
        .select_related("department")
        .order_by("submitted_at", "pk"),
        show=10,
    )
    return {
        "lists_waiting": waiting.items,
        "todos": [
            todo(
                "destruction-waiting",
                _("待我鉴定或审批的销毁清册"),
                waiting,
                reverse("destruction:index"),
                Urgency.WAITING,
            )
        ],
    }


def dossier_destruction_notices(user, dossier) -> list[DossierNotice]:
    """The banner of `dossier`'s page while an item of it is proposed on a 销毁清册 (registered in
    DestructionConfig.ready): once the list is approved the dossier is held apart, waiting for
    destruction, and not lent; before, it waits for appraisal and approval. The list's number links
    to it for those who may open it. At most two queries."""
    lists = list(
        DestructionList.objects.filter(items__dossier=dossier, items__status=ItemStatus.PROPOSED)
        .distinct()
        .order_by("drafted_at", "pk")
    )
    if not lists:
        return []
    visible = set(
        destruction_lists_visible_to(user)
        .filter(pk__in=[destruction_list.pk for destruction_list in lists])
        .values_list("pk", flat=True)
    )
    notices = []
    for destruction_list in lists:
        held = destruction_list.status in HELD_APART_STATUSES
        words = {
            "number": destruction_list.number,
            "status": destruction_list.get_status_display(),
            "until": f"{destruction_list.hold_until:%Y-%m-%d}" if destruction_list.hold_until else "—",
        }
        notices.append(
            DossierNotice(
                kind="held-for-destruction" if held else "proposed-for-destruction",
                text=(
                    _("已列入销毁清册 %(number)s：单独存放至 %(until)s，待销毁，暂停借阅。") % words
                    if held
                    else _("已列入销毁清册 %(number)s（%(status)s）：批准后将单独存放待销毁，暂停借阅。") % words
                ),
                blocking=held,
                url=reverse("destruction:detail", args=[destruction_list.pk]) if destruction_list.pk in visible else "",
                link_text=_("查看销毁清册"),
            )
        )
    return notices
