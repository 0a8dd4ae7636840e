"""The registers' filters (lending.forms.RegisterFilter): the page and its Excel export show the
same filtered rows; a date range that ends before it starts is refused with a message."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from lending.models import Loan, LoanKind, LoanStatus
from tests.excel import export_of
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def loans(archive, formal_dossier, make_user):
    """Three borrow-register entries: requested on 1 March (closed), late on 5 March by someone of
    another department (copies out, overdue), and on 9 March (requested)."""
    people = archive["people"]
    dossier = formal_dossier()
    elsewhere = make_user(Role.SALES, department=DepartmentFactory(code="branch"), username="elsewhere")

    def loan(borrower, requested_at, **fields):
        return Loan.objects.create(
            kind=LoanKind.BORROW,
            dossier=dossier,
            borrower=borrower,
            department=borrower.department,
            content="安装参数",
            purpose="售后",
            requested_at=requested_at,
            **fields,
        )

    issued = {"issued_at": NOW - timedelta(days=4), "issued_by": people["clerk"]}
    return {
        "closed": loan(people["owner"], datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), status=LoanStatus.CLOSED),
        "overdue": loan(
            elsewhere,
            datetime(2026, 3, 5, 23, 30, tzinfo=SHANGHAI),
            status=LoanStatus.COPIES_OUT,
            due_at=NOW - timedelta(days=1),
            **issued,
        ),
        "requested": loan(people["owner"], datetime(2026, 3, 9, 0, 30, tzinfo=SHANGHAI)),
    }


def listed(client, **query) -> set[int]:
    response = client.get(reverse("lending:register", args=["borrow"]), query)
    assert response.status_code == 200
    return {loan.pk for loan in response.context["page_obj"]}


def names(loans, *keys) -> set[int]:
    return {loans[key].pk for key in keys}


@time_machine.travel(NOW, tick=False)
def test_the_register_filters_by_status_department_and_borrower(archive, loans, client_for):
    client = client_for(archive["people"]["clerk"])
    assert listed(client) == names(loans, "closed", "overdue", "requested")
    assert listed(client, status=LoanStatus.CLOSED) == names(loans, "closed")
    assert listed(client, department=loans["overdue"].department_id) == names(loans, "overdue")
    assert listed(client, borrower=archive["people"]["owner"].pk) == names(loans, "closed", "requested")


@time_machine.travel(NOW, tick=False)
def test_the_register_filters_by_request_day_in_shanghai(archive, loans, client_for):
    client = client_for(archive["people"]["clerk"])
    assert listed(client, date_from="2026-03-05", date_to="2026-03-05") == names(loans, "overdue")
    assert listed(client, date_from="2026-03-06") == names(loans, "requested")
    assert listed(client, date_to="2026-03-08") == names(loans, "closed", "overdue")


@time_machine.travel(NOW, tick=False)
def test_the_register_shows_only_overdue_loans_when_asked(archive, loans, client_for):
    client = client_for(archive["people"]["clerk"])
    assert listed(client, overdue="on") == names(loans, "overdue")


@time_machine.travel(NOW, tick=False)
def test_a_date_range_ending_before_it_starts_is_refused_with_a_message(archive, loans, client_for):
    response = client_for(archive["people"]["clerk"]).get(
        reverse("lending:register", args=["borrow"]), {"date_from": "2026-03-09", "date_to": "2026-03-01"}
    )
    assert "结束日期不能早于开始日期。" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_export_holds_the_same_filtered_rows_as_the_page(archive, loans, client_for):
    response = client_for(archive["people"]["clerk"]).get(
        reverse("lending:register_export", args=["borrow"]), {"status": LoanStatus.CLOSED}
    )
    export = export_of(response)
    assert [row[0] for row in export.rows] == [loans["closed"].register_number]
    assert export.filters.startswith("状态：已注销")
