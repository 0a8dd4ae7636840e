"""Benchmark: the customer list per role — pages, searches and filters — with median time and
query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/customer_list.py [--repeat 5]

On the bench database (bench/data.py, filled once: 200,000 customers of 63 sales people, each with
a contact). Figures to read, not a timed test; bench/pages.py compares the same pages with the
Django admin's customer changelist."""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

CASES = [
    ("page 1, 25 rows", {}),
    ("page 1, 100 rows", {"per_page": 100}),
    ("page 200, 25 rows", {"page": 200}),
    ("grade=A, region=华东", {"grade": "A", "region": "华东"}),
    ("sort by last update", {"sort": "-updated"}),
    ("search name fragment", {"q": "客户012345"}),
    ("search contact name", {"q": "联系人1234"}),
    ("search phone", {"q": "021-5"}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    data.setup()
    people = data.ensure()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from customers.models import Customer

    print(f"customers: {Customer.objects.count()}")
    print(f"{'who':<10} {'case':<24} {'median ms':>10} {'queries':>8} {'rows':>5}")
    for username in ("gm", "deptmgr1", "sales1", "mktdir"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(people[username])
        for label, params in CASES:
            client.get("/customers/", params)
            timings = []
            for _ in range(arguments.repeat):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get("/customers/", params)
                    timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            rows = response.content.decode().count("data-customer=")
            print(f"{username:<10} {label:<24} {statistics.median(timings):>10.1f} {len(queries):>8} {rows:>5}")


if __name__ == "__main__":
    main()
