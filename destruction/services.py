"""Every state change of holds and destruction lists (SPEC §6, seed 002 第29条)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.services import notification_send_to_role
from approvals.models import RequestKind, StepRole
from approvals.selectors import stage_due
from approvals.services import ApprovalOutcome, Subject, approval_decide, approval_open
from crm_archive.errors import ActionRefused, TransitionRefused
from crm_archive.workdays import add_months
from dossiers.models import Document, Dossier, DossierCustody, DossierStatus
from dossiers.services import dossier_custody_move, dossiers_lock

from . import permissions, selectors
from .models import HELD_APART_STATUSES, HOLD_MONTHS, DestructionItem, DestructionList, Hold, ItemStatus, ListStatus


def _locked(destruction_list: DestructionList) -> DestructionList:
    """The list's row, read again under a lock held until the transaction ends."""
    return DestructionList.objects.select_for_update().get(pk=destruction_list.pk)


def _refuse_unless(ok: bool, destruction_list: DestructionList):
    """Refuse the step, naming the list's current status, unless `ok`."""
    if not ok:
        raise TransitionRefused(
            _("销毁清册 %(number)s 当前状态为“%(status)s”，不能办理此事项。")
            % {"number": destruction_list.number, "status": destruction_list.get_status_display()}
        )


def _not_the_drafter(destruction_list, by):
    """Refuse when `by` drafted the list: nobody signs off their own list."""
    if by.pk == destruction_list.drafted_by_id:
        raise ActionRefused(_("造册人不能鉴定、审批、验证或监销自己造的清册。"))


def hold_place(dossier: Dossier, *, by, reason: str) -> Hold:
    """A legal or business hold: the dossier cannot be proposed for or undergo destruction. Placed
    on the locked dossier row, so a destruction being recorded at the same moment either sees the
    hold and stops, or finishes first and the hold is refused: a destroyed dossier takes no hold."""
    if not permissions.can_manage_holds(by):
        raise ActionRefused(_("只有内勤部经理可以设置或解除保留冻结。"))
    if not reason.strip():
        raise ActionRefused(_("请写明保留冻结的原因。"))
    with transaction.atomic():
        dossier = dossiers_lock([dossier.pk])[dossier.pk]
        if dossier.status == DossierStatus.DESTROYED:
            raise ActionRefused(
                _("档案 %(number)s 已销毁，不能设置保留冻结。") % {"number": dossier.archive_number or dossier}
            )
        try:
            with transaction.atomic():
                hold = Hold(dossier=dossier, reason=reason.strip(), placed_by=by)
                hold._history_user = by
                hold.save()
                return hold
        except IntegrityError:
            raise ActionRefused(_("此档案已处于保留冻结中。")) from None


def hold_lift(hold: Hold, *, by, reason: str) -> Hold:
    """Lift an active hold, with who, when and why; only the archive manager does, and a hold is
    lifted once (decided on its locked row)."""
    if not permissions.can_manage_holds(by):
        raise ActionRefused(_("只有内勤部经理可以设置或解除保留冻结。"))
    if not reason.strip():
        raise ActionRefused(_("请写明解除原因。"))
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise ActionRefused(_("此保留冻结已解除。"))
        hold.lifted_by, hold.lifted_at, hold.lift_reason = by, timezone.now(), reason.strip()
        hold._history_user = by
        hold.save()
    return hold


def _item_for(destruction_list, *, dossier=None, document=None, today) -> DestructionItem:
    """Check one record can be proposed and copy what the register prints."""
    record = document or dossier
    dossier = document.dossier if document else dossier
    if dossier.status == DossierStatus.DESTROYED or (document and document.destroyed_at):
        raise ActionRefused(_("%(title)s 已销毁。") % {"title": record})
    if dossier.customer.department_id != destruction_list.department_id:
        raise ActionRefused(
            _("%(title)s 不是%(department)s形成的档案。") % {"title": record, "department": destruction_list.department}
        )
    if document is None and dossier.status != DossierStatus.FORMAL:
        raise ActionRefused(_("%(title)s 不是正式档案。") % {"title": record})
    retention = record.retention
    if retention.is_permanent:
        raise ActionRefused(_("%(title)s 为永久保存，不能列入销毁清册。") % {"title": record})
    if (
        document is None
        and Document.objects.filter(dossier=dossier, destroyed_at__isnull=True, retention__years__isnull=True).exists()
    ):
        raise ActionRefused(_("%(title)s 含有永久保存的文件，不能整卷销毁。") % {"title": record})
    year = record.filing_year
    due_on = selectors.retention_due_on(year, retention.years)
    if due_on > today:
        raise ActionRefused(_("%(title)s 的保管期限到 %(due)s 才届满。") % {"title": record, "due": due_on.isoformat()})
    if document is None and selectors.documents_not_yet_due(dossier, today=today).exists():
        raise ActionRefused(_("%(title)s 含有保管期限未满的文件，不能整卷销毁。") % {"title": record})
    blocks = selectors.dossier_blocks(dossier)
    if blocks:
        raise ActionRefused(" ".join(blocks))
    pages = (
        document.pages
        if document
        else sum(dossier.documents.filter(destroyed_at__isnull=True).values_list("pages", flat=True))
    )
    return DestructionItem(
        destruction_list=destruction_list,
        dossier=dossier,
        document=document,
        title=document.title if document else dossier.customer.name,
        archive_number=dossier.archive_number or "",
        year=year,
        retention=retention.name,
        retention_due_on=due_on,
        pages=pages,
    )


def destruction_list_draft(*, by, department, dossiers=(), documents=()) -> DestructionList:
    """销毁清册: the archive clerk registers expired records of one producing department.
    Permanent records, records not yet due, records with an open loan or under a hold, and
    records already on a list are refused, each with its reason — decided on the locked
    dossier rows, so a loan or hold recorded meanwhile is never missed."""
    if not permissions.can_draft_destruction_lists(by):
        raise ActionRefused(_("只有档案管理员可以登记销毁清册。"))
    if not dossiers and not documents:
        raise ActionRefused(_("请至少选择一份到期的档案或文件。"))
    today = timezone.localdate()
    with transaction.atomic():
        document_ids = [document.pk for document in documents]
        locked = dossiers_lock(
            [dossier.pk for dossier in dossiers]
            + list(Document.objects.filter(pk__in=document_ids).values_list("dossier_id", flat=True))
        )
        # Read again after the lock: what a destruction finished meanwhile wrote is seen.
        fresh_documents = Document.objects.select_related("retention").in_bulk(document_ids)
        for document in fresh_documents.values():
            document.dossier = locked[document.dossier_id]
        destruction_list = DestructionList(department=department, drafted_by=by)
        # Set before the first save, so the list's first history row names the clerk who drafted it.
        destruction_list._history_user = by
        destruction_list.save()
        items = [_item_for(destruction_list, dossier=locked[dossier.pk], today=today) for dossier in dossiers]
        items += [_item_for(destruction_list, document=fresh_documents[pk], today=today) for pk in document_ids]
        try:
            with transaction.atomic():
                DestructionItem.objects.bulk_create(items)
        except IntegrityError:
            raise ActionRefused(_("所选档案或文件中有的已列入其他销毁清册。")) from None
    return destruction_list


def _list_link(destruction_list) -> str:
    return reverse("destruction:detail", args=[destruction_list.pk])


def _status_while_signing(destruction_list) -> str:
    """Where a list stands while its chain runs: appraisal (鉴定) while its first stage is open,
    approval (审批) after. The default chain: the customer service manager ∥ the producing
    department's head appraise, then the customer director approves."""
    appraising = stage_due(RequestKind.DESTRUCTION, destruction_list.pk) == 1
    return ListStatus.SUBMITTED if appraising else ListStatus.APPRAISED


def destruction_list_submit(destruction_list: DestructionList, *, by) -> DestructionList:
    """A draft goes to appraisal, once (decided on the locked list row): the destruction chain of
    SPEC §9 is copied for it, and its first signers are told."""
    if not permissions.can_draft_destruction_lists(by):
        raise ActionRefused(_("只有档案管理员可以登记销毁清册。"))
    with transaction.atomic():
        destruction_list = _locked(destruction_list)
        _refuse_unless(destruction_list.status == ListStatus.DRAFT, destruction_list)
        tasks = approval_open(
            kind=RequestKind.DESTRUCTION,
            request_id=destruction_list.pk,
            reference=destruction_list.number,
            link=_list_link(destruction_list),
            subject=Subject(
                requester=destruction_list.drafted_by, producing_department_id=destruction_list.department_id
            ),
        )
        if not tasks:
            raise ActionRefused(_("销毁清册的审批流程中没有适用的步骤，请联系系统管理员。"))
        destruction_list.submitted_at = timezone.now()
        destruction_list.status = _status_while_signing(destruction_list)
        destruction_list._history_user = by
        destruction_list.save()
    return destruction_list


def _signature_on_list(destruction_list, task, by, now):
    """The printed list's signature lines: the customer service manager's and the producing
    department head's appraisal; other steps an office added show on the timeline."""
    if task.step_role == StepRole.CS_MANAGER:
        destruction_list.cs_appraised_by, destruction_list.cs_appraised_at = by, now
    elif task.step_role == StepRole.PRODUCING_DEPARTMENT_MANAGER:
        destruction_list.department_appraised_by, destruction_list.department_appraised_at = by, now


def destruction_list_appraise(
    destruction_list: DestructionList, *, by, keep_back: dict | None = None
) -> DestructionList:
    """鉴定: `by` signs a due appraisal step of the list's chain (by default the customer service
    manager and the producing department's head, two people); either may keep back items, with a
    reason. The list goes to approval once every appraisal step is signed."""
    keep_back = keep_back or {}
    with transaction.atomic():
        destruction_list = _locked(destruction_list)
        _refuse_unless(destruction_list.status == ListStatus.SUBMITTED, destruction_list)
        _not_the_drafter(destruction_list, by)
        for item_id, reason in keep_back.items():
            if not str(reason).strip():
                raise ActionRefused(_("保留条目时请写明原因。"))
            updated = destruction_list.items.filter(pk=item_id, status=ItemStatus.PROPOSED).update(
                status=ItemStatus.KEPT_BACK, decided_by=by, reason=str(reason).strip()
            )
            if not updated:
                raise ActionRefused(_("条目不在此清册中，或已不在拟销毁之列。"))
        decision = approval_decide(kind=RequestKind.DESTRUCTION, request_id=destruction_list.pk, by=by, approve=True)
        _signature_on_list(destruction_list, decision.task, by, timezone.now())
        destruction_list._history_user = by
        if decision.outcome == ApprovalOutcome.APPROVED:
            # A chain of one stage: the appraisal was its last signature (refused, signature
            # and all, while an item is lent).
            _hold_apart(destruction_list, _lock_proposed_unlent(destruction_list), by=by)
        else:
            destruction_list.status = _status_while_signing(destruction_list)
            destruction_list.save()
    return destruction_list


def _lock_proposed_unlent(destruction_list) -> dict:
    """The locked rows of the dossiers the list still proposes; refused when there is none, or
    while one of them has a loan approved or out (a dossier out cannot be held apart: withdraw the
    item or wait for its return) — decided on the locked rows, so a loan approved at the same
    moment is never missed."""
    dossier_ids = list(destruction_list.items.filter(status=ItemStatus.PROPOSED).values_list("dossier_id", flat=True))
    if not dossier_ids:
        raise ActionRefused(_("清册中已没有拟销毁的条目。"))
    locked = dossiers_lock(dossier_ids)
    loans_open = [reason for dossier in locked.values() for reason in selectors.dossier_open_loans(dossier)]
    if loans_open:
        raise ActionRefused(" ".join(loans_open))
    return locked


def _hold_apart(destruction_list, locked, *, by):
    """The chain is complete: the items are held apart for six months from today, and cannot be
    lent from then on (their dossiers' custody says so)."""
    today = timezone.localdate()
    destruction_list.status = ListStatus.HELD
    destruction_list.approved_by, destruction_list.approved_on = by, today
    destruction_list.hold_until = add_months(today, HOLD_MONTHS)
    destruction_list.save()
    for dossier in locked.values():
        dossier_custody_move(dossier, DossierCustody.HELD_APART, by=by)


def destruction_list_approve(destruction_list: DestructionList, *, by) -> DestructionList:
    """`by` signs a due approval step (by default the customer director's); once the chain is
    complete the list's items are held apart for six months. Refused while one of them is lent."""
    with transaction.atomic():
        destruction_list = _locked(destruction_list)
        _refuse_unless(destruction_list.status == ListStatus.APPRAISED, destruction_list)
        _not_the_drafter(destruction_list, by)
        locked = _lock_proposed_unlent(destruction_list)
        decision = approval_decide(kind=RequestKind.DESTRUCTION, request_id=destruction_list.pk, by=by, approve=True)
        destruction_list._history_user = by
        if decision.outcome == ApprovalOutcome.APPROVED:
            _hold_apart(destruction_list, locked, by=by)
        else:
            destruction_list.save()
    return destruction_list


def destruction_list_reject(destruction_list: DestructionList, *, by, reason: str) -> DestructionList:
    """An approver due to sign refuses an appraised list, with a reason: the chain stops, and its
    proposed items are withdrawn and free to be proposed again on a later list."""
    if not reason.strip():
        raise ActionRefused(_("请写明不批准的原因。"))
    with transaction.atomic():
        destruction_list = _locked(destruction_list)
        _refuse_unless(destruction_list.status == ListStatus.APPRAISED, destruction_list)
        _not_the_drafter(destruction_list, by)
        approval_decide(
            kind=RequestKind.DESTRUCTION, request_id=destruction_list.pk, by=by, approve=False, comment=reason
        )
        destruction_list.status, destruction_list.rejection_reason = ListStatus.REJECTED, reason.strip()
        destruction_list.approved_by = by
        # Rejected items are free to be proposed again on a later list.
        destruction_list.items.filter(status=ItemStatus.PROPOSED).update(
            status=ItemStatus.WITHDRAWN,
            decided_by=by,
            reason=_("清册未获批准：%(reason)s") % {"reason": reason.strip()},
        )
        destruction_list._history_user = by
        destruction_list.save()
    return destruction_list


def destruction_item_withdraw(item: DestructionItem, *, by, reason: str) -> DestructionItem:
    """Take an item off its list at any step before destruction (以免误毁). An item held apart goes
    back to its cabinet, unless another item of its dossier is still held apart (decided on the
    locked dossier row)."""
    if not permissions.can_withdraw_destruction_items(by, item.destruction_list):
        raise ActionRefused(_("您不能撤出销毁清册中的条目。"))
    if not reason.strip():
        raise ActionRefused(_("请写明撤出原因。"))
    with transaction.atomic():
        destruction_list = _locked(item.destruction_list)
        _refuse_unless(destruction_list.status not in (ListStatus.DESTROYED, ListStatus.REJECTED), destruction_list)
        item = DestructionItem.objects.select_for_update().get(pk=item.pk)
        if item.status != ItemStatus.PROPOSED:
            raise ActionRefused(_("此条目已不在拟销毁之列。"))
        dossier = dossiers_lock([item.dossier_id])[item.dossier_id]
        item.status, item.decided_by, item.reason = ItemStatus.WITHDRAWN, by, reason.strip()
        item.save()
        if destruction_list.status in HELD_APART_STATUSES:
            _release_unless_still_held_apart(dossier, by=by)
    return item


def _release_unless_still_held_apart(dossier: Dossier, *, by):
    """A dossier held apart whose last held item left (withdrawn, or a document of it destroyed)
    goes back to its cabinet — or, not yet formal, back to the clerk who is filing it. It cannot be
    on loan: approval is refused while it is lent."""
    if dossier.custody == DossierCustody.HELD_APART and not selectors.dossier_is_held_apart(dossier):
        back = DossierCustody.IN_CABINET if dossier.status == DossierStatus.FORMAL else DossierCustody.FILING
        dossier_custody_move(dossier, back, by=by)


def destruction_list_verify(destruction_list: DestructionList, *, by) -> DestructionList:
    """After six months apart, confirm the records truly have no value left."""
    if not permissions.can_verify_destruction(by):
        raise ActionRefused(_("只有内勤部经理或客户服务部经理可以验证。"))
    with transaction.atomic():
        destruction_list = _locked(destruction_list)
        _refuse_unless(destruction_list.status == ListStatus.HELD, destruction_list)
        _not_the_drafter(destruction_list, by)
        if timezone.localdate() < destruction_list.hold_until:
            raise TransitionRefused(
                _("批准销毁的档案须单独存放半年，%(date)s 起方可验证。")
                % {"date": destruction_list.hold_until.isoformat()}
            )
        destruction_list.status = ListStatus.VERIFIED
        destruction_list.verified_by, destruction_list.verified_at = by, timezone.now()
        destruction_list._history_user = by
        destruction_list.save()
    return destruction_list


def destruction_list_destroy(
    destruction_list: DestructionList, *, by, place: str, method: str, destroyed_on
) -> DestructionList:
    """销毁: at a named place, by a named method, under `by` as supervisor (监销人), who signs the
    register. Destroyed dossiers keep their metadata, and their custody says destroyed; their
    scanned files are deleted. A dossier of which only documents were destroyed goes back to its
    cabinet. Items with an open loan or under a hold are refused, naming why."""
    if not permissions.can_supervise_destruction(by):
        raise ActionRefused(_("监销人须为内勤部经理、客户服务部经理或总经理。"))
    if not place.strip() or not method.strip():
        raise ActionRefused(_("请填写销毁地点和销毁方式。"))
    if destroyed_on > timezone.localdate():
        raise ActionRefused(_("销毁日期不能晚于今天。"))
    files_to_delete = []
    with transaction.atomic():
        destruction_list = _locked(destruction_list)
        _refuse_unless(destruction_list.status == ListStatus.VERIFIED, destruction_list)
        _not_the_drafter(destruction_list, by)
        items = list(
            destruction_list.items.filter(status=ItemStatus.PROPOSED).select_related("document").order_by("pk")
        )
        if not items:
            raise ActionRefused(_("清册中已没有拟销毁的条目。"))
        # Lock every dossier concerned before deciding: a hold placed or a loan approved meanwhile
        # either committed before (and is seen here) or waits until this destruction is done.
        locked = dossiers_lock(item.dossier_id for item in items)
        blocks = [reason for dossier in locked.values() for reason in selectors.dossier_blocks(dossier)]
        if blocks:
            raise ActionRefused(" ".join(dict.fromkeys(blocks)))
        destroyed = [str(dossier) for dossier in locked.values() if dossier.status == DossierStatus.DESTROYED]
        if destroyed:
            raise TransitionRefused(
                _("档案 %(numbers)s 已随其他清册销毁，请先撤出相应条目。") % {"numbers": "、".join(destroyed)}
            )
        now = timezone.now()
        for item in items:
            if item.document_id:
                files_to_delete.append(item.document)
            else:
                dossier = locked[item.dossier_id]
                dossier.status, dossier.destroyed_at = DossierStatus.DESTROYED, now
                dossier.custody = DossierCustody.DESTROYED
                dossier._history_user = by
                dossier.save()
                files_to_delete.extend(dossier.documents.filter(destroyed_at__isnull=True))
            item.status = ItemStatus.DESTROYED
            item.save(update_fields=["status"])
        for document in files_to_delete:
            document.destroyed_at = now
            document.save(update_fields=["destroyed_at"])
        # A dossier of which only documents were destroyed goes back to its cabinet.
        for dossier in locked.values():
            if dossier.status != DossierStatus.DESTROYED:
                _release_unless_still_held_apart(dossier, by=by)
        destruction_list.status = ListStatus.DESTROYED
        destruction_list.place, destruction_list.method, destruction_list.destroyed_on = (
            place.strip(),
            method.strip(),
            destroyed_on,
        )
        destruction_list.supervisor, destruction_list.supervisor_signed_at = by, now
        destruction_list._history_user = by
        destruction_list.save()
        # Files go only once the rows say "destroyed" for good.
        transaction.on_commit(lambda: [_delete_scan(document) for document in files_to_delete])
    return destruction_list


def _delete_scan(document: Document):
    """Delete the document's scanned file and forget its name; the metadata stays."""
    if document.scan:
        name = document.scan.name
        document.scan.storage.delete(name)
        Document.objects.filter(pk=document.pk).update(scan="")


def hold_end_notify(*, today=None) -> int:
    """Tell the archive clerks which lists finished their six months apart (once per list)."""
    today = today or timezone.localdate()
    lists = list(selectors.lists_whose_hold_ended(today=today))
    for destruction_list in lists:
        notification_send_to_role(
            role=Role.ARCHIVE_CLERK,
            message=_("销毁清册 %(number)s 已单独存放满半年，可以验证后销毁。") % {"number": destruction_list.number},
            link=reverse("destruction:detail", args=[destruction_list.pk]),
        )
        DestructionList.objects.filter(pk=destruction_list.pk).update(hold_end_notified_on=today)
    return len(lists)
