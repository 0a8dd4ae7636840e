"""An irreversible step asks first: the handover (员工交接) is sent only once the manager confirms."""

import pytest

from accounts.roles import Role
from customers.models import Customer, Handover
from tests.factories import PASSWORD, DepartmentFactory

from .picking import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_handover_asks_for_confirmation_and_is_done_only_when_confirmed(page, live_server, make_user):
    east = DepartmentFactory(code="east", name="华东销售部")
    make_user(Role.DEPARTMENT_MANAGER, department=east, username="mgr")
    leaver = make_user(Role.SALES, department=east, username="leaver", last_name="张", first_name="三")
    successor = make_user(Role.SALES, department=east, username="successor", last_name="李", first_name="四")
    Customer.objects.create(name="甲公司", owner=leaver, department=east)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "mgr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-role=department_manager]")
    page.goto(live_server.url + "/customers/handover/")
    assert pick(page, "from_user", "张三") == str(leaver.pk)
    assert pick(page, "to_user", "successor") == str(successor.pk)
    page.fill("[name=reason]", "张三离职")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_timeout(300)
    assert asked == ["移交后只能通过另一次交接改回，确定移交吗？"]
    assert not Handover.objects.exists()
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_selector("#moved")
    assert Handover.objects.count() == 1
    assert Customer.objects.get(name="甲公司").owner == successor
