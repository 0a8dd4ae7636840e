"""Overdue reminders reach each borrower and their department's managers, at a fixed cost."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Notification
from accounts.roles import Role
from lending import services
from lending.models import Loan, LoanKind, LoanStatus
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def overdue_loans(archive, formal_dossier, make_user):
    """overdue_loans(n) → n photocopy loans overdue since yesterday, borrowed by people of n
    departments, each department with its own manager."""
    dossier = formal_dossier()

    def make(count, *, managers_borrow=False):
        loans = []
        for number in range(count):
            department = DepartmentFactory(code=f"branch-{number}")
            manager = make_user(Role.DEPARTMENT_MANAGER, department=department, username=f"manager-{number}")
            borrower = (
                manager
                if managers_borrow
                else make_user(Role.SALES, department=department, username=f"borrower-{number}")
            )
            loans.append(
                Loan.objects.create(
                    kind=LoanKind.PHOTOCOPY,
                    status=LoanStatus.COPIES_OUT,
                    dossier=dossier,
                    borrower=borrower,
                    department=department,
                    content="安装参数",
                    purpose="售后",
                    issued_at=NOW - timedelta(days=3),
                    issued_by=archive["people"]["clerk"],
                    due_at=NOW - timedelta(days=1),
                )
            )
        return loans

    return make


@pytest.mark.parametrize("count", [1, 10])
@time_machine.travel(NOW, tick=False)
def test_overdue_reminders_take_the_same_few_queries_for_one_loan_or_ten(
    overdue_loans, count, django_assert_max_num_queries
):
    overdue_loans(count)
    with django_assert_max_num_queries(3):
        assert services.overdue_reminders_send() == count
    assert Notification.objects.filter(message__contains="已逾期").count() == 2 * count


@time_machine.travel(NOW, tick=False)
def test_each_overdue_loan_is_reminded_to_its_borrower_and_their_own_departments_manager(overdue_loans):
    first, second = overdue_loans(2)
    services.overdue_reminders_send()
    reminders = dict(
        Notification.objects.filter(message__contains="已逾期").values_list("recipient__username", "message")
    )
    assert sorted(reminders) == ["borrower-0", "borrower-1", "manager-0", "manager-1"]
    assert first.register_number in reminders["manager-0"] and str(first.borrower) in reminders["manager-0"]
    assert second.register_number in reminders["manager-1"] and first.register_number not in reminders["manager-1"]


@time_machine.travel(NOW, tick=False)
def test_a_manager_who_borrowed_is_reminded_once(overdue_loans):
    overdue_loans(1, managers_borrow=True)
    services.overdue_reminders_send()
    assert Notification.objects.filter(message__contains="已逾期").count() == 1
