"""Searchable pickers: a <select data-picker="URL"> that static/js/pickers.js turns into a Tom Select
asking URL?q=… as the person types (JSON {"results": [{"id": …, "text": …}]}, see
crm_archive/autocomplete.py).

Only the value chosen now is rendered as an option, so a form over 200,000 customers renders one
option, not 200,000. The app that owns the field passes the URL of its own search endpoint, which
applies the same access rules as the page (this module knows no app). Without JavaScript the
field stays a plain select holding the current value (and an empty choice): the form still
submits it, but choosing another value needs the script.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm_archive.converters import LARGEST_ID


class PickerSelect(forms.Select):
    """A select whose choices are searched on the server at `url` (a string or a lazy reverse).

    For a ModelChoiceField the chosen row is labelled by the field (`label_from_instance`) and
    only rendered when it is in the field's queryset; for any other field (a CharField holding a
    name or an archive number) the value is its own label."""

    def __init__(self, url="", *, placeholder=None, preload=False, attrs=None):
        super().__init__(attrs)
        self.url = url
        self.placeholder = placeholder
        self.preload = preload

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        # A CharField gives its text input's limits; a select has none.
        for text_only in ("maxlength", "minlength"):
            widget_attrs.pop(text_only, None)
        widget_attrs["data-picker"] = str(self.url)
        widget_attrs["data-placeholder"] = str(self.placeholder or _("输入关键字查找…"))
        widget_attrs["data-picker-loading"] = str(_("正在查找…"))
        widget_attrs["data-picker-empty"] = str(_("没有找到符合条件的选项"))
        widget_attrs["data-picker-clear"] = str(_("清除"))
        if self.preload:
            widget_attrs["data-picker-preload"] = "focus"
        return context

    def optgroups(self, name, value, attrs=None):
        chosen = [str(item) for item in value if item not in (None, "")]
        options = [self.create_option(name, "", self._empty_label(), not chosen, 0)]
        for index, (option_value, label) in enumerate(self._chosen_choices(chosen), start=1):
            options.append(self.create_option(name, option_value, label, True, index))
        return [(None, options, 0)]

    def _empty_label(self) -> str:
        field = getattr(self.choices, "field", None)
        label = getattr(field, "empty_label", None)
        return str(label) if label else ""

    def _chosen_choices(self, chosen: list[str]) -> list[tuple[str, str]]:
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return [(item, item) for item in chosen]
        field = self.choices.field
        key = field.to_field_name or "pk"
        if key == "pk":
            chosen = [item for item in chosen if item.isascii() and item.isdecimal() and int(item) <= LARGEST_ID]
        if not chosen:
            return []
        return [
            (str(field.prepare_value(row)), field.label_from_instance(row))
            for row in queryset.filter(**{f"{key}__in": chosen})
        ]
