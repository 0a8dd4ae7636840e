#!/usr/bin/env bash
# The embedded default: SQLite, Celery tasks in-process, demo data, dev server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements.txt

export DEBUG=${DEBUG:-true}
export DJANGO_SETTINGS_MODULE=crm_archive.settings
host=${HOST:-127.0.0.1}
port=${PORT:-8000}

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
echo
echo "Customer Archive CRM: http://$host:$port/  (Ctrl-C to stop)"
exec .venv/bin/python manage.py runserver "$host:$port"
