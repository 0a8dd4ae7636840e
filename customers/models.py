from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords


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


class Customer(models.Model):
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
    created_at = models.DateTimeField(_("建档时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        indexes = [
            models.Index(fields=["category", "name"]),
            models.Index(fields=["grade", "name"]),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["industry", "name"]),
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["department", "secrecy_tier", "name"]),
            models.Index(fields=["secrecy_tier", "name"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["-updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registered_capital__isnull=True) | models.Q(registered_capital__gte=0),
                name="customer_registered_capital_not_negative",
            ),
        ]

    def __str__(self):
        return self.name


class CustomerRecord(models.Model):
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
        ]

    def __str__(self):
        return self.topic


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


class Complaint(CustomerRecord):
    """投诉: open until closed; overdue once its deadline has passed."""

    received_on = models.DateField(_("受理日期"), default=timezone.localdate)
    description = models.TextField(_("投诉内容"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), on_delete=models.PROTECT, related_name="complaints"
    )
    deadline = models.DateField(_("处理期限"))
    resolution = models.TextField(_("处理结果"), blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        default_related_name = "complaints"
        indexes = [
            models.Index(fields=["customer", "-received_on"]),
            models.Index(
                fields=["owner", "deadline"], condition=models.Q(closed_on__isnull=True), name="complaint_open"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("received_on")), name="complaint_deadline_after_received"
            ),
        ]

    def __str__(self):
        return self.description[:40]

    @property
    def is_overdue(self) -> bool:
        return self.closed_on is None and self.deadline < timezone.localdate()


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
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("客户交接")
        verbose_name_plural = _("客户交接")

    def __str__(self):
        return f"{self.from_user} → {self.to_user}"


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
