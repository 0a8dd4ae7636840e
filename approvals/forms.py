"""Input for the approval engine's pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm_archive.forms import DATE_INPUT, Form


class DeputyForm(Form):
    deputy = forms.ModelChoiceField(label=_("代理人"), queryset=get_user_model().objects.none())
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("事由"), max_length=200, help_text=_("出差、休假等。"))

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = (
            get_user_model().objects.filter(is_active=True).exclude(pk=principal.pk).order_by("username")
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class DecisionForm(Form):
    """A signature on a step of any request's chain: the comment, required by the services when refusing."""

    comment = forms.CharField(label=_("意见"), max_length=300, required=False)
