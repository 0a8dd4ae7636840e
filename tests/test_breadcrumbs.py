"""Breadcrumbs (issue 15 §5): a page below the top level says where it sits, each step a link back."""

import re

import pytest
from django.urls import reverse

from customers.models import SecrecyTier
from lending import services as lending_services
from lending.models import LoanKind
from tests.customers.html import text

pytestmark = pytest.mark.django_db


def trail(page: str) -> list[tuple[str, str | None]]:
    """The breadcrumbs as a user reads them: (label, where it leads; None for the page itself)."""
    nav = re.search(r'<nav class="breadcrumbs[^"]*"[^>]*>(.*?)</nav>', page, re.S)
    assert nav, "no breadcrumbs on the page"
    steps = []
    for item in re.findall(r"<li\b[^>]*>(.*?)</li>", nav.group(1), re.S):
        link = re.search(r'href="([^"]+)"', item)
        steps.append((text(item), link.group(1) if link else None))
    return steps


def test_a_dossier_page_sits_under_the_dossier_list(archive, formal_dossier, client_for):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    page = client_for(archive["people"]["general_manager"]).get(reverse("dossiers:detail", args=[dossier.pk]))
    assert trail(page.content.decode()) == [
        ("首页", reverse("home")),
        ("档案", reverse("dossiers:list")),
        (dossier.archive_number, None),
    ]


def test_a_loan_request_from_a_dossier_leads_back_to_it(archive, formal_dossier, client_for):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    page = client_for(archive["people"]["owner"]).get(reverse("lending:request"), {"dossier": dossier.pk})
    assert trail(page.content.decode()) == [
        ("首页", reverse("home")),
        ("档案", reverse("dossiers:list")),
        (dossier.archive_number, reverse("dossiers:detail", args=[dossier.pk])),
        ("借阅申请", None),
    ]


def test_the_loan_request_menu_page_has_no_trail_of_its_own(archive, client_for):
    page = client_for(archive["people"]["owner"]).get(reverse("lending:request"), {"dossier": "abc"})
    assert page.status_code == 200
    assert 'class="breadcrumbs' not in page.content.decode()


def test_a_customer_page_sits_under_the_customer_list(archive, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    page = client_for(archive["people"]["owner"]).get(reverse("customers:detail", args=[customer.pk]))
    assert trail(page.content.decode()) == [
        ("首页", reverse("home")),
        ("客户", reverse("customers:list")),
        (customer.name, None),
    ]


def test_a_loan_sits_under_its_register_in_english(archive, formal_dossier, client_for):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    loan = lending_services.loan_request(
        borrower=archive["people"]["owner"], dossier=dossier, kind=LoanKind.BORROW, content="竣工文档", purpose="核对"
    )
    client = client_for(archive["people"]["owner"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("lending:detail", args=[loan.pk]))
    assert trail(page.content.decode()) == [
        ("Home", reverse("home")),
        ("Borrowing register", reverse("lending:register", kwargs={"kind": "borrow"})),
        (loan.register_number, None),
    ]


def test_a_top_level_page_has_no_breadcrumbs(archive, client_for):
    page = client_for(archive["people"]["owner"]).get(reverse("customers:list"))
    assert 'class="breadcrumbs' not in page.content.decode()
