"""Production hardening: the Content-Security-Policy, no cached copies of customer data, and
sessions that end when left idle."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as settings_module
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import SecrecyTier
from dossiers.models import Document
from tests.conftest import PDF_BYTES
from tests.factories import export_permit_for

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def scanned_document(archive, open_dossier, file_document):
    dossier = open_dossier(SecrecyTier.PERSONAL)
    document = file_document(dossier, "客户基本资料表", made_on=date(2025, 3, 1))
    document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    Document.objects.filter(pk=document.pk).update(scan_content_type="application/pdf")
    return document


# Content-Security-Policy


def test_pages_carry_a_policy_that_runs_only_our_own_scripts_and_styles(archive, client_for):
    response = client_for(archive["people"]["owner"]).get(reverse("customers:list"))
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'" and "'unsafe-inline'" not in directives["script-src"]
    assert directives["style-src"][0] == "'self'" and "'unsafe-inline'" not in directives["style-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_the_login_page_and_the_admin_carry_the_policy_too(client, archive, client_for):
    assert policy(client.get(reverse("login")))["frame-ancestors"] == ["'none'"]
    superuser = archive["people"]["clerk"]
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    assert policy(client_for(superuser).get(reverse("admin:index")))["object-src"] == ["'none'"]


def test_a_scan_gets_a_policy_under_which_the_browser_can_still_show_the_pdf(archive, scanned_document, client_for):
    response = client_for(archive["people"]["owner"]).get(reverse("dossiers:document_scan", args=[scanned_document.pk]))
    assert response.status_code == 200
    directives = policy(response)
    assert directives["default-src"] == ["'none'"]
    assert directives["object-src"] == ["'self'"]  # Chrome's PDF viewer embeds the file itself
    assert directives["frame-ancestors"] == ["'none'"]
    assert "script-src" not in directives  # so default-src 'none': nothing runs


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"""\sstyle\s*=\s*["']""", re.I), "a style attribute"),
    (re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_inline_script_or_style_the_policy_would_block():
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in TEMPLATES.rglob("*.html")
        for pattern, what in INLINE_CODE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# Cache-Control


@pytest.mark.parametrize(
    ("person", "url_name", "arguments"),
    [
        ("owner", "customers:list", lambda data: []),
        ("owner", "customers:detail", lambda data: [data["customer"].pk]),
        ("owner", "customers:export", lambda data: []),
        ("clerk", "dossiers:volume_catalogue", lambda data: [data["document"].dossier_id, 2025, "regular"]),
        ("owner", "dossiers:document_scan", lambda data: [data["document"].pk]),
        ("owner", "home", lambda data: []),
    ],
)
def test_what_a_signed_in_user_receives_is_never_stored(
    person, url_name, arguments, archive, scanned_document, client_for
):
    data = {"customer": archive["customers"][SecrecyTier.PERSONAL], "document": scanned_document}
    export_permit_for(archive["people"]["owner"])
    response = client_for(archive["people"][person]).get(reverse(url_name, args=arguments(data)))
    assert response.status_code == 200
    directives = {value.strip() for value in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_a_view_that_sets_its_own_cache_control_keeps_it(archive, client_for):
    # The admin marks its pages never_cache itself (no-store included): left as it is.
    superuser = archive["people"]["clerk"]
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    response = client_for(superuser).get(reverse("admin:index"))
    assert "max-age=0" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_static_files_keep_their_caching_for_signed_in_users(archive, client_for):
    response = client_for(archive["people"]["owner"]).get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# Idle sessions


def test_the_session_cookie_ends_with_the_browser(archive, client, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
    owner = archive["people"]["owner"]
    owner.set_password("a-long-enough-password-2026")
    owner.save()
    response = client.post(reverse("login"), {"username": owner.username, "password": "a-long-enough-password-2026"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_a_user_idle_past_the_limit_is_sent_to_the_login_page(archive, client_for, settings):
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        client = client_for(archive["people"]["owner"])
        assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES, seconds=1))
        response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_who_keeps_working_stays_signed_in_past_the_limit(archive, client_for, settings):
    idle_limit = timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        client = client_for(archive["people"]["owner"])
        for _ in range(4):  # four clicks, each just inside the limit: twice the limit in all
            clock.shift(idle_limit - timedelta(minutes=1))
            assert client.get(reverse("customers:list")).status_code == 200


def test_a_dead_or_made_up_session_cookie_is_never_touched_into_a_new_session(db, rf):
    """Whatever the pages in front of it read, the idle clock touches only a signed-in session
    that exists: a made-up cookie must not become a new session row per request."""
    from importlib import import_module

    from django.http import HttpResponse

    from crm_archive.middleware import IdleSessionMiddleware

    engine = import_module(settings_module.SESSION_ENGINE)
    for cookie in ("x" * 32, "abcdefgh-not-a-session"):
        request = rf.get("/no-such-page/")
        request.session = engine.SessionStore(cookie)
        IdleSessionMiddleware(lambda request: HttpResponse())(request)
        assert not request.session.modified


def test_a_page_opened_within_a_minute_of_the_last_writes_no_session(archive, client_for, settings):
    """The idle time restarts at most once a minute: a click inside that minute costs no write."""
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        client = client_for(archive["people"]["owner"])
        clock.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as quiet:
            assert client.get(reverse("customers:list")).status_code == 200
        clock.shift(timedelta(seconds=60))
        with CaptureQueriesContext(connection) as touched:
            assert client.get(reverse("customers:list")).status_code == 200

    def writes(captured):
        return [
            query["sql"] for query in captured if re.match(r'\s*(UPDATE|INSERT INTO) "django_session"', query["sql"])
        ]

    assert writes(touched) and not writes(quiet)
