"""Who sees and handles which dossier and document, built on the secrecy core (customers/secrecy.py).

Archive staff (clerk, archive manager) and the general manager open every dossier's page — its
metadata and catalogue, what running the archive needs; others open the dossiers of customers
they may read. A document's contents (its scan) need the customer readable *and* the
document's own tier open to the reader, or a running grant covering it (an approved loan or read
request: top secret only when the general manager approved).
Titles on every page that lists documents follow one rule, `document_title_visible`.
A superuser administers and may do the office's work (`accounts.roles.handles`).
"""

from collections.abc import Callable

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role, handles
from accounts.selectors import people_with_role
from approvals.models import RequestKind
from approvals.selectors import may_sign, request_ids_awaiting, request_ids_signed_by
from customers.models import SecrecyTier
from customers.secrecy import customers_readable_by, grants_open, tier_rule

from .models import Document, Dossier, DossierStatus, ExportRequest, ReadRequest, ReadRequestStatus


def is_archive_staff(user) -> bool:
    """Archive clerks and the archive manager run the archive: they see every dossier's metadata
    (number, customer, status, cabinet, the catalogue) but no contents beyond their own rights."""
    return handles(user, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER)


def can_oversee_archive(user) -> bool:
    """Archive staff and the general manager: every dossier's metadata, cabinets and the key log,
    inspections and repairs, holds."""
    return is_archive_staff(user) or user.has_role(Role.GENERAL_MANAGER)


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """The dossiers whose page (metadata and catalogue) `user` may open: all for archive staff and
    the general manager; for others, the dossiers of customers they may read."""
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    if can_oversee_archive(user):
        return Dossier.objects.all()
    return Dossier.objects.filter(customer__in=customers_readable_by(user))


def get_visible_dossier_or_404(user, pk, queryset=None) -> Dossier:
    """The dossier `pk` if `user` may open its page; 404 otherwise."""
    queryset = queryset if queryset is not None else Dossier.objects.all()
    try:
        return queryset.filter(pk__in=dossiers_visible_to(user).values("pk")).get(pk=pk)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def documents_readable_by(user, *, at=None) -> QuerySet[Document]:
    """The documents whose contents (the scanned file) `user` may read: the customer must be
    readable and the document's own tier open to `user` — or a grant covers the customer."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    rule = tier_rule(user, to_customer="dossier__customer", tier_field="secrecy_tier")
    if rule is None:
        return Document.objects.all()
    at = at or timezone.now()
    # The tier half counts no grant: a grant opens only what its request covers (below), never
    # every document whose own tier the reader's role happens to open.
    tier_open = Document.objects.filter(
        rule, dossier__customer__in=customers_readable_by(user, at=at, include_grants=False)
    )
    return Document.objects.filter(Q(pk__in=tier_open.values("pk")) | _grant_opens_document(user, at=at))


def _grant_opens_document(user, *, at) -> Q:
    """What a running grant opens: every document of the customer (an approved loan, a read request
    for the whole dossier), or only those its read request named; never a top-secret one unless
    the general manager approved the request (`opens_top_secret`)."""
    grants = grants_open(user, at=at).filter(content_object=OuterRef("dossier__customer"))
    covering = grants.filter(Q(named_documents_only=False) | Q(read_request__documents=OuterRef("pk")))
    return (~Q(secrecy_tier=SecrecyTier.TOP_SECRET) & Exists(covering)) | Exists(covering.filter(opens_top_secret=True))


def document_title_visible(user, *, document_ref: str = "pk", dossier_ref: str | None = None, at=None):
    """Whether `user` sees the title on each row: the one rule for every page that lists documents
    (SPEC §4) — the dossier page, the volume catalogue, the destruction list and its register, the
    expired records, repairs. Where it is False the page masks the title (绝密文件 / 密级文件) and
    keeps the archive number, year, retention, pages and document type.

    A reader sees a document's title when they may read that document's own tier: the rows of
    `documents_readable_by` (the customer readable and the document's tier open to them, or a
    running grant for what is not top secret). Archive staff and the general manager compile,
    check and keep every catalogue, so they see every title. A row standing for a whole dossier (a
    destruction item without a document: pass `dossier_ref`) is titled with the customer's name,
    shown to those who may open that dossier's page.

    Returns a boolean expression for `.annotate(title_visible=...)`; `document_ref` and `dossier_ref`
    lead from the annotated rows to the document and to the dossier. It is a subquery of the list's
    own query: no query per row."""
    if can_oversee_archive(user):
        return Value(True, output_field=BooleanField())
    document_visible = Exists(documents_readable_by(user, at=at).filter(pk=OuterRef(document_ref)))
    if dossier_ref is None:
        return document_visible
    dossier_visible = Exists(dossiers_visible_to(user).filter(pk=OuterRef(dossier_ref)))
    return Case(
        When(**{f"{document_ref}__isnull": True}, then=dossier_visible),
        default=document_visible,
        output_field=BooleanField(),
    )


def can_print_volume(user, *, top_secret: bool) -> bool:
    """Catalogues and remarks sheets of a top-secret volume list top-secret titles: archive staff
    and the general manager only. A regular volume's go with the dossier page."""
    return not top_secret or can_oversee_archive(user)


def can_manage_archive(user) -> bool:
    """Opening, filing, promoting and shelving dossiers, inspections and repairs: the archive clerk."""
    return handles(user, Role.ARCHIVE_CLERK)


def can_print_labels(user) -> bool:
    """A label names its dossier's customer, whatever the customer's tier: archive staff only, who
    see every dossier's metadata on the list already (no one else reads a name through a label)."""
    return is_archive_staff(user)


def can_take_stock(user) -> bool:
    """盘点 of a cabinet: the archive clerk, who records inspections."""
    return can_manage_archive(user)


def can_manage_inspection_schedules(user) -> bool:
    """检查计划: the archive manager, who supervises the archive office."""
    return handles(user, Role.ARCHIVE_MANAGER)


# The actions of stocktake_actions: scan → dossiers.services.stocktake_scan, finish →
# stocktake_finish, cancel → stocktake_cancel.
STOCKTAKE_ACTIONS = frozenset({"scan", "finish", "cancel"})


def stocktake_actions(user, stocktake) -> set[str]:
    """What `user` may do on a stocktake now: while it is open, the clerk scans, finishes or gives
    it up; a finished or abandoned one is evidence, nothing more."""
    if stocktake.is_open and can_take_stock(user):
        return set(STOCKTAKE_ACTIONS)
    return set()


def can_record_backup_key_use(user) -> bool:
    return handles(user, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)


# Who may hold a cabinet's keys: the archive office's (clerks, the archive manager) and the
# general manager's backup.
KEY_HOLDER_ROLES = (Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)


def backup_key_users():
    """Who may be recorded as having used a backup key (使用人): active holders of a key role,
    never an administrator."""
    people = people_with_role(KEY_HOLDER_ROLES[0])
    for role in KEY_HOLDER_ROLES[1:]:
        people = people | people_with_role(role)
    return people.filter(is_superuser=False).select_related("department").order_by("username")


def remarks_checkers_for(user):
    """Who may sign a volume's remarks sheet as checker (检查人) when `user` compiles it: active
    archive clerks and archive managers other than `user`, never an administrator."""
    people = people_with_role(Role.ARCHIVE_CLERK) | people_with_role(Role.ARCHIVE_MANAGER)
    return people.filter(is_superuser=False).exclude(pk=user.pk).select_related("department").order_by("username")


def can_read_archive_statistics(user) -> bool:
    return handles(user, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)


# Apps above dossiers add their own actions on a dossier (lending: "request_loan"), registered from
# their AppConfig.ready(): dossiers never imports them. Each takes (user, dossier), returns a set.
DOSSIER_ACTION_SOURCES: list[Callable] = []


def dossier_actions_register(source: Callable) -> None:
    """Add an app's actions to dossier_actions (idempotent)."""
    if source not in DOSSIER_ACTION_SOURCES:
        DOSSIER_ACTION_SOURCES.append(source)


# Every action of dossier_actions and the service it stands for: record_completion →
# dossiers.services.dossier_record_completion, promote → dossier_promote, file_document →
# document_save of a new document, edit_volume_remarks → volume_remarks_save; request_loan
# (lending's) → lending.services.loan_request.
DOSSIER_ACTIONS = frozenset({"record_completion", "promote", "file_document", "edit_volume_remarks", "request_loan"})


def dossier_actions(user, dossier: Dossier) -> set[str]:
    """The actions of DOSSIER_ACTIONS that `user` may take on `dossier` now — those its service
    would accept from them given well-formed input (a date, a free cabinet position). A destroyed
    dossier takes nothing; promotion waits for every required document."""
    actions = set()
    if dossier.status != DossierStatus.DESTROYED and can_manage_archive(user):
        actions |= {"file_document", "edit_volume_remarks"}
        if dossier.status == DossierStatus.TEMPORARY:
            actions.add("record_completion")
        if dossier.status == DossierStatus.COMPLETION_RECEIVED and not _required_types_missing(dossier):
            actions.add("promote")
    for source in DOSSIER_ACTION_SOURCES:
        actions |= source(user, dossier)
    return actions


def _required_types_missing(dossier: Dossier) -> bool:
    # dossiers.selectors builds on this module: read from it when asked, not when loaded.
    from .selectors import missing_required_types

    return bool(missing_required_types(dossier))


# The actions of document_actions: edit → dossiers.services.document_save of the document,
# report_damage → repair_open.
DOCUMENT_ACTIONS = frozenset({"edit", "report_damage"})


def document_actions(user, document: Document) -> set[str]:
    """What `user` may do on a filed document now: while neither it nor its dossier is destroyed,
    the clerk edits it and reports damage to it; a destroyed document is gone, nothing to repair."""
    if not can_manage_archive(user):
        return set()
    if document.destroyed_at is None and document.dossier.status != DossierStatus.DESTROYED:
        return {"edit", "report_damage"}
    return set()


def read_requests_visible_to(user):
    """查阅申请 `user` may open: their own; those whose chain names them now or they signed; every
    request for the archive manager and the general manager, who keep the read register."""
    return _requests_visible_to(user, ReadRequest, RequestKind.READ)


def _requests_visible_to(user, model, kind):
    """A request's own people see it — its requester, whoever its chain names now or who signed it —
    and the archive manager and the general manager, who keep the registers, see them all."""
    if handles(user, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER):
        return model.objects.all()
    return model.objects.filter(
        Q(requester_id=user.pk)
        | Q(pk__in=request_ids_awaiting(user, [kind]))
        | Q(pk__in=request_ids_signed_by(user, [kind]))
    )


# The actions of read_request_actions: approve / reject → dossiers.services.read_request_decide,
# withdraw → read_request_withdraw.
READ_REQUEST_ACTIONS = frozenset({"approve", "reject", "withdraw"})


def read_request_actions(user, request) -> set[str]:
    """What `user` may do on a 查阅申请 now: its requester withdraws it (or ends an approved one);
    whoever a due step of its chain names approves or refuses it."""
    if user.pk == request.requester_id:
        return {"withdraw"} if request.status in (ReadRequestStatus.REQUESTED, ReadRequestStatus.APPROVED) else set()
    if request.status == ReadRequestStatus.REQUESTED and may_sign(user, RequestKind.READ, request.pk):
        return {"approve", "reject"}
    return set()


def can_request_read(user) -> bool:
    """Anyone of a department may ask to read a customer outside their tier."""
    return user.is_authenticated and user.department_id is not None


def export_requests_visible_to(user):
    """导出申请 `user` may open: their own, those whose chain names them now or they signed, and
    all for the archive manager and the general manager."""
    return _requests_visible_to(user, ExportRequest, RequestKind.EXPORT)


def export_request_actions(user, request) -> set[str]:
    """approve / reject (dossiers.services.export_request_decide) for whoever a due step names."""
    if request.status == ReadRequestStatus.REQUESTED and may_sign(user, RequestKind.EXPORT, request.pk):
        return {"approve", "reject"}
    return set()
