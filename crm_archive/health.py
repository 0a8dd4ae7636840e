"""GET /healthz: does this process reach its database, its broker and its storage?

For a load balancer or a monitor, so no sign-in, and cheap: one `SELECT 1`, a broker connection
with a short timeout (only when tasks really go through a broker), and one listing of the top of
the scans storage (the folder, or the S3 bucket: one request, which fails when the bucket is
gone, the endpoint unreachable or the credentials refused). The answer names no host, user,
error class or text (it is public); the details go to the log."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
HEALTHY = {"database": {"ok"}, "broker": {"ok", "eager"}, "storage": {"ok"}}


def _failed(part: str, error: Exception) -> str:
    logger.warning("health check: the %s is unavailable: %r", part, error)
    return "error"


# Each check reports any exception as "error" rather than raising: a health check that fails
# with a 500 would tell the monitor less than one that says which part is down.


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return _failed("database", error)
    return "ok"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # tasks run in the calling process; no broker is used
    timeout = BROKER_TIMEOUT_SECONDS
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 1},
        ) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    except Exception as error:
        return _failed("broker", error)
    return "ok"


def storage_status() -> str:
    try:
        storages["scans"].listdir("")
    except FileNotFoundError:
        pass  # a folder before the first scan: saving one creates it
    except Exception as error:
        return _failed("storage", error)
    return "ok"


@login_not_required
@never_cache
@require_safe
def healthz(request):
    status = {"database": database_status(), "broker": broker_status(), "storage": storage_status()}
    healthy = all(value in HEALTHY[part] for part, value in status.items())
    return JsonResponse(status, status=200 if healthy else 503)
