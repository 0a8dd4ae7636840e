from django.urls import path

from . import autocomplete, views

app_name = "lending"

urlpatterns = [
    path("request/", views.loan_request, name="request"),
    path("register/<slug:kind>/", views.register, name="register"),
    path("register/<slug:kind>/export.xlsx", views.register_export, name="register_export"),
    path("reports/", views.report_list, name="reports"),
    path("reports/generate/", views.report_generate, name="report_generate"),
    path("reports/<id:pk>/", views.report_detail, name="report_detail"),
    path("reports/<id:pk>/export.xlsx", views.report_export, name="report_export"),
    path("desk/", views.desk, name="desk"),
    path("blocks/", views.block_overrides, name="blocks"),
    path("pickers/blocked-borrowers/", autocomplete.blocked_borrowers, name="pick_blocked_borrowers"),
    path("reference-copies/", views.reference_copies, name="reference_copies"),
    path("<id:pk>/", views.loan_detail, name="detail"),
    path("<id:pk>/witness/", views.loan_witness, name="witness"),
    path("<id:pk>/lost/", views.loan_report_lost, name="report_lost"),
    path("<id:pk>/overnight/", views.loan_overnight_decide, name="overnight_decide"),
    path("<id:pk>/write-off/", views.loan_write_off_decide, name="write_off_decide"),
    path("<id:pk>/approve/", views.loan_approve, name="approve"),
    path("<id:pk>/reject/", views.loan_reject, name="reject"),
    path("<id:pk>/cancel/", views.loan_cancel, name="cancel"),
    path("<id:pk>/issue/", views.loan_issue, name="issue"),
    path("<id:pk>/confirm/", views.loan_confirm, name="confirm"),
    path("<id:pk>/return/", views.loan_return, name="return"),
    path("<id:pk>/photocopy/", views.photocopy_register, name="photocopy"),
    path("<id:pk>/photocopy/close/", views.photocopy_close, name="photocopy_close"),
    path("<id:pk>/extension/", views.extension_request, name="extension_request"),
    path("<id:pk>/extension/<id:extension_id>/", views.extension_decide, name="extension_decide"),
]
