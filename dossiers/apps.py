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
        from customers.links import customer_links_register
        from customers.read_log import read_target_register
        from customers.selectors import register_handover_check

        from . import permissions, selectors
        from .models import ReadRequest, ReadRequestStatus

        # A leaver's account stays open while a read request of theirs waits (handover checklist).
        register_handover_check(
            _("未结的查阅申请"),
            lambda user: ReadRequest.objects.filter(requester=user, status=ReadRequestStatus.REQUESTED).count(),
        )

        # The customer page links to the customer's dossier, for those who may open it.
        customer_links_register(selectors.customer_dossier_links)
        # The read log names the dossiers and documents read, linked where its reader may open them.
        read_target_register("dossier", selectors.read_log_dossiers)
        read_target_register("document", selectors.read_log_documents)

        register(
            NavItem("dossiers", _("档案"), "dossiers:list", order=20),
            NavItem(
                "read_requests", _("查阅申请"), "dossiers:read_requests", order=39, allowed=permissions.can_request_read
            ),
            NavItem("cabinets", _("档案柜"), "dossiers:cabinets", order=30, allowed=permissions.can_oversee_archive),
            NavItem(
                "inspections",
                _("检查与修复"),
                "dossiers:inspections",
                order=31,
                allowed=permissions.can_oversee_archive,
            ),
            NavItem(
                "statistics",
                _("档案统计"),
                "dossiers:statistics",
                order=80,
                allowed=permissions.can_read_archive_statistics,
            ),
        )
        dashboard.register(Role.ARCHIVE_CLERK, "dossiers/panels/clerk.html", selectors.clerk_dashboard)
        dashboard.register(
            Role.ARCHIVE_MANAGER, "dossiers/panels/archive_manager.html", selectors.archive_manager_dashboard
        )
