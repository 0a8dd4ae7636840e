"""The bench's URLconf: the project's URLs, plus a Django admin site for the models the project does
not register in its admin (the monthly report's lines, follow-ups, interactions, grade changes and
the history tables the audit trail reads), so every list page has an admin changelist of the same
rows to be compared with. Stock ModelAdmins, like the project's (no full result count)."""

from django.contrib import admin
from django.urls import path

from crm_archive.urls import urlpatterns as project_urlpatterns
from customers.models import Customer, FollowUp, GradeChange, Interaction
from dossiers.models import Dossier
from lending.models import Loan, MonthlyReportLine


class BenchAdmin(admin.ModelAdmin):
    show_full_result_count = False


site = admin.AdminSite(name="bench_admin")
site.register(
    MonthlyReportLine,
    type(
        "MonthlyReportLineAdmin",
        (BenchAdmin,),
        {
            "list_display": [
                "register_number",
                "item",
                "archive_number",
                "material",
                "borrower",
                "department",
                "purpose",
                "issued_at",
                "due_at",
                "days_overdue",
            ]
        },
    ),
)
site.register(
    FollowUp,
    type(
        "FollowUpAdmin",
        (BenchAdmin,),
        {"list_display": ["customer", "plan", "sequence", "due_on", "assigned_to"], "list_select_related": True},
    ),
)
site.register(
    Interaction,
    type(
        "InteractionAdmin",
        (BenchAdmin,),
        {
            "list_display": ["occurred_at", "customer", "topic", "recorded_by", "created_at"],
            "list_select_related": True,
        },
    ),
)
site.register(
    GradeChange,
    type(
        "GradeChangeAdmin",
        (BenchAdmin,),
        {
            "list_display": ["customer", "from_grade", "to_grade", "requested_by", "created_at"],
            "list_select_related": True,
        },
    ),
)
# The expired-records page lists up to 500 dossiers: the same page size here.
site.register(
    Dossier,
    type(
        "ExpiredDossierAdmin",
        (BenchAdmin,),
        {
            "list_display": ["archive_number", "customer", "filing_year", "retention"],
            "list_select_related": ["customer__department", "retention"],
            "list_per_page": 500,
        },
    ),
)
for model, columns in [
    (Loan, ["id", "history_date", "history_type", "history_user", "status", "borrower"]),
    (Customer, ["id", "history_date", "history_type", "history_user", "name"]),
]:
    historical = model.history.model
    site.register(
        historical,
        type(
            f"{historical.__name__}Admin",
            (BenchAdmin,),
            {
                "list_display": columns,
                "list_select_related": ["history_user"],
                "ordering": ["-history_date", "-history_id"],
            },
        ),
    )

urlpatterns = [path("bench-admin/", site.urls), *project_urlpatterns]
