"""Benchmark: the monthly report of 10,000 loans out — its generation, its page, its Excel file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/monthly_report.py [--runs 5]

On the bench database (bench/data.py: 10,000 of the 1,000,000 loans are out). Generation is timed
as the 5th's job runs it (monthly_report_generate: read what is out, store the lines, notify),
inside a transaction rolled back after each run, so every run stores the same report afresh; the
page (first and last page of lines, 100 a page) and the Excel download (the whole streamed body
read) are timed on the stored report. Medians of `--runs`; wall-clock and this process's CPU time
(the machine is shared: CPU time is what the work costs, wall-clock what a user waits). Targets:
generation ≤ 2 s, page ≤ 150 ms, Excel ≤ 1.5 s. Figures to read, not a timed test."""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

TARGETS = {"generation": 2000, "page 1": 150, "last page": 150, "excel": 1500}


class Rollback(Exception):
    pass


def _timed(action) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    data.setup()
    people = data.ensure()
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from lending.models import NOT_RETURNED_STATUSES, Loan, LoanStatus, MonthlyReport, MonthlyReportKind
    from lending.services import monthly_report_generate

    month = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    out = Loan.objects.filter(status__in=NOT_RETURNED_STATUSES).count()
    print(
        f"loans out: {out} (of {Loan.objects.count()}); "
        f"originals out: {Loan.objects.filter(status=LoanStatus.ISSUED).count()}"
    )

    def generate_and_roll_back():
        try:
            with transaction.atomic():
                report, created = monthly_report_generate(year=month.year - 50, month=month.month)
                assert created and report.lines.count() == out, (created, report.lines.count())
                raise Rollback
        except Rollback:
            pass

    figures = {"generation": [_timed(generate_and_roll_back) for _run in range(arguments.runs)]}
    report = MonthlyReport.objects.filter(kind=MonthlyReportKind.OFFICIAL, year=month.year, month=month.month).first()
    if report is None:
        report, _created = monthly_report_generate(year=month.year, month=month.month)
    lines = report.lines.count()
    client = Client(HTTP_HOST="localhost")
    client.force_login(people["gm"])
    page_url = f"/lending/reports/{report.pk}/"
    last = f"{page_url}?page={(lines + 99) // 100}"

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                body = b"".join(response.streaming_content)
                assert body[:2] == b"PK", "not an .xlsx file"

        return fetch

    for name, url in [("page 1", page_url), ("last page", last), ("excel", f"{page_url}export.xlsx")]:
        get(url)()  # warm
        figures[name] = [_timed(get(url)) for _run in range(arguments.runs)]
    print(f"report #{report.pk}: {lines} lines")
    print(f"{'what':<12} {'wall ms':>8} {'cpu ms':>8} {'target':>8}  verdict")
    for name, runs in figures.items():
        wall = statistics.median(run[0] for run in runs)
        cpu = statistics.median(run[1] for run in runs)
        verdict = "ok" if wall <= TARGETS[name] else ("ok (cpu)" if cpu <= TARGETS[name] else "MISSED")
        print(f"{name:<12} {wall:>8.0f} {cpu:>8.0f} {TARGETS[name]:>8}  {verdict}")
    print(f"medians of {arguments.runs} runs; generation rolled back after each run")


if __name__ == "__main__":
    main()
