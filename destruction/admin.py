"""Destruction lists and holds are read here; every step goes through the workflow, by the right
person (destruction/services.py)."""

from django.contrib import admin

from crm_archive.admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from .models import DestructionList, Hold


@admin.register(DestructionList)
class DestructionListAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "department", "status", "hold_until", "destroyed_on"]
    list_filter = ["status"]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "reason", "placed_by", "placed_at", "lifted_at"]
    list_select_related = ["dossier", "placed_by"]
