"""REQUEST_LOG=json: one JSON line per request (crm_archive/request_log.py)."""

import json
import logging
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from crm_archive.request_log import RequestLogMiddleware
from customers.models import SecrecyTier
from tests.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db

FIELDS = {"time", "request_id", "method", "path", "status", "duration_ms", "user_id", "remote_addr"}


@pytest.fixture
def request_lines(settings, caplog):
    """Turns the log on; request_lines() → the JSON objects logged so far. The logger does not
    propagate (its lines go to standard output alone), so caplog listens on it directly."""
    settings.REQUEST_LOG = "json"
    logger = logging.getLogger("crm_archive.requests")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="crm_archive.requests")

    def lines():
        messages = [record.getMessage() for record in caplog.records if record.name == "crm_archive.requests"]
        for message in messages:
            assert "\n" not in message and "\r" not in message
        return [json.loads(message) for message in messages]

    yield lines
    logger.removeHandler(caplog.handler)


def test_each_request_writes_one_line_with_who_what_and_how_long(request_lines, make_user, client):
    user = make_user(username="reader")
    client.force_login(user)

    answer = client.get("/customers/?q=secret-customer&owner=7")

    (line,) = request_lines()
    assert set(line) == FIELDS
    assert line["method"] == "GET" and line["path"] == "/customers/" and line["status"] == answer.status_code
    assert line["user_id"] == user.pk and line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 8 * 3600  # Asia/Shanghai
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) and answer["X-Request-ID"] == line["request_id"]


def test_the_query_string_is_never_logged(request_lines, make_user, client, caplog):
    client.force_login(make_user())

    client.get("/customers/", {"q": "华东机密客户", "phone": "13800000000"})

    messages = [record.getMessage() for record in caplog.records if record.name == "crm_archive.requests"]
    assert len(messages) == 1
    assert "13800000000" not in messages[0] and "机密" not in messages[0] and "\\u673a" not in messages[0]
    assert "q=" not in messages[0] and "?" not in messages[0]


def test_a_signed_out_request_has_no_user(request_lines, client):
    client.get("/healthz")
    client.get("/customers/")

    health, redirected = request_lines()
    assert (health["path"], health["status"], health["user_id"]) == ("/healthz", 200, None)
    assert (redirected["status"], redirected["user_id"]) == (302, None)


@pytest.mark.parametrize("offered", ["lb-7f3a.0001_A", "x" * 64])
def test_the_proxys_request_id_is_kept_and_echoed(offered, request_lines, client):
    answer = client.get("/healthz", headers={"X-Request-ID": offered})

    assert request_lines()[0]["request_id"] == offered == answer["X-Request-ID"]


@pytest.mark.parametrize("offered", ["x" * 65, "two words", "id\r\nSet-Cookie: a=b", "<script>", "ид"])
def test_an_odd_request_id_is_replaced_by_a_new_one(offered, request_lines, client):
    answer = client.get("/healthz", headers={"X-Request-ID": offered})

    (line,) = request_lines()
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) and answer["X-Request-ID"] == line["request_id"]


def test_a_hostile_path_still_makes_one_valid_line(request_lines, client):
    answer = client.get("/dossiers/%00%0a%0d%1b[31m%22,%20%22status%22:%20200%E2%80%A8/")

    (line,) = request_lines()
    assert answer.status_code == 400 and line["status"] == 400
    assert line["path"] == '/dossiers/\x00\n\r\x1b[31m", "status": 200\u2028/'


def test_every_request_gets_its_own_line(request_lines, client):
    for _ in range(3):
        client.get("/healthz")

    lines = request_lines()
    assert len(lines) == 3 and len({line["request_id"] for line in lines}) == 3


def test_a_streamed_scan_is_logged_and_arrives_whole(request_lines, archive, open_dossier, file_document, client):
    document = file_document(open_dossier(SecrecyTier.PERSONAL))
    document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    client.force_login(archive["people"]["owner"])

    answer = client.get(reverse("dossiers:document_scan", args=[document.pk]))

    assert b"".join(answer.streaming_content) == PDF_BYTES
    (line,) = request_lines()
    assert line["status"] == 200 and line["user_id"] == archive["people"]["owner"].pk
    assert answer["X-Request-ID"] == line["request_id"]


def test_an_exception_that_escapes_is_logged_as_a_500_and_raised_on(request_lines):
    def failing_view(request):
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError, match="the view failed"):
        RequestLogMiddleware(failing_view)(RequestFactory().post("/lending/7/issue/?x=1"))

    (line,) = request_lines()
    assert (line["method"], line["path"], line["status"], line["user_id"]) == ("POST", "/lending/7/issue/", 500, None)


@pytest.mark.parametrize(
    ("proxies", "remote_addr"),
    [(0, "10.0.0.2"), (1, "203.0.113.9"), (2, "198.51.100.1"), (5, "198.51.100.1")],
    ids=["no-trusted-proxy", "one-proxy", "two-proxies", "fewer-hops-than-proxies"],
)
def test_the_forwarded_address_counts_only_behind_trusted_proxies(
    proxies, remote_addr, request_lines, client, settings
):
    settings.TRUSTED_PROXY_COUNT = proxies

    client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}, REMOTE_ADDR="10.0.0.2")

    assert request_lines()[0]["remote_addr"] == remote_addr


def test_nothing_is_logged_or_added_when_the_log_is_off(client, caplog, settings):
    assert settings.REQUEST_LOG == "off"  # the default
    logger = logging.getLogger("crm_archive.requests")
    logger.addHandler(caplog.handler)
    try:
        answer = client.get("/healthz")
    finally:
        logger.removeHandler(caplog.handler)

    assert not [record for record in caplog.records if record.name == "crm_archive.requests"]
    assert "X-Request-ID" not in answer


def test_the_production_settings_write_the_bare_json_line_to_standard_output():
    script = (
        "import django; django.setup()\n"
        "from django.http import HttpResponse\n"
        "from django.test import RequestFactory\n"
        "from crm_archive.request_log import RequestLogMiddleware\n"
        "RequestLogMiddleware(lambda request: HttpResponse(status=204))(RequestFactory().get('/healthz?a=1'))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_archive.settings",
        "DEBUG": "true",
        "REQUEST_LOG": "json",
        "LOG_LEVEL": "WARNING",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(django_settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    (output,) = result.stdout.splitlines()
    assert json.loads(output)["path"] == "/healthz" and json.loads(output)["status"] == 204


def test_an_unknown_request_log_value_stops_the_process():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm_archive.settings", "REQUEST_LOG": "yes"}

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(django_settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0 and 'REQUEST_LOG must be "off" or "json"' in result.stderr
