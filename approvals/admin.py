"""系统管理 pages of the approval engine: chains are edited here (by superusers); the signatures
(ApprovalTask) and delegations are evidence, read only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm_archive.admin import ReadOnlyAdmin, SuperuserOnlyNoDeleteAdmin

from .models import ApprovalChain, ApprovalStep, ApprovalTask, Deputy, RequestKind, StepCondition, StepRole

# Requests that span tiers: their chain has no tier manager to name.
TIERLESS_KINDS = (RequestKind.DESTRUCTION, RequestKind.EXPORT, RequestKind.OVERNIGHT, RequestKind.WRITE_OFF)


class ApprovalStepFormSet(forms.BaseInlineFormSet):
    """A chain is never empty, never names a tier's manager where there is no tier (destruction
    lists), and never has a step only the requester could fill: a manager's own request skips
    the "requester's department manager" step (they would sign it themself), so some other step
    must remain."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        steps = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("active")
        ]
        if not steps:
            raise ValidationError(_("审批流程至少需要一个启用的步骤。"))
        chain = self.instance
        if chain.kind in TIERLESS_KINDS and any(step["role"] == StepRole.TIER_MANAGER for step in steps):
            raise ValidationError(_("销毁清册、导出、过夜留存和丢失注销不分密级，不能以“密级管理人”为审批人。"))
        others = [step for step in steps if step["role"] != StepRole.REQUESTER_DEPARTMENT_MANAGER]
        only_when_not_manager = all(
            step["condition"] == StepCondition.REQUESTER_NOT_MANAGER
            for step in steps
            if step["role"] == StepRole.REQUESTER_DEPARTMENT_MANAGER
        )
        if not others and not only_when_not_manager:
            raise ValidationError(
                _("经理本人提出申请时，“申请人所在部门经理”一步只能由申请人自己签署：请再加一个其他审批人。")
            )


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    formset = ApprovalStepFormSet
    extra = 0
    min_num = 1
    fields = ["stage", "role", "condition", "active"]


@admin.register(ApprovalChain)
class ApprovalChainAdmin(SuperuserOnlyNoDeleteAdmin):
    """A change applies to requests made afterwards; running requests keep the steps they copied."""

    list_display = ["__str__", "kind", "tier", "updated_at"]
    list_filter = ["kind", "tier"]
    inlines = [ApprovalStepInline]

    def get_readonly_fields(self, request, obj=None):
        # A chain keeps its kind and tier: moving one would leave requests of that kind without a chain.
        return ["kind", "tier"] if obj is not None else []


@admin.register(ApprovalTask)
class ApprovalTaskAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "stage", "step_role", "status", "decided_by", "on_behalf_of", "decided_at"]
    list_filter = ["kind", "status"]
    search_fields = ["reference"]
    list_select_related = ["decided_by", "on_behalf_of"]


@admin.register(Deputy)
class DeputyAdmin(ReadOnlyAdmin):
    list_display = ["principal", "deputy", "starts_on", "ends_on", "reason", "cancelled_at"]
    list_select_related = ["principal", "deputy"]
