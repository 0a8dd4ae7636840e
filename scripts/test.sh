#!/usr/bin/env bash
# The whole suite, against PostgreSQL and a real Redis broker, as CI runs it.
# Extra arguments go to pytest (e.g. `make test ARGS=...` is not needed: bash scripts/test.sh -k handover).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

fail() { echo "ERROR: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

# 1. Python packages.
ensure_venv requirements-dev.txt

# 2. Debian's Chromium for the Playwright browser tests (no browser download is possible here).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..."
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null; } ||
    fail "could not install chromium with apt-get; the browser tests need /usr/bin/chromium."
fi

# 2b. GNU gettext: the translation test runs makemessages on a copy of the sources.
if ! command -v xgettext >/dev/null; then
  echo "Installing gettext for the translation test..."
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq gettext >/dev/null; } ||
    fail "could not install gettext with apt-get; the translation test needs xgettext."
fi

# 3. PostgreSQL on 127.0.0.1:5432: start it if it is installed but stopped.
pg_up() { .venv/bin/python - <<'PY'
import sys, psycopg2
try:
    psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3).close()
except Exception as error:
    sys.exit(1)
PY
}
if ! pg_up; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it..."
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || fail "PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres, trust auth) and could not be started."
fi

# 4. Redis on 127.0.0.1:6379: start it if it is installed but stopped.
redis_up() { .venv/bin/python -c 'import redis; redis.Redis(host="127.0.0.1", port=6379, socket_timeout=3).ping()' 2>/dev/null; }
if ! redis_up; then
  echo "Redis is not answering on 127.0.0.1:6379; trying to start it..."
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  for _ in $(seq 1 15); do redis_up && break; sleep 1; done
  redis_up || fail "Redis is not reachable at 127.0.0.1:6379 and could not be started."
fi

# The suite creates its own test database; makemigrations --check wants the named one to exist.
.venv/bin/python - <<'PY'
import psycopg2
connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'crm_archive'")
    if cursor.fetchone() is None:
        cursor.execute("CREATE DATABASE crm_archive")
connection.close()
PY

export DJANGO_SETTINGS_MODULE=crm_archive.settings_test
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crm_archive}
export CELERY_BROKER_URL=${TEST_BROKER_URL:-redis://127.0.0.1:6379/15}

# 5. Static checks: lint, imports run downhill only (import-linter, pyproject.toml), models agree
#    with migrations.
.venv/bin/ruff check .
.venv/bin/lint-imports
.venv/bin/python manage.py makemigrations --check --dry-run

# 6. The whole suite: unit, database, real Celery worker and browser tests.
#    With arguments, only this PostgreSQL run, with them (e.g. bash scripts/test.sh -k handover).
pytest() { .venv/bin/python -m pytest -p no:cacheprovider "$@"; }
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# 7–8. The same suite on the embedded default a newcomer meets (SQLite), where what only PostgreSQL
#    has (triggers on TRUNCATE, trigram indexes, row locks) is marked postgres_only and skipped; and,
#    since no test may depend on the wall clock, the suite again (less the browser and the slow
#    hostile-input walks, which touch no date) with every test starting at a fixed instant in
#    Asia/Shanghai on the last day of a month and of a year — half a minute before midnight on
#    PostgreSQL (after the working day, and the day, month and year about to turn), in the morning on
#    SQLite. (An 18:00 pass was dropped: 23:59:30 is after the working day too.)
#    The four runs go as two chains side by side, one per core, to keep the command short: this
#    one (PostgreSQL, then SQLite with the clock) here, the other (SQLite, then PostgreSQL with the
#    clock) in the background with a test database, a Celery broker and result store of its own.
clock=2026-12-31T23:59:30+08:00
broker_base=${CELERY_BROKER_URL%/*}
broker_db=${CELERY_BROKER_URL##*/}
other_log=$(mktemp)
(
  set -e
  export CELERY_BROKER_URL="$broker_base/$(( (broker_db + 8) % 16 ))"
  export CELERY_RESULT_BACKEND="$broker_base/$(( (broker_db + 9) % 16 ))"
  echo "== The suite on SQLite"
  DATABASE_URL=sqlite:///$(mktemp -d)/crm_archive_test.sqlite3 ALLOW_SQLITE_TESTS=1 pytest
  echo "== The suite with the clock at $clock"
  DATABASE_URL="${DATABASE_URL}_clock" pytest -q -m "not browser and not slow" --clock="$clock"
) > "$other_log" 2>&1 &
other=$!

status=0
echo "== The suite on PostgreSQL"
pytest || status=$?
if [ "$status" -eq 0 ]; then
  echo "== The suite on SQLite with the clock at 2026-12-31T09:00:00+08:00"
  DATABASE_URL=sqlite:///$(mktemp -d)/crm_archive_test.sqlite3 ALLOW_SQLITE_TESTS=1 \
    pytest -q -m "not browser and not slow" --clock=2026-12-31T09:00:00+08:00 || status=$?
fi
other_status=0
wait "$other" || other_status=$?
cat "$other_log"
rm -f "$other_log"
[ "$status" -eq 0 ] || exit "$status"
exit "$other_status"
