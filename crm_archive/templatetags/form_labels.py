"""{{ field|label_in_language }} and {{ field|legend_in_language }}: a field's <label> or <legend>
ending in the reader's language's colon (crm_archive.forms.label_suffix), whatever form it comes
from — Django's own forms (the password change) included."""

from django import template

from crm_archive.forms import label_suffix

register = template.Library()

# A label that already ends in punctuation gets no colon after it.
PUNCTUATION = ":?.!：？。！"


def _suffix(field) -> str:
    if field.field.label_suffix is not None:
        return field.field.label_suffix
    label = str(field.label or "")
    return "" if label.endswith(tuple(PUNCTUATION)) else label_suffix()


@register.filter
def label_in_language(field) -> str:
    return field.label_tag(label_suffix=_suffix(field))


@register.filter
def legend_in_language(field) -> str:
    return field.legend_tag(label_suffix=_suffix(field))
