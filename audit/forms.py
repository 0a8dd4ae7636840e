from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm_archive.forms import DATE_INPUT, Form

from .selectors import ACTIONS, RECORD_KINDS, Filters


class TrailFilterForm(Form):
    person = forms.ModelChoiceField(
        label=_("操作人"), required=False, empty_label=_("全部"), queryset=get_user_model().objects.none()
    )
    kind = forms.ChoiceField(label=_("记录类型"), required=False, choices=[("", _("全部")), *RECORD_KINDS])
    record = forms.CharField(label=_("记录"), required=False, max_length=100, help_text=_("名称、档号或编号"))
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部")), *ACTIONS])
    date_from = forms.DateField(label=_("日期自"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("至"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Everyone who ever acted, departed staff included: the trail outlives accounts.
        self.fields["person"].queryset = get_user_model().objects.order_by("username")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return cleaned

    def filters(self) -> Filters:
        """The filters to apply: none while the form is unbound or invalid (its errors are shown)."""
        if not self.is_bound or not self.is_valid():
            return Filters()
        return Filters(**self.cleaned_data)
