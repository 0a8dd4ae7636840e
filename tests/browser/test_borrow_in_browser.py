import pytest

from customers.models import SecrecyTier
from lending.models import Loan, LoanStatus
from tests.approving import signatures
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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


def test_a_loan_is_requested_approved_and_issued_in_the_browser(browser, live_server, archive, formal_dossier):
    dossier = formal_dossier(SecrecyTier.PERSONAL)

    context, page = sign_in(browser, live_server, "owner")
    page.click("[data-nav=loan_request]")
    page.fill("input[name=archive_number]", dossier.archive_number)
    page.fill("input[name=content]", "电话交换机安装参数一览表")
    page.fill("input[name=purpose]", "上门维修")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=申请已提交")
    loan = Loan.objects.get()
    context.close()

    # The borrower's department manager signs first (SPEC §9); until then the archive manager has
    # nothing to sign.
    context, page = sign_in(browser, live_server, "archmgr")
    assert page.locator(f"[data-panel=loans-waiting] >> text={loan.register_number}").count() == 0
    context.close()

    context, page = sign_in(browser, live_server, "manager")
    page.click(f"[data-panel=loans-waiting] >> text={loan.register_number}")
    page.click("[data-action=approve] button.primary")
    page.wait_for_selector("text=已审批。")
    assert page.locator("[data-status=requested]").count() == 1  # the archive manager's turn now
    assert page.locator("[data-action=approve]").count() == 0
    context.close()

    context, page = sign_in(browser, live_server, "archmgr")
    page.click(f"[data-panel=loans-waiting] >> text={loan.register_number}")
    page.click("[data-action=approve] button.primary")
    page.wait_for_selector("[data-status=approved]")
    context.close()

    context, page = sign_in(browser, live_server, "clerk")
    page.click(f"[data-panel=loans-to-issue] >> text={loan.register_number}")
    page.click("[data-action=issue] button")
    page.wait_for_selector("[data-status=issued]")
    context.close()

    loan.refresh_from_db()
    assert loan.status == LoanStatus.ISSUED
    assert loan.archive_approved_by.username == "archmgr" and loan.issued_by.username == "clerk"
    assert signatures(loan.kind, loan.pk) == [(1, "manager", "approved"), (2, "archmgr", "approved")]
