"""Input validation for lending, with messages a person can act on."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from accounts.pickers import PersonField
from crm_archive.forms import DATE_INPUT, DATETIME_INPUT, Form, ModelMultipleChoiceField, RememberedChoices
from crm_archive.widgets import PickerSelect
from dossiers.models import Document, Dossier

from .models import OUTSTANDING_STATUSES, Loan, LoanKind, LoanStatus, ReferenceCopy


def dossier_picker():
    """An archive number chosen with the dossier picker (dossiers.autocomplete.dossiers)."""
    return PickerSelect(reverse_lazy("dossiers:pick_dossiers"), placeholder=_("输入档号或客户名称查找…"))


class LoanRequestForm(Form):
    archive_number = forms.CharField(
        label=_("档号"),
        max_length=40,
        widget=dossier_picker(),
        help_text=_("可按档号或客户名称的一部分查找您有权查阅的档案；其他档案请输入完整档号。"),
    )
    kind = forms.ChoiceField(label=_("用途"), choices=LoanKind.choices, initial=LoanKind.BORROW)
    content = forms.CharField(label=_("借阅内容"), max_length=300, help_text=_("需要查阅或影印哪些材料。"))
    purpose = forms.CharField(label=_("用途说明"), max_length=300)
    requested_due_on = forms.DateField(
        label=_("申请归还日期"), required=False, widget=DATE_INPUT, help_text=_("原件原则上当天归还；留空即为当天。")
    )
    overnight_reason = forms.CharField(
        label=_("过夜留存原因"),
        max_length=300,
        required=False,
        help_text=_("借阅原件超过当天归还时必填，由内勤部经理另行审批。"),
    )

    def clean_archive_number(self):
        number = self.cleaned_data["archive_number"].strip()
        dossier = Dossier.objects.select_related("customer").filter(archive_number=number).first()
        if dossier is None:
            raise forms.ValidationError(_("没有档号为“%(number)s”的档案。") % {"number": number})
        self.cleaned_data["dossier"] = dossier
        return number

    def clean_requested_due_on(self):
        due = self.cleaned_data.get("requested_due_on")
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("申请归还日期不能早于今天。"))
        if due and due > timezone.localdate() + timedelta(days=settings.LOAN_MAX_DAYS):
            raise forms.ValidationError(_("申请归还日期最多为 %(days)d 天之后。") % {"days": settings.LOAN_MAX_DAYS})
        return due

    def clean(self):
        cleaned = super().clean()
        due = cleaned.get("requested_due_on")
        if (
            cleaned.get("kind") == LoanKind.BORROW
            and due
            and due > timezone.localdate()
            and not cleaned.get("overnight_reason")
        ):
            self.add_error("overnight_reason", _("原件原则上当天借阅当天归还；如需留存过夜，请写明原因。"))
        return cleaned


class IssueForm(Form):
    """发放: the pages handed out, and — when the request names documents with reference copies on
    the shelf — a reference copy instead of the original."""

    pages = forms.IntegerField(label=_("交付页数"), min_value=1, max_value=100_000)
    reference_copy = forms.ModelChoiceField(
        label=_("发放"),
        queryset=ReferenceCopy.objects.none(),
        required=False,
        empty_label=_("原件"),
        help_text=_("借出参考副本时，原件留在档案柜。"),
    )

    def __init__(self, *args, loan=None, copies=None, original=True, **kwargs):
        super().__init__(*args, **kwargs)
        if copies is not None:
            self.fields["reference_copy"].queryset = copies
        if copies is None or not copies.exists():
            del self.fields["reference_copy"]
        elif not original:
            # The original cannot go out now (out, or held for another requester): a copy only.
            self.fields["reference_copy"].required = True
            self.fields["reference_copy"].empty_label = None
        if loan is not None and loan.documents.all():
            self.fields["pages"].initial = sum(document.pages for document in loan.documents.all())


class WitnessForm(Form):
    note = forms.CharField(
        label=_("见证签收说明"), max_length=300, help_text=_("借阅人在纸质登记簿上签字，写明签字人与见证人。")
    )


class LostForm(Form):
    description = forms.CharField(label=_("丢失情况"), max_length=300)


class DecisionForm(Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("不批准"))], widget=forms.HiddenInput)
    comment = forms.CharField(label=_("意见"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("comment"):
            self.add_error("comment", _("请写明不批准的原因。"))
        return cleaned


class BlockOverrideForm(Form):
    borrower = PersonField(
        label=_("借阅人"),
        url=reverse_lazy("lending:pick_blocked_borrowers"),
        refusal=_("只能特批因借阅逾期未还而受限的在职人员。"),
    )
    reason = forms.CharField(label=_("特批原因"), max_length=300)

    def __init__(self, *args, borrowers=None, **kwargs):
        """`borrowers`: permissions.block_override_borrowers()."""
        super().__init__(*args, **kwargs)
        if borrowers is not None:
            self.fields["borrower"].queryset = borrowers


class DeskScanForm(Form):
    code = forms.CharField(
        label=_("扫描档号"),
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "inputmode": "text"}),
        help_text=_("扫描档案脊背标签，或输入档号后按回车。"),
    )


class ReferenceCopyForm(Form):
    archive_number = forms.CharField(label=_("档号"), max_length=40, widget=dossier_picker())
    position = forms.IntegerField(label=_("卷内顺序"), min_value=0, max_value=100_000)

    def clean(self):
        cleaned = super().clean()
        number, position = cleaned.get("archive_number", "").strip(), cleaned.get("position")
        if number and position is not None:
            document = (
                Document.objects.filter(dossier__archive_number=number, position=position, destroyed_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if document is None:
                message = _("档案 %(number)s 中没有卷内顺序为 %(position)d 的文件。")
                raise forms.ValidationError(message % {"number": number, "position": position})
            cleaned["document"] = document
        return cleaned


class RejectForm(Form):
    reason = forms.CharField(label=_("不批准的原因"), max_length=300)


class _DamageMixin(Form):
    remarks = forms.CharField(label=_("情况说明"), max_length=300, required=False)
    damaged_documents = ModelMultipleChoiceField(
        label=_("缺损的文件"), queryset=Document.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, loan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if loan is not None:
            self.fields["damaged_documents"].queryset = loan.dossier.documents.order_by("filing_year", "position", "pk")


class ReturnForm(_DamageMixin):
    pages_returned = forms.IntegerField(label=_("归还页数"), min_value=0, max_value=100_000, required=False)
    complete = forms.TypedChoiceField(
        label=_("检查完整性"),
        choices=[("yes", _("完整无损")), ("no", _("不完整或有破损"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    damaged = forms.BooleanField(label=_("有破损"), required=False)
    field_order = ["pages_returned", "complete", "damaged", "remarks", "damaged_documents"]

    def __init__(self, *args, loan=None, **kwargs):
        super().__init__(*args, loan=loan, **kwargs)
        if loan is not None and loan.pages_out:
            self.fields["pages_returned"].initial = loan.pages_out
            self.fields["pages_returned"].help_text = _("交付 %(pages)d 页。") % {"pages": loan.pages_out}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("complete") is False and not cleaned.get("remarks"):
            self.add_error("remarks", _("归还不完整或有破损时，请写明情况。"))
        if cleaned.get("complete") and cleaned.get("damaged"):
            self.add_error("complete", _("有破损时请选择“不完整或有破损”并写明情况。"))
        return cleaned


class PhotocopyForm(_DamageMixin):
    copied_content = forms.CharField(label=_("影印内容"), max_length=300)
    pages = forms.IntegerField(label=_("页数"), min_value=1, max_value=100_000)
    copies = forms.IntegerField(label=_("份数"), min_value=1, max_value=1_000)
    copies_due_on = forms.DateField(label=_("影印件应还日期"), widget=DATE_INPUT)
    original_complete = forms.TypedChoiceField(
        label=_("原件归还检查"),
        choices=[("yes", _("完整无损")), ("no", _("不完整或有破损"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    field_order = ["copied_content", "pages", "copies", "copies_due_on", "original_complete", "remarks"]

    def clean_copies_due_on(self):
        due = self.cleaned_data["copies_due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("影印件应还日期不能早于今天。"))
        return due

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("original_complete") is False and not cleaned.get("remarks"):
            self.add_error("remarks", _("归还不完整或有破损时，请写明情况。"))
        return cleaned


class PhotocopyCloseForm(Form):
    complete = forms.TypedChoiceField(
        label=_("影印件检查"),
        choices=[("yes", _("完整无损")), ("no", _("不完整或有破损"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(label=_("情况说明"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("complete") is False and not cleaned.get("remarks"):
            self.add_error("remarks", _("归还不完整或有破损时，请写明情况。"))
        return cleaned


class ExtensionForm(Form):
    until = forms.DateTimeField(label=_("延至"), widget=DATETIME_INPUT)
    reason = forms.CharField(label=_("原因"), max_length=300)


class _RegisterFilterForm(Form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return cleaned


class RegisterFilter(RememberedChoices, django_filters.FilterSet):
    """The register's filters. Each is backed by an index on Loan: (kind, status, -requested_at),
    (department, -requested_at), (borrower, -requested_at), (kind, -requested_at) for the dates
    (a range on the column itself, not on its date, so the index serves it), (status, due_at)."""

    status = django_filters.ChoiceFilter(choices=LoanStatus.choices, label=_("状态"), empty_label=_("全部"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), label=_("部门"), empty_label=_("全部")
    )
    borrower = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        label=_("借阅人"),
        empty_label=_("全部"),
    )
    date_from = django_filters.DateFilter(label=_("申请日期自"), method="filter_requested_from", widget=DATE_INPUT)
    date_to = django_filters.DateFilter(label=_("至"), method="filter_requested_to", widget=DATE_INPUT)
    overdue = django_filters.BooleanFilter(label=_("仅逾期"), method="filter_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Loan
        fields = ["status", "department", "borrower", "date_from", "date_to", "overdue"]
        form = _RegisterFilterForm

    def filter_requested_from(self, queryset, name, value):
        """Requested on or after that day, in Asia/Shanghai."""
        return queryset.filter(requested_at__gte=timezone.make_aware(datetime.combine(value, time.min)))

    def filter_requested_to(self, queryset, name, value):
        """Requested on or before that day, in Asia/Shanghai."""
        return queryset.filter(requested_at__lte=timezone.make_aware(datetime.combine(value, time.max)))

    def filter_overdue(self, queryset, name, value):
        """Only what is out and past its due time now."""
        if not value:
            return queryset
        return queryset.filter(status__in=OUTSTANDING_STATUSES, due_at__lt=timezone.now())
