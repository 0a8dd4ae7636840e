"""Benchmark: PostgreSQL's planning and execution time of a register page's queries, as they were
(one query joining the loan to ten tables, six of them the users table) and as they are now (the
page's rows joined to four tables, the people it names read in one query of their own).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/register_planning.py [--runs 7]

On the bench database (bench/data.py). EXPLAIN (ANALYZE) of each statement, median of `--runs`,
for the archive clerk (every loan) and a department manager (the secrecy and department rules).
Figures to read, not a timed test."""

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data


def explain(queryset, runs: int) -> tuple[float, float]:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    planning, execution = [], []
    with connection.cursor() as cursor:
        for _run in range(runs):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            planning.append(plan[0]["Planning Time"])
            execution.append(plan[0]["Execution Time"])
    return statistics.median(planning), statistics.median(execution)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    data.setup()
    people = data.ensure()
    from django.contrib.auth import get_user_model

    from crm_archive.pagination import _with_capped_count
    from lending.models import LoanKind
    from lending.selectors import REGISTER_PEOPLE, REGISTER_RELATED, register

    print(f"{'who':<9} {'statement':<52} {'plan ms':>8} {'run ms':>8}")
    for username in ("clerk", "deptmgr1"):
        loans = register(people[username], kind=LoanKind.BORROW)
        page = list(loans.values_list("pk", flat=True)[:100])
        rows_by_id = loans.order_by().filter(pk__in=page).select_related(*REGISTER_RELATED)
        before = loans.select_related(*REGISTER_PEOPLE)[:101]
        counted, _counts = _with_capped_count(loans, 1000)
        cases = [
            ("before: the page, 10 joins (6 to users)", before),
            ("now: the page and its capped count, 4 joins", counted[:101]),
            ("now: the people it names, by id", get_user_model().objects.filter(pk__in=[1, 2, 3])),
            ("now, a later page: its ids and the count", counted.values_list("pk", "_capped_total")[100:201]),
            ("now, a later page: its rows by id", rows_by_id),
        ]
        for label, queryset in cases:
            planning, execution = explain(queryset, arguments.runs)
            print(f"{username:<9} {label:<52} {planning:>8.2f} {execution:>8.2f}")
    print(f"EXPLAIN (ANALYZE), median of {arguments.runs} runs each")


if __name__ == "__main__":
    main()
