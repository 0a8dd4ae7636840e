"""`{% jinja_rows "customers/customer_rows.html" customers=page_obj %}`: the rows of a long list
written by Jinja2 (crm_archive.jinja), inside a page that is a Django template.

The rows template sees only what the tag names (and `request`, `csrf_token`, `csrf_input`, which
Django's Jinja2 backend adds and which a value named so would be replaced by), so what a list's
rows depend on is written where they are used. A template builtin
(settings.TEMPLATES)."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja_rows(context, name: str, **values) -> str:
    rows = engines["jinja2"].get_template(name)
    # Jinja2 escaped every value it wrote (autoescape): the markup is the template's own.
    return mark_safe(rows.render(values, request=context.get("request")))
