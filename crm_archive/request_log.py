"""One machine-readable line per request (REQUEST_LOG=json), for the servers behind a proxy.

Each request, answered or failed, writes one JSON object to the logger `crm_archive.requests`
(settings send it to standard output as the bare line):

    {"time": "2026-06-01T09:30:00.123+08:00", "request_id": "…", "method": "GET",
     "path": "/dossiers/12/", "status": 200, "duration_ms": 41.7, "user_id": 7,
     "remote_addr": "10.0.0.8"}

The path is the path alone: a query string may carry the words someone searched for, such as a
confidential customer's name, and is never logged. `json.dumps` escapes control characters, so a
hostile path still makes one valid line. The request id is the caller's `X-Request-ID` when it is
a plain token (the proxy's, to follow one request through both logs), otherwise a new one; it is
echoed in the response's `X-Request-ID`. `duration_ms` runs until the response is ready: for a
streamed file, until it starts.
"""

import json
import logging
import re
import time
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.functional import empty

logger = logging.getLogger("crm_archive.requests")

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_address(request) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT reverse proxies, each of which appends
    the address it saw to X-Forwarded-For, the client is that many entries from the right: those
    entries were written by our own proxies, while anything further left came from the client and
    may be forged. With no trusted proxy (the default), REMOTE_ADDR. Also django-axes' address
    for the sign-in lockout (AXES_CLIENT_IP_CALLABLE)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR")


def _request_id(request) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex


def _user_id(request):
    # Only a user the request has already looked up: logging must not cost a query, nor fail
    # (a health check while the database is down) because of one.
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """Writes the request line when REQUEST_LOG is "json"; does nothing otherwise. First in
    MIDDLEWARE, so that it sees every answer: redirects to HTTPS, static files, errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUEST_LOG != "json":
            return self.get_response(request)
        started_at, started = timezone.now(), time.perf_counter()
        request.request_id = _request_id(request)
        try:
            response = self.get_response(request)
        except Exception:
            # Django turns exceptions into 500 answers below this point; one that still gets here
            # (DEBUG_PROPAGATE_EXCEPTIONS) is logged as the 500 the server will answer, and goes on.
            self._write(request, 500, started_at, started)
            raise
        response[REQUEST_ID_HEADER] = request.request_id
        self._write(request, response.status_code, started_at, started)
        return response

    @staticmethod
    def _write(request, status: int, started_at, started: float) -> None:
        line = {
            "time": timezone.localtime(started_at, timezone.get_default_timezone()).isoformat(timespec="milliseconds"),
            "request_id": request.request_id,
            "method": request.method,
            "path": request.path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": _user_id(request),
            "remote_addr": client_address(request),
        }
        logger.info(json.dumps(line))
