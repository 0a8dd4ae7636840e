"""Benchmark: requests per second of list pages under gunicorn (2 workers) with wrk, against the
login page of the same server, as a ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/throughput.py \
        [--port 8774] [--seconds 5] [--runs 3]

Needs wrk (Debian: `apt-get install wrk`). Runs collectstatic into a folder of its own, starts
`gunicorn crm_archive.wsgi --workers 2` with the production settings (DEBUG off, persistent
database connections) on the bench database (bench/data.py), signs the page's user in (a session
row; wrk sends its cookie), then, for each page, alternates wrk runs on the login page and on the
page (`--runs` pairs of `--seconds` each, loopback, 4 connections) and prints the median of the
per-pair ratios page ÷ login. It does so on two servers side by side: "again", as in production,
keeps a page for its reader (crm_archive.page_cache) — wrk's repeated requests by one session are
a reader opening the page again —, "drawn" draws every request (a page's first opening, or after a
write to what it shows). First, always, the signed-in floor (FLOOR): the cheapest signed-in
page, no list, measured the same way, so the budget a list page has left is on the screen beside
its figures. Figures to read, not a timed test."""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TARGET = 0.5

PAGES = [
    ("customer list", "gm", "/customers/"),
    ("customer list, sales", "sales1", "/customers/"),
    ("customer search", "gm", "/customers/?q=客户01234"),
    ("dossier list", "clerk", "/dossiers/"),
    ("borrow register", "clerk", "/lending/register/borrow/"),
    ("photocopy register", "clerk", "/lending/register/photocopy/"),
    ("read log", "gm", "/customers/read-log/"),
    ("audit trail", "gm", "/audit/"),
    ("notifications", "gm", "/notifications/"),
    ("follow-ups", "sales1", "/customers/follow-ups/"),
    ("dashboard, clerk", "clerk", "/"),
    ("dashboard, gm", "gm", "/"),
]
# Not a list page, so not held to the target: the cheapest signed-in page (the password-changed
# notice: the layout, the top bar, the session and the user, no list). What it costs above the
# login page every signed-in page pays before reading a row; a list page's own work must fit in
# what is left of half the login page's rate.
FLOOR = ("signed-in floor", "gm", "/accounts/password/done/")


def _wrk(url: str, seconds: int, cookie: str = "") -> tuple[float, int]:
    """Requests per second and the count of non-2xx answers of one wrk run."""
    command = ["wrk", "-t2", "-c4", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


def _check(url: str, cookie: str = "") -> None:
    """The page answers 200 itself (wrk would count a redirect to the login page as a success)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{url} answers {status}, not 200")


def _session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _environment(folder: Path) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "crm_archive.settings",
        "DEBUG": "false",
        # The bench process's own key: the sessions it signs in must be valid on the server.
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
        "CACHE_URL": os.environ["CACHE_URL"],  # shared by the workers, as in production (bench/data.py)
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
    }


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    for _attempt in range(120):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer: {log.read_text()[-3000:]}")


def _start(port: int, environment: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            [BIN / "gunicorn", "crm_archive.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _verdict(ratio: float, errors: int) -> str:
    verdict = "ok" if ratio >= TARGET else "missed"
    return f"{verdict} ({errors} non-2xx)" if errors else verdict


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8774)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="")
    arguments = parser.parse_args()
    data.setup()
    people = data.ensure()
    folder = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    environment = _environment(folder)
    subprocess.run(
        [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=environment, check=True
    )
    # Two servers, one idle while the other is measured: "again" keeps a page for its reader
    # (production's setting, crm_archive.page_cache), so wrk's repeated requests of one page by one
    # session are what a reader opening it again costs; "drawn" draws every request, what a page
    # costs the first time, after a write to what it shows, or in a new minute.
    servers = {
        "again": (arguments.port, {**environment, "PAGE_CACHE_SECONDS": "60"}),
        "drawn": (arguments.port + 1, {**environment, "PAGE_CACHE_SECONDS": "0"}),
    }
    started = {name: _start(port, env, folder / f"gunicorn-{name}.log") for name, (port, env) in servers.items()}
    try:
        bases = {name: f"http://127.0.0.1:{port}" for name, (port, _env) in servers.items()}
        for name, base in bases.items():
            _wait_for(f"{base}/healthz", started[name], folder / f"gunicorn-{name}.log")
            _check(f"{base}/accounts/login/")
            _wrk(f"{base}/accounts/login/", 1)  # warm both workers
        print(
            f"{'page':<24} {'again':>7} {'ratio':>6} {'drawn':>7} {'ratio':>6} {'login':>7}  verdict (again · drawn)",
            flush=True,
        )
        chosen = [page for page in PAGES if not arguments.only or arguments.only in page[0]]
        for label, username, path in [FLOOR, *chosen]:
            cookie = _session_cookie(people[username])
            rates, ratios, logins, errors = {}, {}, [], {}
            for name, base in bases.items():
                url = base + urllib.parse.quote(path, safe="/?=&")
                _check(url, cookie)
                _wrk(url, 1, cookie)
                rates[name], ratios[name], errors[name] = [], [], 0
            for _run in range(arguments.runs):
                for name, base in bases.items():
                    url = base + urllib.parse.quote(path, safe="/?=&")
                    login_rate, _login_errors = _wrk(f"{base}/accounts/login/", arguments.seconds)
                    rate, page_errors = _wrk(url, arguments.seconds, cookie)
                    errors[name] += page_errors
                    rates[name].append(rate)
                    ratios[name].append(rate / login_rate)
                    logins.append(login_rate)
            ratio = {name: statistics.median(values) for name, values in ratios.items()}
            if label == FLOOR[0]:
                verdict = "(not a list: the floor)"
            else:
                verdict = f"{_verdict(ratio['again'], errors['again'])} · {_verdict(ratio['drawn'], errors['drawn'])}"
            print(
                f"{label:<24} {statistics.median(rates['again']):>7.1f} {ratio['again']:>6.2f} "
                f"{statistics.median(rates['drawn']):>7.1f} {ratio['drawn']:>6.2f} {statistics.median(logins):>7.1f}  "
                f"{verdict}",
                flush=True,
            )
        print(
            f"{arguments.runs} rounds of 4 wrk runs of {arguments.seconds} s per page (login and page on each "
            "server); 25-row pages; ratio = page ÷ the same server's login page, median of the rounds"
        )
    finally:
        for server in started.values():
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
