"""Approval chains as data (SPEC §9): which people approve which request, in which order.

A chain (`ApprovalChain`) is, for one request kind and secrecy tier, an ordered list of steps
(`ApprovalStep`); steps with the same stage number run in parallel (the two appraisers of a
destruction list). Each step names a role *relative to the request* (`StepRole`): the requester's
department manager, the tier's manager, the producing department's manager, or a role held
company-wide. Administrators edit chains; a request copies its chain when it is made
(`ApprovalTask`, one row per step with the role resolved to a role and department), so a chain
edited later changes only the requests made after it.

Every decision is a row: who, when, approve or reject, a comment, and on whose behalf when a
deputy (`Deputy`) signed for someone away.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role
from crm_archive.models import ChoiceLabels
from customers.models import SecrecyTier


class RequestKind(models.TextChoices):
    READ = "read", _("查阅申请")
    BORROW = "borrow", _("借阅原件")
    PHOTOCOPY = "photocopy", _("影印")
    EXTENSION = "extension", _("续借")
    EXPORT = "export", _("导出客户数据")
    DESTRUCTION = "destruction", _("销毁清册")
    OVERNIGHT = "overnight", _("原件过夜留存")
    WRITE_OFF = "write_off", _("借阅丢失注销")


# An extension is approved like the loan it extends (SPEC §9): it has no chain of its own.
KINDS_WITH_CHAINS = [kind for kind in RequestKind if kind != RequestKind.EXTENSION]


class StepRole(models.TextChoices):
    """Who signs a step, resolved relative to the request when it is made."""

    REQUESTER_DEPARTMENT_MANAGER = "requester_department_manager", _("申请人所在部门经理")
    TIER_MANAGER = "tier_manager", _("密级管理人")
    PRODUCING_DEPARTMENT_MANAGER = "producing_department_manager", _("形成部门经理")
    ARCHIVE_MANAGER = "archive_manager", _("内勤部经理")
    CS_MANAGER = "cs_manager", _("客户服务部经理")
    CUSTOMER_DIRECTOR = "customer_director", _("客户总监")
    MARKETING_DIRECTOR = "marketing_director", _("营销总监")
    GENERAL_MANAGER = "general_manager", _("总经理")


class StepCondition(models.TextChoices):
    """When a step applies to a request."""

    ALWAYS = "always", _("总是")
    TIER_CLOSED = "tier_closed", _("仅当申请人无权阅读该密级时")
    REQUESTER_NOT_MANAGER = "requester_not_manager", _("仅当申请人不是经理或总监时")


class ApprovalChain(models.Model):
    """The approval chain of one request kind for one secrecy tier (blank tier: every tier
    without a chain of its own — destruction lists, which span tiers)."""

    kind = models.CharField(_("申请类型"), max_length=16, choices=RequestKind)
    tier = models.CharField(_("密级"), max_length=16, choices=SecrecyTier, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["kind", "tier"]
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程")
        constraints = [models.UniqueConstraint(fields=["kind", "tier"], name="one_chain_per_kind_and_tier")]

    def __str__(self):
        tier = self.get_tier_display() if self.tier else _("所有密级")
        return f"{self.get_kind_display()} · {tier}"


class ApprovalStep(models.Model):
    """One step of a chain. Steps of the same stage are signed in parallel; a stage starts when
    every step of the stages before it is approved. A step switched off is kept but skipped."""

    chain = models.ForeignKey(ApprovalChain, verbose_name=_("审批流程"), on_delete=models.CASCADE, related_name="steps")
    stage = models.PositiveSmallIntegerField(_("顺序"), validators=[MinValueValidator(1)])
    role = models.CharField(_("审批人"), max_length=32, choices=StepRole)
    condition = models.CharField(_("适用条件"), max_length=24, choices=StepCondition, default=StepCondition.ALWAYS)
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["chain", "stage", "id"]
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        constraints = [
            models.UniqueConstraint(fields=["chain", "role"], name="one_step_per_role_in_a_chain"),
            models.CheckConstraint(condition=models.Q(stage__gte=1), name="approval_step_stage_positive"),
        ]

    def __str__(self):
        return f"{self.stage}. {self.get_role_display()}"


class TaskStatus(models.TextChoices):
    QUEUED = "queued", _("未到")
    WAITING = "waiting", _("待审批")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")
    SKIPPED = "skipped", _("未审（申请已结束）")


class ApprovalTask(ChoiceLabels):
    """One step of one request's chain, copied from the chain when the request was made, with the
    role resolved (a department manager of *which* department) and, once decided, the signature."""

    kind = models.CharField(_("申请类型"), max_length=16, choices=RequestKind)
    request_id = models.PositiveBigIntegerField(_("申请"))
    reference = models.CharField(_("编号"), max_length=20)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.PositiveSmallIntegerField(_("顺序"))
    step_role = models.CharField(_("审批人"), max_length=32, choices=StepRole)
    role = models.CharField(_("角色"), max_length=32, choices=Role)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=TaskStatus, default=TaskStatus.QUEUED)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代理谁审批"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.CharField(_("意见"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "request_id", "stage", "id"]
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        indexes = [
            models.Index(fields=["kind", "request_id", "stage"]),
            models.Index(fields=["status", "role", "department"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"])
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="decided_task_is_signed",
            ),
            models.CheckConstraint(
                condition=models.Q(on_behalf_of__isnull=True) | ~models.Q(on_behalf_of=models.F("decided_by")),
                name="deputy_is_not_the_principal",
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.stage}. {self.get_step_role_display()}"


class Deputy(models.Model):
    """An approver away (出差/休假) names a deputy who signs for them from `starts_on` to `ends_on`
    (both included); the deputy's signatures are recorded as on the approver's behalf."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被代理人"), on_delete=models.PROTECT, related_name="deputies"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代理人"), on_delete=models.PROTECT, related_name="deputising"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=200)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("审批代理")
        verbose_name_plural = _("审批代理")
        indexes = [models.Index(fields=["deputy", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="deputy_dates_ordered"),
            models.CheckConstraint(condition=~models.Q(deputy=models.F("principal")), name="deputy_is_someone_else"),
        ]

    def __str__(self):
        return f"{self.deputy} → {self.principal} ({self.starts_on}–{self.ends_on})"
