"""Input validation for customers and their records, with messages a person can act on."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from accounts.pickers import PersonField
from crm_archive.forms import DATE_INPUT, DATETIME_INPUT, Form, ModelForm, RememberedChoices

from .models import (
    Complaint,
    Contact,
    Customer,
    CustomerCategory,
    CustomerGrade,
    Deal,
    FeedbackKind,
    Interaction,
    SecrecyTier,
)
from .permissions import complaint_handlers_for, customer_owners

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9\- ()]{5,28}$", _("请输入有效的电话号码：数字，可含 +、-、空格和括号，至少 7 位。")
)
postcode_validator = RegexValidator(r"^[0-9]{6}$", _("邮编应为 6 位数字。"))


PROFILE_FIELDS = [
    "name",
    "legal_representative",
    "address",
    "postcode",
    "phone",
    "fax",
    "email",
    "website",
    "registered_capital",
    "founded_on",
    "enterprise_type",
    "industry",
    "region",
    "business_scope",
    "annual_revenue",
    "employees",
    "credit_status",
    "credit_rating",
    "category",
    "kind",
    "grade",
    "secrecy_tier",
]


class CustomerForm(ModelForm):
    """The profile (客户基本资料). Owner and department are set at creation and changed only by a handover."""

    website = forms.URLField(label=_("网址"), required=False, assume_scheme="https")

    class Meta:
        model = Customer
        # The grade changes through a request the department manager approves (profiles.py).
        fields = [name for name in PROFILE_FIELDS if name != "grade"]
        widgets = {"founded_on": DATE_INPUT, "business_scope": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(phone_validator)
        self.fields["fax"].validators.append(phone_validator)
        self.fields["postcode"].validators.append(postcode_validator)

    def clean_founded_on(self):
        founded_on = self.cleaned_data.get("founded_on")
        if founded_on and founded_on > timezone.localdate():
            raise forms.ValidationError(_("成立日期不能晚于今天。"))
        return founded_on


class CustomerCreateForm(CustomerForm):
    owner = PersonField(
        label=_("负责业务员"),
        url=reverse_lazy("customers:pick_owners"),
        refusal=_("负责业务员须为您可以为其建立客户的在职业务员。"),
    )

    class Meta(CustomerForm.Meta):
        fields = [*PROFILE_FIELDS, "owner"]

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners


# Choice columns an import may leave out: the profile's default applies.
DEFAULTED_CHOICES = ["category", "kind", "grade", "credit_status", "secrecy_tier"]


def choice_labels(model_field) -> dict[str, str]:
    """Label → code for a choice field, in Chinese and in English (files come in either)."""
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.update({str(label): code for code, label in model_field.flatchoices})
    return labels


class CustomerImportRowForm(CustomerForm):
    """One spreadsheet row. Choice columns accept the code or the label people see
    (e.g. 签约客户 or signed); the owner is given by username."""

    owner = forms.CharField(label=_("负责业务员（用户名）"))

    class Meta(CustomerForm.Meta):
        fields = [*PROFILE_FIELDS, "owner"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = {key: self._code_for(key, value) for key, value in data.items()}
            # A column left out, or a blank cell, takes the profile's default.
            for name in DEFAULTED_CHOICES:
                if not data.get(name):
                    data[name] = Customer._meta.get_field(name).get_default()
        super().__init__(data, *args, **kwargs)

    @staticmethod
    def _code_for(field_name, value):
        if value is None:
            return ""
        if field_name not in PROFILE_FIELDS:
            return value
        model_field = Customer._meta.get_field(field_name)
        if model_field.choices and isinstance(value, str):
            return choice_labels(model_field).get(value.strip(), value.strip())
        return value

    def clean_owner(self):
        username = self.cleaned_data["owner"].strip()
        owner = customer_owners().filter(username=username).first()
        if owner is not None:
            return owner
        if get_user_model().objects.filter(username=username, is_active=True).exists():
            raise forms.ValidationError(
                _("“%(username)s”不能担任负责业务员：须为在职的销售/业务人员。") % {"username": username}
            )
        raise forms.ValidationError(_("没有名为“%(username)s”的在职用户。") % {"username": username})

    def save(self, commit=True):
        customer = super().save(commit=False)
        customer.owner = self.cleaned_data["owner"]
        if commit:
            customer.save()
        return customer


MAX_IMPORT_BYTES = 5 * 1024 * 1024


class CustomerImportForm(Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件过大：最大 5 MB。"))
        head = upload.read(4)
        upload.seek(0)
        # An .xlsx file is a zip archive: check the content, not the name.
        if head != b"PK\x03\x04":
            raise forms.ValidationError(_("请上传 Excel（.xlsx）文件。"))
        return upload


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "mobile", "email", "is_decision_maker", "birthday", "preferences"]
        widgets = {"birthday": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(phone_validator)
        self.fields["mobile"].validators.append(phone_validator)

    def clean_birthday(self):
        birthday = self.cleaned_data.get("birthday")
        if birthday and birthday > timezone.localdate():
            raise forms.ValidationError(_("生日不能晚于今天。"))
        return birthday


class InteractionForm(ModelForm):
    class Meta:
        model = Interaction
        fields = ["occurred_at", "channel", "participants", "topic", "feedback", "next_action", "next_action_on"]
        widgets = {
            "occurred_at": DATETIME_INPUT,
            "next_action_on": DATE_INPUT,
            "feedback": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("next_action_on") and not cleaned.get("next_action"):
            self.add_error("next_action", _("填写了下一步行动日期时，请写明下一步行动。"))
        return cleaned


class DealForm(ModelForm):
    class Meta:
        model = Deal
        fields = [
            "contract_number",
            "signed_on",
            "amount",
            "product",
            "payment_method",
            "cooperation_mode",
            "churn_reason",
        ]
        widgets = {"signed_on": DATE_INPUT}


class ComplaintForm(ModelForm):
    """Feedback as received: its kind and class, what was said, who handles it and by when. The
    handling itself (progress, result, approval, review note) goes through the complaint's page.
    The handler is chosen among permissions.complaint_handlers_for(the customer)."""

    owner = PersonField(
        label=_("处理人"),
        refusal=_("处理人须为客户所属部门、客户负责人或客户服务部经理中的在职人员。"),
    )

    class Meta:
        model = Complaint
        fields = ["kind", "category", "received_on", "description", "owner", "deadline"]
        widgets = {
            "received_on": DATE_INPUT,
            "deadline": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer = self.instance.customer
        self.fields["owner"].queryset = complaint_handlers_for(customer)
        self.fields["owner"].widget.url = reverse_lazy("customers:pick_complaint_handlers", args=[customer.pk])
        self.fields["deadline"].help_text = _("投诉必填；表扬和建议可不填。")
        if self.instance.pk:
            # Its kind is fixed once recorded (customers.services._refuse_changing_a_handled_complaint).
            self.fields["kind"].disabled = True

    def clean(self):
        cleaned = super().clean()
        received_on, deadline = cleaned.get("received_on"), cleaned.get("deadline")
        if received_on and deadline and deadline < received_on:
            self.add_error("deadline", _("处理期限不能早于受理日期。"))
        if cleaned.get("kind") == FeedbackKind.COMPLAINT and not deadline and "deadline" not in self.errors:
            self.add_error("deadline", _("投诉须定处理期限。"))
        return cleaned


class SecondOwnerForm(Form):
    second_owner = PersonField(
        label=_("第二负责人"),
        required=False,
        empty_label=_("（不指定）"),
        refusal=_("第二负责人须为本部门的在职人员，且不是负责业务员。"),
    )

    def __init__(self, *args, people, url="", **kwargs):
        """`people`: permissions.second_owners_for(the customer); `url`: their picker's search."""
        super().__init__(*args, **kwargs)
        self.fields["second_owner"].queryset = people
        self.fields["second_owner"].widget.url = url


class ComplaintProgressForm(Form):
    note = forms.CharField(label=_("处理进展"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    customer_told = forms.BooleanField(label=_("已告知客户"), required=False)


class ComplaintResolveForm(Form):
    resolution = forms.CharField(label=_("处理结果"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ComplaintReturnForm(Form):
    reason = forms.CharField(label=_("退回理由"), max_length=500)


class ComplaintCloseForm(Form):
    review_note = forms.CharField(label=_("回访意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


RECORD_FORMS = {
    "contacts": ContactForm,
    "interactions": InteractionForm,
    "deals": DealForm,
    "complaints": ComplaintForm,
}


class CustomerFilter(RememberedChoices, django_filters.FilterSet):
    """The list's filters; each one is backed by an index on Customer."""

    category = django_filters.ChoiceFilter(choices=CustomerCategory.choices, label=_("客户类别"))
    grade = django_filters.ChoiceFilter(choices=CustomerGrade.choices, label=_("客户等级"))
    region = django_filters.CharFilter(label=_("所属区域"))
    industry = django_filters.CharFilter(label=_("所属行业"))
    owner = django_filters.ModelChoiceFilter(
        queryset=customer_owners(),
        label=_("负责业务员"),
        empty_label=_("全部"),
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), label=_("所属部门"), empty_label=_("全部")
    )
    secrecy_tier = django_filters.ChoiceFilter(choices=SecrecyTier.choices, label=_("密级"))

    class Meta:
        model = Customer
        fields = ["category", "grade", "region", "industry", "owner", "department", "secrecy_tier"]
        form = Form


class HandoverForm(Form):
    from_user = PersonField(
        label=_("移交人（调离员工）"),
        url=reverse_lazy("customers:pick_handover_leavers"),
        refusal=_("您不能交接此人的客户：移交人须为您所管部门的员工。"),
    )
    to_user = PersonField(
        label=_("接收人（继任者）"),
        url=reverse_lazy("customers:pick_handover_successors"),
        refusal=_("接收人须为您所管部门的在职业务员。"),
    )
    reason = forms.CharField(label=_("交接原因"), max_length=300)

    def __init__(self, *args, leavers=None, successors=None, **kwargs):
        """`leavers` and `successors`: permissions.handover_leavers_for / handover_successors_for."""
        super().__init__(*args, **kwargs)
        if leavers is not None:
            self.fields["from_user"].queryset = leavers
        if successors is not None:
            self.fields["to_user"].queryset = successors

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_user") and cleaned.get("from_user") == cleaned.get("to_user"):
            self.add_error("to_user", _("移交人和接收人不能是同一人。"))
        return cleaned
