from django.urls import path

from . import views

app_name = "lending"

urlpatterns = [
    path("request/", views.loan_request, name="request"),
    path("register/<slug:kind>/", views.register, name="register"),
    path("register/<slug:kind>/export.xlsx", views.register_export, name="register_export"),
    path("reports/", views.report_list, name="reports"),
    path("reports/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/export.xlsx", views.report_export, name="report_export"),
    path("desk/", views.desk, name="desk"),
    path("blocks/", views.block_overrides, name="blocks"),
    path("reference-copies/", views.reference_copies, name="reference_copies"),
    path("<int:pk>/", views.loan_detail, name="detail"),
    path("<int:pk>/witness/", views.loan_witness, name="witness"),
    path("<int:pk>/lost/", views.loan_report_lost, name="report_lost"),
    path("<int:pk>/overnight/", views.loan_overnight_decide, name="overnight_decide"),
    path("<int:pk>/write-off/", views.loan_write_off_decide, name="write_off_decide"),
    path("<int:pk>/approve/", views.loan_approve, name="approve"),
    path("<int:pk>/reject/", views.loan_reject, name="reject"),
    path("<int:pk>/cancel/", views.loan_cancel, name="cancel"),
    path("<int:pk>/issue/", views.loan_issue, name="issue"),
    path("<int:pk>/confirm/", views.loan_confirm, name="confirm"),
    path("<int:pk>/return/", views.loan_return, name="return"),
    path("<int:pk>/photocopy/", views.photocopy_register, name="photocopy"),
    path("<int:pk>/photocopy/close/", views.photocopy_close, name="photocopy_close"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("<int:pk>/extension/<int:extension_id>/", views.extension_decide, name="extension_decide"),
]
