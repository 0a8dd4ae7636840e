"""The README's production section, tried: two gunicorn servers on two ports, against one
PostgreSQL and one Redis, serve the same session and the same scans.

The servers run with the production settings (DEBUG off, the README's environment, static files
collected and served by whitenoise) on the test database, which must therefore hold committed
rows. The test speaks to them as the reverse proxy would for a browser on
https://archive.example.com: it passes on the Host, says `X-Forwarded-Proto: https`, and the
browser's cookies (marked Secure, so sent over HTTPS only)."""

import json
import re
import secrets
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from customers.models import SecrecyTier
from dossiers.models import Document
from tests.conftest import PDF_BYTES
from tests.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

ROOT = Path(django_settings.BASE_DIR)
BIN = Path(sys.executable).parent
SITE = "archive.example.com"
STARTUP_SECONDS = 30


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def production_environment(tmp_path: Path) -> dict[str, str]:
    """The README's production environment, on the test's database, broker and folders."""
    config = connection.settings_dict
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    broker = django_settings.CELERY_BROKER_URL
    assert broker.startswith("redis://"), f"the servers need the Redis broker, not {broker}"
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": SITE,
        "DATABASE_URL": (
            f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/"
            f"{config['NAME']}"
        ),
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": "rediscache://" + broker.removeprefix("redis://"),
        "MEDIA_ROOT": str(tmp_path / "shared-media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "REQUEST_LOG": "json",
    }


class Server:
    """`.venv/bin/gunicorn crm_archive.wsgi --bind 127.0.0.1:PORT`, its output in files."""

    def __init__(self, name: str, port: int, environment: dict[str, str], folder: Path):
        self.name, self.url = name, f"http://127.0.0.1:{port}"
        self.stdout_path, self.stderr_path = folder / f"{name}.out", folder / f"{name}.err"
        with open(self.stdout_path, "wb") as stdout, open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(
                [BIN / "gunicorn", "crm_archive.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                cwd=ROOT,
                env=environment,
                stdout=stdout,
                stderr=stderr,
            )

    def wait_until_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"gunicorn {self.name} exited with {self.process.returncode}: {self.stderr_path.read_text()}"
                )
            try:
                answer = requests.get(f"{self.url}/healthz", headers={"Host": SITE}, timeout=5)
                if answer.status_code == 200:
                    assert answer.json() == {"database": "ok", "broker": "ok", "storage": "ok"}
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn {self.name} did not answer /healthz: {self.stderr_path.read_text()[-3000:]}")

    def request_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout_path.read_text().splitlines()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def servers(transactional_db, tmp_path):
    """Two gunicorn servers on two free ports, sharing the database, Redis and MEDIA_ROOT."""
    environment = production_environment(tmp_path)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    started = []
    try:
        for name, port in zip(("A", "B"), free_ports(2), strict=True):
            started.append(Server(name, port, environment, tmp_path))
        deadline = time.monotonic() + STARTUP_SECONDS
        for server in started:
            server.wait_until_healthy(deadline)
        yield started
    finally:
        for server in started:
            server.stop()


class Browser:
    """A browser on https://archive.example.com, as the proxy passes its requests on."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, server: Server, method: str, path: str, **options) -> requests.Response:
        headers = {"Host": SITE, "X-Forwarded-Proto": "https", **options.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            headers["Origin"] = f"https://{SITE}"
        answer = requests.request(
            method, server.url + path, headers=headers, allow_redirects=False, timeout=30, **options
        )
        for header in answer.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                assert "secure" in header.lower(), f"cookie {name} is not marked Secure"
                self.cookies[name] = morsel.value
        return answer

    def form_token(self, server: Server, path: str) -> str:
        page = self.request(server, "GET", path)
        assert page.status_code == 200, f"{path}: {page.status_code}"
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def sign_in(self, server: Server, user) -> None:
        token = self.form_token(server, reverse("login"))
        answer = self.request(
            server,
            "POST",
            reverse("login"),
            data={"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert answer.status_code == 302 and answer.headers["Location"] == "/", answer.text[:2000]
        assert "sessionid" in self.cookies


def with_a_production_password(user):
    """The suite hashes passwords with MD5 for speed; the servers know only production's hashers."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_servers_serve_the_same_session_and_the_same_scans(servers, archive, open_dossier):
    server_a, server_b = servers
    clerk, owner = (with_a_production_password(archive["people"][person]) for person in ("clerk", "owner"))
    dossier = open_dossier(SecrecyTier.PERSONAL)

    # Signed in on A, the clerk is signed in on B too: the session is in the shared database.
    clerk_browser = Browser()
    clerk_browser.sign_in(server_a, clerk)
    home_on_b = clerk_browser.request(server_b, "GET", "/")
    assert home_on_b.status_code == 200 and f'<span class="who">{clerk}' in home_on_b.text
    assert Browser().request(server_b, "GET", "/").status_code == 302  # and nobody else is

    # A scan filed through A's page is in the shared storage …
    add_path = reverse("dossiers:document_add", args=[dossier.pk])
    filed = clerk_browser.request(
        server_a,
        "POST",
        add_path,
        headers={"X-Request-ID": "proxy-upload-1"},
        data={
            "csrfmiddlewaretoken": clerk_browser.form_token(server_b, add_path),
            "document_type": archive["types"]["客户基本资料表"].pk,
            "title": "客户基本资料表",
            # A date in the past of the servers' clock too, which --clock does not move.
            "made_on": "2024-03-01",
            "responsible_party": "销售一部",
            "pages": 4,
            "copies": 1,
            "is_original": "on",
            "secrecy_tier": SecrecyTier.PERSONAL,
            "retention": archive["retention"].pk,
            "position": 1,
        },
        files={"scan_file": ("contract.pdf", PDF_BYTES, "application/pdf")},
    )
    assert filed.status_code == 302, filed.text[:2000]
    document = Document.objects.get(dossier=dossier)

    # … and B returns its bytes to a reader signed in on B, as A does.
    owner_browser = Browser()
    owner_browser.sign_in(server_b, owner)
    scan_path = reverse("dossiers:document_scan", args=[document.pk])
    for server in (server_b, server_a):
        read = owner_browser.request(server, "GET", scan_path)
        assert read.status_code == 200 and read.content == PDF_BYTES

    # Each server wrote one JSON line per request, the proxy's request id among them.
    upload_lines = [line for line in server_a.request_lines() if line["request_id"] == "proxy-upload-1"]
    assert [(line["method"], line["path"], line["status"], line["user_id"]) for line in upload_lines] == [
        ("POST", add_path, 302, clerk.pk)
    ]
    assert ("GET", scan_path, 200, owner.pk) in [
        (line["method"], line["path"], line["status"], line["user_id"]) for line in server_b.request_lines()
    ]
