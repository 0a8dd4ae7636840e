from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lending"
    verbose_name = _("借阅")

    def ready(self):
        from accounts import dashboard
        from accounts.navigation import NavItem, register
        from accounts.roles import Role
        from customers.selectors import register_handover_check as handover_check_register
        from dossiers import statistics
        from dossiers.permissions import dossier_actions_register

        from . import circulation, permissions, selectors
        from .models import NOT_RETURNED_STATUSES, WAITING_STATUSES, Loan

        # A malformed LOAN_OVERDUE_NOTICE_LEVELS stops the start, with the reason.
        circulation.notice_levels()
        register(
            NavItem("desk", _("借还台"), "lending:desk", order=39, allowed=permissions.can_issue_loans),
            NavItem("loan_request", _("借阅申请"), "lending:request", order=40),
            NavItem("borrow_register", _("借阅登记簿"), "lending:register", order=41, kwargs={"kind": "borrow"}),
            NavItem("photocopy_register", _("影印登记簿"), "lending:register", order=42, kwargs={"kind": "photocopy"}),
            NavItem(
                "reports", _("借阅月报"), "lending:reports", order=85, allowed=permissions.can_read_monthly_reports
            ),
        )
        dashboard.register(Role.ARCHIVE_CLERK, "lending/panels/clerk.html", selectors.clerk_lending_dashboard)
        # Every approver a loan chain can name, but the department manager (their own panel adds
        # their department's overdue loans).
        for role in (
            Role.ARCHIVE_MANAGER,
            Role.MARKETING_DIRECTOR,
            Role.GENERAL_MANAGER,
            Role.CS_MANAGER,
            Role.CUSTOMER_DIRECTOR,
        ):
            dashboard.register(role, "lending/panels/approver.html", selectors.approver_dashboard)
        dashboard.register(Role.DEPARTMENT_MANAGER, "lending/panels/manager.html", selectors.manager_dashboard)
        # The general manager's overview comes first on their page: what is out, the latest report.
        dashboard.register(
            Role.GENERAL_MANAGER, "lending/panels/general_manager.html", selectors.general_manager_dashboard, first=True
        )
        dashboard.register(Role.SALES, "lending/panels/borrower.html", selectors.borrower_dashboard)
        statistics.register("lending/statistics_loans.html", selectors.loan_statistics)
        # A leaver's account stays open while an original or copies are out in their name or a
        # request of theirs is open (customer handover checklist).
        handover_check_register(
            _("借出未还的原件或复印件"),
            lambda user: Loan.objects.filter(borrower=user, status__in=NOT_RETURNED_STATUSES).count(),
        )
        handover_check_register(
            _("未结的借阅申请"), lambda user: Loan.objects.filter(borrower=user, status__in=WAITING_STATUSES).count()
        )
        # The dossier page offers "request_loan" when lending would accept the request.
        dossier_actions_register(permissions.dossier_lending_actions)
