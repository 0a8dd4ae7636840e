"""Every state change of dossiers, documents, cabinets, inspections and repairs."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.services import notification_send, notification_send_to_role
from approvals.models import RequestKind, TaskStatus
from approvals.selectors import approval_timeline
from approvals.services import (
    ApprovalOutcome,
    Subject,
    approval_close,
    approval_decide,
    approval_open,
    subject_for_customer,
)
from crm_archive.errors import ActionRefused, TransitionRefused
from crm_archive.workdays import add_months, add_working_days, end_of_working_days, is_working_day
from customers import permissions as customer_permissions
from customers import secrecy
from customers.services import customer_access_grant, customer_access_revoke, export_permit_grant

from . import permissions, selectors
from .labels import parse_scan
from .models import (
    ArchiveNumberCounter,
    BackupKeyUse,
    Cabinet,
    Document,
    Dossier,
    DossierCustody,
    DossierStatus,
    ExportRequest,
    FindingGroup,
    Inspection,
    InspectionReason,
    InspectionSchedule,
    ReadRequest,
    ReadRequestScope,
    ReadRequestStatus,
    Repair,
    ScanKind,
    Stocktake,
    StocktakeFinding,
    StocktakeScan,
    StocktakeStatus,
    VolumeRemarks,
    VolumeRemarksEntry,
)


def _require_archive_clerk(user):
    """Refuse unless `user` does the archive's office work."""
    if not permissions.can_manage_archive(user):
        raise ActionRefused(_("只有档案管理员可以办理此事项。"))


def _locked(dossier: Dossier) -> Dossier:
    """The dossier's row, read again under a lock held until the transaction ends."""
    return Dossier.objects.select_for_update(of=("self",)).select_related("customer", "retention").get(pk=dossier.pk)


def dossiers_lock(dossier_ids) -> dict[int, Dossier]:
    """Lock the rows of these dossiers (SELECT … FOR UPDATE) until the transaction ends and return
    them as they are now, by pk. Every service that decides on a dossier's loans, holds, destruction
    or custody takes its dossiers through here, always in ascending pk order, so two services never
    deadlock, and re-checks the rules on the rows it got. Call inside `transaction.atomic()`.

    Global lock order: a workflow's own row first (the loan, the destruction list), then dossiers."""
    ids = sorted({int(pk) for pk in dossier_ids})
    return {
        dossier.pk: dossier
        for dossier in Dossier.objects.select_for_update(of=("self",))
        .select_related("customer", "retention")
        .filter(pk__in=ids)
        .order_by("pk")
    }


def dossier_custody_move(dossier: Dossier, custody: DossierCustody, *, by, holder=None) -> Dossier:
    """Record where `dossier` now is (in its cabinet, on loan to `holder`, held apart, destroyed),
    with its history row naming `by`; the holder is kept only while the original is on loan and
    cleared otherwise, so the custody timeline reads 借出给 … from the history. Guarantees the
    change is made on the row the caller locked through `dossiers_lock` (or `_locked`) in the
    current transaction, so whoever decides next sees it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_custody_move needs the transaction that locked the dossier")
    dossier.custody = custody
    dossier.custody_holder = holder if custody == DossierCustody.ON_LOAN else None
    dossier._history_user = by
    dossier.save(update_fields=["custody", "custody_holder"])
    return dossier


def dossier_open(customer, *, by, opened_on, retention) -> Dossier:
    """Open the temporary dossier (临时档案) of `customer` when its contract is signed.
    One customer has exactly one dossier."""
    _require_archive_clerk(by)
    if opened_on > timezone.localdate():
        raise ActionRefused(_("建档日期不能晚于今天。"))
    dossier = Dossier(customer=customer, opened_on=opened_on, retention=retention, opened_by=by)
    dossier._history_user = by
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        raise ActionRefused(_("客户“%(customer)s”已有档案（一户一档）。") % {"customer": customer}) from None
    return dossier


def dossier_record_completion(dossier: Dossier, *, by, received_on) -> Dossier:
    """Record the day the project lead handed in the completion documents (竣工文档): the
    dossier must then be promoted within PROMOTION_DAYS working days (or calendar days, as
    PROMOTION_LIMIT_COUNTS says): the limit is computed now and stored."""
    _require_archive_clerk(by)
    with transaction.atomic():
        dossier = _locked(dossier)
        if dossier.status != DossierStatus.TEMPORARY:
            raise TransitionRefused(
                _("只有临时档案可以登记竣工文档；此档案当前状态为“%(status)s”。")
                % {"status": dossier.get_status_display()}
            )
        if received_on > timezone.localdate():
            raise TransitionRefused(_("竣工文档收到日期不能晚于今天。"))
        if received_on < dossier.opened_on:
            raise TransitionRefused(_("竣工文档收到日期不能早于建档日期。"))
        dossier.status = DossierStatus.COMPLETION_RECEIVED
        dossier.completion_received_on = received_on
        dossier.promotion_due_on = Dossier.promotion_due_after(received_on)
        dossier._history_user = by
        dossier.save()
    return dossier


def _next_archive_number(*, year: int, retention_code: str) -> str:
    """Draw the next number of (year, retention) under a row lock: never reused, never shared."""
    counter, _created = ArchiveNumberCounter.objects.get_or_create(year=year, retention_code=retention_code)
    counter = ArchiveNumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return f"{settings.ARCHIVE_FONDS_CODE}-{year}-{retention_code}-{counter.last_sequence:04d}"


def dossier_promote(dossier: Dossier, *, by, cabinet: Cabinet, position: int) -> Dossier:
    """临时档案 → 正式档案: check the required documents, give the archive number (档号, DA/T 22
    shape fonds-year-retention-sequence) and shelve the dossier in `cabinet` at `position`: from
    then on it is in its cabinet (custody), and may be lent."""
    _require_archive_clerk(by)
    with transaction.atomic():
        dossier = _locked(dossier)
        if dossier.status != DossierStatus.COMPLETION_RECEIVED:
            raise TransitionRefused(
                _("只有已收到竣工文档的档案可以转为正式档案；此档案当前状态为“%(status)s”。")
                % {"status": dossier.get_status_display()}
            )
        missing = selectors.missing_required_types(dossier)
        if missing:
            raise TransitionRefused(
                _("此档案缺少必需文件：%(names)s") % {"names": "、".join(item.name for item in missing)}
            )
        if not cabinet.is_active:
            raise TransitionRefused(_("档案柜 %(cabinet)s 已停用。") % {"cabinet": cabinet.code})
        if not 1 <= position <= cabinet.positions:
            raise TransitionRefused(_("格位应在 1 到 %(max)d 之间。") % {"max": cabinet.positions})
        if Dossier.objects.filter(cabinet=cabinet, position=position, status=DossierStatus.FORMAL).exists():
            raise TransitionRefused(
                _("档案柜 %(cabinet)s 的第 %(position)d 格已有档案。") % {"cabinet": cabinet.code, "position": position}
            )
        now = timezone.now()
        year = timezone.localdate(now).year
        dossier.archive_number = _next_archive_number(year=year, retention_code=dossier.retention.code)
        dossier.filing_year = year
        dossier.status = DossierStatus.FORMAL
        dossier.promoted_at = now
        dossier.promoted_by = by
        dossier.cabinet = cabinet
        dossier.position = position
        # Shelved — unless a document of it was already approved for destruction and is held
        # apart: then the dossier stays apart, and is not lent, until that item leaves.
        if dossier.custody == DossierCustody.FILING:
            dossier.custody = DossierCustody.IN_CABINET
        dossier._history_user = by
        try:
            with transaction.atomic():
                dossier.save()
        except IntegrityError:
            raise TransitionRefused(
                _("档案柜 %(cabinet)s 的第 %(position)d 格已有档案。") % {"cabinet": cabinet.code, "position": position}
            ) from None
    return dossier


def document_save(document: Document, *, by, scan=None, scan_content_type: str = "") -> Document:
    """File a document in its dossier, or change it. A destroyed dossier takes no documents, and
    a destroyed document is never changed."""
    _require_archive_clerk(by)
    with transaction.atomic():
        dossier = _locked(document.dossier)
        if dossier.status == DossierStatus.DESTROYED:
            raise ActionRefused(_("已销毁的档案不能再归档文件。"))
        if document.pk is not None and Document.objects.filter(pk=document.pk, destroyed_at__isnull=False).exists():
            raise ActionRefused(_("此文件已销毁，不能修改。"))
        if document.pk is None:
            document.filed_by = by
        if not document.filing_year:
            document.filing_year = document.made_on.year
        if scan is not None:
            document.scan_content_type = scan_content_type
            document.scan = scan
        document._history_user = by
        document.save()
    return document


def volume_remarks_save(
    *, dossier: Dossier, filing_year: int, top_secret: bool, by, notes: str, checked_by=None, compiled_on=None
) -> VolumeRemarks:
    """Fill in the remarks sheet (卷内备考表) of one volume; `by` signs as the compiler (立卷人).
    Once the sheet exists, each later note is a new entry signed and dated by `by` (seed 002 §18):
    the first filing's notes, 立卷人, 检查人 and date are never overwritten."""
    _require_archive_clerk(by)
    if checked_by is not None and checked_by.pk == by.pk:
        raise ActionRefused(_("检查人不能是立卷人本人。"))
    with transaction.atomic():
        # The dossier's row lock also orders two clerks filling in the same sheet at once.
        if _locked(dossier).status == DossierStatus.DESTROYED:
            raise ActionRefused(_("已销毁的档案不能再修改。"))
        remarks = VolumeRemarks.objects.filter(dossier=dossier, filing_year=filing_year, top_secret=top_secret).first()
        if remarks is None:
            return VolumeRemarks.objects.create(
                dossier=dossier,
                filing_year=filing_year,
                top_secret=top_secret,
                notes=notes,
                compiled_by=by,
                checked_by=checked_by,
                compiled_on=compiled_on or timezone.localdate(),
            )
        if not notes.strip():
            raise ActionRefused(_("备考表已填写；请写明要补充的情况说明。"))
        VolumeRemarksEntry.objects.create(
            remarks=remarks,
            notes=notes.strip(),
            written_by=by,
            checked_by=checked_by,
            written_on=compiled_on or timezone.localdate(),
        )
    return remarks


def backup_key_use_record(cabinet: Cabinet, *, used_by, by, reason: str, used_at=None) -> BackupKeyUse:
    """Log a use of `cabinet`'s backup key and tell every archive manager (in the app and by e-mail)."""
    if not permissions.can_record_backup_key_use(by):
        raise ActionRefused(_("您不能登记备用钥匙的使用。"))
    if not reason.strip():
        raise ActionRefused(_("请写明使用备用钥匙的原因。"))
    use = BackupKeyUse.objects.create(
        cabinet=cabinet, used_by=used_by, used_at=used_at or timezone.now(), reason=reason.strip(), recorded_by=by
    )
    message = _("备用钥匙已使用：档案柜 %(cabinet)s，使用人 %(user)s，时间 %(time)s，原因：%(reason)s") % {
        "cabinet": cabinet.code,
        "user": used_by,
        "time": timezone.localtime(use.used_at).strftime("%Y-%m-%d %H:%M"),
        "reason": use.reason,
    }
    notification_send_to_role(role=Role.ARCHIVE_MANAGER, message=message, link=reverse("dossiers:cabinets"), email=True)
    return use


def inspection_record(*, by, **fields) -> Inspection:
    """Record an inspection (检查与核对) of the storage and the materials; the schedule of its
    cabinet (or of the whole store) moves on from its date. A stocktake's inspection is recorded
    by finishing the stocktake (stocktake_finish), never typed in."""
    _require_archive_clerk(by)
    if fields.get("inspected_on") and fields["inspected_on"] > timezone.localdate():
        raise ActionRefused(_("检查日期不能晚于今天。"))
    if fields.get("reason") == InspectionReason.STOCKTAKE:
        raise ActionRefused(_("盘点记录由完成盘点生成，请在档案柜页面进行盘点。"))
    with transaction.atomic():
        inspection = Inspection.objects.create(inspector=by, **fields)
        _inspection_schedule_advance(inspection)
    return inspection


def _inspection_schedule_advance(inspection: Inspection) -> None:
    """The schedule of the inspection's scope (its cabinet, or the whole store) is next due
    `every_months` after this inspection — never earlier than it already was (an inspection
    entered late, for a day long past, moves nothing back)."""
    schedules = InspectionSchedule.objects.select_for_update().filter(cabinet_id=inspection.cabinet_id)
    schedule = schedules.filter(is_active=True).first()
    if schedule is None:
        return
    next_due_on = add_months(inspection.inspected_on, schedule.every_months)
    if next_due_on > schedule.next_due_on:
        schedule.next_due_on = next_due_on
        schedule.save(update_fields=["next_due_on"])


def _require_schedule_manager(user):
    if not permissions.can_manage_inspection_schedules(user):
        raise ActionRefused(_("只有内勤部经理可以制定检查计划。"))


def inspection_schedule_save(schedule: InspectionSchedule, *, by) -> InspectionSchedule:
    """Create or change an inspection schedule: one per cabinet and one for the whole store. A
    changed due date is reminded of again when it comes."""
    _require_schedule_manager(by)
    if not 1 <= schedule.every_months <= 60:
        raise ActionRefused(_("检查周期应在 1 到 60 个月之间。"))
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError:
        raise ActionRefused(_("此档案柜（或整个库房）已有检查计划，请修改原计划。")) from None
    return schedule


def _inspection_due_link(schedule: InspectionSchedule) -> str:
    if schedule.cabinet_id:
        return reverse("dossiers:stocktake_start", args=[schedule.cabinet_id])
    return reverse("dossiers:inspection_add")


def inspections_due_notify(*, today=None) -> int:
    """Tell the archive clerks and the archive manager of every scheduled inspection that is due
    (its day came, or passed while beat was down). Once per due date: the schedule remembers the
    date it reminded of, claimed by a conditional UPDATE, so a task run twice, or every day while
    the inspection waits, sends nothing more. Returns how many schedules were reminded of."""
    today = today or timezone.localdate()
    reminded = 0
    for schedule in selectors.inspections_due(today=today):
        if schedule.reminded_for == schedule.next_due_on:
            continue
        with transaction.atomic():
            claimed = (
                InspectionSchedule.objects.filter(pk=schedule.pk, next_due_on=schedule.next_due_on, is_active=True)
                .exclude(reminded_for=F("next_due_on"))
                .update(reminded_for=F("next_due_on"))
            )
            if not claimed:
                continue
            if schedule.cabinet_id:
                message = _(
                    "检查与核对到期：档案柜 %(cabinet)s（%(place)s）应于 %(due)s 检查"
                    "（每 %(months)d 个月一次），请进行盘点并登记。"
                ) % {
                    "cabinet": schedule.cabinet.code,
                    "place": schedule.cabinet.place,
                    "due": schedule.next_due_on.isoformat(),
                    "months": schedule.every_months,
                }
            else:
                message = _("检查与核对到期：整个库房应于 %(due)s 检查（每 %(months)d 个月一次），请检查并登记。") % {
                    "due": schedule.next_due_on.isoformat(),
                    "months": schedule.every_months,
                }
            for role in (Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER):
                notification_send_to_role(role=role, message=message, link=_inspection_due_link(schedule))
            reminded += 1
    return reminded


# Stocktakes (盘点): the clerk scans a cabinet's position labels and the dossiers on its shelf.


def _require_stock_taker(user):
    if not permissions.can_take_stock(user):
        raise ActionRefused(_("只有档案管理员可以盘点。"))


def _stocktake_locked(stocktake: Stocktake) -> Stocktake:
    stocktake = Stocktake.objects.select_for_update(of=("self",)).select_related("cabinet").get(pk=stocktake.pk)
    if not stocktake.is_open:
        raise TransitionRefused(
            _("此盘点已结束（%(status)s），不能再修改。") % {"status": stocktake.get_status_display()}
        )
    return stocktake


def stocktake_start(cabinet: Cabinet, *, by) -> Stocktake:
    """Start a stocktake of `cabinet`, or join the one in progress there (one at a time per cabinet)."""
    _require_stock_taker(by)
    existing = Stocktake.objects.filter(cabinet=cabinet, status=StocktakeStatus.OPEN).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Stocktake.objects.create(cabinet=cabinet, started_by=by)
    except IntegrityError:
        # Another clerk started it a moment ago: join theirs.
        return Stocktake.objects.get(cabinet=cabinet, status=StocktakeStatus.OPEN)


def stocktake_scan(stocktake: Stocktake, text: str, *, by) -> StocktakeScan:
    """Record one scan of an open stocktake, in order. A position label of this cabinet makes its
    position the current one; any other code is recorded at the current position (a position label
    comes first) — a dossier by its archive number, or, naming none, as an unknown code. A position
    label of another cabinet, or beyond this one's positions, is refused and not recorded."""
    _require_stock_taker(by)
    scanned = parse_scan(text)
    if not scanned.text:
        raise ActionRefused(_("请扫描标签，或输入档号后按回车。"))
    with transaction.atomic():
        stocktake = _stocktake_locked(stocktake)
        cabinet = stocktake.cabinet
        if scanned.is_position:
            if scanned.cabinet_code.casefold() != cabinet.code.casefold():
                raise ActionRefused(
                    _("这是档案柜 %(other)s 的格位标签；正在盘点的是档案柜 %(cabinet)s。")
                    % {"other": scanned.cabinet_code, "cabinet": cabinet.code}
                )
            if scanned.position > cabinet.positions:
                raise ActionRefused(
                    _("档案柜 %(cabinet)s 只有 %(count)d 个格位，没有第 %(position)d 格。")
                    % {"cabinet": cabinet.code, "count": cabinet.positions, "position": scanned.position}
                )
            return StocktakeScan.objects.create(
                stocktake=stocktake, kind=ScanKind.POSITION, code=scanned.text, position=scanned.position, scanned_by=by
            )
        position = selectors.stocktake_current_position(stocktake)
        if position is None:
            raise ActionRefused(_("请先扫描格位标签，再扫描该格位上的档案。"))
        dossier = None
        if scanned.is_dossier:
            dossier = selectors.dossier_for_scan(scanned.archive_number)
        return StocktakeScan.objects.create(
            stocktake=stocktake,
            kind=ScanKind.DOSSIER if dossier else ScanKind.UNKNOWN,
            code=dossier.archive_number if dossier else scanned.text,
            position=position,
            dossier=dossier,
            scanned_by=by,
        )


def stocktake_cancel(stocktake: Stocktake, *, by) -> Stocktake:
    """Give up an open stocktake: it and its scans stay, marked 已放弃, and record no inspection."""
    _require_stock_taker(by)
    with transaction.atomic():
        stocktake = _stocktake_locked(stocktake)
        stocktake.status = StocktakeStatus.CANCELLED
        stocktake.finished_at, stocktake.finished_by = timezone.now(), by
        stocktake.save()
    return stocktake


FINDINGS_LISTED_IN_NOTES = 30


def _finding_words(row) -> str:
    if row.group == FindingGroup.MISSING:
        return row.code
    if row.group == FindingGroup.MISPLACED:
        return _("%(code)s（记录：%(recorded)s，发现于第 %(position)s 格）") % {
            "code": row.code,
            "recorded": row.recorded,
            "position": row.found_position,
        }
    return _("%(code)s（%(recorded)s，第 %(position)s 格）") % {
        "code": row.code,
        "recorded": row.recorded,
        "position": row.found_position,
    }


def _findings_notes(report) -> str:
    """The findings in words, for the inspection's notes (情况记录)."""
    lines = [_("盘点结果：在位 %(count)d 份。") % {"count": len(report.found)}]
    for label, rows in ((_("缺失"), report.missing), (_("错位"), report.misplaced), (_("不应在柜"), report.unexpected)):
        if not rows:
            continue
        items = "；".join(_finding_words(row) for row in rows[:FINDINGS_LISTED_IN_NOTES])
        if len(rows) > FINDINGS_LISTED_IN_NOTES:
            items += _("……等 %(count)d 份") % {"count": len(rows)}
        lines.append(_("%(group)s %(count)d 份：%(items)s") % {"group": label, "count": len(rows), "items": items})
    if not report.findings:
        lines.append(_("未发现缺失、错位或不应在柜的档案。"))
    return "\n".join(lines)


def stocktake_finish(stocktake: Stocktake, *, by, notes: str = "", **conditions) -> Stocktake:
    """Finish an open stocktake: compare its scans with the records (selectors.stocktake_report),
    keep the findings as they are now, and record the check as an inspection (reason 盘点) of the
    cabinet with the storage conditions entered (`conditions`: doors_windows_ok, …, damage_found)
    and the findings in its notes; the cabinet's inspection schedule moves on. No dossier is
    changed: the clerk puts things right through the usual steps."""
    _require_stock_taker(by)
    allowed = {
        "doors_windows_ok",
        "fire_protection_ok",
        "damp_protection_ok",
        "mould_found",
        "insects_found",
        "damage_found",
    }
    if set(conditions) - allowed:
        raise TypeError(f"unknown conditions: {sorted(set(conditions) - allowed)}")
    with transaction.atomic():
        stocktake = _stocktake_locked(stocktake)
        if not stocktake.scans.exists():
            raise ActionRefused(_("尚未扫描任何标签；不盘点请选择“放弃盘点”。"))
        report = selectors.stocktake_report(stocktake)
        summary = _findings_notes(report)
        inspection = Inspection.objects.create(
            inspector=by,
            inspected_on=timezone.localdate(),
            reason=InspectionReason.STOCKTAKE,
            cabinet=stocktake.cabinet,
            notes=f"{notes.strip()}\n{summary}" if notes.strip() else summary,
            **conditions,
        )
        StocktakeFinding.objects.bulk_create(
            StocktakeFinding(
                stocktake=stocktake,
                group=row.group,
                dossier=row.dossier,
                code=row.code[:100],
                recorded=row.recorded[:200],
                found_position=row.found_position,
            )
            for row in report.findings
        )
        stocktake.status = StocktakeStatus.FINISHED
        stocktake.finished_at, stocktake.finished_by = timezone.now(), by
        stocktake.inspection = inspection
        stocktake.found_count = len(report.found)
        stocktake.missing_count = len(report.missing)
        stocktake.misplaced_count = len(report.misplaced)
        stocktake.unexpected_count = len(report.unexpected)
        stocktake.save()
        _inspection_schedule_advance(inspection)
    return stocktake


def repair_open(document: Document, *, by, damage: str, inspection: Inspection | None = None) -> Repair:
    """Open a repair for a damaged document; it stays open until repaired. A destroyed document,
    or one of a destroyed dossier, is gone: nothing to repair."""
    _require_archive_clerk(by)
    if document.destroyed_at is not None or document.dossier.status == DossierStatus.DESTROYED:
        raise ActionRefused(_("此文件已销毁，不能修改。"))
    if not damage.strip():
        raise ActionRefused(_("请描述破损情况。"))
    return Repair.objects.create(document=document, reported_by=by, damage=damage.strip(), inspection=inspection)


def repair_close(repair: Repair, *, by, repaired_on, notes: str = "") -> Repair:
    """Close an open repair once, with who repaired it and a date between its discovery and today
    (decided on the locked repair row)."""
    _require_archive_clerk(by)
    with transaction.atomic():
        repair = Repair.objects.select_for_update().get(pk=repair.pk)
        if repair.repaired_on is not None:
            raise TransitionRefused(_("此修复记录已关闭。"))
        if repaired_on < repair.reported_on:
            raise TransitionRefused(_("修复日期不能早于发现日期。"))
        if repaired_on > timezone.localdate():
            raise TransitionRefused(_("修复日期不能晚于今天。"))
        repair.repaired_on = repaired_on
        repair.repaired_by = by
        repair.repair_notes = notes
        repair.save()
    return repair


def overdue_promotions_notify(*, today=None) -> int:
    """Tell the archive clerks and managers about dossiers whose promotion is overdue (the due day
    passed, still not formal). Sent once per dossier, on the first working day after its due date:
    nothing on a day off, and on the first working day after one, for every limit that ran out
    since the last working day."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0
    dossiers = list(
        Dossier.objects.filter(
            status=DossierStatus.COMPLETION_RECEIVED,
            promotion_due_on__gte=add_working_days(today, -1),
            promotion_due_on__lt=today,
        )
        .select_related("customer")
        .order_by("pk")
    )
    for dossier in dossiers:
        message = _("档案转正逾期：%(customer)s 的竣工文档于 %(received)s 收到，应于 %(due)s 前转为正式档案。") % {
            "customer": dossier.customer,
            "received": dossier.completion_received_on.isoformat(),
            "due": dossier.promotion_due_on.isoformat(),
        }
        for role in (Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER):
            notification_send_to_role(role=role, message=message, link=reverse("dossiers:detail", args=[dossier.pk]))
    return len(dossiers)


def _read_request_link(request: ReadRequest) -> str:
    return reverse("dossiers:read_request", args=[request.pk])


def read_request_create(
    *, requester, customer, scope: str, content: str, purpose: str, working_days: int = 1, document_types=()
) -> ReadRequest:
    """查阅申请: `requester`, outside the customer's tier, asks to read its profile and, by `scope`,
    none, some types, or all of its dossier's documents (temporary or formal, or no dossier yet)
    for `working_days` working days (at most READ_ACCESS_MAX_DAYS). Its chain (SPEC §9) is copied
    now and its first approvers told."""
    if requester.department_id is None:
        raise ActionRefused(_("您尚未分配部门，请联系系统管理员。"))
    if not content.strip() or not purpose.strip():
        raise ActionRefused(_("请写明查阅内容和目的。"))
    if not 1 <= working_days <= settings.READ_ACCESS_MAX_DAYS:
        raise ActionRefused(_("查阅期限为 1 至 %(days)d 个工作日。") % {"days": settings.READ_ACCESS_MAX_DAYS})
    if scope == ReadRequestScope.TYPES and not document_types:
        raise ActionRefused(_("请选择要查阅的文件类型。"))
    if secrecy.tier_opens_customer(requester, customer):
        raise ActionRefused(_("您本来就可以查阅此客户，无需申请。"))
    with transaction.atomic():
        request = ReadRequest.objects.create(
            customer=customer,
            requester=requester,
            department_id=requester.department_id,
            scope=scope,
            content=content.strip(),
            purpose=purpose.strip(),
            working_days=working_days,
        )
        if scope == ReadRequestScope.TYPES:
            request.document_types.set(document_types)
        approval_open(
            kind=RequestKind.READ,
            request_id=request.pk,
            reference=request.number,
            link=_read_request_link(request),
            subject=subject_for_customer(requester, customer),
        )
    return request


def _read_request_locked(request: ReadRequest) -> ReadRequest:
    return (
        ReadRequest.objects.select_for_update(of=("self",)).select_related("customer", "requester").get(pk=request.pk)
    )


def _read_request_grant(request: ReadRequest, *, by):
    """The request's own grant, from now to the end of its working days: the documents it names
    (the dossier's documents of the types asked for, as they are now), never the top-secret ones
    unless the general manager approved."""
    if request.scope == ReadRequestScope.TYPES:
        request.documents.set(
            Document.objects.filter(
                dossier__customer_id=request.customer_id, document_type__in=request.document_types.all()
            )
        )
    general_manager_signed = any(
        task.status == TaskStatus.APPROVED and task.role == Role.GENERAL_MANAGER
        for task in approval_timeline(RequestKind.READ, request.pk)
    )
    return customer_access_grant(
        request.customer,
        user=request.requester,
        until=end_of_working_days(request.working_days),
        by=by,
        reference=request.number,
        reason=request.purpose,
        named_documents_only=request.scope != ReadRequestScope.WHOLE,
        opens_top_secret=general_manager_signed,
    )


def read_request_decide(request: ReadRequest, *, by, approve: bool, comment: str = "") -> ReadRequest:
    """`by` signs the next step of the request's chain; the last approval opens the customer to the
    requester through the request's own grant; a refusal ends the request. Either way the
    requester is told."""
    if not approve and not comment.strip():
        raise ActionRefused(_("请写明不同意的原因。"))
    with transaction.atomic():
        request = _read_request_locked(request)
        if request.status != ReadRequestStatus.REQUESTED:
            raise TransitionRefused(
                _("查阅申请 %(number)s 当前状态为“%(status)s”，不能审批。")
                % {"number": request.number, "status": request.get_status_display()}
            )
        decision = approval_decide(
            kind=RequestKind.READ, request_id=request.pk, by=by, approve=approve, comment=comment
        )
        if decision.outcome == ApprovalOutcome.PENDING:
            return request
        request.decided_at = timezone.now()
        if decision.outcome == ApprovalOutcome.REJECTED:
            request.status = ReadRequestStatus.REJECTED
            message = _("您的查阅申请 %(number)s 未获批准：%(reason)s") % {
                "number": request.number,
                "reason": comment.strip(),
            }
        else:
            request.status = ReadRequestStatus.APPROVED
            request.grant = _read_request_grant(request, by=by)
            message = _("您的查阅申请 %(number)s 已批准，可查阅至 %(until)s。") % {
                "number": request.number,
                "until": timezone.localtime(request.grant.expires_at).strftime("%Y-%m-%d %H:%M"),
            }
        request.save()
        notification_send(recipient=request.requester, message=message, link=_read_request_link(request))
    return request


def read_request_withdraw(request: ReadRequest, *, by) -> ReadRequest:
    """The requester withdraws a request, or ends an approved one early (its grant is revoked)."""
    with transaction.atomic():
        request = _read_request_locked(request)
        if by.pk != request.requester_id:
            raise ActionRefused(_("只有申请人可以撤回申请。"))
        if request.status not in (ReadRequestStatus.REQUESTED, ReadRequestStatus.APPROVED):
            raise TransitionRefused(_("此申请已结束。"))
        request.status = ReadRequestStatus.WITHDRAWN
        request.save()
        approval_close(kind=RequestKind.READ, request_id=request.pk)
        customer_access_revoke(request.grant)
    return request


def _export_request_link(request: ExportRequest) -> str:
    return reverse("dossiers:export_request", args=[request.pk])


def export_request_create(*, requester, purpose: str) -> ExportRequest:
    """导出申请: ask for the right to export the customers one may read. Someone whose role
    already gives it needs none; otherwise the export chain (SPEC §9) is copied now."""
    if not purpose.strip():
        raise ActionRefused(_("请写明导出目的。"))
    if customer_permissions.can_export_customers_by_role(requester):
        raise ActionRefused(_("您的角色本来就可以导出客户数据，无需申请。"))
    if requester.department_id is None:
        raise ActionRefused(_("您尚未分配部门，请联系系统管理员。"))
    with transaction.atomic():
        request = ExportRequest.objects.create(requester=requester, purpose=purpose.strip())
        steps = approval_open(
            kind=RequestKind.EXPORT,
            request_id=request.pk,
            reference=request.number,
            link=_export_request_link(request),
            subject=Subject(requester=requester),
        )
        if not steps:
            # Only a manager's own export needs nobody's signature, and a manager needs no request:
            # an empty chain here is a misconfigured one, never an approval.
            raise ActionRefused(_("导出申请的审批流程没有适用的审批人，请联系系统管理员。"))
    return request


def _export_request_approved(request: ExportRequest):
    request.status, request.decided_at = ReadRequestStatus.APPROVED, timezone.now()
    request.permit = export_permit_grant(user=request.requester, until=end_of_working_days(1), reference=request.number)
    request.save()
    notification_send(
        recipient=request.requester,
        message=_("您的导出申请 %(number)s 已批准，今日下班前可导出。") % {"number": request.number},
        link=reverse("customers:list"),
    )


def export_request_decide(request: ExportRequest, *, by, approve: bool, comment: str = "") -> ExportRequest:
    """`by` signs the next step of the export request's chain; the last approval gives the permit."""
    if not approve and not comment.strip():
        raise ActionRefused(_("请写明不同意的原因。"))
    with transaction.atomic():
        request = ExportRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ReadRequestStatus.REQUESTED:
            raise TransitionRefused(_("此申请已处理。"))
        decision = approval_decide(
            kind=RequestKind.EXPORT, request_id=request.pk, by=by, approve=approve, comment=comment
        )
        if decision.outcome == ApprovalOutcome.APPROVED:
            _export_request_approved(request)
        elif decision.outcome == ApprovalOutcome.REJECTED:
            request.status, request.decided_at = ReadRequestStatus.REJECTED, timezone.now()
            request.save()
            notification_send(
                recipient=request.requester,
                message=_("您的导出申请 %(number)s 未获批准：%(reason)s")
                % {"number": request.number, "reason": comment.strip()},
                link=_export_request_link(request),
            )
    return request
