"""Per-key rate limits (DRF throttles): each API key, or each signed-in user on the browsable
pages, gets API_RATE requests (e.g. "600/min"); beyond it the API answers 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # DRF makes a throttle per request and asks its rate then: read from the settings each
        # time, not frozen at import (DRF's DEFAULT_THROTTLE_RATES is).
        return settings.API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
