from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from crm_archive.admin import ObjectIdMustBeValidMixin

from .models import Department, Notification, User


@admin.register(Department)
class DepartmentAdmin(ObjectIdMustBeValidMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(ObjectIdMustBeValidMixin, DjangoUserAdmin):
    """Roles are assigned here: a role is a group (accounts.roles.Role). People who leave are
    deactivated, never deleted: their name stays on the records and the history they signed."""

    list_display = ["username", "last_name", "first_name", "department", "is_active", "is_staff"]
    list_filter = ["groups", "department", "is_active", "is_staff"]
    list_select_related = ["department"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("组织"), {"fields": ["department"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("组织"), {"fields": ["department", "groups"]}),)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ObjectIdMustBeValidMixin, admin.ModelAdmin):
    list_display = ["recipient", "message", "created_at", "read_at"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False


# The admins other apps register (roles are groups; django-axes' login records) answer 404 for an
# id that is not a valid key too: registered again with the same pages plus that check.
for model in (Group, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        original = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, type(original.__name__, (ObjectIdMustBeValidMixin, original), {}))
