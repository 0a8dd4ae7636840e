from django.urls import path

from . import autocomplete, followup_views, profile_views, views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.xlsx", views.customer_export, name="export"),
    path("new/", views.customer_create, name="create"),
    path("import/", views.customer_import, name="import"),
    path("import/template.xlsx", views.customer_import_template, name="import_template"),
    path("handover/", views.customer_handover, name="handover"),
    path("handover/<id:pk>/", views.handover_detail, name="handover_detail"),
    path("handover/<id:pk>/letters/", views.handover_letters, name="handover_letters"),
    path("handover/<id:pk>/checklist/", views.handover_checklist, name="handover_checklist"),
    path("read-log/", views.read_log_page, name="read_log"),
    path("read-log/export.xlsx", views.read_log_export, name="read_log_export"),
    path("pickers/customers/", autocomplete.customers, name="pick_customers"),
    path("pickers/owners/", autocomplete.owners, name="pick_owners"),
    path("pickers/handover-leavers/", autocomplete.handover_leavers, name="pick_handover_leavers"),
    path("pickers/handover-successors/", autocomplete.handover_successors, name="pick_handover_successors"),
    path("<id:pk>/pickers/second-owners/", autocomplete.second_owners, name="pick_second_owners"),
    path("<id:pk>/pickers/complaint-handlers/", autocomplete.complaint_handlers, name="pick_complaint_handlers"),
    path("<id:pk>/", views.customer_detail, name="detail"),
    path("<id:pk>/edit/", views.customer_update, name="update"),
    path("<id:pk>/second-owner/", views.customer_second_owner, name="second_owner"),
    path("<id:pk>/complaints/<id:complaint_id>/", views.complaint_detail, name="complaint"),
    path("<id:pk>/<slug:kind>/add/", views.customer_record_edit, name="record_add"),
    path("<id:pk>/<slug:kind>/<id:record_id>/edit/", views.customer_record_edit, name="record_edit"),
]
urlpatterns += followup_views.urlpatterns + profile_views.urlpatterns
