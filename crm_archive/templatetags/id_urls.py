"""`{% id_url "app:page" id … %}`: the URL of a page named by record ids, as `{% url %}` writes it,
without reversing it again for every row of a list.

A list of a hundred rows names a hundred records; `{% url %}` reverses each one (about 20 µs: the
resolver's candidates, the converters, quoting), which made a fifth of a list's rendering. The
page's URL is reversed once per name, script prefix and URL configuration with marker ids, and
each row's ids are written into it. Only whole numbers of up to nineteen digits are written so (the `id`
converter's digits: nothing to quote); anything else is reversed as `{% url %}` would."""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# Nineteen digits, as the `id` converter allows; no record id comes near them.
_MARKS = tuple(str(9_100_000_000_000_000_000 + n) for n in range(4))
_LONGEST = 10**19  # an id of more digits is the converter's to refuse


@lru_cache(maxsize=1024)
def _pieces(name: str, count: int, prefix: str, urlconf) -> tuple[str, ...]:
    """The URL of `name` cut around its `count` ids: count + 1 pieces, or () when the reversed
    URL does not hold each marker once, in order (a pattern that reshapes its arguments)."""
    url = reverse(name, args=_MARKS[:count], urlconf=urlconf)
    pieces, rest = [], url
    for mark in _MARKS[:count]:
        before, found, rest = rest.partition(mark)
        if not found or mark in rest:
            return ()
        pieces.append(before)
    return (*pieces, rest)


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _pieces.cache_clear()


@register.simple_tag
def id_url(name: str, *ids) -> str:
    if 0 < len(ids) <= len(_MARKS) and all(type(value) is int and 0 <= value < _LONGEST for value in ids):
        pieces = _pieces(name, len(ids), get_script_prefix(), get_urlconf())
        if pieces:
            written = [pieces[0]]
            for value, piece in zip(ids, pieces[1:], strict=True):
                written += (str(value), piece)
            return "".join(written)
    return reverse(name, args=ids)
