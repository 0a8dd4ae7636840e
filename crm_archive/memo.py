"""Reads remembered for the length of one page that asks the same question from several places
(the home page's panels each ask whom the reader signs for). Outside `remembering()` nothing is
kept: a service reading after it wrote always reads anew."""

from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("crm_archive_memo", default=None)


@contextmanager
def remembering():
    """Within this block, `remembered` keeps what it read."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, read: Callable[[], object]):
    """`read()`, or what it gave the first time within the enclosing `remembering()` block."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]
