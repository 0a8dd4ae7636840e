"""Admin for superusers only: the admin bypasses the secrecy tiers, so no other staff may use it
for customers, and nothing is ever deleted from here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Customer, CustomerAccessGrant, CustomerReadLog, Handover


class SuperuserOnlyNoDeleteAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(SuperuserOnlyNoDeleteAdmin, SimpleHistoryAdmin):
    list_display = ["name", "category", "grade", "secrecy_tier", "owner", "department"]
    list_filter = ["category", "grade", "secrecy_tier", "department"]
    list_select_related = ["owner", "department"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]


@admin.register(CustomerAccessGrant)
class CustomerAccessGrantAdmin(SuperuserOnlyNoDeleteAdmin):
    list_display = ["user", "content_object", "expires_at", "granted_by"]
    list_select_related = ["user", "content_object", "granted_by"]
    raw_id_fields = ["user", "content_object", "granted_by"]


@admin.register(Handover)
class HandoverAdmin(SuperuserOnlyNoDeleteAdmin):
    list_display = ["performed_at", "from_user", "to_user", "customer_count", "performed_by"]
    list_select_related = ["from_user", "to_user", "performed_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CustomerReadLog)
class CustomerReadLogAdmin(HandoverAdmin):
    list_display = ["read_at", "user", "customer", "what"]
    list_select_related = ["user", "customer"]
