"""{% sort_header "key" _("label") %}: a list's column header that sorts by it.

Needs `request` and `sorting` (a crm_archive.sorting.Sorting) in the context. The header links to
the same page with ?sort=key, or -key when the list is already sorted by key ascending; the other
query parameters (search, filters, page size) are kept and the page number dropped. The sorted
column carries aria-sort and an arrow."""

from django import template
from django.utils.html import format_html

register = template.Library()

ARROWS = {"ascending": "▲", "descending": "▼"}


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label) -> str:
    return header(context["request"], context.get("sorting"), key, label)


def header(request, sorting, key: str, label) -> str:
    """The header of column `key` of a list sorted by `sorting` (None: not sortable now); the
    Jinja2 pages' `|sort_header` (crm_archive/jinja.py) too."""
    direction = None
    if sorting is not None and sorting.key == key:
        direction = "descending" if sorting.descending else "ascending"
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = f"-{key}" if direction == "ascending" else key
    if direction is None:
        return format_html(
            '<th data-sort="{}"><a class="sort-link" href="?{}">{}'
            '<span class="sort-arrow" aria-hidden="true">↕</span></a></th>',
            key,
            query.urlencode(),
            label,
        )
    return format_html(
        '<th data-sort="{}" aria-sort="{}"><a class="sort-link" href="?{}">{}'
        '<span class="sort-arrow" aria-hidden="true">{}</span></a></th>',
        key,
        direction,
        query.urlencode(),
        label,
        ARROWS[direction],
    )
