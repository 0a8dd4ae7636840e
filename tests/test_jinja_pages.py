"""The list pages written whole by Jinja2 (crm_archive/jinja.py) wear the layout every Django
template page wears: the same head, top bar, language choice and messages."""

import re

import pytest
from django.urls import reverse

from tests.customers.html import messages

pytestmark = pytest.mark.django_db

JINJA2_PAGES = [
    ("customers:list", [], "general_manager"),
    ("dossiers:list", [], "clerk"),
    ("lending:register", ["borrow"], "clerk"),
    ("lending:register", ["photocopy"], "clerk"),
    ("customers:read_log", [], "general_manager"),
    ("audit:trail", [], "general_manager"),
    ("notifications", [], "clerk"),
]


def _layout(page: str) -> dict[str, str]:
    head = re.search(r"<head>(.*?)</head>", page, re.S).group(1)
    topbar = re.search(r'<header class="topbar[^"]*">.*?</header>', page, re.S).group(0)
    return {
        "html": re.search(r"<html[^>]*>", page).group(0),
        # The page's own title and print style aside.
        "head": re.sub(r"<title>.*?</title>|<link[^>]*print\.css[^>]*>", "", head),
        # The current page (marked, and where a new language leads back to), the masked CSRF token
        # and Jinja2's own entity for a quote aside.
        "topbar": re.sub(
            r' aria-current="page"|value="[A-Za-z0-9]{64}"|(?<=name="next" type="hidden" value=")[^"]*',
            "",
            topbar.replace("&#39;", "&#x27;"),
        ),
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("url_name", "arguments", "person"), JINJA2_PAGES)
def test_a_list_page_written_by_jinja2_has_the_layout_of_every_page(
    url_name, arguments, person, language, archive, client_for
):
    client = client_for(archive["people"][person])
    client.cookies["django_language"] = language
    written_by_jinja2 = client.get(reverse(url_name, args=arguments))
    written_by_django = client.get(reverse("password_change"))  # a Django template page
    assert written_by_jinja2.status_code == written_by_django.status_code == 200
    ours, theirs = _layout(written_by_jinja2.content.decode()), _layout(written_by_django.content.decode())
    for part in ("html", "head", "topbar"):
        assert ours[part].splitlines() == theirs[part].splitlines(), part
    assert f'<html lang="{language}">' == ours["html"]
    if language == "zh-hans":  # the language choice names each language in the reader's own
        assert '<option value="en">英语</option>' in ours["topbar"]


def test_a_list_page_written_by_jinja2_shows_the_message_of_the_last_action(archive, client_for):
    """An import ends on the customer list (Jinja2) with its message."""
    from tests.customers.test_import_export import row, upload, xlsx

    response = upload(client_for(archive["people"]["general_manager"]), xlsx([row("甲公司", "owner")]))
    assert response.redirect_chain[-1][0] == reverse("customers:list")
    assert messages(response.content.decode()) == ["已导入 1 位客户。"]
