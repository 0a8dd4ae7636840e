from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = _("客户")

    def ready(self):
        from accounts import dashboard
        from accounts.navigation import NavItem, register
        from accounts.roles import Role

        from . import complaints, followups, permissions, profiles, selectors

        # A malformed COMPLAINT_ESCALATION_LEVELS stops the start, with the reason.
        complaints.escalation_levels()

        register(
            NavItem("customers", _("客户"), "customers:list", order=10),
            NavItem("handover", _("员工交接"), "customers:handover", order=60, allowed=permissions.can_hand_over),
            NavItem(
                "customer_import", _("客户导入"), "customers:import", order=61, allowed=permissions.can_import_customers
            ),
            NavItem("read_log", _("查阅日志"), "customers:read_log", order=70, allowed=permissions.can_read_access_log),
        )
        dashboard.register(Role.SALES, "customers/panels/sales.html", selectors.sales_dashboard)
        dashboard.register(
            Role.DEPARTMENT_MANAGER, "customers/panels/important.html", selectors.department_manager_dashboard
        )
        for role in (Role.DEPARTMENT_MANAGER, Role.CS_MANAGER, Role.GENERAL_MANAGER):
            dashboard.register(role, "customers/panels/complaints.html", complaints.managers_dashboard)
        followups.ready()
        profiles.ready()
