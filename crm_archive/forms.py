"""What every form of the product guarantees about its input, whatever the field.

A tired clerk pastes text from Word or Excel, an attacker posts what a browser never would:
- text loses the invisible control characters (U+0000–U+001F but tab, newline and carriage
  return) that would break an Excel export or a printed form later, and every text field has a
  length cap the browser enforces too (`maxlength`), so nobody types more than will be kept;
- dates and moments must fall in a sane range (years 1900–2099): year 1 is a typo, and such a
  value breaks every page that later converts it to Asia/Shanghai time.

Forms inherit `CleanInputMixin` (through `Form` / `ModelForm` below, or django-filter's
`FilterSet.Meta.form`); a test walks every form class of the project to keep it so.
"""

import re
from datetime import date, datetime
from html import escape as escape_html

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import DjangoTemplates
from django.utils import timezone, translation
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .widgets import PickerSelect

# The C0 control characters an Excel cell, an XML file or a printed form cannot hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A text field without a model or form limit (a TextField) keeps at most this many characters.
TEXT_MAX_LENGTH = 5000
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)


# The browser's own date and date-time pickers, for every date field of the product; Django copies
# a widget into each field, so one instance serves them all.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _escape(value) -> str:
    """Django's conditional_escape (the same entities), without its lazy-string wrapper per call."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else escape_html(str(value))


def _attributes(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name only.
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (text, number, date, hidden… inputs)."""
    value = "" if widget["value"] is None else f' value="{_escape(widget["value"])}"'
    return (
        f'<input type="{_escape(widget["type"])}" name="{_escape(widget["name"])}"'
        f"{value}{_attributes(widget['attrs'])}>"
    )


def _select(widget: dict) -> str:
    """django/forms/widgets/select.html with its select_option.html per option."""
    parts = [f'<select name="{_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
        parts.extend(
            f'\n  <option value="{_escape(option["value"])}"{_attributes(option["attrs"])}>'
            f"{_escape(option['label'])}</option>"
            for option in group_choices
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


# The widgets of the list pages' filters, written in Python with Django's markup: through Django's
# templates, a select of 64 people took 0.43 ms to write (a template include per option, one per
# attribute) and 0.03 ms in Python; a text input 0.06 ms. django/forms/widgets/<type>.html of an
# input is only an include of input.html.
_WRITTEN_IN_PYTHON = {
    "django/forms/widgets/select.html": _select,
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in ("text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search")
        + ("tel", "color")
    },
}


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), with selects and inputs written in Python
    (`_WRITTEN_IN_PYTHON`, the same markup); the other widgets through Django's templates."""

    def render(self, template_name, context, request=None):
        write = _WRITTEN_IN_PYTHON.get(template_name)
        if write is not None:
            return write(context["widget"])
        return super().render(template_name, context, request)


def without_control_characters(text: str) -> str:
    """`text` with the invisible control characters removed (tab and line breaks kept)."""
    return CONTROL_CHARACTERS.sub("", text)


@deconstructible
class SaneDateValidator:
    """Refuses a date or moment outside EARLIEST_DATE–LATEST_DATE, in the reader's time zone."""

    message = _("请输入 %(earliest)s 至 %(latest)s 之间的日期。")
    code = "date_out_of_range"

    def __call__(self, value):
        if value is None:
            return
        day = timezone.localtime(value).date() if isinstance(value, datetime) and timezone.is_aware(value) else value
        if isinstance(day, datetime):
            day = day.date()
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )

    def __eq__(self, other):
        return isinstance(other, SaneDateValidator)


def _strip_control_characters(to_python):
    def clean(value):
        value = to_python(value)
        return without_control_characters(value) if isinstance(value, str) else value

    return clean


def harden_fields(fields) -> None:
    """Give each field of a form the guarantees of this module (see the module docstring)."""
    for field in fields.values():
        if isinstance(field, forms.CharField):
            field.to_python = _strip_control_characters(field.to_python)
            if field.max_length is None:
                field.max_length = TEXT_MAX_LENGTH
                field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
        elif isinstance(field, (forms.DateField, forms.DateTimeField)):
            if not any(isinstance(validator, SaneDateValidator) for validator in field.validators):
                field.validators.append(SaneDateValidator())
            if isinstance(field, forms.DateField):
                field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
                field.widget.attrs.setdefault("max", LATEST_DATE.isoformat())
            else:
                field.widget.attrs.setdefault("min", f"{EARLIEST_DATE.isoformat()}T00:00")
                field.widget.attrs.setdefault("max", f"{LATEST_DATE.isoformat()}T23:59")


class CleanInputMixin:
    """Every form of the product: see the module docstring."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        harden_fields(self.fields)


def label_suffix() -> str:
    """What follows a field's label: a full-width colon in Chinese (客户名称：), ':' otherwise."""
    return "：" if (translation.get_language() or "").startswith("zh") else ":"


class LabelSuffixMixin:
    """Labels end in the reader's language's colon (see `label_suffix`), not always Django's ':'."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("label_suffix") is None:
            kwargs["label_suffix"] = label_suffix()
        super().__init__(*args, **kwargs)


class Form(LabelSuffixMixin, CleanInputMixin, forms.Form):
    pass


class ModelForm(LabelSuffixMixin, CleanInputMixin, forms.ModelForm):
    pass


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Ids beyond a database integer are refused as unknown ids, before any query: SQLite cannot
    even bind them (an OverflowError, a 500, where PostgreSQL just finds nothing)."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: Django's own check refuses it
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class DateRangeForm(Form):
    """A page's period (the statistics, the read log): from and to, both optional, each a real date
    in the sane range, from no later than to. An invalid period leaves the page unfiltered, with its
    message beside the field and what was typed kept there."""

    date_from = forms.DateField(label=_("日期自"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("至"), required=False, widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return cleaned

    def period(self) -> dict:
        """{"date_from": …, "date_to": …}: None for an end left open, both None while the form is
        unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return {"date_from": None, "date_to": None}
        return {"date_from": self.cleaned_data["date_from"], "date_to": self.cleaned_data["date_to"]}


class RememberedChoices:
    """A django-filter FilterSet mixin: its lists of people, departments, cabinets (its model choice
    fields) are read from the cache, built at most once a minute per language, instead of read and
    built on every request (70 options were 4 ms of the customer list). A new employee appears in
    the list within the minute; what is posted is still checked against the field's queryset."""

    remembered_choices_seconds = 60

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_choices_remembered", False):
            form._choices_remembered = True
            for name, field in form.fields.items():
                # A picker renders only the chosen option and asks its endpoint for the rest.
                if isinstance(field, forms.ModelChoiceField) and not isinstance(field.widget, PickerSelect):
                    key = f"choices:{type(self).__module__}.{type(self).__name__}.{name}:{translation.get_language()}"
                    # The widget renders these; the field still validates against its queryset.
                    field.widget.choices = cache.get_or_set(
                        key,
                        lambda field=field: [(str(value), str(label)) for value, label in field.choices],
                        self.remembered_choices_seconds,
                    )
        return form
