from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from customers.admin import SuperuserOnlyNoDeleteAdmin

from .models import Loan, MonthlyReport


@admin.register(Loan)
class LoanAdmin(SuperuserOnlyNoDeleteAdmin, SimpleHistoryAdmin):
    list_display = ["register_number", "kind", "status", "borrower", "dossier", "issued_at", "due_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["borrower", "dossier"]
    raw_id_fields = ["dossier", "borrower", "documents"]

    def has_change_permission(self, request, obj=None):
        return False  # every change goes through the register's workflow


@admin.register(MonthlyReport)
class MonthlyReportAdmin(SuperuserOnlyNoDeleteAdmin):
    list_display = ["year", "month", "taken_at", "generated_by"]

    def has_change_permission(self, request, obj=None):
        return False
