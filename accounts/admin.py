from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Notification, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Roles are assigned here: a role is a group (accounts.roles.Role)."""

    list_display = ["username", "last_name", "first_name", "department", "is_active", "is_staff"]
    list_filter = ["groups", "department", "is_active", "is_staff"]
    list_select_related = ["department"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("组织"), {"fields": ["department"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("组织"), {"fields": ["department", "groups"]}),)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "message", "created_at", "read_at"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False
