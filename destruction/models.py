"""Destruction (SPEC §6): retention holds, destruction lists (销毁清册) and the destruction register."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm_archive.models import ChoiceLabels
from dossiers.models import retention_label

HOLD_MONTHS = 6


class Hold(models.Model):
    """A legal or business hold the archive manager places on a dossier: while it is active the
    dossier cannot be put on a destruction list or destroyed."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("档案"), on_delete=models.PROTECT, related_name="holds"
    )
    reason = models.CharField(_("原因"), max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lift_reason = models.CharField(_("解除原因"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("保留冻结")
        verbose_name_plural = _("保留冻结")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(lifted_at__isnull=True), name="one_active_hold_per_dossier"
            )
        ]

    def __str__(self):
        return f"{self.dossier}: {self.reason}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    SUBMITTED = "submitted", _("待鉴定")
    APPRAISED = "appraised", _("已鉴定，待审批")
    REJECTED = "rejected", _("未批准")
    HELD = "held", _("已批准，单独存放中")
    VERIFIED = "verified", _("已验证，待销毁")
    DESTROYED = "destroyed", _("已销毁")


# Lists whose proposed items are still "on a list" (not free to be proposed again).
ACTIVE_LIST_STATUSES = [
    ListStatus.DRAFT,
    ListStatus.SUBMITTED,
    ListStatus.APPRAISED,
    ListStatus.HELD,
    ListStatus.VERIFIED,
]
# Lists whose items are held apart (单独存放) and cannot be lent.
HELD_APART_STATUSES = [ListStatus.HELD, ListStatus.VERIFIED]


class DestructionList(ChoiceLabels):
    """销毁清册: drafted by the archive clerk from expired items of one producing department;
    appraised jointly by the customer service manager and that department's head; approved by
    the customer director; held apart six months; verified; destroyed under a supervisor."""

    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("档案形成部门"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=ListStatus, default=ListStatus.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("造册人"), on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("造册时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交鉴定时间"), null=True, blank=True)
    cs_appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户服务部经理鉴定"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cs_appraised_at = models.DateTimeField(_("客户服务部经理鉴定时间"), null=True, blank=True)
    department_appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("形成部门负责人鉴定"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department_appraised_at = models.DateTimeField(_("档案形成部门经理鉴定时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户总监审批"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    rejection_reason = models.CharField(_("不批准的原因"), max_length=300, blank=True)
    hold_until = models.DateField(_("单独存放至"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验证人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    destroyed_on = models.DateField(_("销毁日期"), null=True, blank=True)
    place = models.CharField(_("销毁地点"), max_length=200, blank=True)
    method = models.CharField(_("销毁方式"), max_length=100, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supervisor_signed_at = models.DateTimeField(_("监销人签字时间"), null=True, blank=True)
    hold_end_notified_on = models.DateField(_("保存期满通知日期"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-drafted_at", "-id"]
        verbose_name = _("销毁清册")
        verbose_name_plural = _("销毁清册")
        indexes = [
            models.Index(fields=["status", "hold_until"]),
            # The index page's sortable columns (destruction.views.LIST_SORTS).
            models.Index(fields=["-drafted_at", "-id"], name="destruction_sort_drafted"),
            models.Index(fields=["hold_until", "id"], name="destruction_sort_hold"),
            models.Index(fields=["destroyed_on", "id"], name="destruction_sort_destroyed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="destroyed")
                | models.Q(supervisor__isnull=False, place__gt="", method__gt="", destroyed_on__isnull=False),
                name="destroyed_list_has_its_record",
            ),
            models.CheckConstraint(
                condition=models.Q(cs_appraised_by__isnull=True)
                | models.Q(department_appraised_by__isnull=True)
                | ~models.Q(cs_appraised_by=models.F("department_appraised_by")),
                name="two_different_appraisers",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"XH{timezone.localtime(self.drafted_at):%Y}-{self.pk:04d}" if self.pk else "XH"


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟销毁")
    KEPT_BACK = "kept_back", _("鉴定保留")
    WITHDRAWN = "withdrawn", _("已撤出")
    DESTROYED = "destroyed", _("已销毁")


class DestructionItem(ChoiceLabels):
    """One entry of a destruction list: a whole dossier, or one document of it. What the register
    prints is copied in when the item is proposed, so it stays true after destruction."""

    destruction_list = models.ForeignKey(DestructionList, on_delete=models.PROTECT, related_name="items")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("档案"), on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(
        "dossiers.Document", verbose_name=_("文件"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=ItemStatus, default=ItemStatus.PROPOSED)
    title = models.CharField(_("题名"), max_length=300)
    archive_number = models.CharField(_("档号"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    retention = models.CharField(_("保管期限"), max_length=50)
    retention_due_on = models.DateField(_("保管期满日期"))
    pages = models.PositiveIntegerField(_("页数"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("保留或撤出原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("销毁清册条目")
        verbose_name_plural = _("销毁清册条目")
        constraints = [
            # A record is proposed on one list at a time.
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(status="proposed", document__isnull=True),
                name="dossier_proposed_once",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(status="proposed", document__isnull=False),
                name="document_proposed_once",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def retention_display(self) -> str:
        """The retention copied in (stored in Chinese), in the reader's language."""
        return retention_label(self.retention)
