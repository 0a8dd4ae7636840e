"""A dossier on a 销毁清册 says so on its page (issue 15 §4): once the list is approved it is held
apart, waiting for destruction, and offers no 申请借阅 — and a loan request for it is refused with
a message, asked for from its page or typed in anyway."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from destruction import services as destruction_services
from dossiers.models import Document, Dossier, RetentionPeriod
from lending.models import Loan
from tests.customers.html import errors, messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def signers(archive, make_user):
    people = archive["people"]
    people["cs_manager"] = make_user(Role.CS_MANAGER, department=people["clerk"].department, username="csmgr")
    people["director"] = make_user(Role.CUSTOMER_DIRECTOR, department=people["clerk"].department, username="custdir")
    return people


@pytest.fixture
def expired(formal_dossier):
    """A formal dossier filed in 2012 and kept 10 years: due for destruction."""

    def make():
        dossier = formal_dossier()
        retention = RetentionPeriod.objects.get(code="D10")
        Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=retention)
        Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=retention)
        return Dossier.objects.select_related("customer").get(pk=dossier.pk)

    return make


def drafted(people, dossier):
    return destruction_services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )


def held_apart(people, dossier):
    """The dossier on a list taken to 单独存放 (appraised and approved)."""
    destruction_list = drafted(people, dossier)
    destruction_services.destruction_list_submit(destruction_list, by=people["clerk"])
    destruction_services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    destruction_services.destruction_list_appraise(destruction_list, by=people["manager"])
    return destruction_services.destruction_list_approve(destruction_list, by=people["director"])


def dossier_page(client, dossier) -> str:
    response = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_dossier_held_apart_says_so_with_its_list_and_offers_no_loan_request(signers, expired, client_for):
    dossier = expired()
    destruction_list = held_apart(signers, dossier)
    page = dossier_page(client_for(signers["owner"]), dossier)
    assert 'data-notice="held-for-destruction"' in page
    assert f"已列入销毁清册 {destruction_list.number}" in page
    assert "待销毁，暂停借阅" in page
    assert "申请借阅" not in page
    # The owner may not open destruction lists: the number is said, not linked.
    assert reverse("destruction:detail", args=[destruction_list.pk]) not in page


def test_the_clerk_follows_the_banner_to_the_list(signers, expired, client_for):
    dossier = expired()
    destruction_list = held_apart(signers, dossier)
    page = dossier_page(client_for(signers["clerk"]), dossier)
    assert f'href="{reverse("destruction:detail", args=[destruction_list.pk])}"' in page


def test_a_dossier_on_a_list_not_yet_approved_is_still_lent_and_says_what_comes(signers, expired, client_for):
    dossier = expired()
    destruction_list = drafted(signers, dossier)
    page = dossier_page(client_for(signers["owner"]), dossier)
    assert 'data-notice="proposed-for-destruction"' in page
    assert f"已列入销毁清册 {destruction_list.number}" in page
    assert "申请借阅" in page


def test_a_dossier_on_no_list_has_no_banner(archive, formal_dossier, client_for):
    page = dossier_page(client_for(archive["people"]["owner"]), formal_dossier())
    assert "data-notice=" not in page
    assert "申请借阅" in page


def test_the_request_form_opened_for_a_held_dossier_says_it_cannot_be_lent(signers, expired, client_for):
    dossier = expired()
    held_apart(signers, dossier)
    response = client_for(signers["owner"]).get(reverse("lending:request"), {"dossier": dossier.pk})
    assert response.status_code == 200
    assert "此档案已批准销毁，正单独存放，不能借阅。" in messages(response.content.decode())


def test_a_loan_request_posted_for_a_held_dossier_is_refused_with_a_message(signers, expired, client_for):
    dossier = expired()
    held_apart(signers, dossier)
    response = client_for(signers["owner"]).post(
        reverse("lending:request"),
        {"archive_number": dossier.archive_number, "kind": "borrow", "content": "合同", "purpose": "核对"},
    )
    assert response.status_code == 200
    assert "此档案已批准销毁，正单独存放，不能借阅。" in errors(response.content.decode())
    assert not Loan.objects.filter(dossier=dossier).exists()
