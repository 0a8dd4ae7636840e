"""The home page is a 待办 list (issue 15 §1): each role sees first, counted and most urgent first,
what it must act on — the clerk's loans to issue, due today and overdue; the borrower's own; the
manager's approvals and department overdue; the general manager's view of what is out, the latest
monthly report, key figures and charts. Time is frozen: "overdue" is a matter of the clock."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from dossiers import services as dossier_services
from lending import services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.customers.html import element, text, todos

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
HOME = reverse("home")


def request(borrower, dossier, kind=LoanKind.BORROW):
    return services.loan_request(
        borrower=borrower, dossier=dossier, kind=kind, content="安装参数一览表", purpose="售后"
    )


@pytest.fixture
def shelved(archive, ready_dossier):
    """shelved() → a formal dossier of a new personal-tier customer of the owner's."""
    positions = iter(range(1, 11))

    def make():
        position = next(positions)
        customer = Customer.objects.create(
            name=f"客户{position}", owner=archive["people"]["owner"], department=archive["people"]["owner"].department
        )
        return dossier_services.dossier_promote(
            ready_dossier(customer=customer),
            by=archive["people"]["clerk"],
            cabinet=archive["cabinet"],
            position=position,
        )

    return make


@pytest.fixture
def a_day_at_the_desk(archive, shelved):
    """Monday: one original lent (due back that evening), one approved to issue, one waiting for
    the department manager. Tuesday 10:00 the first is overdue."""
    people = archive["people"]
    with time_machine.travel(MONDAY, tick=False):
        lent = approve_loan_fully(request(people["owner"], shelved()))
        lent = services.loan_issue(lent, by=people["clerk"], pages=3)
        services.loan_confirm_receipt(lent, by=people["owner"])
        approve_loan_fully(request(people["colleague"], shelved()))
        request(people["colleague"], shelved())
    return people


def home(client_for, user):
    with time_machine.travel(TUESDAY, tick=False):
        return client_for(user).get(HOME).content.decode()


def test_the_clerk_sees_overdue_first_then_what_to_issue(a_day_at_the_desk, client_for):
    page = home(client_for, a_day_at_the_desk["clerk"])
    strip = todos(page)
    assert ("逾期未还的借阅", "1") in strip and ("待发放的借阅", "1") in strip
    assert strip.index(("逾期未还的借阅", "1")) < strip.index(("待发放的借阅", "1"))
    assert all(label != "今日应还" for label, _count in strip)  # nothing is due today: not listed
    # Each links to where it is done: the desk.
    assert re.search(r'href="/lending/desk/#overdue" data-todo="loans-overdue"', page)


def test_the_borrower_and_the_manager_see_their_own(a_day_at_the_desk, client_for):
    people = a_day_at_the_desk
    assert todos(home(client_for, people["owner"]))[0] == ("我的逾期未还", "1")
    assert todos(home(client_for, people["colleague"])) == []
    manager = todos(home(client_for, people["manager"]))
    assert manager[0] == ("本部门逾期未还", "1")
    assert ("待我审批的借阅、影印", "1") in manager


def test_nothing_to_do_says_so(archive, client_for):
    page = home(client_for, archive["people"]["colleague"])
    assert todos(page) == [] and "今天没有待办事项。" in page


def test_the_general_manager_sees_what_is_out_the_report_and_key_figures(a_day_at_the_desk, client_for):
    people = a_day_at_the_desk
    page = home(client_for, people["general_manager"])
    assert re.search(r'data-figure="originals-out">1<', page) and re.search(r'data-figure="overdue">1<', page)
    assert re.search(r'data-figure="copies-out">0</b><span>复印件在外<', page)
    assert todos(page) == [("逾期未还的借阅（全公司）", "1")]  # no photocopy is overdue
    assert "尚无月报。" in page
    assert re.search(r'data-figure="formal">3</b><span>正式档案<', page)
    # Charts: loans per month over the last twelve months, ending with this one; dossiers by tier.
    loans = json.loads(element(page, "id", "chart-gm-loans-per-month", tag="script"))
    assert loans["type"] == "line" and loans["labels"][-1] == "2026-12" and len(loans["labels"]) == 12
    assert loans["labels"][-2] == "2026-11" and loans["datasets"][0]["data"][-2] == 1
    tiers = json.loads(element(page, "id", "chart-gm-dossiers-by-tier", tag="script"))
    assert sum(tiers["datasets"][0]["data"]) == 3

    with time_machine.travel(TUESDAY, tick=False):
        services.monthly_report_generate(year=2026, month=11)
    page = home(client_for, people["general_manager"])
    assert "2026 年 11 月借阅未还统计" in text(element(page, "data-panel", "latest-report", tag="p"))
    assert "1 项未还" in page


def test_the_home_page_takes_the_same_queries_however_much_is_waiting(
    archive, shelved, client_for, django_assert_max_num_queries
):
    people = archive["people"]

    def count_queries(user):
        cache.clear()  # the general manager's figures are kept five minutes: count them read
        with time_machine.travel(TUESDAY, tick=False):
            client = client_for(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(HOME).status_code == 200
        return len(queries)

    before = {role: count_queries(people[role]) for role in ("clerk", "general_manager", "manager", "owner")}
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(4):
            lent = approve_loan_fully(request(people["owner"], shelved()))
            services.loan_issue(lent, by=people["clerk"], pages=3)
    after = {role: count_queries(people[role]) for role in before}
    assert after == before
    with time_machine.travel(TUESDAY, tick=False):
        client = client_for(people["general_manager"])
        with django_assert_max_num_queries(40):
            client.get(HOME)
