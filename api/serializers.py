"""What the API shows and accepts. Records are shown as the pages show them; what is written is
validated by the very forms the pages use (customers/forms.py), so a value the page refuses the
API refuses too, with the same message, keyed by the field's name."""

from django import forms
from django.forms.models import model_to_dict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.forms import RECORD_FORMS, CustomerCreateForm, CustomerForm
from customers.models import Contact, Customer, Deal, Interaction
from dossiers.models import Document, Dossier
from lending.models import Loan, MonthlyReport, MonthlyReportLine


class FormValidated:
    """A serializer whose input is cleaned by a Django form: `form_class(data, **form_kwargs)`.
    A value that is not a single JSON scalar (an object, a list), or a true/false for a field that
    is not a yes/no one, is refused for its field before the form sees it. On a partial update the
    record's current values fill what was not sent; a new record starts from the model's defaults."""

    form_class = None

    def form_kwargs(self) -> dict:
        return {}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [serializers.Serializer.default_error_messages["invalid"]]}
            )
        form_class = self.form_class
        names = list(form_class.base_fields)
        errors, values = {}, {}
        if self.instance is not None and self.partial:
            values = {
                name: value for name, value in model_to_dict(self.instance, fields=names).items() if value is not None
            }
        elif self.instance is None:
            # What a new record is not sent takes the model's default, as on the page's blank form.
            model_fields = {field.name: field for field in form_class._meta.model._meta.get_fields()}
            values = {
                name: model_fields[name].get_default()
                for name in names
                if name in model_fields and getattr(model_fields[name], "has_default", lambda: False)()
            }
        for name in names:
            if name not in data:
                continue
            value = data[name]
            is_boolean_field = isinstance(form_class.base_fields[name], forms.BooleanField)
            if isinstance(value, dict | list) or (isinstance(value, bool) and not is_boolean_field):
                errors[name] = [serializers.CharField.default_error_messages["invalid"]]
            elif value is None:
                values.pop(name, None)
            else:
                values[name] = value if isinstance(value, bool) else str(value)
        if errors:
            raise serializers.ValidationError(errors)
        form = form_class(data=values, **self.form_kwargs())
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    name if name != "__all__" else "non_field_errors": list(messages)
                    for name, messages in form.errors.items()
                }
            )
        return form.cleaned_data


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return str(user)


# The grade changes only through a request the department manager approves (customers/profiles.py).
CUSTOMER_READ_ONLY = ["id", "grade", "department", "created_at", "updated_at"]


class CustomerSerializer(FormValidated, serializers.ModelSerializer):
    """A customer profile (客户基本资料). `owner` is set when the customer is created and changes
    only through a handover; `department` follows the owner."""

    form_class = CustomerForm
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    department = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Customer
        fields = ["id", *CustomerForm.Meta.fields, "grade", "owner", "department", "created_at", "updated_at"]
        read_only_fields = CUSTOMER_READ_ONLY

    def form_kwargs(self):
        return {"instance": self.instance} if self.instance is not None else {}


class CustomerCreateSerializer(CustomerSerializer):
    """A new customer: `owner` is one of the people the caller may make responsible."""

    form_class = CustomerCreateForm
    owner = serializers.IntegerField(help_text="负责业务员的用户 id")

    def form_kwargs(self):
        return {"owners": self.context["owners"]}

    def to_representation(self, instance):
        return CustomerSerializer(instance, context=self.context).data


class ContactSerializer(FormValidated, serializers.ModelSerializer):
    form_class = RECORD_FORMS["contacts"]

    class Meta:
        model = Contact
        fields = ["id", "customer", *RECORD_FORMS["contacts"].Meta.fields, "created_at"]
        read_only_fields = ["id", "customer", "created_at"]


class InteractionSerializer(FormValidated, serializers.ModelSerializer):
    form_class = RECORD_FORMS["interactions"]
    recorded_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Interaction
        fields = ["id", "customer", *RECORD_FORMS["interactions"].Meta.fields, "recorded_by", "created_at"]
        read_only_fields = ["id", "customer", "recorded_by", "created_at"]


class DealSerializer(FormValidated, serializers.ModelSerializer):
    """A transaction (成交记录) — what the ERP pushes."""

    form_class = RECORD_FORMS["deals"]

    class Meta:
        model = Deal
        fields = ["id", "customer", *RECORD_FORMS["deals"].Meta.fields, "created_at"]
        read_only_fields = ["id", "customer", "created_at"]


class DocumentSerializer(serializers.ModelSerializer):
    """A document as the dossier page lists it: the title is null where the caller may not see it
    (the page masks it), the archive facts are always there."""

    title = serializers.SerializerMethodField()
    document_type = serializers.CharField(source="document_type.name", read_only=True)
    retention = serializers.CharField(source="retention.name", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "position",
            "document_number",
            "title",
            "document_type",
            "made_on",
            "pages",
            "copies",
            "is_original",
            "secrecy_tier",
            "retention",
            "filing_year",
            "destroyed_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_title(self, document):
        return document.title if document.title_visible else None


class DossierSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    retention = serializers.CharField(source="retention.name", read_only=True)
    cabinet = serializers.CharField(source="cabinet.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "archive_number",
            "customer",
            "customer_name",
            "status",
            "custody",
            "retention",
            "opened_on",
            "completion_received_on",
            "promotion_due_on",
            "promoted_at",
            "filing_year",
            "cabinet",
            "position",
            "destroyed_at",
        ]


class DossierDetailSerializer(DossierSerializer):
    documents = DocumentSerializer(many=True, read_only=True, source="listed_documents")

    class Meta(DossierSerializer.Meta):
        fields = [*DossierSerializer.Meta.fields, "documents"]


class LoanSerializer(serializers.ModelSerializer):
    register_number = serializers.CharField(read_only=True)
    archive_number = serializers.CharField(source="dossier.archive_number", read_only=True, allow_null=True)
    customer = serializers.IntegerField(source="dossier.customer_id", read_only=True)
    customer_name = serializers.CharField(source="dossier.customer.name", read_only=True)
    borrower = UserRefSerializer(read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Loan
        fields = [
            "id",
            "register_number",
            "kind",
            "status",
            "dossier",
            "archive_number",
            "customer",
            "customer_name",
            "borrower",
            "department",
            "content",
            "purpose",
            "requested_at",
            "requested_due_on",
            "issued_at",
            "due_at",
            "original_returned_at",
            "returned_at",
        ]


class MonthlyReportLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyReportLine
        fields = [
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


class MonthlyReportSerializer(serializers.ModelSerializer):
    generated_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MonthlyReport
        fields = ["id", "kind", "year", "month", "taken_at", "generated_by"]


class MonthlyReportDetailSerializer(MonthlyReportSerializer):
    lines = MonthlyReportLineSerializer(many=True, read_only=True)

    class Meta(MonthlyReportSerializer.Meta):
        fields = [*MonthlyReportSerializer.Meta.fields, "lines"]
