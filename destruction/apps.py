from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DestructionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "destruction"
    verbose_name = _("销毁")

    def ready(self):
        from django.contrib import admin

        from accounts import dashboard
        from accounts.navigation import NavItem, register
        from accounts.roles import Role
        from approvals.selectors import APPROVER_ROLES
        from dossiers.notices import dossier_notices_register

        from . import permissions, selectors

        # Records leave only through the destruction workflow: no bulk delete in the admin.
        admin.site.disable_action("delete_selected")
        register(
            NavItem("destruction", _("销毁"), "destruction:index", order=50, allowed=permissions.can_read_destruction)
        )
        dashboard.register(Role.ARCHIVE_CLERK, "destruction/panels/clerk.html", selectors.clerk_dashboard)
        # A dossier on a list says so on its page, with the list's number.
        dossier_notices_register(selectors.dossier_destruction_notices)
        # Whoever a list's chain can name sees the lists waiting for their signature.
        for role in APPROVER_ROLES:
            dashboard.register(role, "destruction/panels/signer.html", selectors.signer_dashboard)
