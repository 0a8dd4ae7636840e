from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("open/", views.dossier_open, name="open"),
    path("cabinets/", views.cabinet_list, name="cabinets"),
    path("cabinets/<id:cabinet_id>/backup-key/", views.backup_key_use, name="backup_key_use"),
    path("cabinets/<id:cabinet_id>/stocktake/", views.stocktake_start, name="stocktake_start"),
    path("stocktakes/<id:pk>/", views.stocktake_detail, name="stocktake"),
    path("stocktakes/<id:pk>/finish/", views.stocktake_finish, name="stocktake_finish"),
    path("stocktakes/<id:pk>/cancel/", views.stocktake_cancel, name="stocktake_cancel"),
    path("labels/", views.label_sheet, name="labels"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_add, name="inspection_add"),
    path("inspections/schedules/", views.inspection_schedule_list, name="inspection_schedules"),
    path("inspections/schedules/new/", views.inspection_schedule_edit, name="inspection_schedule_add"),
    path("inspections/schedules/<id:pk>/edit/", views.inspection_schedule_edit, name="inspection_schedule_edit"),
    path("repairs/<id:repair_id>/close/", views.repair_close, name="repair_close"),
    path("statistics/", views.statistics, name="statistics"),
    path("export-requests/new/", views.export_request_create, name="export_request_create"),
    path("export-requests/<id:pk>/", views.export_request_detail, name="export_request"),
    path("export-requests/<id:pk>/decide/", views.export_request_decide, name="export_request_decide"),
    path("read-requests/", views.read_request_list, name="read_requests"),
    path("read-requests/new/", views.read_request_create, name="read_request_create"),
    path("read-requests/<id:pk>/", views.read_request_detail, name="read_request"),
    path("read-requests/<id:pk>/decide/", views.read_request_decide, name="read_request_decide"),
    path("read-requests/<id:pk>/withdraw/", views.read_request_withdraw, name="read_request_withdraw"),
    path("documents/<id:document_id>/scan/", views.document_scan, name="document_scan"),
    path("documents/<id:document_id>/repair/", views.repair_open, name="repair_open"),
    path("<id:pk>/", views.dossier_detail, name="detail"),
    path("<id:pk>/completion/", views.dossier_record_completion, name="record_completion"),
    path("<id:pk>/promote/", views.dossier_promote, name="promote"),
    path("<id:pk>/documents/add/", views.document_edit, name="document_add"),
    path("<id:pk>/documents/<id:document_id>/edit/", views.document_edit, name="document_edit"),
    path("<id:pk>/volumes/<id:year>/<slug:kind>/catalogue/", views.volume_catalogue, name="volume_catalogue"),
    path("<id:pk>/volumes/<id:year>/<slug:kind>/remarks/", views.volume_remarks, name="volume_remarks"),
]
