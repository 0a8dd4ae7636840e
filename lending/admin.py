"""Loans and monthly reports are read here; every change goes through the register's workflow
(lending/services.py)."""

from django.contrib import admin

from crm_archive.admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from .models import Loan, MonthlyReport


@admin.register(Loan)
class LoanAdmin(ReadOnlyHistoryAdmin):
    list_display = ["register_number", "kind", "status", "borrower", "dossier", "issued_at", "due_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["borrower", "dossier"]
    raw_id_fields = ["dossier", "borrower", "documents"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["year", "month", "kind", "taken_at", "generated_by"]
