"""Benchmark: the customer list, search and detail at scale on PostgreSQL.

    .venv/bin/python bench/customer_list.py --customers 200000

Uses its own database (crm_archive_bench, created and filled on the first run, reused after),
then prints, per role, the time and query count of list pages, searches and filters. These are
figures to read, not a timed test."""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_archive_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_archive.settings_test")


def ensure_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[-1]
    connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.demo import seed_people
    from customers.models import Contact, Customer, CustomerCategory, CustomerGrade, SecrecyTier

    call_command("migrate", verbosity=0)
    users = seed_people()
    sales = [users[name] for name in ("sales1", "sales2", "sales3")]
    have = Customer.objects.count()
    if have < arguments.customers:
        started = time.perf_counter()
        random.seed(have)
        tiers, categories, grades = list(SecrecyTier), list(CustomerCategory), list(CustomerGrade)
        batch = []
        for number in range(have, arguments.customers):
            owner = sales[number % 3]
            batch.append(
                Customer(
                    name=f"基准客户{number:07d}",
                    owner=owner,
                    department_id=owner.department_id,
                    secrecy_tier=tiers[number % 4],
                    category=random.choice(categories),
                    grade=random.choice(grades),
                    region=random.choice(["华东", "华北", "华南", "西南", "东北"]),
                    industry=random.choice(["电子", "机械制造", "通信", "物流", "金融"]),
                    phone=f"0{random.randint(10, 99)}-{random.randint(10000000, 99999999)}",
                )
            )
            if len(batch) == 5000:
                created = Customer.objects.bulk_create(batch)
                Contact.objects.bulk_create(Contact(customer=c, name=f"联系人{c.pk}") for c in created)
                batch = []
        if batch:
            created = Customer.objects.bulk_create(batch)
            Contact.objects.bulk_create(Contact(customer=c, name=f"联系人{c.pk}") for c in created)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"filled {arguments.customers - have} customers in {time.perf_counter() - started:.1f} s")

    print(f"customers: {Customer.objects.count()}")
    cases = [
        ("page 1, 25 rows", {}),
        ("page 1, 100 rows", {"per_page": 100}),
        ("page 200, 25 rows", {"page": 200}),
        ("grade=A, region=华东", {"grade": "A", "region": "华东"}),
        ("sort by last update", {"sort": "-updated"}),
        ("search name fragment", {"q": "客户012345"}),
        ("search contact name", {"q": "联系人1234"}),
        ("search phone", {"q": "021-5"}),
    ]
    print(f"{'who':<10} {'case':<24} {'median ms':>10} {'queries':>8} {'rows':>5}")
    for username in ("gm", "deptmgr1", "sales1", "mktdir"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(users[username])
        for label, params in cases:
            timings = []
            for _ in range(arguments.repeat):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get("/customers/", params)
                    timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            rows = response.content.decode().count("data-customer=")
            timings.sort()
            print(f"{username:<10} {label:<24} {timings[len(timings) // 2]:>10.1f} {len(queries):>8} {rows:>5}")


if __name__ == "__main__":
    main()
