"""Input validation for holds and destruction lists."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from dossiers.models import Document, Dossier

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DraftListForm(forms.Form):
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


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)


class DestroyForm(forms.Form):
    place = forms.CharField(label=_("销毁地点"), max_length=200)
    method = forms.CharField(label=_("销毁方式"), max_length=100, initial=_("碎纸机粉碎"))
    destroyed_on = forms.DateField(label=_("销毁日期"), widget=DATE_INPUT, initial=timezone.localdate)


class HoldForm(forms.Form):
    archive_number = forms.CharField(label=_("档号"), max_length=40)
    reason = forms.CharField(label=_("原因"), max_length=300)

    def clean_archive_number(self):
        number = self.cleaned_data["archive_number"].strip()
        dossier = Dossier.objects.filter(archive_number=number).first()
        if dossier is None:
            raise forms.ValidationError(_("没有档号为“%(number)s”的档案。") % {"number": number})
        self.cleaned_data["dossier"] = dossier
        return number
