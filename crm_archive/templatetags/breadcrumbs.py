"""{% breadcrumbs _("客户") "customers:list" customer.name customer_url _("投诉") %}: where a page
sits, under 首页 (always first).

Arguments come in pairs of a label and where it leads (a URL name without arguments, or a path
starting with "/"); the last label, without a link, is the page itself. Goes in
{% block breadcrumbs %} of base.html."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


def _href(target) -> str:
    target = str(target or "")
    return target if not target or target.startswith("/") else reverse(target)


@register.simple_tag
def breadcrumbs(*items) -> str:
    *links, current = items
    if len(links) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes label, target pairs and then the page's own label")
    trail = [(_("首页"), reverse("home"))] + [(links[i], _href(links[i + 1])) for i in range(0, len(links), 2)]
    return format_html(
        '<nav class="breadcrumbs no-print" aria-label="{}"><ol>{}<li aria-current="page">{}</li></ol></nav>',
        _("位置"),
        format_html_join(
            "",
            "<li>{}</li>",
            ((format_html('<a href="{}">{}</a>', href, label) if href else label,) for label, href in trail),
        ),
        current,
    )
