"""Lending (SPEC §5): the borrow register (借阅登记) and the photocopy register (影印登记),
and the monthly outstanding-loan report (每月5日统计)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm_archive.models import ChoiceLabels


class LoanKind(models.TextChoices):
    BORROW = "borrow", _("借阅（原件，公司内阅读）")
    PHOTOCOPY = "photocopy", _("影印（复印件外出使用）")


class LoanStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准，待发放")
    REJECTED = "rejected", _("未批准")
    CANCELLED = "cancelled", _("已撤回")
    ISSUED = "issued", _("原件已借出")
    COPIES_OUT = "copies_out", _("原件已归还，影印件在外")
    LOST = "lost", _("报失，待审批注销")
    CLOSED = "closed", _("已注销")
    WRITTEN_OFF = "written_off", _("已丢失注销")


# While in one of these, something (original or photocopies) is out and not returned.
OUTSTANDING_STATUSES = [LoanStatus.ISSUED, LoanStatus.COPIES_OUT]
# Out and not returned, for the monthly report: also what is reported lost and not yet written off.
NOT_RETURNED_STATUSES = [*OUTSTANDING_STATUSES, LoanStatus.LOST]
# While in one of these, the dossier's original is out or about to go out (approved), or its copies
# are, or their loss is being decided: such a dossier cannot be held apart for destruction.
OPEN_LOAN_STATUSES = [LoanStatus.APPROVED, *NOT_RETURNED_STATUSES]
# Still waiting for the original (a reservation queue is made of these, oldest first).
WAITING_STATUSES = [LoanStatus.REQUESTED, LoanStatus.APPROVED]


class OvernightStatus(models.TextChoices):
    """An original kept beyond the day it is lent (seed 000 §3: 原则上当天借阅须当天归还) needs a
    reason and its own approval; until approved, it is due back the same day."""

    NONE = "", _("当天归还")
    REQUESTED = "requested", _("过夜留存待审批")
    APPROVED = "approved", _("过夜留存已批准")
    REJECTED = "rejected", _("过夜留存未批准，当天归还")


class ReferenceCopy(models.Model):
    """参考副本 (seed 000 §3: 对经常使用的文档，内勤部可备份复印件): a registered copy of a document,
    lent instead of the original, which stays in its cabinet. Withdrawn copies are kept, marked."""

    document = models.ForeignKey(
        "dossiers.Document", verbose_name=_("文件"), on_delete=models.PROTECT, related_name="reference_copies"
    )
    number = models.PositiveSmallIntegerField(_("副本号"), validators=[MinValueValidator(1)])
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("注销原因"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["document_id", "number"]
        verbose_name = _("参考副本")
        verbose_name_plural = _("参考副本")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_reference_copy_number_per_document")
        ]

    def __str__(self):
        return _("%(document)s 副本%(number)d") % {"document": self.document.title, "number": self.number}


class Loan(ChoiceLabels):
    """One register entry: a request to borrow (or photocopy) a dossier, its approvals, issue,
    return and closing. The borrower never changes (a loan cannot be handed on)."""

    kind = models.CharField(_("用途"), max_length=16, choices=LoanKind)
    status = models.CharField(_("状态"), max_length=16, choices=LoanStatus, default=LoanStatus.REQUESTED)
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("档案"), on_delete=models.PROTECT, related_name="loans"
    )
    documents = models.ManyToManyField("dossiers.Document", verbose_name=_("文件"), blank=True, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("借阅人"), on_delete=models.PROTECT, related_name="loans"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="loans"
    )
    content = models.CharField(_("借阅内容"), max_length=300)
    purpose = models.CharField(_("用途说明"), max_length=300)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    requested_due_on = models.DateField(_("申请归还日期"), null=True, blank=True)

    needs_tier_approval = models.BooleanField(_("需密级审批"), default=False)
    archive_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("内勤部经理审批"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    archive_approved_at = models.DateTimeField(_("内勤部经理审批时间"), null=True, blank=True)
    tier_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("密级审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tier_approved_at = models.DateTimeField(_("密级审批时间"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("驳回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.CharField(_("驳回原因"), max_length=300, blank=True)

    issued_at = models.DateTimeField(_("借出时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField(_("应还时间"), null=True, blank=True)
    borrower_confirmed_at = models.DateTimeField(_("借阅人确认时间"), null=True, blank=True)

    original_returned_at = models.DateTimeField(_("原件归还时间"), null=True, blank=True)
    original_complete = models.BooleanField(_("原件完好"), null=True, blank=True)
    returned_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    returned_complete = models.BooleanField(_("归还完好"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("注销经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    remarks = models.CharField(_("备注"), max_length=300, blank=True)

    # 签收: the borrower signs in, or the clerk records a witnessed signature on paper.
    receipt_witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("见证签收经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    receipt_witness_note = models.CharField(_("签收见证说明"), max_length=300, blank=True)
    pages_out = models.PositiveIntegerField(_("交付页数"), null=True, blank=True)
    overnight_status = models.CharField(
        _("过夜留存"), max_length=16, choices=OvernightStatus, default=OvernightStatus.NONE, blank=True
    )
    overnight_reason = models.CharField(_("过夜留存原因"), max_length=300, blank=True)
    original_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原件接收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pages_returned = models.PositiveIntegerField(_("归还页数"), null=True, blank=True)
    returned_damaged = models.BooleanField(_("有破损"), null=True, blank=True)
    loss_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报失经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    loss_reported_at = models.DateTimeField(_("报失时间"), null=True, blank=True)
    loss_description = models.CharField(_("丢失情况"), max_length=300, blank=True)
    written_off_at = models.DateTimeField(_("丢失注销时间"), null=True, blank=True)
    # Reservation (预约): the original came back and is kept for this request until then.
    held_until = models.DateTimeField(_("保留至"), null=True, blank=True)
    reference_copy = models.ForeignKey(
        ReferenceCopy,
        verbose_name=_("参考副本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    # The borrower's own read grant when the tier is closed to them: it ends with this loan alone.
    grant = models.OneToOneField(
        "customers.CustomerAccessGrant",
        verbose_name=_("查阅授权"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loan",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("借阅登记")
        verbose_name_plural = _("借阅登记")
        indexes = [
            models.Index(fields=["kind", "-requested_at", "-id"]),
            models.Index(fields=["kind", "status", "-requested_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["borrower", "-requested_at"]),
            models.Index(fields=["department", "-requested_at"]),
            # A department manager's overdue loans (lending.selectors.department_overdue): without it
            # PostgreSQL ANDed the status index with the department's 500,000 loans (25 ms).
            models.Index(fields=["department", "status", "due_at"], name="loan_department_out"),
            # What is out, soonest due first (the desk's overdue and due-today lists): walked in
            # order, where (status, due_at) made PostgreSQL sort every loan out (15 → 0.5 ms).
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=OUTSTANDING_STATUSES),
                name="loan_out_by_due",
            ),
            models.Index(fields=["kind", "-issued_at"]),
            # The registers' sortable columns (lending.views.REGISTER_SORTS).
            models.Index(fields=["kind", "due_at", "id"], name="loan_sort_due"),
            models.Index(fields=["kind", "returned_at", "id"], name="loan_sort_returned"),
        ]
        constraints = [
            # 同一原件不能同时借出两次: the database refuses a second loan of an original that is out.
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(status="issued", reference_copy__isnull=True),
                name="one_original_out_per_dossier",
            ),
            models.UniqueConstraint(
                fields=["reference_copy"],
                condition=models.Q(status="issued"),
                name="one_loan_per_reference_copy_out",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__isnull=True)
                | models.Q(issued_at__isnull=True)
                | models.Q(due_at__gte=models.F("issued_at")),
                name="loan_due_not_before_issue",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["issued", "copies_out"])
                | models.Q(issued_at__isnull=False, issued_by__isnull=False, due_at__isnull=False),
                name="issued_loan_has_issue_and_due",
            ),
            models.CheckConstraint(
                condition=models.Q(issued_by__isnull=True) | ~models.Q(issued_by=models.F("borrower")),
                name="loan_issuer_is_not_borrower",
            ),
        ]

    def __str__(self):
        return self.register_number

    @property
    def register_number(self) -> str:
        prefix = "J" if self.kind == LoanKind.BORROW else "Y"
        return f"{prefix}{self.pk:06d}" if self.pk else prefix

    @property
    def lends_original(self) -> bool:
        """Whether this loan takes the original out of its cabinet (not a reference copy)."""
        return self.reference_copy_id is None

    @property
    def loss_report_id(self) -> int | None:
        """The latest loss report (its LOSS notice): its write-off chain is keyed by it, so a loss
        reported again after a refused write-off gets a chain of its own. Reads prefetched notices."""
        reports = [notice.pk for notice in self.notices.all() if notice.kind == NoticeKind.LOSS]
        return max(reports) if reports else None

    @property
    def awaiting_receipt(self) -> bool:
        """Whether what is out now waits for the borrower's 签收: the original (or reference copy)
        while issued, the photocopies once registered."""
        if self.status == LoanStatus.ISSUED:
            return self.borrower_confirmed_at is None
        if self.status == LoanStatus.COPIES_OUT:
            return self.photocopy.copies_signed_at is None
        return False

    @property
    def is_overdue(self) -> bool:
        return self.status in OUTSTANDING_STATUSES and self.due_at is not None and self.due_at < timezone.now()

    def days_overdue(self, at=None) -> int:
        if self.due_at is None:
            return 0
        at = at or timezone.now()
        return max(0, (timezone.localdate(at) - timezone.localdate(self.due_at)).days)


class PhotocopyRecord(models.Model):
    """影印登记: what was copied. The copies stay registered as lent until they come back."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="photocopy")
    copied_content = models.CharField(_("影印内容"), max_length=300)
    pages = models.PositiveIntegerField(_("页数"), validators=[MinValueValidator(1)])
    copies = models.PositiveSmallIntegerField(_("份数"), validators=[MinValueValidator(1)])
    copied_at = models.DateTimeField(_("影印时间"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    copies_due_on = models.DateField(_("影印件应还日期"))
    # 签收 of the copies: the borrower signs for them once registered (the original's receipt is the loan's).
    copies_signed_at = models.DateTimeField(_("影印件签收时间"), null=True, blank=True)
    copies_witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("见证签收经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    copies_witness_note = models.CharField(_("签收见证说明"), max_length=300, blank=True)
    copies_returned_at = models.DateTimeField(_("影印件归还时间"), null=True, blank=True)
    copies_complete = models.BooleanField(_("影印件完整"), null=True, blank=True)

    class Meta:
        verbose_name = _("影印记录")
        verbose_name_plural = _("影印记录")

    def __str__(self):
        return self.copied_content


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class Extension(models.Model):
    """续借: a later due date, approved like the loan itself."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="extensions")
    requested_due_at = models.DateTimeField(_("延至"))
    reason = models.CharField(_("原因"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=ExtensionStatus, default=ExtensionStatus.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    archive_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tier_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("续借")
        verbose_name_plural = _("续借")
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=models.Q(status="requested"), name="one_pending_extension_per_loan"
            )
        ]

    def __str__(self):
        return f"{self.loan} → {self.requested_due_at:%Y-%m-%d}"


class NoticeKind(models.TextChoices):
    COURTESY = "courtesy", _("到期提醒")
    OVERDUE = "overdue", _("逾期通知")
    RESERVATION = "reservation", _("预约到书通知")
    LOSS = "loss", _("丢失通知")


class LoanNotice(models.Model):
    """A notice sent about a loan, recorded on it (evidence: append-only): the courtesy reminder
    before the due time, each level of the overdue escalation, a reservation's "it is back"."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("类型"), max_length=16, choices=NoticeKind)
    level = models.PositiveSmallIntegerField(_("级别"), default=0)
    recipients = models.CharField(_("通知对象"), max_length=500)
    message = models.CharField(_("内容"), max_length=500)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("借阅通知")
        verbose_name_plural = _("借阅通知")
        indexes = [models.Index(fields=["loan", "kind", "level"])]
        constraints = [
            # Each level of a loan's overdue escalation, and its courtesy reminder, is sent once.
            models.UniqueConstraint(
                fields=["loan", "kind", "level"],
                condition=models.Q(kind__in=["courtesy", "overdue"]),
                name="one_notice_per_loan_level",
            )
        ]

    def __str__(self):
        return f"{self.loan} {self.get_kind_display()} {self.level}"


class BlockOverride(models.Model):
    """The archive manager lets a borrower with an overdue loan borrow once more, with a reason
    (SPEC §5). Good for one request made before `valid_until`; the request that uses it is named."""

    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("借阅人"), on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300)
    granted_at = models.DateTimeField(_("批准时间"), default=timezone.now)
    valid_until = models.DateTimeField(_("有效至"))
    loan = models.OneToOneField(
        Loan, verbose_name=_("用于"), on_delete=models.PROTECT, null=True, blank=True, related_name="block_override"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("逾期借阅特批")
        verbose_name_plural = _("逾期借阅特批")

    def __str__(self):
        return f"{self.borrower} · {self.granted_at:%Y-%m-%d}"


class MonthlyReportKind(models.TextChoices):
    OFFICIAL = "official", _("官方月报")
    SNAPSHOT = "snapshot", _("即时快照")


# The official report of a month belongs to its 5th (每月5日统计); nothing official is taken earlier.
OFFICIAL_REPORT_DAY = 5


class MonthlyReport(ChoiceLabels):
    """每月5日统计: everything out and not returned at `taken_at`, for the general manager.

    A month has one official report (the database refuses a second), taken by the beat job on the
    5th or by the first run after it; a snapshot is taken on demand, labelled as such, never takes
    the official slot, and a month may have any number of them."""

    kind = models.CharField(_("类型"), max_length=16, choices=MonthlyReportKind)
    year = models.PositiveSmallIntegerField(_("年"))
    month = models.PositiveSmallIntegerField(_("月"))
    taken_at = models.DateTimeField(_("统计时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "-month", "kind", "-taken_at"]
        verbose_name = _("借阅未还月报")
        verbose_name_plural = _("借阅未还月报")
        indexes = [models.Index(fields=["-year", "-month", "kind", "-taken_at"], name="monthly_report_list_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"], condition=models.Q(kind="official"), name="one_official_report_per_month"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=["official", "snapshot"]), name="monthly_report_kind"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="monthly_report_month"),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.get_kind_display()}"

    @property
    def is_official(self) -> bool:
        return self.kind == MonthlyReportKind.OFFICIAL


class MonthlyReportLine(models.Model):
    """One item out at the moment of the report, copied so the report never changes afterwards."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT, related_name="lines")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("类别"), max_length=16)  # "original", "photocopy" or "reference_copy"
    register_number = models.CharField(_("登记号"), max_length=16)
    archive_number = models.CharField(_("档号"), max_length=40)
    material = models.CharField(_("材料名称"), max_length=300)
    borrower = models.CharField(_("借阅人"), max_length=150)
    department = models.CharField(_("部门"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=300)
    issued_at = models.DateTimeField(_("借出时间"))
    due_at = models.DateTimeField(_("应还时间"))
    days_overdue = models.PositiveIntegerField(_("逾期天数"))

    class Meta:
        ordering = ["id"]
        # A page of a report's lines, in order, from the index alone (the report page pages them).
        indexes = [models.Index(fields=["report", "id"], name="report_line_page")]
        verbose_name = _("月报条目")
        verbose_name_plural = _("月报条目")

    def __str__(self):
        return f"{self.report} {self.register_number}"
