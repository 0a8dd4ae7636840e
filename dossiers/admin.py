"""Admin: reference data (retention periods, document types, cabinets) is edited here by
administrators. Dossier records are superuser-only and can never be deleted here; a destroyed
dossier or document is read-only, and the backup-key log is evidence, read-only too."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm_archive.admin import HistoryAdmin, ObjectIdMustBeValidMixin, ReadOnlyAdmin, SuperuserOnlyNoDeleteAdmin

from .models import (
    BackupKeyUse,
    Cabinet,
    Document,
    DocumentType,
    Dossier,
    DossierStatus,
    ExportRequest,
    Inspection,
    InspectionSchedule,
    ReadRequest,
    Repair,
    RetentionPeriod,
    Stocktake,
    StocktakeScan,
)


class ReferenceDataAdmin(ObjectIdMustBeValidMixin, admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "years"]


@admin.register(DocumentType)
class DocumentTypeAdmin(ReferenceDataAdmin):
    list_display = ["name", "required_for_promotion", "sort_order"]
    list_editable = ["required_for_promotion", "sort_order"]


@admin.register(Cabinet)
class CabinetAdmin(ReferenceDataAdmin):
    list_display = ["code", "place", "positions", "is_active"]


@admin.register(Dossier)
class DossierAdmin(HistoryAdmin):
    list_display = ["archive_number", "customer", "status", "cabinet", "position"]
    list_filter = ["status"]
    list_select_related = ["customer", "cabinet"]
    search_fields = ["archive_number", "customer__name"]
    raw_id_fields = ["customer"]
    readonly_fields = [
        "archive_number",
        "status",
        "custody",
        "custody_holder",
        "promoted_at",
        "promoted_by",
        "destroyed_at",
    ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == DossierStatus.DESTROYED:
            return False  # destroyed means destroyed: only its metadata stays, as it was
        return super().has_change_permission(request, obj)


class DocumentAdminForm(forms.ModelForm):
    """The admin's document form (the admin adds Meta): no document goes into a destroyed dossier."""

    def clean_dossier(self):
        dossier = self.cleaned_data.get("dossier")
        if dossier is not None and dossier.status == DossierStatus.DESTROYED:
            raise forms.ValidationError(_("已销毁的档案不能再归档文件。"))
        return dossier


@admin.register(Document)
class DocumentAdmin(HistoryAdmin):
    form = DocumentAdminForm
    list_display = ["title", "dossier", "document_type", "filing_year", "secrecy_tier"]
    list_select_related = ["dossier", "document_type"]
    raw_id_fields = ["dossier"]
    exclude = ["scan"]  # scans come in through the archive pages, which check their content
    readonly_fields = ["destroyed_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.destroyed_at is not None or obj.dossier.status == DossierStatus.DESTROYED):
            return False
        return super().has_change_permission(request, obj)


@admin.register(BackupKeyUse)
class BackupKeyUseAdmin(ReadOnlyAdmin):
    list_display = ["cabinet", "used_by", "used_at", "reason", "recorded_by"]
    list_select_related = ["cabinet", "used_by", "recorded_by"]


@admin.register(Inspection, Repair)
class ArchiveRecordAdmin(SuperuserOnlyNoDeleteAdmin):
    pass


@admin.register(InspectionSchedule)
class InspectionScheduleAdmin(SuperuserOnlyNoDeleteAdmin):
    """检查计划: the archive manager keeps them on the archive's own page; a superuser may too."""

    list_display = ["__str__", "cabinet", "every_months", "next_due_on", "is_active", "reminded_for"]
    list_select_related = ["cabinet"]
    readonly_fields = ["reminded_for"]


class StocktakeScanInline(admin.TabularInline):
    model = StocktakeScan
    fields = ["scanned_at", "kind", "code", "position", "dossier", "scanned_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyAdmin):
    """盘点 and their scans are evidence: read here, made on the archive's pages."""

    list_display = ["__str__", "status", "started_by", "finished_at", "missing_count", "misplaced_count"]
    list_select_related = ["cabinet", "started_by"]
    list_filter = ["status"]
    inlines = [StocktakeScanInline]


@admin.register(ReadRequest)
class ReadRequestAdmin(ReadOnlyAdmin):
    """查阅申请 change only through their approval chain."""

    list_display = ["__str__", "customer", "requester", "scope", "status", "requested_at"]
    list_select_related = ["customer", "requester"]
    list_filter = ["status", "scope"]


@admin.register(ExportRequest)
class ExportRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "requester", "status", "requested_at"]
    list_select_related = ["requester"]
