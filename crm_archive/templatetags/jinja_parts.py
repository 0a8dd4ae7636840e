"""`{% jinja_part "customers/customer_rows.html" customers=page_obj %}`: a part of a page written
by Jinja2 (crm_archive.jinja) — the rows of a long list, the top bar of every page — inside a
page that is a Django template.

The part sees only what the tag names (and `request`, `csrf_token`, `csrf_input`, which Django's
Jinja2 backend adds and which a value named so would be replaced by), so what a part depends on
is written where it is used; the context processors are not run again for a part. A template
builtin (settings.TEMPLATES)."""

from django import template
from django.template import engines
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja_part(context, name: str, **values) -> str:
    part = engines["jinja2"].get_template(name)
    request = context.get("request")
    if request is not None:
        # What Django's Jinja2 backend adds for a request, without running the context processors
        # again: the page that draws the part has run them.
        values.update(request=request, csrf_input=csrf_input_lazy(request), csrf_token=csrf_token_lazy(request))
    # Jinja2 escaped every value it wrote (autoescape): the markup is the template's own.
    return mark_safe(part.template.render(values))
