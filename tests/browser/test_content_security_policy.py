"""The Content-Security-Policy blocks nothing our own pages need: signed in through the login
form, a superuser opens the main pages, the admin and the API's pages in Chromium without one CSP
violation."""

from datetime import date

import pytest
from django.urls import reverse

from customers.models import SecrecyTier
from lending import services as lending_services
from lending.models import LoanKind
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Reports every violation to the console, also those Chromium would not log itself.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_the_main_pages_and_the_admin_run_without_a_csp_violation(
    browser, live_server, archive, formal_dossier, file_document, make_user
):
    office = archive["people"]["clerk"].department
    root = make_user(username="root", is_staff=True, is_superuser=True, department=office)
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    file_document(dossier, "其他", title="补充协议", made_on=date(2025, 3, 1))
    customer = dossier.customer
    loan = lending_services.loan_request(
        borrower=root, dossier=dossier, kind=LoanKind.BORROW, content="竣工文档", purpose="核对"
    )
    pages = [
        reverse("home"),
        reverse("customers:list"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("dossiers:detail", args=[dossier.pk]),
        reverse("dossiers:volume_catalogue", args=[dossier.pk, 2025, "regular"]),
        reverse("lending:detail", args=[loan.pk]),
        reverse("admin:index"),
        reverse("admin:customers_customer_changelist"),
        reverse("admin:customers_customer_change", args=[customer.pk]),
        reverse("admin:customers_customer_history", args=[customer.pk]),
        "/api/docs/",
        "/no-such-page/",
    ]

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15000)
    console = []
    page.on("console", lambda message: console.append(f"{page.url} [{message.type}] {message.text}"))

    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=退出")
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == (404 if path == "/no-such-page/" else 200), path
        assert "Content-Security-Policy" in response.headers or "content-security-policy" in response.headers
        page.wait_for_load_state("load")
    # The API documentation page runs its scripts: Swagger UI lists the operations.
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    # Our script is running: the language switch submits itself.
    page.goto(live_server.url + reverse("customers:list"))
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("text=Sign out")
    context.close()

    violations = [line for line in console if "Refused to" in line or "securitypolicyviolation" in line]
    assert violations == []
