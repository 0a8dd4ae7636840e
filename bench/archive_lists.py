"""Benchmark: the archive's lists per role — dossiers, both registers, expired records, the
dashboard — with their median time and query count, and the monthly report's generation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/archive_lists.py [--repeat 5]

On the bench database (bench/data.py, filled once: 200,000 dossiers, 1,000,000 loans of which
10,000 are out, each photocopy loan with its photocopy record as the services register it — the
old fill made photocopy loans without one, and the monthly report at the end crashed on them).
Figures to read, not a timed test; bench/pages.py compares the same pages with the Django admin."""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

CASES = [
    ("clerk", "/dossiers/", {}),
    ("clerk", "/dossiers/", {"per_page": 100}),
    ("clerk", "/dossiers/", {"due": "overdue"}),
    ("clerk", "/dossiers/", {"status": "formal", "filing_year": 2015}),
    ("clerk", "/dossiers/", {"q": "KH-2015-D10-0012"}),
    ("sales1", "/dossiers/", {}),
    ("clerk", "/lending/register/borrow/", {}),
    ("clerk", "/lending/register/borrow/", {"per_page": 100}),
    ("clerk", "/lending/register/borrow/", {"overdue": "on"}),
    ("deptmgr1", "/lending/register/borrow/", {}),
    ("sales1", "/lending/register/borrow/", {}),
    ("clerk", "/lending/register/photocopy/", {}),
    ("clerk", "/destruction/expired/", {}),
    ("clerk", "/", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    data.setup()
    people = data.ensure()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dossiers.models import Dossier
    from lending.models import Loan
    from lending.services import monthly_report_generate

    print(f"dossiers: {Dossier.objects.count()}, loans: {Loan.objects.count()}")
    print(f"{'who':<9} {'page':<44} {'median ms':>10} {'queries':>8}")
    for username, path, params in CASES:
        client = Client(HTTP_HOST="localhost")
        client.force_login(people[username])
        client.get(path, params)
        timings = []
        for _ in range(arguments.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path, params)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        label = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        print(f"{username:<9} {label[:44]:<44} {statistics.median(timings):>10.1f} {len(queries):>8}")
    # The month's report as the 5th's job takes it, in a transaction rolled back: the bench
    # database keeps no report of a made-up month.
    month = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    with transaction.atomic():
        started = time.perf_counter()
        report, _created = monthly_report_generate(year=month.year - 100, month=month.month)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"monthly report: {report.lines.count()} lines in {elapsed:.0f} ms")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
