"""Benchmark: dossier list, loan registers, expired-records page and the monthly report at scale.

    .venv/bin/python bench/customer_list.py --customers 200000   # first: the customers
    .venv/bin/python bench/archive_lists.py --loans 100000

Fills the bench database (crm_archive_bench) with one formal dossier per customer and the
given number of loans, once, then prints median times and query counts per page."""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_archive_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_archive.settings_test")


def _loans_with_copies(loans, clerk) -> None:
    """Each photocopy loan with its 影印登记, as the services register it when the copies are made
    (the register and the monthly report read it): copies still out for the outstanding ones."""
    from lending.models import LoanKind, LoanStatus, PhotocopyRecord

    PhotocopyRecord.objects.bulk_create(
        PhotocopyRecord(
            loan=loan,
            copied_content=loan.content,
            pages=3,
            copies=1,
            copied_at=loan.issued_at,
            registered_by=clerk,
            copies_due_on=(loan.issued_at + timedelta(days=7)).date(),
            copies_returned_at=None if loan.status == LoanStatus.COPIES_OUT else loan.returned_at,
            copies_complete=None if loan.status == LoanStatus.COPIES_OUT else True,
        )
        for loan in loans
        if loan.kind == LoanKind.PHOTOCOPY
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.demo import seed_people
    from customers.models import Customer
    from dossiers.models import Cabinet, Dossier, DossierStatus, RetentionPeriod
    from lending.models import Loan, LoanKind, LoanStatus
    from lending.services import monthly_report_generate

    call_command("migrate", verbosity=0)
    users = seed_people()
    if not Customer.objects.exists():
        sys.exit("run bench/customer_list.py first: it fills the customers")
    started = time.perf_counter()
    if not Dossier.objects.exists():
        cabinet, _ = Cabinet.objects.get_or_create(code="BENCH", defaults={"place": "bench", "positions": 30000})
        retention = RetentionPeriod.objects.get(code="D10")
        now, today = timezone.now(), timezone.localdate()
        batch, sequence = [], 0
        for customer_id in Customer.objects.order_by("pk").values_list("pk", flat=True).iterator():
            sequence += 1
            year = 2008 + sequence % 18
            batch.append(
                Dossier(
                    customer_id=customer_id,
                    status=DossierStatus.FORMAL,
                    retention=retention,
                    opened_on=today - timedelta(days=sequence % 3000 + 30),
                    opened_by=users["clerk"],
                    completion_received_on=today - timedelta(days=sequence % 3000 + 10),
                    promotion_due_on=today - timedelta(days=sequence % 3000 + 5),
                    promoted_at=now,
                    archive_number=f"KH-{year}-D10-{sequence:07d}",
                    filing_year=year,
                    cabinet=cabinet if sequence <= 30000 else None,
                    position=sequence if sequence <= 30000 else None,
                )
            )
            if sequence > 30000:
                batch[-1].status = DossierStatus.COMPLETION_RECEIVED
                batch[-1].archive_number = None
            if len(batch) == 5000:
                Dossier.objects.bulk_create(batch)
                batch = []
        Dossier.objects.bulk_create(batch)
        print(f"filled {Dossier.objects.count()} dossiers in {time.perf_counter() - started:.1f} s")
    if Loan.objects.count() < arguments.loans:
        started = time.perf_counter()
        random.seed(1)
        formal = list(Dossier.objects.filter(status=DossierStatus.FORMAL).values_list("pk", flat=True)[:30000])
        people = [users[name] for name in ("sales1", "sales2", "sales3", "deptmgr1")]
        now = timezone.now()
        batch = []
        for number in range(Loan.objects.count(), arguments.loans):
            borrower = people[number % len(people)]
            issued = now - timedelta(days=number % 900, hours=3)
            outstanding = number < 300  # a few hundred out, the rest closed
            batch.append(
                Loan(
                    kind=LoanKind.BORROW if number % 5 else LoanKind.PHOTOCOPY,
                    status=LoanStatus.ISSUED
                    if outstanding and number % 5
                    else (LoanStatus.COPIES_OUT if outstanding else LoanStatus.CLOSED),
                    dossier_id=formal[number % len(formal)] if not outstanding else formal[number],
                    borrower=borrower,
                    department_id=borrower.department_id,
                    content="参数表",
                    purpose="售后",
                    requested_at=issued,
                    archive_approved_by=users["archmgr"],
                    issued_at=issued,
                    issued_by=users["clerk"],
                    due_at=issued + timedelta(hours=4),
                    returned_at=None if outstanding else issued + timedelta(hours=2),
                )
            )
            if len(batch) == 5000:
                _loans_with_copies(Loan.objects.bulk_create(batch), users["clerk"])
                batch = []
        _loans_with_copies(Loan.objects.bulk_create(batch), users["clerk"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"filled {Loan.objects.count()} loans in {time.perf_counter() - started:.1f} s")

    print(f"dossiers: {Dossier.objects.count()}, loans: {Loan.objects.count()}")
    cases = [
        ("clerk", "/dossiers/", {}),
        ("clerk", "/dossiers/", {"per_page": 100}),
        ("clerk", "/dossiers/", {"due": "overdue"}),
        ("clerk", "/dossiers/", {"status": "formal", "filing_year": 2015}),
        ("clerk", "/dossiers/", {"q": "KH-2015-D10-00123"}),
        ("sales1", "/dossiers/", {}),
        ("clerk", "/lending/register/borrow/", {}),
        ("clerk", "/lending/register/borrow/", {"per_page": 100}),
        ("clerk", "/lending/register/borrow/", {"overdue": "on"}),
        ("deptmgr1", "/lending/register/borrow/", {}),
        ("clerk", "/lending/register/photocopy/", {}),
        ("clerk", "/destruction/expired/", {}),
        ("clerk", "/", {}),
    ]
    print(f"{'who':<9} {'page':<40} {'median ms':>10} {'queries':>8}")
    for username, path, params in cases:
        client = Client(HTTP_HOST="localhost")
        client.force_login(users[username])
        timings = []
        for _ in range(arguments.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path, params)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        timings.sort()
        label = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        print(f"{username:<9} {label[:40]:<40} {timings[len(timings) // 2]:>10.1f} {len(queries):>8}")
    started = time.perf_counter()
    report, _created = monthly_report_generate(year=1900 + random.randint(0, 99), month=1)
    print(f"monthly report: {report.lines.count()} lines in {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
