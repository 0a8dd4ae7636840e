from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from crm_archive.models import ChoiceLabels


class SecrecyTier(models.TextChoices):
    """密级 (SPEC §4). Who may read each tier is decided in customers/secrecy.py only."""

    COMPANY = "company", _("公司级")
    DEPARTMENT = "department", _("部门级")
    PERSONAL = "personal", _("个人级")
    TOP_SECRET = "top_secret", _("绝密")


class CustomerCategory(models.TextChoices):
    POTENTIAL = "potential", _("潜在客户")
    INTENT = "intent", _("意向客户")
    SIGNED = "signed", _("签约客户")
    HISTORICAL = "historical", _("历史客户")
    LOST = "lost", _("流失客户")


class CustomerKind(models.TextChoices):
    DEALER = "dealer", _("经销商")
    END_CUSTOMER = "end_customer", _("终端客户")
    BANK = "bank", _("特殊客户：银行")
    LAWYER = "lawyer", _("特殊客户：律师")
    AUDITOR = "auditor", _("特殊客户：审计师")
    OTHER_SPECIAL = "other_special", _("特殊客户：其他")


class CustomerGrade(models.TextChoices):
    A = "A", _("A 级")
    B = "B", _("B 级")
    C = "C", _("C 级")
    D = "D", _("D 级")


class EnterpriseType(models.TextChoices):
    STATE_OWNED = "state_owned", _("国有企业")
    COLLECTIVE = "collective", _("集体企业")
    PRIVATE = "private", _("民营企业")
    JOINT_VENTURE = "joint_venture", _("合资企业")
    FOREIGN = "foreign", _("外资企业")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    OTHER = "other", _("其他")


class CreditStatus(models.TextChoices):
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")
    UNKNOWN = "unknown", _("未评估")


class Customer(ChoiceLabels):
    """客户基本资料: one profile per customer (一户一档)."""

    name = models.CharField(_("客户名称"), max_length=200, unique=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    fax = models.CharField(_("传真"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    website = models.URLField(_("网址"), blank=True)
    registered_capital = models.DecimalField(
        _("注册资本（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("注册资本不能为负数。"))],
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    enterprise_type = models.CharField(_("企业性质"), max_length=32, choices=EnterpriseType, blank=True)
    industry = models.CharField(_("所属行业"), max_length=100, blank=True)
    region = models.CharField(_("所属区域"), max_length=100, blank=True)
    business_scope = models.TextField(_("经营范围"), blank=True)
    annual_revenue = models.DecimalField(
        _("年营业额（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("营业额不能为负数。"))],
    )
    employees = models.PositiveIntegerField(_("员工人数"), null=True, blank=True)
    credit_status = models.CharField(_("信用状况"), max_length=16, choices=CreditStatus, default=CreditStatus.UNKNOWN)
    credit_rating = models.CharField(_("信用等级"), max_length=10, blank=True)
    category = models.CharField(
        _("客户类别"), max_length=16, choices=CustomerCategory, default=CustomerCategory.POTENTIAL
    )
    kind = models.CharField(_("客户性质"), max_length=16, choices=CustomerKind, default=CustomerKind.END_CUSTOMER)
    grade = models.CharField(_("客户等级"), max_length=1, choices=CustomerGrade, default=CustomerGrade.C)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责业务员"),
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    secrecy_tier = models.CharField(_("密级"), max_length=16, choices=SecrecyTier, default=SecrecyTier.PERSONAL)
    # 重要客户须有两名以上人员联系 (seed 003 制度1 第七条3): told what the owner is told.
    second_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("第二负责人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers_seconded",
    )
    # When the grade was last confirmed or changed (grades are reviewed, seed 004 part 11).
    grade_reviewed_on = models.DateField(_("等级评定日期"), null=True, blank=True)
    # Per cent of the profile fields of the 客户档案卡 that are filled (PROFILE_FIELDS), kept on
    # the row so the incomplete-profile list can filter and sort on an index.
    completeness = models.PositiveSmallIntegerField(_("资料完整度"), default=0, editable=False)
    created_at = models.DateTimeField(_("建档时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "completeness"])

    # The fields of the customer file card (seed 003 制度3 第二章, seed 001 §5.3) whose filling the
    # completeness score counts.
    PROFILE_FIELDS = (
        "legal_representative",
        "address",
        "postcode",
        "phone",
        "email",
        "registered_capital",
        "founded_on",
        "enterprise_type",
        "industry",
        "region",
        "business_scope",
        "annual_revenue",
        "employees",
        "credit_rating",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        indexes = [
            models.Index(fields=["category", "name"]),
            models.Index(fields=["grade", "name"]),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["industry", "name"]),
            # A sales person's own customers in name order, with what the access rule reads of
            # them: their list's page and its count walk this index alone (customers_paged).
            models.Index(
                fields=["owner", "name", "id"], include=["second_owner", "secrecy_tier"], name="customer_owner_name"
            ),
            models.Index(fields=["department", "secrecy_tier", "name"]),
            models.Index(fields=["secrecy_tier", "name"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["-updated_at"]),
            models.Index(fields=["owner", "completeness"]),
            models.Index(fields=["completeness", "name"]),
            # The list's default order ends on the id: a deep page walks this index alone.
            models.Index(fields=["name", "id"], name="customer_sort_name"),
            models.Index(
                fields=["second_owner"], condition=models.Q(second_owner__isnull=False), name="customer_second"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registered_capital__isnull=True) | models.Q(registered_capital__gte=0),
                name="customer_registered_capital_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.completeness = self.completeness_score()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "completeness"}
        super().save(*args, **kwargs)

    def profile_missing(self) -> list[str]:
        """The names of PROFILE_FIELDS left empty."""
        return [name for name in self.PROFILE_FIELDS if getattr(self, name) in (None, "")]

    def completeness_score(self) -> int:
        """Per cent of PROFILE_FIELDS filled."""
        return round(100 * (1 - len(self.profile_missing()) / len(self.PROFILE_FIELDS)))


class CustomerRecord(ChoiceLabels):
    """What every record attached to a customer has."""

    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class Contact(CustomerRecord):
    """联系人."""

    name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    mobile = models.CharField(_("手机"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_decision_maker = models.BooleanField(_("决策人"), default=False)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    preferences = models.CharField(_("个人爱好"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        default_related_name = "contacts"
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self):
        return self.name


class InteractionChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮件")
    VISIT = "visit", _("拜访")
    MEETING = "meeting", _("会议")
    OTHER = "other", _("其他")


class Interaction(CustomerRecord):
    """沟通/拜访记录."""

    occurred_at = models.DateTimeField(_("时间"), default=timezone.now)
    channel = models.CharField(_("方式"), max_length=16, choices=InteractionChannel, default=InteractionChannel.PHONE)
    participants = models.CharField(_("参与人"), max_length=300, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    feedback = models.TextField(_("客户反馈"), blank=True)
    next_action = models.CharField(_("下一步行动"), max_length=300, blank=True)
    next_action_on = models.DateField(_("下一步行动日期"), null=True, blank=True)
    # When the next action was marked done; until then a past date is a missed action.
    next_action_done_at = models.DateTimeField(_("下一步行动完成时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        default_related_name = "interactions"
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(
                fields=["next_action_on"],
                condition=models.Q(next_action_on__isnull=False),
                name="interaction_next_action",
            ),
            models.Index(fields=["recorded_by", "occurred_at"]),
        ]

    def __str__(self):
        return self.topic

    @property
    def entered_late(self) -> bool:
        """Entered after the day it happened (seed 003 制度3: 当天登陆客户管理系统填写)."""
        return timezone.localdate(self.created_at) > timezone.localdate(self.occurred_at)


class Deal(CustomerRecord):
    """交易记录."""

    contract_number = models.CharField(_("合同编号"), max_length=64)
    signed_on = models.DateField(_("签订日期"))
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0, message=_("金额不能为负数。"))],
    )
    # What was sold, for the composition of sales by product (seed 003 制度9 第四条3).
    product = models.CharField(_("产品"), max_length=100, blank=True)
    payment_method = models.CharField(_("付款方式"), max_length=100, blank=True)
    cooperation_mode = models.CharField(_("合作方式"), max_length=100, blank=True)
    churn_reason = models.CharField(_("流失原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("交易记录")
        verbose_name_plural = _("交易记录")
        default_related_name = "deals"
        indexes = [models.Index(fields=["customer", "-signed_on"])]

    def __str__(self):
        return self.contract_number


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class ComplaintCategory(models.TextChoices):
    """The classes of seed 003 制度7 §7 (both need the general manager's approval of the result)."""

    SERVICE_QUALITY = "service_quality", _("服务质量不达标")
    SERVICE_PROCESS = "service_process", _("服务过程不满意")
    PRODUCT = "product", _("产品质量")
    OTHER = "other", _("其他")


class Complaint(CustomerRecord):
    """客户反馈 — a complaint, suggestion or praise. A complaint has a handler and a deadline, is open
    until a review note closes it, and is overdue once its deadline has passed."""

    kind = models.CharField(_("反馈类型"), max_length=16, choices=FeedbackKind, default=FeedbackKind.COMPLAINT)
    category = models.CharField(_("分类"), max_length=20, choices=ComplaintCategory, blank=True)
    received_on = models.DateField(_("受理日期"), default=timezone.localdate)
    description = models.TextField(_("投诉内容"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), on_delete=models.PROTECT, related_name="complaints"
    )
    deadline = models.DateField(_("处理期限"), null=True, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_at = models.DateTimeField(_("结果提交时间"), null=True, blank=True)
    result_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结果审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result_approved_at = models.DateTimeField(_("结果审批时间"), null=True, blank=True)
    review_note = models.TextField(_("回访意见"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结案人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("客户反馈")
        verbose_name_plural = _("客户反馈")
        default_related_name = "complaints"
        indexes = [
            models.Index(fields=["customer", "-received_on"]),
            models.Index(
                fields=["owner", "deadline"], condition=models.Q(closed_on__isnull=True), name="complaint_open"
            ),
            models.Index(
                fields=["deadline"],
                condition=models.Q(closed_on__isnull=True, kind="complaint"),
                name="complaint_open_deadline",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__isnull=True) | models.Q(deadline__gte=models.F("received_on")),
                name="complaint_deadline_after_received",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="complaint") | models.Q(deadline__isnull=False),
                name="complaint_has_deadline",
            ),
        ]

    def __str__(self):
        return self.description[:40]

    @property
    def is_complaint(self) -> bool:
        return self.kind == FeedbackKind.COMPLAINT

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_complaint
            and self.closed_on is None
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )


class ComplaintProgress(models.Model):
    """One step of handling a complaint, and whether the customer was told of it (evidence: appended, never changed)."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="progress")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("进展"))
    customer_told = models.BooleanField(_("已告知客户"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("投诉处理进展")
        verbose_name_plural = _("投诉处理进展")
        indexes = [models.Index(fields=["complaint", "at"])]

    def __str__(self):
        return self.note[:40]


class ComplaintEscalation(models.Model):
    """One level of an overdue complaint's escalation, sent once (evidence: appended, never changed)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="escalations"
    )
    level = models.PositiveSmallIntegerField(_("级别"))
    role = models.CharField(_("上报至"), max_length=32)
    recipients = models.CharField(_("通知对象"), max_length=300)
    sent_at = models.DateTimeField(_("上报时间"), default=timezone.now)

    class Meta:
        ordering = ["sent_at", "level", "id"]
        verbose_name = _("投诉升级")
        verbose_name_plural = _("投诉升级")
        constraints = [models.UniqueConstraint(fields=["complaint", "level"], name="complaint_escalated_once")]
        indexes = [models.Index(fields=["role", "complaint"])]

    def __str__(self):
        return f"{self.complaint_id} · {self.level}"


class VisitPlan(CustomerRecord):
    """拜访计划: purpose, agenda and materials before a visit; its minutes are the interaction recorded after."""

    planned_on = models.DateField(_("计划日期"))
    purpose = models.CharField(_("拜访目的"), max_length=300)
    agenda = models.TextField(_("议程"), blank=True)
    materials = models.TextField(_("准备资料"), blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("计划人"), on_delete=models.PROTECT, related_name="visit_plans"
    )
    interaction = models.OneToOneField(
        Interaction,
        verbose_name=_("拜访纪要"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_plan",
    )

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("拜访计划")
        verbose_name_plural = _("拜访计划")
        default_related_name = "visit_plans"
        indexes = [
            models.Index(fields=["customer", "-planned_on"]),
            models.Index(
                fields=["planned_by", "planned_on"], condition=models.Q(interaction__isnull=True), name="visit_open"
            ),
        ]

    def __str__(self):
        return self.purpose


class FollowUpEvent(models.TextChoices):
    PURCHASE = "purchase", _("成交（签订合同）后")
    PROFILE = "profile", _("建档后")


class FollowUpPlan(models.Model):
    """回访计划 as data (seed 003 制度8 §7, seed 004 part 6): for customers of a category and/or grade,
    contact is due the given days after an event."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    event = models.CharField(_("起算事件"), max_length=16, choices=FollowUpEvent)
    category = models.CharField(_("客户类别"), max_length=20, choices=CustomerCategory, blank=True)
    grade = models.CharField(_("客户等级"), max_length=1, choices=CustomerGrade, blank=True)
    days = models.CharField(_("回访天数"), max_length=100, help_text=_("事件后第几天回访，用逗号分隔，如 3,30,60。"))
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("回访计划")
        verbose_name_plural = _("回访计划")

    def __str__(self):
        return self.name

    def clean(self):
        parts = [part.strip() for part in self.days.replace("，", ",").split(",")]
        if not parts or any(not part.isdecimal() or not 1 <= int(part) <= 3660 for part in parts):
            raise ValidationError({"days": _("请填写 1 至 3660 之间的天数，用逗号分隔，如 3,30,60。")})

    def day_offsets(self) -> list[int]:
        return sorted({int(part) for part in self.days.replace("，", ",").split(",") if part.strip().isdecimal()})


class FollowUp(CustomerRecord):
    """A contact due by a follow-up plan: on the assignee's dashboard from its date, on their
    manager's once missed, until an interaction marks it done."""

    plan = models.ForeignKey(
        FollowUpPlan, verbose_name=_("回访计划"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    # What started it: "deal:<id>" or "profile"; with `sequence`, one follow-up per plan step.
    event_key = models.CharField(_("起算事件"), max_length=40)
    event_on = models.DateField(_("事件日期"))
    sequence = models.PositiveSmallIntegerField(_("第几次"))
    due_on = models.DateField(_("应回访日期"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_interaction = models.ForeignKey(
        Interaction, verbose_name=_("回访记录"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        default_related_name = "follow_ups"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "plan", "event_key", "sequence"], name="follow_up_once_per_step"
            ),
        ]
        indexes = [
            models.Index(
                fields=["assigned_to", "due_on"], condition=models.Q(done_at__isnull=True), name="follow_up_open"
            ),
            models.Index(fields=["due_on"], condition=models.Q(done_at__isnull=True), name="follow_up_open_due"),
            models.Index(fields=["customer", "due_on"]),
        ]

    def __str__(self):
        return f"{self.plan} #{self.sequence}"


class GradeCriterion(models.Model):
    """What a grade means and how it is kept (seed 004 part 11, seed 001 §5): its criteria, how
    often its customers are contacted and how often the grade is reviewed."""

    grade = models.CharField(_("客户等级"), max_length=1, choices=CustomerGrade, unique=True)
    criteria = models.TextField(_("评定标准"))
    contact_every_days = models.PositiveSmallIntegerField(_("联系频率（天）"))
    review_every_months = models.PositiveSmallIntegerField(_("复评周期（月）"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["grade"]
        verbose_name = _("客户等级标准")
        verbose_name_plural = _("客户等级标准")

    def __str__(self):
        return self.get_grade_display()

    def clean(self):
        errors = {}
        if self.contact_every_days is not None and not 1 <= self.contact_every_days <= 3660:
            errors["contact_every_days"] = _("联系频率须在 1 至 3660 天之间。")
        if self.review_every_months is not None and not 1 <= self.review_every_months <= 120:
            errors["review_every_months"] = _("复评周期须在 1 至 120 个月之间。")
        if errors:
            raise ValidationError(errors)


class GradeChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已驳回")


class GradeChange(CustomerRecord):
    """A grade change asked for, decided by the department manager of the customer's department."""

    from_grade = models.CharField(_("原等级"), max_length=1, choices=CustomerGrade)
    to_grade = models.CharField(_("新等级"), max_length=1, choices=CustomerGrade)
    reason = models.CharField(_("理由"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=GradeChangeStatus, default=GradeChangeStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.CharField(_("审批意见"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("等级变更")
        verbose_name_plural = _("等级变更")
        default_related_name = "grade_changes"
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(status="pending"), name="grade_change_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["status", "customer"])]

    def __str__(self):
        return f"{self.from_grade} → {self.to_grade}"


class CorrectionRequest(CustomerRecord):
    """资料更正通知: archive staff ask the owner to complete or correct a profile; open until done."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发出人"), on_delete=models.PROTECT, related_name="+"
    )
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="correction_requests"
    )
    note = models.TextField(_("需更正内容"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_note = models.CharField(_("完成说明"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("资料更正通知")
        verbose_name_plural = _("资料更正通知")
        default_related_name = "correction_requests"
        indexes = [
            models.Index(fields=["addressed_to"], condition=models.Q(done_at__isnull=True), name="correction_open"),
        ]

    def __str__(self):
        return self.note[:40]


class Handover(models.Model):
    """员工调离交接: all customers of one person moved to a successor in one step."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("移交人"), on_delete=models.PROTECT, related_name="handovers_given"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.PROTECT, related_name="handovers_received"
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(_("交接时间"), default=timezone.now)
    customer_count = models.PositiveIntegerField(_("客户数"))
    complaint_count = models.PositiveIntegerField(_("未结投诉"), default=0)
    follow_up_count = models.PositiveIntegerField(_("待回访"), default=0)
    next_action_count = models.PositiveIntegerField(_("待办行动"), default=0)
    request_count = models.PositiveIntegerField(_("未结申请"), default=0)
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("客户交接")
        verbose_name_plural = _("客户交接")

    def __str__(self):
        return f"{self.from_user} → {self.to_user}"


class HandoverCustomer(models.Model):
    """A customer moved by a handover, with the contact to be told of their new responsible person
    (the letter list; evidence: appended, never changed)."""

    handover = models.ForeignKey(Handover, verbose_name=_("交接"), on_delete=models.PROTECT, related_name="customers")
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["handover", "id"]
        verbose_name = _("交接客户")
        verbose_name_plural = _("交接客户")
        constraints = [models.UniqueConstraint(fields=["handover", "customer"], name="handover_customer_once")]

    def __str__(self):
        return str(self.customer_id)


class HandoverStepKind(models.TextChoices):
    CUSTOMERS_TOLD = "customers_told", _("已通知客户新的联系人")
    CHECKLIST_SIGNED = "checklist_signed", _("交接清单已由三方签字")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("已停用移交人账号")


class HandoverStep(models.Model):
    """One item of a handover's checklist done, by whom and when (evidence: appended, never changed)."""

    handover = models.ForeignKey(Handover, verbose_name=_("交接"), on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("事项"), max_length=24, choices=HandoverStepKind)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("交接事项")
        verbose_name_plural = _("交接事项")
        constraints = [models.UniqueConstraint(fields=["handover", "kind"], name="handover_step_once")]

    def __str__(self):
        return self.get_kind_display()


class CustomerReadLog(models.Model):
    """One row per read of a customer's contents (SPEC §4: unapproved reading is a disciplinary matter)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="read_logs")
    read_at = models.DateTimeField(_("查阅时间"), default=timezone.now, db_index=True)
    what = models.CharField(_("查阅内容"), max_length=32, default="profile")
    # The request the read went through (CY000001, J000001, an export request…); blank when the
    # reader's own tier opens the customer.
    through = models.CharField(_("依据"), max_length=20, blank=True)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = _("查阅日志")
        verbose_name_plural = _("查阅日志")
        indexes = [
            models.Index(fields=["customer", "-read_at"]),
            models.Index(fields=["user", "-read_at"]),
        ]

    def __str__(self):
        return f"{self.user} · {self.customer} · {self.read_at:%Y-%m-%d %H:%M}"


class CustomerAccessGrant(UserObjectPermissionBase):
    """A django-guardian per-object grant on one customer, one per approved request, with an
    expiry guardian lacks (SPEC §4).

    Each approved read request or loan has its own grant (`reference` names it: CY000001,
    J000001…), so two overlapping requests of one customer end independently. A direct foreign
    key instead of guardian's generic table: list filtering joins on an integer column. A grant
    counts only while `expires_at` is in the future and it is not revoked; the check is made in
    customers/secrecy.py (never ask guardian's `has_perm` about a customer: it knows nothing of
    expiry). Expired and revoked grants stay as history."""

    content_object = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="access_grants")
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("收回时间"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    reference = models.CharField(_("依据"), max_length=20, blank=True)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    # What the grant opens besides the profile: every document of the customer that is not top
    # secret, or (`named_documents_only`) only those its request named; top-secret documents only
    # when the general manager approved (`opens_top_secret`).
    named_documents_only = models.BooleanField(_("仅限指定文件"), default=False)
    opens_top_secret = models.BooleanField(_("含绝密文件"), default=False)

    class Meta(UserObjectPermissionBase.Meta):
        # One grant per approved request, never shared: guardian's one-row-per-(user, object) is lifted.
        unique_together = ()
        verbose_name = _("客户查阅授权")
        verbose_name_plural = _("客户查阅授权")
        indexes = [models.Index(fields=["user", "content_object", "expires_at"])]

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ExportPermit(models.Model):
    """An approved export request (seed 004 part 4 §3): its requester may export the customers they
    may read until `expires_at`; each export names it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="export_permits"
    )
    reference = models.CharField(_("依据"), max_length=20)
    granted_at = models.DateTimeField(_("批准时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("收回时间"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("导出许可")
        verbose_name_plural = _("导出许可")
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self):
        return self.reference


class CustomerExport(models.Model):
    """One export of customer data: who, when, how many rows, on what right (evidence)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField(_("导出时间"), default=timezone.now, db_index=True)
    rows = models.PositiveIntegerField(_("行数"))
    through = models.CharField(_("依据"), max_length=20, blank=True, help_text=_("空白：凭角色权限导出。"))
    filters = models.CharField(_("筛选条件"), max_length=500, blank=True)

    class Meta:
        ordering = ["-exported_at", "-id"]
        verbose_name = _("客户数据导出记录")
        verbose_name_plural = _("客户数据导出记录")
        indexes = [models.Index(fields=["user", "-exported_at"])]

    def __str__(self):
        return f"{self.user} · {self.rows} · {self.exported_at:%Y-%m-%d %H:%M}"


class CustomerGroupAccessGrant(GroupObjectPermissionBase):
    """Guardian's group-level counterpart; unused by the rules today, declared so guardian never
    falls back to its generic table for customers."""

    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="group_access_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("客户组授权")
        verbose_name_plural = _("客户组授权")
