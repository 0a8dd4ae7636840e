"""Each role's home page in Chromium (issue 15 §1): what it must act on comes first, counted, the
most urgent first; the general manager's charts are drawn; on a phone the 待办 strip stays first and
readable. Time is frozen on a Tuesday morning, so what is overdue does not depend on the clock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from customers.models import Customer, SecrecyTier
from destruction import services as destruction_services
from dossiers import services as dossier_services
from dossiers.models import Document, Dossier, RetentionPeriod
from lending import services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.browser import signing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def office(archive, ready_dossier, make_user):
    """Monday: an original lent and not returned, one approved to issue, one waiting for the
    department manager, an old dossier's destruction list submitted for appraisal."""
    people = archive["people"]
    people["cs_manager"] = make_user(Role.CS_MANAGER, username="csmgr")
    people["director"] = make_user(Role.CUSTOMER_DIRECTOR, username="custdir")
    people["marketing_director"] = make_user(Role.MARKETING_DIRECTOR, username="mktdir")
    positions = iter(range(1, 11))

    def shelved(name):
        customer = Customer.objects.create(
            name=name, owner=people["owner"], department=people["owner"].department, secrecy_tier=SecrecyTier.PERSONAL
        )
        return dossier_services.dossier_promote(
            ready_dossier(customer=customer), by=people["clerk"], cabinet=archive["cabinet"], position=next(positions)
        )

    def request(borrower, dossier):
        return services.loan_request(
            borrower=borrower, dossier=dossier, kind=LoanKind.BORROW, content="安装参数一览表", purpose="售后"
        )

    with time_machine.travel(MONDAY, tick=False):
        lent = services.loan_issue(approve_loan_fully(request(people["owner"], shelved("甲公司"))), by=people["clerk"])
        services.loan_confirm_receipt(lent, by=people["owner"])
        approve_loan_fully(request(people["colleague"], shelved("乙公司")))
        request(people["colleague"], shelved("丙公司"))
        old = shelved("丁公司")
        ten_years = RetentionPeriod.objects.get(code="D10")
        Dossier.objects.filter(pk=old.pk).update(filing_year=2012, retention=ten_years)
        Document.objects.filter(dossier=old).update(filing_year=2012, retention=ten_years)
        draft = destruction_services.destruction_list_draft(
            by=people["clerk"], department=old.customer.department, dossiers=[Dossier.objects.get(pk=old.pk)]
        )
        destruction_services.destruction_list_submit(draft, by=people["clerk"])
    return people


def sign_in(page, live_server, username):
    signing.sign_in(page, live_server, username, ready="[data-todos]")


def strip(page) -> list[tuple[str, str]]:
    items = page.locator("[data-todos] a.todo")
    return [
        (items.nth(i).locator(".todo-label").inner_text(), items.nth(i).locator(".todo-count").inner_text())
        for i in range(items.count())
    ]


EXPECTED = {
    # role: the todos it sees first, in order (count as shown)
    "clerk": [("逾期未还的借阅", "1"), ("待发放的借阅", "1")],
    "owner": [("我的逾期未还", "1")],
    "manager": [("本部门逾期未还", "1"), ("待我审批的借阅、影印", "1"), ("待我鉴定或审批的销毁清册", "1")],
    "general_manager": [("逾期未还的借阅（全公司）", "1")],
    "cs_manager": [("待我鉴定或审批的销毁清册", "1")],
    "director": [],
    "archive_manager": [],
    "marketing_director": [],
}


def test_each_role_sees_its_todos_counted_most_urgent_first(office, browser, live_server):
    with time_machine.travel(TUESDAY, tick=True):
        for who, expected in EXPECTED.items():
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            try:
                sign_in(page, live_server, office[who].username)
                assert strip(page)[: len(expected)] == expected, who
                if not expected:
                    assert page.locator("[data-todos-empty]").inner_text() == "今天没有待办事项。"
                if who == "general_manager":
                    # The overview's charts are drawn (twelve months) and what is out is counted.
                    page.wait_for_selector("canvas[data-chart='chart-gm-loans-per-month'][data-drawn='12']")
                    assert page.locator("[data-figure=originals-out]").inner_text() == "1"
                    box = page.locator("canvas[data-chart='chart-gm-loans-per-month']").bounding_box()
                    assert box["width"] > 150 and box["height"] > 80
                if who == "clerk":
                    # A todo leads to where it is done: the desk's overdue list.
                    page.locator("[data-todo=loans-overdue]").click()
                    page.wait_for_selector("#overdue")
                    assert "/lending/desk/" in page.url
                    assert page.locator("#overdue li").count() == 1
            finally:
                context.close()


def test_on_a_phone_the_todos_come_first_and_fit(office, browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        with time_machine.travel(TUESDAY, tick=True):
            sign_in(phone, live_server, office["clerk"].username)
            first = phone.locator("[data-todos] a.todo").first.bounding_box()
            assert first["x"] >= 0 and first["x"] + first["width"] <= 390
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
