"""Settings for the test suite: production settings, on PostgreSQL, with fast hashing.

The suite runs against PostgreSQL (DATABASE_URL, default the local server) because the
rules the database holds (conditional unique constraints, row locks) must be tested where
they run in production. Set ALLOW_SQLITE_TESTS=1 only for a quick local look.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_archive")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/14")
# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .settings import *  # noqa: F403
from .settings import DATABASES, env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" and not env.bool(
    "ALLOW_SQLITE_TESTS", default=False
):
    raise RuntimeError(
        "The test suite runs on PostgreSQL: set DATABASE_URL=postgres://... "
        "(the README's test command does this for you)."
    )
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file (beside the named one), not in memory: SQLite's shared in-memory
    # cache locks whole tables, so a test reading while the Celery worker thread or the live
    # server writes would fail with "database table is locked". In a file with WAL, readers and
    # the one writer go on side by side, as on the embedded default.
    from pathlib import Path

    _name = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(_name.with_name(f"test_{_name.name}"))}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Each test's own MEDIA_ROOT/scans (tests/conftest.py), whatever SCANS_S3_BUCKET says; the S3
    # tests (tests/test_storage_s3.py) point it at a bucket of their own.
    "scans": {"BACKEND": "crm_archive.storage.ScansFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests call tasks in-process unless they start a real worker (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# Pages kept for their readers (crm_archive.page_cache), as in production, though the suite's
# cache is one process's own: the suite is that one process (its Celery worker is a thread), so
# every write is heard. The tests of what drawing a page costs turn it off (drawn_each_time).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
# No collectstatic before tests: whitenoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Transactional tests empty the database after each test with `flush`; only here may it lift the
# guards that refuse deleting records (accounts/management/commands/flush.py).
FLUSH_LIFTS_EVIDENCE_GUARDS = True
