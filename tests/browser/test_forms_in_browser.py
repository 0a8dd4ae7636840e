"""In Chromium (issue 15 §4, §7): a radio group sits under its question, its options beside their
words on one row; a bad month typed into the report form is still in the box beside the message."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from lending import services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.browser.signing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(browser, live_server, username):
    return signed_in_page(browser, live_server, username)


def test_the_return_forms_radio_options_sit_in_a_row_under_their_question(
    browser, live_server, archive, formal_dossier
):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="合同", purpose="核对"
    )
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"], pages=3)
    services.loan_confirm_receipt(loan, by=people["owner"])

    context, page = sign_in(browser, live_server, "clerk")
    page.goto(live_server.url + reverse("lending:detail", args=[loan.pk]))
    legend = page.locator("[data-action=return] fieldset legend").first.bounding_box()
    complete = page.locator("[data-action=return] input[value=yes]").bounding_box()
    incomplete = page.locator("[data-action=return] input[value=no]").bounding_box()
    words = page.locator("[data-action=return] label[for=id_complete_0]").bounding_box()
    # Under the legend, from its left edge — not floating mid-card.
    assert abs(complete["x"] - legend["x"]) < 4
    assert 0 <= complete["y"] - (legend["y"] + legend["height"]) < 24
    # Both options on one row, each button beside its words.
    assert abs(complete["y"] - incomplete["y"]) < 4
    assert incomplete["x"] - complete["x"] < 200
    assert words["width"] < 200
    page.check("[data-action=return] input[value=yes]")
    assert page.is_checked("#id_complete_0")
    context.close()


def test_a_bad_month_stays_in_the_box_beside_its_message(browser, live_server, make_user):
    make_user(Role.DEPARTMENT_MANAGER, username="mgr")
    context, page = sign_in(browser, live_server, "mgr")
    page.goto(live_server.url + reverse("customers:late_entries") + "?month=2026-13")
    assert page.input_value("input[name=month]") == "2026-13"
    assert page.locator(".field.has-error .error").count() == 1
    context.close()
