"""Admin for superusers only: the admin bypasses the secrecy tiers, so no other staff may use it
for customers, and nothing is ever deleted from here. The read log and handovers are evidence:
read-only. The shared classes live in crm_archive/admin.py."""

from django.contrib import admin

from crm_archive.admin import HistoryAdmin, ReadOnlyAdmin

from .models import (
    Customer,
    CustomerAccessGrant,
    CustomerExport,
    CustomerReadLog,
    ExportPermit,
    FollowUpPlan,
    GradeCriterion,
    Handover,
)


@admin.register(Customer)
class CustomerAdmin(HistoryAdmin):
    list_display = ["name", "category", "grade", "secrecy_tier", "owner", "department"]
    list_filter = ["category", "grade", "secrecy_tier", "department"]
    list_select_related = ["owner", "department"]
    search_fields = ["name"]
    raw_id_fields = ["owner", "second_owner"]
    # A grade changes only through a request the department manager approves (customers/profiles.py).
    readonly_fields = ["grade", "grade_reviewed_on"]


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(HistoryAdmin):
    """回访计划 as data: a change applies to the events recorded after it."""

    list_display = ["name", "event", "category", "grade", "days", "active"]
    list_filter = ["event", "active"]


@admin.register(GradeCriterion)
class GradeCriterionAdmin(HistoryAdmin):
    list_display = ["grade", "contact_every_days", "review_every_months", "criteria"]


@admin.register(CustomerAccessGrant)
class CustomerAccessGrantAdmin(ReadOnlyAdmin):
    """Grants come from approved requests (each names its request) and stay as history: read here."""

    list_display = ["reference", "user", "content_object", "granted_at", "expires_at", "revoked_at"]
    list_select_related = ["user", "content_object"]
    search_fields = ["reference"]


@admin.register(ExportPermit)
class ExportPermitAdmin(ReadOnlyAdmin):
    list_display = ["reference", "user", "granted_at", "expires_at", "revoked_at"]
    list_select_related = ["user"]


@admin.register(CustomerExport)
class CustomerExportAdmin(ReadOnlyAdmin):
    list_display = ["exported_at", "user", "rows", "through", "filters"]
    list_select_related = ["user"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["performed_at", "from_user", "to_user", "customer_count", "performed_by"]
    list_select_related = ["from_user", "to_user", "performed_by"]


@admin.register(CustomerReadLog)
class CustomerReadLogAdmin(ReadOnlyAdmin):
    list_display = ["read_at", "user", "customer", "what"]
    list_select_related = ["user", "customer"]
