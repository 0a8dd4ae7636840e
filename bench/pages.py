"""Benchmark: every list page and report against the Django admin changelist of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/pages.py [--rounds 9]

On the bench database (bench/data.py: 200,000 customers and dossiers, 1,000,000 loans), each page
is requested in-process (Django's test client: the whole middleware stack, no HTTP server) beside
the admin changelist of the same model showing the same rows at the same page size, A B A B
interleaved: the figure is the median of the per-round ratios ours ÷ admin, which the noise of a
shared machine leaves alone. Also printed: each page's median time and its SQL query count (taken
on a warm-up request, not timed). These are figures to read, not a timed test.

`--only WORD` runs the cases whose name contains WORD; `--json FILE` writes the figures."""

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

RATIO_TARGET = 0.7
QUERY_TARGET = 10


@dataclass
class Case:
    name: str
    user: str
    url: str
    admin_url: str
    note: str = ""


def cases(people, ids) -> list[Case]:
    sales1, deptmgr1, gm = people["sales1"].pk, people["deptmgr1"], people["gm"].pk
    customers = "/admin/customers/customer/"
    dossiers = "/admin/dossiers/dossier/"
    loans = "/admin/lending/loan/"
    return [
        Case("customers p1", "gm", "/customers/?per_page=100", customers),
        Case("customers p500", "gm", "/customers/?per_page=100&page=500", f"{customers}?p=500"),
        Case("customers search name", "gm", "/customers/?per_page=100&q=客户01234", f"{customers}?q=客户01234"),
        Case(
            "customers grade+region",
            "gm",
            "/customers/?per_page=100&grade=A&region=华东",
            f"{customers}?grade=A&region=华东",
        ),
        Case("customers sales1", "sales1", "/customers/?per_page=100", f"{customers}?owner={sales1}"),
        Case(
            "customers deptmgr1",
            "deptmgr1",
            "/customers/?per_page=100",
            f"{customers}?department={deptmgr1.department_id}",
            "admin: the department's customers (about the same rows)",
        ),
        Case("dossiers p1", "clerk", "/dossiers/?per_page=100", dossiers),
        Case("dossiers p500", "clerk", "/dossiers/?per_page=100&page=500", f"{dossiers}?p=500"),
        Case(
            "dossiers formal 2020",
            "clerk",
            "/dossiers/?per_page=100&status=formal&filing_year=2020",
            f"{dossiers}?status=formal&filing_year=2020",
        ),
        Case(
            "dossiers search number",
            "clerk",
            "/dossiers/?per_page=100&q=KH-2020-D10-01",
            f"{dossiers}?q=KH-2020-D10-01",
        ),
        Case("borrow register p1", "clerk", "/lending/register/borrow/?per_page=100", f"{loans}?kind=borrow"),
        Case(
            "borrow register p500",
            "clerk",
            "/lending/register/borrow/?per_page=100&page=500",
            f"{loans}?kind=borrow&p=500",
        ),
        Case(
            "borrow register overdue",
            "clerk",
            "/lending/register/borrow/?per_page=100&overdue=on",
            f"{loans}?kind=borrow&status__in=issued,copies_out&due_at__lt={ids['now']}",
        ),
        Case(
            "borrow register deptmgr1",
            "deptmgr1",
            "/lending/register/borrow/?per_page=100",
            f"{loans}?kind=borrow&department={deptmgr1.department_id}",
        ),
        Case("photocopy register p1", "clerk", "/lending/register/photocopy/?per_page=100", f"{loans}?kind=photocopy"),
        Case(
            "expired records",
            "clerk",
            "/destruction/expired/",
            f"/bench-admin/dossiers/dossier/?status=formal&filing_year__lt={ids['expired_before']}",
            "admin: 500 a page, as the page lists",
        ),
        Case("destruction lists", "clerk", "/destruction/", "/admin/destruction/destructionlist/"),
        Case("read requests", "gm", "/dossiers/read-requests/?per_page=100", "/admin/dossiers/readrequest/"),
        Case("read log", "gm", "/customers/read-log/?per_page=100", "/admin/customers/customerreadlog/"),
        Case(
            "read log by user",
            "gm",
            f"/customers/read-log/?per_page=100&user={sales1}",
            f"/admin/customers/customerreadlog/?user={sales1}",
        ),
        Case("audit trail", "gm", "/audit/?per_page=100", "/bench-admin/lending/historicalloan/"),
        Case("notifications", "gm", "/notifications/", f"/admin/accounts/notification/?recipient={gm}"),
        Case("monthly reports", "gm", "/lending/reports/?per_page=100", "/admin/lending/monthlyreport/"),
        Case(
            "monthly report 10k lines",
            "gm",
            f"/lending/reports/{ids['report']}/",
            f"/bench-admin/lending/monthlyreportline/?report={ids['report']}",
        ),
        Case(
            "follow-ups sales1",
            "sales1",
            "/customers/follow-ups/?list=due&per_page=100",
            f"/bench-admin/customers/followup/?assigned_to={sales1}&done_at__isnull=True",
        ),
        Case(
            "completeness",
            "archmgr",
            "/customers/completeness/?per_page=100",
            f"{customers}?completeness__lt=100&o=",
        ),
        Case(
            "late entries",
            "deptmgr1",
            "/customers/late-entries/",
            f"/bench-admin/customers/interaction/?occurred_at__gte={ids['month_start']}",
        ),
        Case(
            "grade changes deptmgr1",
            "deptmgr1",
            "/customers/grade-changes/",
            "/bench-admin/customers/gradechange/?status=pending",
        ),
        *[
            Case(f"dashboard {role}", role, "/", "/admin/", "admin: the admin's index page")
            for role in ("gm", "archmgr", "clerk", "sales1", "deptmgr1", "csmgr", "custdir", "mktdir")
        ],
    ]


class PageFailed(Exception):
    pass


def _client(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _timed(client, url) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise PageFailed(f"{url}: {response.status_code}")
    return elapsed


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _queries(client, url) -> tuple[int, int]:
    """SQL queries of one request (not counting BEGIN and COMMIT around the session's save) and
    the size of its page: the second request of the page, as a reader clicking through meets it
    (the first may fill a cache, the general manager's key figures, kept five minutes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise PageFailed(f"{url}: {response.status_code}")
    queries = [query for query in captured.captured_queries if not query["sql"].startswith(TRANSACTION_CONTROL)]
    return len(queries), len(response.content)


def measure(case: Case, people, rounds: int) -> dict:
    ours, admin = _client(people[case.user]), _client(people["admin"])
    queries, size = _queries(ours, case.url)
    admin_queries, _admin_size = _queries(admin, case.admin_url)
    times, admin_times, ratios = [], [], []
    for _round in range(rounds):
        a = _timed(ours, case.url)
        b = _timed(admin, case.admin_url)
        times.append(a)
        admin_times.append(b)
        ratios.append(a / b)
    return {
        "case": case.name,
        "user": case.user,
        "url": case.url,
        "admin_url": case.admin_url,
        "note": case.note,
        "ms": statistics.median(times),
        "admin_ms": statistics.median(admin_times),
        "ratio": statistics.median(ratios),
        "queries": queries,
        "admin_queries": admin_queries,
        "kb": size / 1024,
        "rounds": rounds,
    }


def bench_ids(people) -> dict:
    """The ids the cases name: this month's official report of what is out (taken once, timed:
    the report's generation target), the first expired filing year."""
    from django.utils import timezone

    from lending.models import MonthlyReport, MonthlyReportKind
    from lending.services import monthly_report_generate

    now = timezone.localtime()
    report = MonthlyReport.objects.filter(kind=MonthlyReportKind.OFFICIAL).order_by("-year", "-month").first()
    if report is None:
        month = now.replace(day=1) - timezone.timedelta(days=1)  # last month's report is due by now
        started = time.perf_counter()
        report, _created = monthly_report_generate(year=month.year, month=month.month)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"monthly report generated: {report.lines.count()} lines in {elapsed:.0f} ms", flush=True)
    return {
        "report": report.pk,
        "now": now.strftime("%Y-%m-%d %H:%M:%S"),
        "expired_before": now.year - 10,
        "month_start": now.strftime("%Y-%m-01"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--only", default="")
    parser.add_argument("--json", default="")
    arguments = parser.parse_args()
    data.setup()
    people = data.ensure()
    from django.conf import settings
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "bench_admin"
    clear_url_caches()
    ids = bench_ids(people)
    results = []
    print(f"{'case':<28} {'ours ms':>8} {'admin ms':>9} {'ratio':>6} {'queries':>8} {'admin q':>8} {'KB':>6}  verdict")
    for case in cases(people, ids):
        if arguments.only and arguments.only not in case.name:
            continue
        try:
            result = measure(case, people, arguments.rounds)
        except PageFailed as failure:
            print(f"{case.name:<28} {failure}", flush=True)
            continue
        if case.admin_url == "/admin/":
            # A home page: no changelist shows its rows; its ratio to the admin's index page is
            # printed for reference, and its target is the query count.
            result["verdict"] = "queries ok (vs index)" if result["queries"] <= QUERY_TARGET else "MISSED"
        else:
            ok = result["ratio"] <= RATIO_TARGET and result["queries"] <= QUERY_TARGET
            result["verdict"] = "ok" if ok else "MISSED"
        results.append(result)
        print(
            f"{result['case']:<28} {result['ms']:>8.1f} {result['admin_ms']:>9.1f} {result['ratio']:>6.2f} "
            f"{result['queries']:>8} {result['admin_queries']:>8} {result['kb']:>6.0f}  {result['verdict']}",
            flush=True,
        )
    print(f"{arguments.rounds} rounds of A B per case (ours, admin); ratio = median of the per-round ratios")
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
