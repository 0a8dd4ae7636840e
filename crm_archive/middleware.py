"""Request and response rules every page of the product follows, whatever its app."""

import re
import time

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import BadRequest
from django.urls import get_resolver, get_urlconf
from django.utils.cache import patch_cache_control

# C0 control characters but tab, line feed and carriage return. No link or form of ours sends
# them, PostgreSQL refuses NUL in a text parameter (a 500 in the admin's list filters), and an
# Excel export or a printed form cannot hold them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# A scan (PDF or image) opened in the browser is not one of our pages: Chrome shows it in a
# viewer page of its own that embeds the file and styles itself inline, and Chrome versions have
# refused to show a PDF whose own response says object-src 'none' (crbug.com/271452; Debian's
# Chromium 156 shows it either way). Nothing of ours runs there: the file gets this policy, which
# lets the viewer work and nothing else load or run.
FILE_POLICY = {
    "default-src": [NONE],
    "img-src": [SELF],
    "object-src": [SELF],
    "style-src": [UNSAFE_INLINE],
    "base-uri": [NONE],
    "form-action": [NONE],
    "frame-ancestors": [NONE],
}


class RejectControlCharactersMiddleware:
    """A path or query parameter holding a control character answers the 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_control_characters(request):
            # Answered by handler400 (crm_archive.views.bad_request) directly rather than raised:
            # Django then logs one line ("Bad Request: /path"), not a traceback per junk request.
            exception = BadRequest("A control character in the path or the query string")
            return get_resolver(get_urlconf()).resolve_error_handler(400)(request, exception)
        return self.get_response(request)

    @staticmethod
    def _has_control_characters(request) -> bool:
        if CONTROL_CHARACTERS.search(request.path):
            return True
        return any(
            CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in values)
            for key, values in request.GET.lists()
        )


class NoStoreForSignedInUsersMiddleware:
    """What a signed-in user receives (pages, Excel exports, print views, scans) shows customer
    data: no browser or proxy may keep a copy (`Cache-Control: no-store, private`), unless the view
    chose its own caching. Static files never reach here (whitenoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with FILE_POLICY for responses that are not HTML pages."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        content_type = response.get("Content-Type", "")
        if not report_only and content_type.startswith(("application/pdf", "image/")):
            parts.config, parts.update, parts.replace = FILE_POLICY, None, None
        return parts


class IdleSessionMiddleware:
    """Starts a signed-in session's idle time again (SESSION_IDLE_TIMEOUT_MINUTES) at most once a
    minute, instead of writing the session on every request (SESSION_SAVE_EVERY_REQUEST): a click
    costs no session write, and the limit is still kept to the minute. Below SessionMiddleware, so
    the session it marks is saved on the way out."""

    KEY = "_active_at"
    EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a signed-in session that exists, and one not being saved anyway: touching one a dead
        # or made-up cookie named would create a session row per request of a client ignoring it.
        if session is None or session.modified or SESSION_KEY not in session or session.session_key is None:
            return response
        now = int(time.time())
        last = session.get(self.KEY)
        if not isinstance(last, int) or not 0 <= now - last < self.EVERY_SECONDS:
            session[self.KEY] = now
        return response


def idle_time_starts_at_sign_in(sender, request, user, **kwargs):
    """`user_logged_in` receiver (connected by accounts): signing in saves the session anyway, so
    the first pages after it need not."""
    session = getattr(request, "session", None)
    if session is not None:
        session[IdleSessionMiddleware.KEY] = int(time.time())
