"""Any screen (issue 15 §6): the main menu is one row at 1366 px in both languages for whoever sees
the most entries, and folds behind a menu button at phone width; a wide table scrolls inside its
card instead of the page; a volume's document titles stay readable in English."""

from datetime import date

import pytest

from accounts.models import Notification
from accounts.navigation import navigation_for
from accounts.roles import Role
from customers.models import SecrecyTier
from lending import services as lending_services
from lending.models import LoanKind
from tests.browser.signing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENTRIES = ".mainnav > a, .nav-more > summary"


def sign_in(browser, live_server, username, *, width, language="zh-hans", height=900):
    return signed_in_page(browser, live_server, username, width=width, height=height, language=language)


@pytest.fixture
def busiest_user(make_user):
    """A user of the role that sees the most menu entries, with an unread notification (its badge
    widens the row)."""
    users = [make_user(role, username=f"most-{role.value}") for role in Role]
    user = max(users, key=lambda candidate: len(navigation_for(candidate)))
    Notification.objects.create(recipient=user, message="有新的待办")
    return user


def tops(page) -> list[float]:
    return [box["y"] for box in (entry.bounding_box() for entry in page.locator(ENTRIES).all()) if box]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_busiest_menu_is_one_row_at_1366_px(browser, live_server, busiest_user, language):
    context, page = sign_in(browser, live_server, busiest_user.username, width=1366, language=language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("[data-nav-toggle]").is_hidden()
    entries = tops(page)
    assert len(entries) == page.locator(ENTRIES).count() >= 5
    assert max(entries) - min(entries) < 2, entries
    # The whole top bar is that one row: the brand and the user box sit beside the menu.
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 60
    # Every entry the user may open is there: in the row, or under 更多 once it is opened.
    page.click(".nav-more > summary")
    visible = {key for key in page.locator("[data-nav]").evaluate_all("(links) => links.map((a) => a.dataset.nav)")}
    assert visible == {item.key for item in navigation_for(busiest_user)}
    assert all(link.is_visible() for link in page.locator(".nav-more-list [data-nav]").all())
    page.keyboard.press("Escape")
    assert page.locator(".nav-more-list [data-nav]").first.is_hidden()
    context.close()


def test_the_menu_folds_behind_a_button_at_390_px(browser, live_server, busiest_user):
    context, page = sign_in(browser, live_server, busiest_user.username, width=390, height=844)
    toggle = page.locator("[data-nav-toggle]")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("[data-nav=customers]").is_hidden()
    assert page.locator("text=退出").is_hidden()

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("[data-nav=customers]").is_visible()
    assert page.locator("text=退出").is_visible()
    # The entries stack, one per line, within the screen.
    home = page.locator("[data-nav=home]").bounding_box()
    assert page.locator("[data-nav=customers]").bounding_box()["y"] > home["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(".nav-more > summary")
    assert page.locator(".nav-more-list [data-nav]").first.is_visible()

    page.click("[data-nav=customers]")
    page.wait_for_selector("[data-list=customers]")
    assert page.locator("[data-nav-toggle]").get_attribute("aria-expanded") == "false"
    context.close()


def test_a_wide_table_scrolls_inside_its_card_at_390_px(browser, live_server, archive, formal_dossier):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    lending_services.loan_request(
        borrower=archive["people"]["owner"], dossier=dossier, kind=LoanKind.BORROW, content="竣工文档", purpose="核对"
    )
    context, page = sign_in(browser, live_server, "gm", width=390, height=844)
    for path in ("/lending/register/borrow/", "/customers/", "/dossiers/"):
        page.goto(live_server.url + path)
        page.wait_for_selector("table.list")
        # The page itself does not scroll sideways; the table's own box does.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        scrolls = page.evaluate(
            """() => { const box = document.querySelector("table.list").closest(".table-scroll");
                       return box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX === "auto"; }"""
        )
        assert scrolls, path
    context.close()


def test_document_titles_stay_readable_in_english(browser, live_server, archive, formal_dossier, file_document):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    title = "Installation parameters of the telephone exchange and the maintenance agreement"
    file_document(dossier, "其他", title=title, made_on=date(2025, 3, 1))
    context, page = sign_in(browser, live_server, "gm", width=1366, language="en")
    page.goto(live_server.url + f"/dossiers/{dossier.pk}/")
    cell = page.locator("table.documents td.title", has_text="Installation parameters")
    box = cell.bounding_box()
    line_height = float(cell.evaluate("(td) => parseFloat(getComputedStyle(td).lineHeight)"))
    # Readable: a few words a line (at least 14 em wide), so the title takes a few lines, not one a word.
    assert box["width"] >= 200
    assert box["height"] <= 4 * line_height + 16
    context.close()
