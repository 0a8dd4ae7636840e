"""The Jinja2 environment for what is written by Jinja2: the pages of the longest lists whole
(templates/jinja2/layout/page.html, the same layout as base.html), and parts of Django-template
pages (`{% jinja_part %}`): the rows of other long lists, the top bar, the pagination.

A list page of a hundred rows spent a quarter of its time in Django's template engine writing
them (5 of 19 ms for a sales person's customers, 85 µs a row of ten cells: each `{{ }}` resolves
its lookup, localizes, converts time zones and escapes through several layers). Jinja2 compiles a
template to Python and writes the same rows in about a fifth of that. The top bar (twenty-odd
menu entries, the language and user boxes) was a Django include per entry: written by Jinja2, a
signed-in page with 25 rows costs 2.5 ms where it cost 4 (with the user read by a query compiled
once, accounts.backends). The list pages — customers, dossiers, both registers, the read log,
the audit trail, notifications — are written whole by Jinja2 (10–20% of their CPU; bench/RESULTS.md,
sixth round); their filters' widgets are Django's, written in Python
(crm_archive.forms.FormRenderer). Other pages and forms stay Django templates.

The environment speaks as the Django templates do: the active language's translations (`_()`,
`gettext`, `ngettext`), HTML escaping that honours Django's safe strings, the
product's `|day`, `|minute` and `|second`, `id_url()` as `{% id_url %}`, `url()` as `{% url %}`
(Django's reverse), `static()`, `|sort_header` as `{% sort_header %}`, `available_languages()`
as `{% get_available_languages %}`, and a missing attribute written as nothing, never an error
(as `{{ a.b.c }}` in a Django template). A whole page gets what the Django pages get from the
context processors (settings.CONTEXT_PROCESSORS)."""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, pass_context
from markupsafe import Markup

from crm_archive.templatetags.dates import day, minute, second
from crm_archive.templatetags.id_urls import id_url
from crm_archive.templatetags.sorting import header


def _localtime_filter(function):
    """A `|day`-style filter on the current time zone's clock, as Django's `expects_localtime`."""

    def written(value):
        return function(template_localtime(value))

    return written


def _available_languages() -> list[tuple[str, str]]:
    """The languages and their names in the reader's, as `{% get_available_languages %}`."""
    return [(code, translation.gettext(name)) for code, name in settings.LANGUAGES]


@pass_context
def _sort_header(context, label, key: str):
    """`{{ _("客户名称")|sort_header("name") }}` as `{% sort_header "name" _("客户名称") %}`: needs
    `request` and `sorting`. A filter, so that makemessages finds the label (it reads `_("…")` only
    where a `{{ }}` starts)."""
    return Markup(header(context["request"], context.get("sorting"), key, label))


def environment(**options) -> Environment:
    options["undefined"] = ChainableUndefined  # Django's backend sets Undefined (DebugUndefined in DEBUG)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    # Old-style gettext: `_("…")` is the translation as it is, formatted with `|format(name=…)`,
    # which is what makemessages finds (it reads `{{ _("…") }}` as Django's own syntax).
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.filters.update(
        day=_localtime_filter(day),
        minute=_localtime_filter(minute),
        second=_localtime_filter(second),
        sort_header=_sort_header,
    )
    env.globals.update(
        id_url=id_url,
        url=reverse,
        static=static,
        available_languages=_available_languages,
    )
    return env
