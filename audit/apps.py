from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("审计")

    def ready(self):
        from accounts.navigation import NavItem, register

        from . import permissions

        register(NavItem("audit", _("审计"), "audit:trail", order=72, allowed=permissions.can_read_audit_trail))
