"""Input validation for the archive office's forms."""

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.pickers import PersonField
from crm_archive.forms import DATE_INPUT, DATETIME_INPUT, Form, ModelForm, ModelMultipleChoiceField, RememberedChoices
from crm_archive.widgets import PickerSelect
from customers.models import Customer, SecrecyTier

from .labels import LABELS_MAX, POSITION_MAX, SCAN_MAX_LENGTH, Symbology, split_codes
from .models import (
    Cabinet,
    Document,
    DocumentType,
    Dossier,
    DossierStatus,
    Inspection,
    InspectionReason,
    InspectionSchedule,
    ReadRequestScope,
    RetentionPeriod,
)
from .permissions import backup_key_users

# Scans are recognised by their first bytes, never by their name.
SCAN_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def scan_content_type(upload) -> str | None:
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SCAN_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def not_in_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


# A customer named by a request form: the one whose name is typed in full, or one the person may read.
CUSTOMER_PICKER_PLACEHOLDER = _("输入客户名称查找…")


class DossierOpenForm(Form):
    customer_name = forms.CharField(
        label=_("客户名称"),
        max_length=200,
        widget=PickerSelect(reverse_lazy("dossiers:pick_customers_to_open"), placeholder=CUSTOMER_PICKER_PLACEHOLDER),
        help_text=_("输入客户名称的一部分，查找尚未建档的客户。"),
    )
    opened_on = forms.DateField(label=_("建档日期（合同签订）"), widget=DATE_INPUT, initial=timezone.localdate)
    retention = forms.ModelChoiceField(label=_("保管期限"), queryset=RetentionPeriod.objects.all())

    def clean_customer_name(self):
        name = self.cleaned_data["customer_name"].strip()
        customer = Customer.objects.filter(name=name).first()
        if customer is None:
            raise forms.ValidationError(_("没有名为“%(name)s”的客户。") % {"name": name})
        if Dossier.objects.filter(customer=customer).exists():
            raise forms.ValidationError(_("客户“%(name)s”已有档案（一户一档）。") % {"name": name})
        self.cleaned_data["customer"] = customer
        return name

    def clean_opened_on(self):
        return not_in_future(self.cleaned_data.get("opened_on"), _("建档日期不能晚于今天。"))


class CompletionForm(Form):
    received_on = forms.DateField(label=_("竣工文档收到日期"), widget=DATE_INPUT, initial=timezone.localdate)


class PromotionForm(Form):
    cabinet = forms.ModelChoiceField(label=_("档案柜"), queryset=Cabinet.objects.filter(is_active=True))
    position = forms.IntegerField(label=_("格位"), min_value=1)


class DocumentForm(ModelForm):
    scan_file = forms.FileField(
        label=_("扫描件"),
        required=False,
        help_text=_("PDF、PNG 或 JPEG，最大 %(size)s。") % {"size": filesizeformat(settings.SCAN_MAX_BYTES)},
    )

    class Meta:
        model = Document
        fields = [
            "document_type",
            "document_number",
            "title",
            "made_on",
            "responsible_party",
            "pages",
            "copies",
            "is_original",
            "secrecy_tier",
            "retention",
            "filing_year",
            "position",
            "remarks",
        ]
        widgets = {"made_on": DATE_INPUT}
        help_texts = {"filing_year": _("留空则按形成日期的年度立卷。"), "position": _("在卷内的排列顺序。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filing_year"].required = False

    def clean_made_on(self):
        return not_in_future(self.cleaned_data.get("made_on"), _("形成日期不能晚于今天。"))

    def clean_filing_year(self):
        year = self.cleaned_data.get("filing_year")
        if year and not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("归档年度应在 1900 年到今年之间。"))
        return year

    def clean_scan_file(self):
        upload = self.cleaned_data.get("scan_file")
        if not upload:
            return None
        if upload.size > settings.SCAN_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大：最大 %(size)s。") % {"size": filesizeformat(settings.SCAN_MAX_BYTES)}
            )
        content_type = scan_content_type(upload)
        if content_type is None:
            raise forms.ValidationError(_("扫描件只能是 PDF、PNG 或 JPEG 文件。"))
        self.scan_content_type = content_type
        return upload


class VolumeRemarksForm(Form):
    notes = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    checked_by = PersonField(
        label=_("检查人"),
        url=reverse_lazy("dossiers:pick_remarks_checkers"),
        required=False,
        refusal=_("检查人须为在职的档案管理员或内勤部经理，且不是立卷人本人。"),
    )
    compiled_on = forms.DateField(label=_("立卷日期"), widget=DATE_INPUT, initial=timezone.localdate)

    def __init__(self, *args, checkers=None, **kwargs):
        """`checkers`: permissions.remarks_checkers_for(the compiler)."""
        super().__init__(*args, **kwargs)
        if checkers is not None:
            self.fields["checked_by"].queryset = checkers


class BackupKeyUseForm(Form):
    used_by = PersonField(
        label=_("使用人"),
        url=reverse_lazy("dossiers:pick_key_users"),
        refusal=_("使用人须为在职的档案管理员、内勤部经理或总经理。"),
    )
    used_at = forms.DateTimeField(label=_("使用时间"), widget=DATETIME_INPUT, initial=timezone.now)
    reason = forms.CharField(label=_("原因"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["used_by"].queryset = backup_key_users()

    def clean_used_at(self):
        used_at = self.cleaned_data["used_at"]
        if used_at > timezone.now():
            raise forms.ValidationError(_("使用时间不能晚于现在。"))
        return used_at


class InspectionForm(ModelForm):
    class Meta:
        model = Inspection
        fields = [
            "inspected_on",
            "reason",
            "cabinet",
            "doors_windows_ok",
            "fire_protection_ok",
            "damp_protection_ok",
            "mould_found",
            "insects_found",
            "damage_found",
            "notes",
        ]
        widgets = {"inspected_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A stocktake's inspection is recorded by finishing the stocktake.
        self.fields["reason"].choices = [
            choice for choice in self.fields["reason"].choices if choice[0] != InspectionReason.STOCKTAKE
        ]

    def clean_inspected_on(self):
        return not_in_future(self.cleaned_data.get("inspected_on"), _("检查日期不能晚于今天。"))


class InspectionScheduleForm(ModelForm):
    class Meta:
        model = InspectionSchedule
        fields = ["cabinet", "every_months", "next_due_on", "is_active"]
        widgets = {"next_due_on": DATE_INPUT}
        help_texts = {"next_due_on": _("到期当天提醒档案管理员和内勤部经理；登记该范围的检查或完成盘点后自动顺延。")}


class StocktakeScanForm(Form):
    """One scan: a barcode scanner types the code and presses Enter."""

    code = forms.CharField(
        label=_("扫描标签"),
        max_length=SCAN_MAX_LENGTH,
        error_messages={
            "required": _("请扫描标签，或输入档号后按回车。"),
            "max_length": _("扫描内容过长（最多 %(limit_value)d 个字符），不是本系统打印的标签。"),
        },
        help_text=_("先扫描格位标签，再扫描该格位上的各份档案；扫错时重新扫描正确的格位和档案，以最后一次为准。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autofocus": True, "autocomplete": "off", "spellcheck": "false"})


class StocktakeFinishForm(Form):
    """The storage conditions seen during the stocktake, recorded with its inspection."""

    doors_windows_ok = forms.BooleanField(label=_("门窗完好"), required=False, initial=True)
    fire_protection_ok = forms.BooleanField(label=_("防火器材齐备"), required=False, initial=True)
    damp_protection_ok = forms.BooleanField(label=_("防潮器材齐备"), required=False, initial=True)
    mould_found = forms.BooleanField(label=_("发现霉烂"), required=False)
    insects_found = forms.BooleanField(label=_("发现虫蛀"), required=False)
    damage_found = forms.BooleanField(label=_("发现破损"), required=False)
    notes = forms.CharField(label=_("情况记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LabelSource(models.TextChoices):
    CABINET = "cabinet", _("档案柜内的全部正式档案")
    NUMBERS = "numbers", _("指定档号的档案")
    POSITIONS = "positions", _("档案柜的格位标签")


class LabelSheetForm(Form):
    """What to print on an A4 sheet of labels: a cabinet's dossiers, the dossiers of some archive
    numbers, or a cabinet's position labels; as Code 128 or QR codes."""

    source = forms.ChoiceField(label=_("打印内容"), choices=LabelSource.choices, initial=LabelSource.CABINET)
    cabinet = forms.ModelChoiceField(label=_("档案柜"), queryset=Cabinet.objects.all(), required=False)
    archive_numbers = forms.CharField(
        label=_("档号"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个档号（也可用空格或逗号分隔），可用扫码枪录入。"),
    )
    first_position = forms.IntegerField(label=_("起始格位"), min_value=1, max_value=POSITION_MAX, required=False)
    last_position = forms.IntegerField(label=_("结束格位"), min_value=1, max_value=POSITION_MAX, required=False)
    symbology = forms.ChoiceField(label=_("条码类型"), choices=Symbology.choices, initial=Symbology.CODE128)

    def clean(self):
        data = super().clean()
        source, cabinet = data.get("source"), data.get("cabinet")
        if source in (LabelSource.CABINET, LabelSource.POSITIONS) and cabinet is None and "cabinet" not in self.errors:
            self.add_error("cabinet", _("请选择档案柜。"))
        if source == LabelSource.NUMBERS:
            numbers = split_codes(data.get("archive_numbers") or "")
            if not numbers and "archive_numbers" not in self.errors:
                self.add_error("archive_numbers", _("请输入至少一个档号。"))
            elif len(numbers) > LABELS_MAX:
                self.add_error("archive_numbers", _("一次最多打印 %(max)d 张标签。") % {"max": LABELS_MAX})
            data["numbers"] = numbers
        first, last = data.get("first_position"), data.get("last_position")
        if first and last and first > last:
            self.add_error("last_position", _("结束格位不能小于起始格位。"))
        if source == LabelSource.POSITIONS and cabinet is not None and not self.errors:
            first, last = first or 1, min(last or cabinet.positions, cabinet.positions)
            if first > cabinet.positions:
                self.add_error(
                    "first_position",
                    _("档案柜 %(cabinet)s 只有 %(count)d 个格位。")
                    % {"cabinet": cabinet.code, "count": cabinet.positions},
                )
            elif last - first + 1 > LABELS_MAX:
                self.add_error(
                    "last_position",
                    _("一次最多打印 %(max)d 张标签，请缩小格位范围。") % {"max": LABELS_MAX},
                )
            data["first_position"], data["last_position"] = first, last
        return data


class RepairOpenForm(Form):
    damage = forms.CharField(label=_("破损情况"), max_length=300)


class RepairCloseForm(Form):
    repaired_on = forms.DateField(label=_("修复日期"), widget=DATE_INPUT, initial=timezone.localdate)
    repair_notes = forms.CharField(label=_("修复说明"), max_length=300, required=False)


class DossierFilter(RememberedChoices, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DossierStatus.choices, label=_("状态"))
    filing_year = django_filters.NumberFilter(label=_("归档年度"))
    secrecy_tier = django_filters.ChoiceFilter(
        field_name="customer__secrecy_tier", choices=SecrecyTier.choices, label=_("密级")
    )
    cabinet = django_filters.ModelChoiceFilter(queryset=Cabinet.objects.all(), label=_("档案柜"), empty_label=_("全部"))

    class Meta:
        model = Dossier
        fields = ["status", "filing_year", "secrecy_tier", "cabinet"]
        form = Form


class ReadRequestForm(Form):
    """查阅申请: which customer (its exact name, or its dossier's archive number: nobody browses
    customers they may not read — the picker finds by a fragment only the customers the person
    reads already, e.g. through a grant that is ending), how much of it, why and for how long."""

    customer_ref = forms.CharField(
        label=_("客户名称或档号"),
        max_length=200,
        widget=PickerSelect(
            reverse_lazy("dossiers:pick_customers_to_request"), placeholder=CUSTOMER_PICKER_PLACEHOLDER
        ),
        help_text=_("请输入完整的客户名称，或其档案的档号；您有权查阅的客户也可按名称的一部分查找。"),
    )
    scope = forms.ChoiceField(label=_("查阅范围"), choices=ReadRequestScope.choices, initial=ReadRequestScope.WHOLE)
    document_types = ModelMultipleChoiceField(
        label=_("文件类型"),
        queryset=DocumentType.objects.all(),
        required=False,
        help_text=_("查阅范围为“指定类型”时选择。"),
    )
    content = forms.CharField(label=_("查阅内容"), max_length=300)
    purpose = forms.CharField(label=_("查阅目的"), max_length=300)
    working_days = forms.IntegerField(label=_("查阅期限（工作日）"), min_value=1, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["working_days"].max_value = settings.READ_ACCESS_MAX_DAYS
        self.fields["working_days"].validators.append(MaxValueValidator(settings.READ_ACCESS_MAX_DAYS))
        self.fields["working_days"].widget.attrs["max"] = settings.READ_ACCESS_MAX_DAYS

    def clean_customer_ref(self):
        reference = self.cleaned_data["customer_ref"].strip()
        customer = (
            Customer.objects.filter(name=reference).first()
            or Customer.objects.filter(dossier__archive_number=reference).first()
        )
        if customer is None:
            raise forms.ValidationError(_("没有名称或档号为“%(ref)s”的客户。") % {"ref": reference})
        self.cleaned_data["customer"] = customer
        return reference

    def clean(self):
        data = super().clean()
        if data.get("scope") == ReadRequestScope.TYPES and not data.get("document_types"):
            self.add_error("document_types", _("请选择要查阅的文件类型。"))
        return data


class ExportRequestForm(Form):
    purpose = forms.CharField(label=_("导出目的"), max_length=300, help_text=_("导出哪些客户数据、作何用途。"))
