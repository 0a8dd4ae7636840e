"""Dossiers (客户档案), their documents (卷内文件), cabinets, keys, inspections and repairs (SPEC §3)."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm_archive.models import ChoiceLabels
from crm_archive.workdays import add_working_days
from customers.models import SecrecyTier

PROMOTION_DAYS = 5


class PrivateScanStorage(LazyObject):
    """The storage of STORAGES["scans"] (crm_archive/storage.py): MEDIA_ROOT/scans, or an S3
    bucket shared by several servers. Only access-checked views serve a scan, reading it through
    the storage."""

    def _setup(self):
        self._wrapped = storages["scans"]


private_scan_storage = PrivateScanStorage()


@receiver(setting_changed)
def _scan_storage_forget(*, setting, **kwargs):
    # Django forgets its storages when STORAGES changes (a test overriding it); so does this one.
    if setting == "STORAGES":
        private_scan_storage._wrapped = empty


def scan_storage():
    """The storage of scans, as a callable so that migrations name it instead of freezing the
    machine's MEDIA_ROOT path into their text."""
    return private_scan_storage


def scan_upload_to(document, filename):
    # The stored name never reuses the uploaded one: it could carry a path or a script.
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        document.scan_content_type, "bin"
    )
    return f"{timezone.localdate():%Y/%m}/dossier-{document.dossier_id}-{timezone.now():%H%M%S%f}.{extension}"


# The seeded retention names (永久, 定期30年, 定期10年) are data, stored in Chinese; an English
# reader sees them through these translatable strings. A name an administrator wrote otherwise is
# shown as written.
RETENTION_YEARS_NAME = re.compile(r"定期(\d{1,4})年")


def retention_label(name: str) -> str:
    """The retention period `name` (a RetentionPeriod's, or the copy a destruction item keeps) in
    the reader's language: 永久 and 定期N年 are translated, any other name is shown as written."""
    if name == "永久":
        return gettext("永久")
    match = RETENTION_YEARS_NAME.fullmatch(name)
    if match:
        years = int(match.group(1))
        return ngettext("定期%(years)d年", "定期%(years)d年", years) % {"years": years}
    return name


class RetentionPeriod(models.Model):
    """保管期限: data an administrator can extend (永久, 定期30年, 定期10年 are seeded)."""

    code = models.CharField(_("代码"), max_length=8, unique=True, help_text=_("用于档号，例如 Y、D30、D10。"))
    name = models.CharField(_("名称"), max_length=50)
    years = models.PositiveSmallIntegerField(_("年限"), null=True, blank=True, help_text=_("留空表示永久保存。"))

    class Meta:
        ordering = [models.F("years").desc(nulls_first=True)]
        verbose_name = _("保管期限")
        verbose_name_plural = _("保管期限")

    def __str__(self):
        return retention_label(self.name)

    @property
    def is_permanent(self) -> bool:
        return self.years is None


class DocumentType(models.Model):
    """A kind of document; `required` ones must be in a dossier before it can be promoted."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    required_for_promotion = models.BooleanField(_("转正式档案必需"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("文件类型")
        verbose_name_plural = _("文件类型")

    def __str__(self):
        return self.name


class Cabinet(models.Model):
    """档案柜: two keys, the archive office's and the general manager's backup."""

    code = models.CharField(_("柜号"), max_length=20, unique=True)
    place = models.CharField(_("存放地点"), max_length=200)
    positions = models.PositiveSmallIntegerField(_("格位数"), default=40, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("档案柜")
        verbose_name_plural = _("档案柜")

    def __str__(self):
        return f"{self.code}（{self.place}）"


class DossierStatus(models.TextChoices):
    TEMPORARY = "temporary", _("临时档案")
    COMPLETION_RECEIVED = "completion_received", _("已收竣工文档")
    FORMAL = "formal", _("正式档案")
    DESTROYED = "destroyed", _("已销毁")


class DossierCustody(models.TextChoices):
    """Where the dossier's original is, and so whether it may be lent: only a dossier in its cabinet
    is handed out. Set on the locked dossier row by the services that move it (promotion, issue and
    return, approval and destruction), so lending reads it here and never asks destruction."""

    FILING = "filing", _("临时档案")  # with the archive clerk while it is being filed
    IN_CABINET = "in_cabinet", _("正式档案")  # shelved in its cabinet
    ON_LOAN = "on_loan", _("原件已借出")
    HELD_APART = "held_apart", _("已批准，单独存放中")  # approved for destruction: never lent again
    DESTROYED = "destroyed", _("已销毁")


class Dossier(ChoiceLabels):
    """One customer's dossier (一户一档) and its lifecycle: temporary → completion received →
    formal → destroyed. Its secrecy tier is the customer's."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="dossier"
    )
    status = models.CharField(
        _("状态"), max_length=24, choices=DossierStatus, default=DossierStatus.TEMPORARY, db_index=True
    )
    retention = models.ForeignKey(RetentionPeriod, verbose_name=_("保管期限"), on_delete=models.PROTECT)
    opened_on = models.DateField(_("建档日期（合同签订）"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建档人"), on_delete=models.PROTECT, related_name="+"
    )
    completion_received_on = models.DateField(_("竣工文档收到日期"), null=True, blank=True)
    promotion_due_on = models.DateField(_("转正期限"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("转正时间"), null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转正经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    archive_number = models.CharField(_("档号"), max_length=40, unique=True, null=True, blank=True)
    filing_year = models.PositiveSmallIntegerField(_("归档年度"), null=True, blank=True)
    cabinet = models.ForeignKey(
        Cabinet, verbose_name=_("档案柜"), on_delete=models.PROTECT, null=True, blank=True, related_name="dossiers"
    )
    position = models.PositiveSmallIntegerField(_("格位"), null=True, blank=True)
    destroyed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)
    custody = models.CharField(
        _("存放地点"), max_length=16, choices=DossierCustody, default=DossierCustody.FILING, db_index=True
    )
    # Who holds the original while it is on loan (set and cleared with the custody, by
    # dossiers.services.dossier_custody_move), so the custody timeline can say "借出给 张一" without
    # dossiers knowing about loans.
    custody_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原件持有人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("客户档案")
        verbose_name_plural = _("客户档案")
        indexes = [
            models.Index(fields=["-opened_on", "-id"]),
            # Promotions due, oldest first with the id as tiebreak: a day with thousands due no
            # longer sorts them all to show ten (13 → 0.5 ms).
            models.Index(fields=["status", "promotion_due_on", "id"], name="dossier_promotion_due"),
            models.Index(fields=["promotion_due_on", "id"], name="dossier_sort_due"),
            # The list filtered by year and status, in its default order (newest opened first):
            # walked in order, where (filing_year, status) alone left the sort to the opened_on
            # index, which read 50,000 dossiers to find a page of one year's (15 → 1 ms).
            models.Index(fields=["filing_year", "status", "-opened_on", "-id"], name="dossier_year_status_opened"),
            models.Index(fields=["cabinet", "position"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="formal")
                | models.Q(archive_number__isnull=False, cabinet__isnull=False, position__isnull=False),
                name="formal_dossier_is_numbered_and_shelved",
            ),
            models.UniqueConstraint(
                fields=["cabinet", "position"],
                condition=models.Q(cabinet__isnull=False, status="formal"),
                name="one_dossier_per_cabinet_position",
            ),
            models.CheckConstraint(
                condition=models.Q(completion_received_on__isnull=True)
                | models.Q(completion_received_on__gte=models.F("opened_on")),
                name="completion_not_before_opening",
            ),
        ]

    def __str__(self):
        return self.label(self.archive_number, self.customer)

    @staticmethod
    def label(archive_number: str | None, customer) -> str:
        """How a dossier is named: its archive number, or, before it has one, its customer's."""
        return archive_number or _("临时档案：%(customer)s") % {"customer": customer}

    @property
    def secrecy_tier(self) -> str:
        return self.customer.secrecy_tier

    def get_secrecy_tier_display(self) -> str:
        return self.customer.get_secrecy_tier_display()

    @property
    def custody_note(self) -> str:
        """The custody, when it says more than the status does (the original on loan, or held apart
        for destruction); empty otherwise. Shown beside the status."""
        if self.custody in (DossierCustody.ON_LOAN, DossierCustody.HELD_APART):
            return self.get_custody_display()
        return ""

    @property
    def promotion_is_overdue(self) -> bool:
        return (
            self.status == DossierStatus.COMPLETION_RECEIVED
            and self.promotion_due_on is not None
            and self.promotion_due_on < timezone.localdate()
        )

    @staticmethod
    def promotion_due_after(received_on):
        """The last day to promote a dossier whose completion documents came in on `received_on`:
        PROMOTION_DAYS working days later (crm_archive/workdays.py), or calendar days when
        PROMOTION_LIMIT_COUNTS is "calendar". Stored on the dossier, so a later change to the
        calendar moves no limit already set."""
        if settings.PROMOTION_LIMIT_COUNTS == "calendar":
            return received_on + timedelta(days=PROMOTION_DAYS)
        return add_working_days(received_on, PROMOTION_DAYS)


class ArchiveNumberCounter(models.Model):
    """The last sequence used per (year, retention code); locked with SELECT … FOR UPDATE so two
    promotions never draw the same archive number."""

    year = models.PositiveSmallIntegerField()
    retention_code = models.CharField(max_length=8)
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "retention_code"], name="one_counter_per_year_retention")
        ]

    def __str__(self):
        return f"{self.year}-{self.retention_code}: {self.last_sequence}"


class Document(ChoiceLabels):
    """卷内文件: one document filed in a dossier, in the volume of its filing year; top-secret
    documents form a separate volume."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="documents")
    document_type = models.ForeignKey(DocumentType, verbose_name=_("文件类型"), on_delete=models.PROTECT)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    title = models.CharField(_("题名"), max_length=300)
    made_on = models.DateField(_("形成日期"))
    responsible_party = models.CharField(_("责任者"), max_length=200)
    pages = models.PositiveIntegerField(_("页数"), validators=[MinValueValidator(1)])
    copies = models.PositiveSmallIntegerField(_("份数"), default=1, validators=[MinValueValidator(1)])
    is_original = models.BooleanField(_("原件"), default=True)
    secrecy_tier = models.CharField(_("密级"), max_length=16, choices=SecrecyTier, default=SecrecyTier.PERSONAL)
    retention = models.ForeignKey(RetentionPeriod, verbose_name=_("保管期限"), on_delete=models.PROTECT)
    filing_year = models.PositiveSmallIntegerField(_("归档年度"))
    position = models.PositiveIntegerField(_("卷内顺序"), default=0)
    remarks = models.CharField(_("备注"), max_length=300, blank=True)
    scan = models.FileField(_("扫描件"), storage=scan_storage, upload_to=scan_upload_to, blank=True)
    scan_content_type = models.CharField(_("扫描件类型"), max_length=40, blank=True, editable=False)
    filed_at = models.DateTimeField(_("归档时间"), default=timezone.now, editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("归档人"), on_delete=models.PROTECT, related_name="+"
    )
    destroyed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["filing_year", "position", "made_on", "id"]
        verbose_name = _("卷内文件")
        verbose_name_plural = _("卷内文件")
        indexes = [models.Index(fields=["dossier", "filing_year", "position"])]

    def __str__(self):
        return self.title

    @property
    def is_top_secret(self) -> bool:
        return self.secrecy_tier == SecrecyTier.TOP_SECRET

    @property
    def volume_kind(self) -> str:
        return VOLUME_TOP_SECRET if self.is_top_secret else VOLUME_REGULAR


VOLUME_REGULAR = "regular"
VOLUME_TOP_SECRET = "top-secret"


class VolumeRemarks(models.Model):
    """卷内备考表 of one volume: notes, who compiled (立卷人) and checked (检查人) it, and when."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="volume_remarks")
    filing_year = models.PositiveSmallIntegerField(_("归档年度"))
    top_secret = models.BooleanField(_("绝密卷"), default=False)
    notes = models.TextField(_("情况说明"), blank=True)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("立卷人"), on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    compiled_on = models.DateField(_("立卷日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("卷内备考表")
        verbose_name_plural = _("卷内备考表")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "filing_year", "top_secret"], name="one_remarks_sheet_per_volume"
            )
        ]

    def __str__(self):
        return f"{self.dossier} {self.filing_year}"


class VolumeRemarksEntry(models.Model):
    """A later note on a remarks sheet (seed 002 §18, 004 part 8): each is signed and dated by
    whoever writes it and never changed; the first filing's notes, 立卷人 and 检查人 stay as they were."""

    remarks = models.ForeignKey(VolumeRemarks, on_delete=models.PROTECT, related_name="entries")
    notes = models.TextField(_("情况说明"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    written_on = models.DateField(_("日期"), default=timezone.localdate)
    written_at = models.DateTimeField(_("填写时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = _("备考表补充说明")
        verbose_name_plural = _("备考表补充说明")

    def __str__(self):
        return f"{self.remarks} · {self.written_on}"


class BackupKeyUse(models.Model):
    """A use of a cabinet's backup key (the general manager's); each one notifies the archive manager."""

    cabinet = models.ForeignKey(
        Cabinet, verbose_name=_("档案柜"), on_delete=models.PROTECT, related_name="backup_key_uses"
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("使用人"), on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("使用时间"), default=timezone.now)
    reason = models.CharField(_("原因"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-used_at", "-id"]
        verbose_name = _("备用钥匙使用记录")
        verbose_name_plural = _("备用钥匙使用记录")

    def __str__(self):
        return f"{self.cabinet.code} {self.used_at:%Y-%m-%d %H:%M}"


class InspectionReason(models.TextChoices):
    PERIODIC = "periodic", _("定期检查")
    DAMAGE_FOUND = "damage_found", _("发现损害")
    DOUBT = "doubt", _("对档案有疑问")
    INCIDENT = "incident", _("突发事件后（被盗、遗失、火灾等）")
    STOCKTAKE = "stocktake", _("盘点")  # recorded by finishing a stocktake, not typed in


class Inspection(ChoiceLabels):
    """检查与核对: the storage environment and the materials themselves."""

    inspected_on = models.DateField(_("检查日期"), default=timezone.localdate)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("检查原因"), max_length=16, choices=InspectionReason, default=InspectionReason.PERIODIC)
    cabinet = models.ForeignKey(
        Cabinet,
        verbose_name=_("档案柜"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("留空表示整个库房。"),
    )
    doors_windows_ok = models.BooleanField(_("门窗完好"), default=True)
    fire_protection_ok = models.BooleanField(_("防火器材齐备"), default=True)
    damp_protection_ok = models.BooleanField(_("防潮器材齐备"), default=True)
    mould_found = models.BooleanField(_("发现霉烂"), default=False)
    insects_found = models.BooleanField(_("发现虫蛀"), default=False)
    damage_found = models.BooleanField(_("发现破损"), default=False)
    notes = models.TextField(_("情况记录"), blank=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        indexes = [models.Index(fields=["cabinet", "-inspected_on"], name="inspection_cabinet_latest")]

    def __str__(self):
        return f"{self.inspected_on} {self.get_reason_display()}"

    @property
    def problems_found(self) -> bool:
        return not (self.doors_windows_ok and self.fire_protection_ok and self.damp_protection_ok) or (
            self.mould_found or self.insects_found or self.damage_found
        )


class Repair(models.Model):
    """破损及时修复: a damaged document's repair, open until repaired."""

    document = models.ForeignKey(Document, verbose_name=_("文件"), on_delete=models.PROTECT, related_name="repairs")
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查记录"), on_delete=models.PROTECT, null=True, blank=True, related_name="repairs"
    )
    reported_on = models.DateField(_("发现日期"), default=timezone.localdate)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    damage = models.CharField(_("破损情况"), max_length=300)
    repaired_on = models.DateField(_("修复日期"), null=True, blank=True)
    repaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    repair_notes = models.CharField(_("修复说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("修复记录")
        verbose_name_plural = _("修复记录")
        indexes = [
            models.Index(fields=["reported_on"], condition=models.Q(repaired_on__isnull=True), name="repair_open")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(repaired_on__isnull=True) | models.Q(repaired_on__gte=models.F("reported_on")),
                name="repair_not_before_report",
            )
        ]

    def __str__(self):
        return self.damage

    @property
    def is_open(self) -> bool:
        return self.repaired_on is None


class InspectionSchedule(models.Model):
    """定期检查 (seed 002 §23): one cabinet, or the whole store (no cabinet), is inspected every
    `every_months` months. The archive clerks and the archive manager are reminded once when
    `next_due_on` comes; recording an inspection (or finishing a stocktake) of that scope moves it on."""

    cabinet = models.ForeignKey(
        Cabinet,
        verbose_name=_("档案柜"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_schedules",
        help_text=_("留空表示整个库房。"),
    )
    every_months = models.PositiveSmallIntegerField(
        _("检查周期（月）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    next_due_on = models.DateField(_("下次检查日期"))
    is_active = models.BooleanField(_("启用"), default=True)
    # The due date already reminded of: one reminder per due date, however many days it stays due.
    reminded_for = models.DateField(_("已提醒的检查日期"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["next_due_on", "id"]
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        indexes = [models.Index(fields=["is_active", "next_due_on"], name="inspection_schedule_due")]
        constraints = [
            models.UniqueConstraint(
                Coalesce("cabinet", models.Value(0)),
                name="one_inspection_schedule_per_scope",
                violation_error_message=_("此档案柜（或整个库房）已有检查计划，请修改原计划。"),
            )
        ]

    def __str__(self):
        scope = self.cabinet.code if self.cabinet_id else _("整个库房")
        return _("%(scope)s 每 %(months)d 个月") % {"scope": scope, "months": self.every_months}

    @property
    def is_due(self) -> bool:
        return self.is_active and self.next_due_on <= timezone.localdate()


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("盘点中")
    FINISHED = "finished", _("已完成")
    CANCELLED = "cancelled", _("已放弃")


class Stocktake(ChoiceLabels):
    """盘点 of one cabinet: the clerk scans the position labels and the dossiers on the shelf in
    order (StocktakeScan); finishing compares them with the records, keeps the findings
    (StocktakeFinding) and records the check as an inspection. It reports and changes no dossier.
    Once finished (or given up), it and its scans are evidence and never change."""

    cabinet = models.ForeignKey(Cabinet, verbose_name=_("档案柜"), on_delete=models.PROTECT, related_name="stocktakes")
    status = models.CharField(_("状态"), max_length=16, choices=StocktakeStatus, default=StocktakeStatus.OPEN)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("盘点人"), on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inspection = models.OneToOneField(
        Inspection,
        verbose_name=_("检查记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stocktake",
    )
    found_count = models.PositiveIntegerField(_("在位"), default=0)
    missing_count = models.PositiveIntegerField(_("缺失"), default=0)
    misplaced_count = models.PositiveIntegerField(_("错位"), default=0)
    unexpected_count = models.PositiveIntegerField(_("不应在柜"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("盘点")
        verbose_name_plural = _("盘点")
        indexes = [models.Index(fields=["cabinet", "-started_at"], name="stocktake_cabinet_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["cabinet"], condition=models.Q(status="open"), name="one_open_stocktake_per_cabinet"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="finished")
                | models.Q(finished_at__isnull=False, finished_by__isnull=False, inspection__isnull=False),
                name="finished_stocktake_is_recorded",
            ),
        ]

    def __str__(self):
        return _("%(cabinet)s 盘点 %(date)s") % {
            "cabinet": self.cabinet.code,
            "date": f"{timezone.localtime(self.started_at):%Y-%m-%d}",
        }

    @property
    def is_open(self) -> bool:
        return self.status == StocktakeStatus.OPEN


class ScanKind(models.TextChoices):
    POSITION = "position", _("格位标签")
    DOSSIER = "dossier", _("档案")
    UNKNOWN = "unknown", _("无法识别的编码")


class StocktakeScan(ChoiceLabels):
    """One code read during a stocktake, in order. `position` is the position label it names (a
    position scan) or the one scanned last before it (a dossier, or a code naming nothing)."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.PROTECT, related_name="scans")
    kind = models.CharField(_("类型"), max_length=16, choices=ScanKind)
    code = models.CharField(_("扫描内容"), max_length=100)
    position = models.PositiveSmallIntegerField(_("格位"))
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("档案"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scanned_at = models.DateTimeField(_("扫描时间"), default=timezone.now)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("扫描人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["stocktake", "id"]
        verbose_name = _("盘点扫描记录")
        verbose_name_plural = _("盘点扫描记录")

    def __str__(self):
        return self.code


class FindingGroup(models.TextChoices):
    MISSING = "missing", _("缺失")
    MISPLACED = "misplaced", _("错位")
    UNEXPECTED = "unexpected", _("不应在柜")


class StocktakeFinding(models.Model):
    """What a finished stocktake found out of order, as it was when it finished: a dossier recorded
    here but not scanned (missing), one found at another position or recorded in another cabinet
    (misplaced), or a code on the shelf that should not be there (unexpected)."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.PROTECT, related_name="findings")
    group = models.CharField(_("类别"), max_length=16, choices=FindingGroup)
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("档案"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("档号或扫描内容"), max_length=100)
    recorded = models.CharField(_("记录位置"), max_length=200, blank=True)
    found_position = models.PositiveSmallIntegerField(_("发现格位"), null=True, blank=True)

    class Meta:
        ordering = ["stocktake", "id"]
        verbose_name = _("盘点结果")
        verbose_name_plural = _("盘点结果")

    def __str__(self):
        return f"{self.get_group_display()} {self.code}"


class ReadRequestScope(models.TextChoices):
    PROFILE = "profile", _("客户资料（不含档案文件）")
    TYPES = "types", _("客户资料和指定类型的档案文件")
    WHOLE = "whole", _("客户资料和全部档案文件")


class ReadRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class ReadRequest(ChoiceLabels):
    """查阅申请 (SPEC §4, seed 003 policy 3 §四): someone outside a customer's tier asks to read its
    profile, and its dossier in whatever state it is (temporary, formal, or none yet). Approved
    through its chain (approvals/), it gives the requester its own grant until the end of the
    working days asked for; every read through it is logged against its number (CY000001)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="read_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="read_requests"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="read_requests"
    )
    scope = models.CharField(_("查阅范围"), max_length=16, choices=ReadRequestScope, default=ReadRequestScope.WHOLE)
    document_types = models.ManyToManyField(DocumentType, verbose_name=_("文件类型"), blank=True, related_name="+")
    documents = models.ManyToManyField(Document, verbose_name=_("文件"), blank=True, related_name="read_requests")
    content = models.CharField(_("查阅内容"), max_length=300)
    purpose = models.CharField(_("查阅目的"), max_length=300)
    working_days = models.PositiveSmallIntegerField(
        _("查阅期限（工作日）"), default=1, validators=[MinValueValidator(1)]
    )
    status = models.CharField(_("状态"), max_length=16, choices=ReadRequestStatus, default=ReadRequestStatus.REQUESTED)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审批完成时间"), null=True, blank=True)
    grant = models.OneToOneField(
        "customers.CustomerAccessGrant",
        verbose_name=_("查阅授权"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="read_request",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("查阅申请")
        verbose_name_plural = _("查阅申请")
        indexes = [
            models.Index(fields=["requester", "-requested_at"]),
            models.Index(fields=["customer", "-requested_at"]),
            models.Index(fields=["status", "-requested_at"]),
            # Everyone's requests, newest first, for those who keep the read register.
            models.Index(fields=["-requested_at", "-id"], name="read_request_sort_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(grant__isnull=False), name="approved_read_has_grant"
            )
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"CY{self.pk:06d}" if self.pk else "CY——"


class ExportRequest(ChoiceLabels):
    """导出申请 (seed 004 part 4 §3): someone without a managing role asks to export the customer
    data they may read; approved through its chain (by default their department manager), it lets
    them export until the end of that working day. Each export names it (DC000001)."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="export_requests"
    )
    purpose = models.CharField(_("导出目的"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=ReadRequestStatus, default=ReadRequestStatus.REQUESTED)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审批完成时间"), null=True, blank=True)
    permit = models.OneToOneField(
        "customers.ExportPermit",
        verbose_name=_("导出许可"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="export_request",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("导出申请")
        verbose_name_plural = _("导出申请")
        indexes = [models.Index(fields=["requester", "-requested_at"])]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"DC{self.pk:06d}" if self.pk else "DC——"
