"""Admin: reference data (retention periods, document types, cabinets) is edited here by
administrators. Dossier records are superuser-only and can never be deleted here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from customers.admin import SuperuserOnlyNoDeleteAdmin

from .models import BackupKeyUse, Cabinet, Document, DocumentType, Dossier, Inspection, Repair, RetentionPeriod


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "years"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "required_for_promotion", "sort_order"]
    list_editable = ["required_for_promotion", "sort_order"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cabinet)
class CabinetAdmin(admin.ModelAdmin):
    list_display = ["code", "place", "positions", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(SuperuserOnlyNoDeleteAdmin, SimpleHistoryAdmin):
    list_display = ["archive_number", "customer", "status", "cabinet", "position"]
    list_filter = ["status"]
    list_select_related = ["customer", "cabinet"]
    search_fields = ["archive_number", "customer__name"]
    raw_id_fields = ["customer"]
    readonly_fields = ["archive_number", "status", "promoted_at", "promoted_by", "destroyed_at"]


@admin.register(Document)
class DocumentAdmin(SuperuserOnlyNoDeleteAdmin, SimpleHistoryAdmin):
    list_display = ["title", "dossier", "document_type", "filing_year", "secrecy_tier"]
    list_select_related = ["dossier", "document_type"]
    raw_id_fields = ["dossier"]
    exclude = ["scan"]


@admin.register(BackupKeyUse, Inspection, Repair)
class ArchiveRecordAdmin(SuperuserOnlyNoDeleteAdmin):
    pass
