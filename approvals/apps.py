from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "approvals"
    verbose_name = _("审批流程")

    def ready(self):
        from accounts import dashboard
        from accounts.navigation import NavItem, register

        from . import permissions, selectors

        register(NavItem("approvals", _("待我审批"), "approvals:inbox", order=35, allowed=permissions.may_approve))
        register(NavItem("deputies", _("审批代理"), "approvals:deputies", order=36, allowed=permissions.may_approve))
        for role in permissions.APPROVER_ROLES:
            dashboard.register(role, "approvals/panels/waiting.html", selectors.approvals_dashboard)
