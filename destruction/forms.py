"""Input validation for holds and destruction lists."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from crm_archive.forms import DATE_INPUT, Form, harden_fields
from crm_archive.widgets import PickerSelect
from dossiers.models import Document, Dossier

from .models import DestructionItem


class DraftListForm(Form):
    department = forms.ModelChoiceField(label=_("档案形成部门"), queryset=Department.objects.all())
    dossiers = forms.ModelMultipleChoiceField(queryset=Dossier.objects.none(), required=False)
    documents = forms.ModelMultipleChoiceField(queryset=Document.objects.none(), required=False)

    def __init__(self, *args, dossiers=None, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dossiers is not None:
            self.fields["dossiers"].queryset = dossiers
        if documents is not None:
            self.fields["documents"].queryset = documents

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("dossiers") and not cleaned.get("documents"):
            raise forms.ValidationError(_("请至少选择一份到期的档案或文件。"))
        return cleaned


class AppraisalForm(Form):
    """鉴定: the items an appraiser keeps back, each with its reason (fields keep_<item id> and
    reason_<item id> of the list's page). Ids that are not whole numbers are ignored."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        item_ids = sorted(
            {int(key.removeprefix("keep_")) for key in (data or {}) if _is_item_key(key)},
        )
        self.item_ids = item_ids
        for item_id in item_ids:
            self.fields[f"reason_{item_id}"] = forms.CharField(
                label=_("保留原因"), max_length=DestructionItem._meta.get_field("reason").max_length, required=False
            )
        harden_fields(self.fields)

    def clean(self):
        cleaned = super().clean()
        keep_back = {}
        for item_id in self.item_ids:
            reason = (cleaned.get(f"reason_{item_id}") or "").strip()
            if f"reason_{item_id}" in self.errors:
                continue
            if not reason:
                raise forms.ValidationError(_("保留条目时请写明原因。"))
            keep_back[item_id] = reason
        cleaned["keep_back"] = keep_back
        return cleaned


def _is_item_key(key: str) -> bool:
    item_id = key.removeprefix("keep_")
    return key.startswith("keep_") and item_id.isascii() and item_id.isdecimal() and len(item_id) < 19


class ReasonForm(Form):
    reason = forms.CharField(label=_("原因"), max_length=300)


class RejectReasonForm(Form):
    """不批准: the approver's reason, named as the list's page asks for it."""

    reason = forms.CharField(label=_("不批准的原因"), max_length=300)


class DestroyForm(Form):
    place = forms.CharField(label=_("销毁地点"), max_length=200)
    method = forms.CharField(label=_("销毁方式"), max_length=100, initial=_("碎纸机粉碎"))
    destroyed_on = forms.DateField(label=_("销毁日期"), widget=DATE_INPUT, initial=timezone.localdate)


class HoldForm(Form):
    archive_number = forms.CharField(
        label=_("档号"),
        max_length=40,
        widget=PickerSelect(reverse_lazy("dossiers:pick_dossiers"), placeholder=_("输入档号或客户名称查找…")),
    )
    reason = forms.CharField(label=_("原因"), max_length=300)

    def clean_archive_number(self):
        number = self.cleaned_data["archive_number"].strip()
        dossier = Dossier.objects.filter(archive_number=number).first()
        if dossier is None:
            raise forms.ValidationError(_("没有档号为“%(number)s”的档案。") % {"number": number})
        self.cleaned_data["dossier"] = dossier
        return number
