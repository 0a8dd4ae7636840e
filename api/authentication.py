"""Who calls the API: an integration account by its API key (`Authorization: Token <key>`), or a
signed-in user on the browsable pages (session, with CSRF). A key that is unknown, revoked or
expired is refused; an address that keeps presenting bad keys is throttled like a login
(AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME)."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiKey, key_hash

KEYWORD = "Token"
LAST_USED_PRECISION_SECONDS = 60


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _failures_key(request) -> str:
    return f"api:bad-key:{_client_address(request)}"


class BadKeyThrottled(exceptions.Throttled):
    default_detail = _("密钥错误次数过多，请稍后再试。")


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
        if cache.get(_failures_key(request), 0) >= settings.AXES_FAILURE_LIMIT:
            raise BadKeyThrottled(wait=cooloff)
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("密钥格式不正确：应为 “Token <密钥>”。"))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        api_key = (
            ApiKey.objects.usable().select_related("user").filter(hashed_key=key_hash(key)).first() if key else None
        )
        if api_key is None:
            self._count_failure(request, cooloff)
            raise exceptions.AuthenticationFailed(_("密钥无效、已过期或已吊销。"))
        now = timezone.now()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > LAST_USED_PRECISION_SECONDS:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return api_key.user, api_key

    def authenticate_header(self, request):
        return KEYWORD

    @staticmethod
    def _count_failure(request, cooloff: int):
        key = _failures_key(request)
        cache.add(key, 0, timeout=cooloff)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=cooloff)
