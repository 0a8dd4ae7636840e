from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from customers.models import SecrecyTier
from dossiers.models import ReadRequest, ReadRequestStatus
from tests.factories import PASSWORD, DepartmentFactory

from .picking import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A Wednesday morning: the grant of one working day runs until 17:30, whatever the wall clock says.
WEDNESDAY_MORNING = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def sign_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-role]")
    return context, page


def test_a_read_request_is_filed_approved_along_its_chain_and_opens_the_customer_in_the_browser(
    browser, live_server, archive, make_user
):
    service = DepartmentFactory(code="service", name="服务部")
    make_user(Role.SALES, department=service, username="outsider")
    make_user(Role.DEPARTMENT_MANAGER, department=service, username="servicemgr")
    customer = archive["customers"][SecrecyTier.PERSONAL]

    with time_machine.travel(WEDNESDAY_MORNING, tick=True):
        context, page = sign_in(browser, live_server, "outsider")
        page.click("[data-nav=read_requests]")
        page.click(f"a[href='{reverse('dossiers:read_request_create')}']")
        assert pick(page, "customer_ref", customer.name) == customer.name  # outside one's tier: its full name
        page.fill("input[name=content]", "客户资料和合同")
        page.fill("input[name=purpose]", "跨部门合作报价")
        page.click("[data-form=read-request] button[type=submit].primary")
        page.wait_for_selector("[data-status=requested]")
        read_request = ReadRequest.objects.get()
        context.close()

        # The outsider's manager, the personal tier's manager (the owner's), the general manager.
        for approver in ("servicemgr", "manager", "gm"):
            context, page = sign_in(browser, live_server, approver)
            page.goto(live_server.url + reverse("dossiers:read_request", args=[read_request.pk]))
            page.click("[data-action=decide] button[value=approve]")
            page.wait_for_selector("text=已审批。")
            context.close()

        read_request.refresh_from_db()
        assert read_request.status == ReadRequestStatus.APPROVED

        context, page = sign_in(browser, live_server, "outsider")
        page.goto(live_server.url + reverse("dossiers:read_request", args=[read_request.pk]))
        page.click(f"a[href='{reverse('customers:detail', args=[customer.pk])}']")
        note = page.wait_for_selector(f"[data-read-through={read_request.number}]")
        assert "2026-06-10 17:30" in note.inner_text()
        context.close()
