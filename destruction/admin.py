from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from customers.admin import SuperuserOnlyNoDeleteAdmin

from .models import DestructionList, Hold


@admin.register(DestructionList)
class DestructionListAdmin(SuperuserOnlyNoDeleteAdmin, SimpleHistoryAdmin):
    list_display = ["number", "department", "status", "hold_until", "destroyed_on"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False  # every step goes through the workflow, by the right person


@admin.register(Hold)
class HoldAdmin(SuperuserOnlyNoDeleteAdmin):
    list_display = ["dossier", "reason", "placed_by", "placed_at", "lifted_at"]
    list_select_related = ["dossier", "placed_by"]

    def has_change_permission(self, request, obj=None):
        return False
