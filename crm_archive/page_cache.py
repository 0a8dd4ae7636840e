"""A signed-in reader's list page, answered again from the cache for the rest of its minute while
nothing it read has changed.

A list or home page costs its reader 5–40 ms of the server's time (its queries built with the
access rule, planned, its rows and filters drawn); people open the same page again and again — back
from a record, a refresh, the home page between two tasks. `kept_for_its_reader` answers such a
repeat from the cache, and only when the answer would be the same:

- **The same reader, the same session.** The key holds the session's key, the user, the path with
  its query string and the language: a page is only ever given again to the session that received
  it, so it can show nothing that session did not already see. Signing out ends the session.
- **Nothing it read has changed.** Every SQL statement on every connection is watched
  (`watch_statements`, installed on each new connection): a page is kept with the version of each
  table its queries named, and every statement that writes gives each table it names a new
  version — at once (the writer's own transaction reads anew) and again when its transaction
  commits (a reader who took the versions before the commit and read the rows before it stored
  them under versions that are gone by then). A reader takes the versions before its first query.
  This holds for bulk updates and raw SQL too, from any process that shares the cache (the Celery
  worker included); the tables a signed-in user's own row is read from are registered by accounts
  (`always_depends_on`).
- **Its minute.** The key holds the minute, so what follows the clock (a loan falling overdue, a
  grant running out) is at most a minute behind, and so is anything written outside the
  application (psql by hand).
- Only a GET with no message waiting, answered 200 with a page by a view that wrote nothing, set no
  cookie and used neither the messages nor a CSP nonce, is kept.

On only where the cache is shared by every process (`PAGE_CACHE_SECONDS`, settings): a cache of one
process's own would not hear another process's writes.
"""

import hashlib
import re
import secrets
from contextvars import ContextVar
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

_VERSION_KEY = "page-cache:table:"
_PAGE_KEY = "page-cache:page:"
# Statements that read or steer a transaction; anything else writes (INSERT, UPDATE, DELETE, COPY…).
_READS = ("SELECT", "WITH", "EXPLAIN", "SHOW", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "BEGIN", "COMMIT", "PRAGMA")
_WRITES_WITHIN = ("INSERT", "UPDATE", "DELETE")

_WORD = re.compile(r"\w+")

_always: set[str] = set()
_tables: frozenset[str] | None = None
# The tables each view's drawings named so far in this process: the versions taken before a
# drawing are those (a few keys; every table's, 0.5 ms, before the view's first drawing); a drawing
# that names one more is not kept that once.
_named_before: dict[str, frozenset[str]] = {}


class _Reading:
    """What one view's statements named, and whether one of them wrote."""

    def __init__(self):
        self.statements: list[str] = []
        self.wrote = False


_reading: ContextVar[_Reading | None] = ContextVar("crm_archive_page_cache_reading", default=None)


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def always_depends_on(*tables: str) -> None:
    """Tables every kept page depends on though the view does not read them: those the signed-in
    user is read from, before the view runs."""
    _always.update(tables)


def _known_tables() -> frozenset[str]:
    global _tables
    if _tables is None:
        _tables = frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))
    return _tables


def _tables_named(statement: str) -> set[str]:
    # Table names are words of the statement (quoted or not); a column that shares a table's name
    # only costs a needless dependency.
    return set(_WORD.findall(statement)) & _known_tables()


def _writes(statement: str) -> bool:
    head = statement.lstrip(" \t\n(")[:10].upper()  # "(SELECT …) UNION (SELECT …)" reads
    if not head.startswith(_READS):
        return True
    return head.startswith("WITH") and any(word in statement.upper() for word in _WRITES_WITHIN)


def _new_versions(tables) -> dict[str, str]:
    """Each table a version no page was kept with; the versions given, by key."""
    token = secrets.token_hex(8)
    versions = {_VERSION_KEY + table: token for table in tables}
    cache.set_many(versions, timeout=None)
    return versions


def every_table_written() -> None:
    """For writes no watched statement made (a restore loaded by pg_restore and psql, or SQLite's
    backup API): no page kept before is given again."""
    if enabled():
        _new_versions(_known_tables())


def watch_statements(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection): remembers what a kept page's
    view reads, and gives every table a write names a new version."""
    result = execute(sql, params, many, context)
    if not enabled():
        return result
    statement = sql if isinstance(sql, str) else str(sql)
    reading = _reading.get()
    if _writes(statement):
        if reading is not None:
            reading.wrote = True
        tables = _tables_named(statement)
        if tables:
            _new_versions(tables)
            connection = context["connection"]
            if connection.in_atomic_block:
                transaction.on_commit(lambda: _new_versions(tables), using=connection.alias)
    elif reading is not None:
        reading.statements.append(statement)
    return result


def install_on(sender, connection, **kwargs):
    """`connection_created` receiver: every connection's statements are watched."""
    if watch_statements not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_statements)


def _page_key(request) -> str | None:
    session_key = request.session.session_key
    if not session_key:
        return None
    minute = int(timezone.now().timestamp() // 60)
    parts = (session_key, str(request.user.pk), request.get_full_path(), get_language() or "", str(minute))
    return _PAGE_KEY + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _messages_waiting(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _versions_of(tables) -> dict[str, str]:
    """The tables' versions, before the view's first query; a table never written yet gets one."""
    versions = cache.get_many([_VERSION_KEY + table for table in tables])
    missing = [table for table in tables if _VERSION_KEY + table not in versions]
    if missing:
        versions.update(_new_versions(missing))
    return versions


def _keepable(request, response, reading: _Reading) -> bool:
    storage = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not reading.wrote
        and not (storage is not None and (storage.used or storage._queued_messages))
        and getattr(request, "_csp_nonce", None) is None
    )


def kept_for_its_reader(view):
    """The view's page, given again from the cache to the same session within the same minute while
    no table it read has been written (the module's docstring says why that is the same page)."""

    view_name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def page(request, *args, **kwargs):
        if not enabled() or request.method != "GET" or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = _page_key(request)
        if key is None or _messages_waiting(request):
            return view(request, *args, **kwargs)
        kept = cache.get(key)
        if kept is not None:
            versions, headers, content = kept
            if cache.get_many(list(versions)) == versions:
                response = HttpResponse(content)
                for name, value in headers:
                    response[name] = value
                return response
        named_before = _named_before.get(view_name)
        before = _versions_of(_known_tables() if named_before is None else named_before | _always)
        reading = _Reading()
        token = _reading.set(reading)
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        finally:
            _reading.reset(token)
        tables = set(_always)
        for statement in reading.statements:
            tables |= _tables_named(statement)
        _named_before[view_name] = frozenset(tables | (named_before or set()))
        versions = {_VERSION_KEY + table: before.get(_VERSION_KEY + table) for table in tables}
        if None not in versions.values() and _keepable(request, response, reading):
            headers = [(name, value) for name, value in response.headers.items() if name.lower() != "set-cookie"]
            cache.set(key, (versions, headers, response.content), settings.PAGE_CACHE_SECONDS)
        return response

    return page
