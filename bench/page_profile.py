"""Where a page's time goes: SQL (execution as the client sees it, and PostgreSQL's planning and
execution of each query), template rendering, and the rest of Python.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/page_profile.py \
        clerk /lending/register/borrow/ [--repeat 7] [--explain] [--cprofile 25]

On the bench database (bench/data.py). Prints the median split over `--repeat` requests; with
`--explain`, runs EXPLAIN (ANALYZE) on each SELECT of the page and prints its planning and
execution time; with `--cprofile N`, the N functions with the most cumulative time in one request."""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data


def _render_timer():
    """Wrap Django's template rendering to add up the time spent in it (outermost calls only)."""
    from django.template.backends.django import Template

    spent = {"ms": 0.0, "depth": 0}
    original = Template.render

    def render(self, context=None, request=None):
        spent["depth"] += 1
        started = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            spent["depth"] -= 1
            if spent["depth"] == 0:
                spent["ms"] += (time.perf_counter() - started) * 1000

    Template.render = render
    return spent


def explain(sql: str, params) -> tuple[float, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Planning Time"], plan[0]["Execution Time"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("user")
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--cprofile", type=int, default=0)
    parser.add_argument("--sql", action="store_true", help="print each statement of the last request, shortened")
    arguments = parser.parse_args()
    data.setup()
    people = data.ensure()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(people[arguments.user])
    spent = _render_timer()
    client.get(arguments.url)
    totals, sqls, renders, counts = [], [], [], []
    for _round in range(arguments.repeat):
        spent["ms"] = 0.0
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(arguments.url)
            totals.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        sqls.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        renders.append(spent["ms"])
        counts.append(len(captured.captured_queries))
    total, sql, render = statistics.median(totals), statistics.median(sqls), statistics.median(renders)
    print(f"{arguments.url} as {arguments.user}: {len(response.content) / 1024:.0f} KB, {counts[-1]} statements")
    print(f"  total {total:.1f} ms = SQL {sql:.1f} + templates {render:.1f} + other Python {total - sql - render:.1f}")
    print(f"  (median of {arguments.repeat}; SQL as the client waits for it, templates without their queries' time)")
    if arguments.sql:
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:200]}")
    if arguments.explain:
        with CaptureQueriesContext(connection) as captured:
            client.get(arguments.url)
        queries = [query["sql"] for query in captured.captured_queries if query["sql"].lstrip("(").startswith("SELECT")]
        for sql_text in queries:
            # The captured text has its parameters inlined already.
            planning, execution = explain(sql_text, None)
            print(f"  plan {planning:6.2f} ms  run {execution:7.2f} ms  {sql_text[:110]}")
    if arguments.cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(arguments.url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            arguments.cprofile
        )
        print(out.getvalue())


if __name__ == "__main__":
    main()
