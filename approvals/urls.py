from django.urls import path

from . import autocomplete, views

app_name = "approvals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("deputies/", views.deputies, name="deputies"),
    path("pickers/deputies/", autocomplete.deputies, name="pick_deputies"),
    path("deputies/<id:pk>/cancel/", views.deputy_cancel, name="deputy_cancel"),
]
