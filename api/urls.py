"""/api/: the OpenAPI schema, its documentation page, and version 1 of the API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register(r"customers/(?P<customer_pk>[0-9]{1,18})/contacts", views.ContactViewSet, basename="contact")
router.register(
    r"customers/(?P<customer_pk>[0-9]{1,18})/interactions", views.InteractionViewSet, basename="interaction"
)
router.register(r"customers/(?P<customer_pk>[0-9]{1,18})/deals", views.DealViewSet, basename="deal")
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("loans", views.LoanViewSet, basename="loan")
router.register("monthly-reports", views.MonthlyReportViewSet, basename="monthly-report")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(router.urls)),
]
