"""Issue 15 §5 in Chromium: a picker finds a customer's dossier by a fragment of the customer's name
and the chosen value is what the form submits; a people picker offers nobody outside the duty; the
pickers run under the Content-Security-Policy without a violation."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from customers.models import Customer, SecrecyTier
from lending.models import Loan
from tests.browser import signing

from .picking import offered, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def signed_in(browser, live_server):
    """signed_in(username) → a page of a fresh tab signed in as that user; script errors and CSP
    violations collected in page.errors."""
    contexts = []

    def sign_in(username):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.add_init_script(REPORT_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.errors = []  # script errors and CSP violations (not a missing favicon)
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "console",
            lambda message: "securitypolicyviolation" in message.text and page.errors.append(message.text),
        )
        signing.sign_in(page, live_server, username)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_typing_part_of_a_customers_name_finds_its_dossier_and_the_choice_is_submitted(
    signed_in, live_server, archive, formal_dossier
):
    customers = archive["customers"]
    Customer.objects.filter(pk=customers[SecrecyTier.PERSONAL].pk).update(name="华东机电有限公司")
    Customer.objects.filter(pk=customers[SecrecyTier.TOP_SECRET].pk).update(name="华东机电绝密项目")
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    formal_dossier(SecrecyTier.TOP_SECRET)  # the owner may not read it: never offered by a fragment

    page = signed_in("owner")
    page.goto(live_server.url + reverse("lending:request"))
    assert page.get_attribute("#id_archive_number-ts-control", "placeholder") == "输入档号或客户名称查找…"
    assert offered(page, "archive_number", "机电") == [f"{dossier.archive_number} · 华东机电有限公司"]
    assert pick(page, "archive_number", "机电", "华东机电有限公司") == dossier.archive_number
    page.fill("input[name=content]", "电话交换机安装参数一览表")
    page.fill("input[name=purpose]", "上门维修")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=申请已提交")
    assert Loan.objects.get().dossier == dossier
    assert page.errors == []


def test_a_people_picker_offers_nobody_outside_the_duty(signed_in, live_server, archive, make_user):
    department = archive["people"]["manager"].department
    make_user(Role.SALES, department=department, username="root", last_name="系统", is_superuser=True)
    make_user(Role.SALES, department=department, username="left", last_name="离职", is_active=False)

    page = signed_in("manager")
    page.goto(live_server.url + reverse("approvals:deputies"))
    assert offered(page, "deputy", "root") == []
    assert page.locator("#id_deputy-ts-dropdown .no-results").inner_text() == "没有找到符合条件的选项"
    assert offered(page, "deputy", "left") == []
    assert pick(page, "deputy", "colleague") == str(archive["people"]["colleague"].pk)
    assert page.errors == []
