"""Input for the approval engine's pages."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.pickers import PersonField
from crm_archive.forms import DATE_INPUT, Form

from .permissions import deputy_candidates_for


class DeputyForm(Form):
    deputy = PersonField(
        label=_("代理人"),
        url=reverse_lazy("approvals:pick_deputies"),
        refusal=_("代理人须为在职的同事，且不是您本人。"),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("事由"), max_length=200, help_text=_("出差、休假等。"))

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputy_candidates_for(principal)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class DecisionForm(Form):
    """A signature on a step of any request's chain: the comment, required by the services when refusing."""

    comment = forms.CharField(label=_("意见"), max_length=300, required=False)
