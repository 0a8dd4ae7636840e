"""The Jinja2 environment for the parts of pages written by Jinja2 (`{% jinja_part %}`): the rows
of the longest lists and the top bar of every page.

A list page of a hundred rows spent a quarter of its time in Django's template engine writing
them (5 of 19 ms for a sales person's customers, 85 µs a row of ten cells: each `{{ }}` resolves
its lookup, localizes, converts time zones and escapes through several layers). Jinja2 compiles a
template to Python and writes the same rows in about a fifth of that. The top bar (twenty-odd
menu entries, the language and user boxes) was a Django include per entry: written by Jinja2, a
signed-in page with 25 rows costs 2.5 ms where it cost 4 (with the user read by a query compiled
once, accounts.backends). The pages, their forms and everything else stay Django templates.

The environment speaks as the Django templates do: the active language's translations (`_()`,
`gettext`, `ngettext`), HTML escaping that honours Django's safe strings, the
product's `|day`, `|minute` and `|second`, `id_url()` as `{% id_url %}`, `url()` as `{% url %}`
(Django's reverse), and a missing attribute written as nothing, never an error (as `{{ a.b.c }}`
in a Django template)."""

from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment

from crm_archive.templatetags.dates import day, minute, second
from crm_archive.templatetags.id_urls import id_url


def _localtime_filter(function):
    """A `|day`-style filter on the current time zone's clock, as Django's `expects_localtime`."""

    def written(value):
        return function(template_localtime(value))

    return written


def environment(**options) -> Environment:
    options["undefined"] = ChainableUndefined  # Django's backend sets Undefined (DebugUndefined in DEBUG)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    # Old-style gettext: `_("…")` is the translation as it is, formatted with `|format(name=…)`,
    # which is what makemessages finds (it reads `{{ _("…") }}` as Django's own syntax).
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.filters.update(day=_localtime_filter(day), minute=_localtime_filter(minute), second=_localtime_filter(second))
    env.globals.update(id_url=id_url, url=reverse)
    return env
