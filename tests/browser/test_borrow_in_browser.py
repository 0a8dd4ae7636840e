import pytest

from customers.models import SecrecyTier
from lending.models import Loan, LoanStatus
from tests.approving import signatures
from tests.factories import PASSWORD

from .picking import pick

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
    assert pick(page, "archive_number", dossier.archive_number) == dossier.archive_number
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
    page.fill("[data-action=issue] input[name=pages]", "12")
    page.click("[data-action=issue] button")
    page.wait_for_selector("[data-status=issued]")
    context.close()

    loan.refresh_from_db()
    assert loan.status == LoanStatus.ISSUED
    assert loan.archive_approved_by.username == "archmgr" and loan.issued_by.username == "clerk"
    assert signatures(loan.kind, loan.pk) == [(1, "manager", "approved"), (2, "archmgr", "approved")]


def test_the_desk_issues_and_takes_back_by_scanning(browser, live_server, archive, formal_dossier):
    """A barcode scanner types the spine label's code into the desk's field and presses Enter: the
    clerk lands on the loan to issue, then — once the borrower has signed — on the loan to take back."""
    from lending import services
    from tests.approving import approve_loan_fully

    people = archive["people"]
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    loan = approve_loan_fully(
        services.loan_request(
            borrower=people["owner"], dossier=dossier, kind="borrow", content="参数表", purpose="维修"
        )
    )

    context, page = sign_in(browser, live_server, "clerk")
    page.click("[data-nav=desk]")
    page.fill("input[name=code]", dossier.archive_number)
    page.press("input[name=code]", "Enter")
    page.wait_for_selector("[data-action=issue]")
    page.fill("[data-action=issue] input[name=pages]", "7")
    page.click("[data-action=issue] button")
    page.wait_for_selector("[data-status=issued]")
    assert page.locator("[data-receipt=missing]").count() == 1
    context.close()

    context, page = sign_in(browser, live_server, "owner")
    page.goto(f"{live_server.url}/lending/{loan.pk}/")
    page.click("[data-action=confirm] button")
    page.wait_for_selector("[data-receipt=signed]")
    context.close()

    context, page = sign_in(browser, live_server, "clerk")
    page.click("[data-nav=desk]")
    page.fill("input[name=code]", dossier.archive_number)
    page.press("input[name=code]", "Enter")
    page.wait_for_selector("[data-action=return]")
    page.check("[data-action=return] input[name=complete][value=yes]")
    # Closing the loan is irreversible: the page asks first, and the clerk confirms.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("[data-action=return] button.primary")
    page.wait_for_selector("[data-status=closed]")
    assert asked == ["注销后此借阅即告结束，确定注销吗？"]
    context.close()

    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.pages_out == 7 and loan.pages_returned == 7
