"""The REST API (/api/v1/) for the company's ERP, under the pages' rules (SPEC §10).

Every queryset starts from the same access rule as the page that lists it (customers:
customers.secrecy; dossiers: dossiers.permissions; loans: lending.permissions), so a record the
caller may not read is a 404, as on the pages. Every read of a customer's contents (profile,
contacts, interactions, deals, dossier) is written to the read log with what was read; every
write goes through the same service as the page, so it is in the record's history with the
caller — the integration account — as actor. Lists paginate by cursor, a constant number of
queries whatever the page size."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from customers import permissions as customer_permissions
from customers import secrecy
from customers import selectors as customer_selectors
from customers.forms import CustomerFilter
from customers.services import (
    customer_create,
    customer_read_log,
    customer_record_save,
    customer_update,
    customers_read_log,
)
from dossiers import permissions as dossier_permissions
from dossiers import selectors as dossier_selectors
from dossiers.forms import DossierFilter
from dossiers.models import Dossier
from lending import permissions as lending_permissions
from lending.models import MonthlyReport

from . import serializers

# The lookup of every record: digits only (an id like "1e3" or one beyond 64 bits is a 404).
ID = r"[0-9]{1,18}"


class IdCursorPagination(CursorPagination):
    """Newest first by id: stable under inserts, and the same cost on page 1 and page 1000."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers the caller may read: the list's search (`q`: name, phone, a contact's name or
    phone) and filters are the customer list page's."""

    serializer_class = serializers.CustomerSerializer
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilter
    lookup_value_regex = ID

    def get_queryset(self):
        search = self.request.query_params.get("q", "") if self.action == "list" else ""
        return customer_selectors.customers_for_list(self.request.user, search=search).order_by("-id")

    def get_serializer_class(self):
        return serializers.CustomerCreateSerializer if self.action == "create" else serializers.CustomerSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "create":
            context["owners"] = customer_permissions.owners_assignable_by(self.request.user)
        return context

    @extend_schema(parameters=[OpenApiParameter("q", str, description="客户名称、电话或联系人姓名、电话的片段")])
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        customers_read_log([row["id"] for row in response.data["results"]], user=request.user, what="api:customers")
        return response

    def retrieve(self, request, *args, **kwargs):
        customer = self.get_object()
        customer_read_log(customer, user=request.user, what="api:customer")
        return Response(self.get_serializer(customer).data)

    def create(self, request, *args, **kwargs):
        if not customer_permissions.can_create_customers(request.user):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_create(by=request.user, **serializer.validated_data)
        return Response(serializers.CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        if "edit" not in customer_permissions.customer_actions(request.user, customer):
            raise PermissionDenied
        serializer = self.get_serializer(customer, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        customer = customer_update(customer, by=request.user, **serializer.validated_data)
        return Response(serializers.CustomerSerializer(customer).data)


class CustomerRecordViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """A customer's contacts, interactions or deals: listed to whoever may read the customer,
    added by whoever keeps its profile (the page's "edit")."""

    pagination_class = IdCursorPagination
    what = ""

    def customer(self):
        """The customer of the URL, if the caller may read it (404 otherwise, as on the pages)."""
        if not hasattr(self, "_customer"):
            self._customer = secrecy.get_readable_customer_or_404(self.request.user, self.kwargs["customer_pk"])
        return self._customer

    def get_queryset(self):
        model = self.get_serializer_class().Meta.model
        if getattr(self, "swagger_fake_view", False):
            return model.objects.none()
        return model.objects.filter(customer=self.customer()).order_by("-id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        customer_read_log(self.customer(), user=request.user, what=self.what)
        return response

    def create(self, request, *args, **kwargs):
        customer = self.customer()
        if "edit" not in customer_permissions.customer_actions(request.user, customer):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = serializer.Meta.model(customer=customer, **serializer.validated_data)
        customer_record_save(record, by=request.user)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


class ContactViewSet(CustomerRecordViewSet):
    serializer_class = serializers.ContactSerializer
    what = "api:contacts"


class InteractionViewSet(CustomerRecordViewSet):
    serializer_class = serializers.InteractionSerializer
    what = "api:interactions"


class DealViewSet(CustomerRecordViewSet):
    serializer_class = serializers.DealSerializer
    what = "api:deals"


@extend_schema_view(
    retrieve=extend_schema(responses=serializers.DossierDetailSerializer),
    list=extend_schema(parameters=[OpenApiParameter("q", str, description="档号或客户名称的片段")]),
)
class DossierViewSet(viewsets.ReadOnlyModelViewSet):
    """Dossier metadata as the dossier pages show it (archive staff and the general manager see
    every dossier; others the dossiers of customers they may read)."""

    serializer_class = serializers.DossierSerializer
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = DossierFilter
    lookup_value_regex = ID

    def get_queryset(self):
        search = self.request.query_params.get("q", "") if self.action == "list" else ""
        return dossier_selectors.dossiers_for_list(self.request.user, search=search).order_by("-id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        customers_read_log(
            [row["customer"] for row in response.data["results"]], user=request.user, what="api:dossiers"
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        dossier = dossier_permissions.get_visible_dossier_or_404(
            request.user, kwargs["pk"], Dossier.objects.select_related("customer", "cabinet", "retention")
        )
        dossier.listed_documents = dossier_selectors.documents_of(dossier, request.user)
        customer_read_log(dossier.customer, user=request.user, what=f"api:dossier:{dossier.pk}")
        return Response(serializers.DossierDetailSerializer(dossier).data)


class LoanViewSet(viewsets.ReadOnlyModelViewSet):
    """Both registers' rows the caller may see (lending.permissions.loans_visible_to)."""

    serializer_class = serializers.LoanSerializer
    pagination_class = IdCursorPagination
    lookup_value_regex = ID

    def get_queryset(self):
        return (
            lending_permissions.loans_visible_to(self.request.user)
            .select_related("dossier__customer", "borrower", "department")
            .order_by("-id")
        )


class MonthlyReportViewSet(viewsets.ReadOnlyModelViewSet):
    """借阅月报, for the general manager and the archive manager; the lines page by cursor."""

    serializer_class = serializers.MonthlyReportSerializer
    pagination_class = IdCursorPagination
    lookup_value_regex = ID

    def get_queryset(self):
        if not lending_permissions.can_read_monthly_reports(self.request.user):
            raise PermissionDenied
        return MonthlyReport.objects.order_by("-id")

    @extend_schema(responses=serializers.MonthlyReportLineSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=serializers.MonthlyReportLineSerializer)
    def lines(self, request, pk=None):
        report = self.get_object()
        page = self.paginate_queryset(report.lines.order_by("-id"))
        return self.get_paginated_response(serializers.MonthlyReportLineSerializer(page, many=True).data)
