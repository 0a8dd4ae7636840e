from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = _("客户档案")

    def ready(self):
        from accounts import dashboard
        from accounts.navigation import NavItem, register
        from accounts.roles import Role
        from customers import access

        from . import selectors

        def archive_or_general_manager(user):
            return access.is_archive_staff(user) or user.has_role(Role.GENERAL_MANAGER)

        register(
            NavItem("dossiers", _("档案"), "dossiers:list", order=20),
            NavItem("cabinets", _("档案柜"), "dossiers:cabinets", order=30, allowed=archive_or_general_manager),
            NavItem(
                "inspections", _("检查与修复"), "dossiers:inspections", order=31, allowed=archive_or_general_manager
            ),
            NavItem(
                "statistics", _("档案统计"), "dossiers:statistics", order=80, allowed=access.can_read_archive_statistics
            ),
        )
        dashboard.register(Role.ARCHIVE_CLERK, "dossiers/panels/clerk.html", selectors.clerk_dashboard)
        dashboard.register(
            Role.ARCHIVE_MANAGER, "dossiers/panels/archive_manager.html", selectors.archive_manager_dashboard
        )
