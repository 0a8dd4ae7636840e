"""A post too large to accept answers the "text too long" page, whose back link returns to the
form with everything typed still there."""

import pytest
from django.conf import settings
from django.urls import reverse

from customers.models import Customer, SecrecyTier
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_going_back_from_the_too_long_page_keeps_what_was_typed(page, live_server, archive):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=退出")

    page.goto(live_server.url + reverse("customers:update", args=[customer.pk]))
    page.fill("input[name=name]", "改过的名字")
    # The text box's maxlength stops a paste in the browser; a post can still be this large
    # (an old page, another client), and the server's limit answers it.
    paste = "经" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 1)
    page.eval_on_selector(
        "textarea[name=business_scope]", "(box, text) => { box.removeAttribute('maxlength'); box.value = text; }", paste
    )
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-error='413']")
    assert "提交的文字太长" in page.content()

    page.click("[data-history-back]")
    page.wait_for_selector("textarea[name=business_scope]")
    assert page.input_value("input[name=name]") == "改过的名字"
    assert len(page.input_value("textarea[name=business_scope]")) == len(paste)
    assert Customer.objects.get(pk=customer.pk).name == customer.name
