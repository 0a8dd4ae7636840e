from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class Department(models.Model):
    """A department (部门) of the company; every user belongs to one."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in. Roles are the groups of accounts.roles.Role."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        """Chinese names read family name first, without a space (张三); others as Django does."""
        if any("\u4e00" <= character <= "\u9fff" for character in self.last_name + self.first_name):
            return f"{self.last_name}{self.first_name}".strip()
        return super().get_full_name()

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The user's role codes, read once per request."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: Role | str) -> bool:
        """True when the user holds at least one of `roles`."""
        return bool(self.role_names.intersection(str(role) for role in roles))

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role.value in self.role_names]


class Notification(models.Model):
    """An in-app message to one user (approvals waiting, key used, report ready…)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            # The notifications page, newest first, read and unread together.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.message
