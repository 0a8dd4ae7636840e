import pytest

from accounts.roles import Role
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_clerk_signs_in_sees_the_dashboard_and_switches_to_english(page, live_server, make_user):
    make_user(Role.ARCHIVE_CLERK, username="clerk")
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-role=archive_clerk]")
    assert page.locator("[data-role=archive_clerk] h2").inner_text() == "档案管理员"
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("text=Sign out")
    assert page.locator("[data-role=archive_clerk] h2").inner_text() == "Archive clerk"
