"""API keys of integration accounts (the ERP, SPEC §10): an administrator issues one to a user,
with an expiry, and revokes it; only a hash of the key is kept, and a key is never deleted (the
record says who could call the API, and when)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def key_hash(key: str) -> str:
    """The stored form of a key: SHA-256 of it (the key is 256 random bits; no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, *, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at, user__is_active=True)


class ApiKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接口账号"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("用途"), max_length=100, help_text=_("例如：ERP 同步"))
    prefix = models.CharField(_("密钥前缀"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")

    def __str__(self):
        return f"{self.prefix}… · {self.user} · {self.name}"

    @classmethod
    def issue(cls, *, user, name: str, expires_at, by=None) -> tuple["ApiKey", str]:
        """A new key for `user`: the row, and the key itself — shown once, never stored."""
        key = secrets.token_urlsafe(32)
        api_key = cls.objects.create(
            user=user,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            hashed_key=key_hash(key),
            expires_at=expires_at,
            created_by=by,
        )
        return api_key, key

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=self.revoked_at)
