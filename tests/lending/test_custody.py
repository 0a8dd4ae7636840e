"""The dossier's custody follows its original out and back, and lending reads it (not destruction)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_archive.errors import ActionRefused, TransitionRefused
from dossiers.models import Dossier, DossierCustody
from lending import services
from lending.models import LoanKind
from tests.approving import approve_loan_fully, signed_for

pytestmark = pytest.mark.django_db


def custody_of(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).custody


def approved(people, dossier, *, kind=LoanKind.BORROW, borrower="owner"):
    loan = services.loan_request(borrower=people[borrower], dossier=dossier, kind=kind, content="x", purpose="y")
    return approve_loan_fully(loan)


def test_a_borrowed_original_is_on_loan_until_it_is_returned(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    loan = approved(people, dossier)
    assert custody_of(dossier) == DossierCustody.IN_CABINET  # approved, still on the shelf
    loan = services.loan_issue(loan, by=people["clerk"])
    assert custody_of(dossier) == DossierCustody.ON_LOAN
    assert Dossier.history.filter(id=dossier.pk).order_by("-history_id").first().history_user == people["clerk"]
    services.loan_return(signed_for(loan), by=people["clerk"], complete=True)
    assert custody_of(dossier) == DossierCustody.IN_CABINET


def test_a_photocopied_original_is_back_in_its_cabinet_once_the_copies_are_registered(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    loan = services.loan_issue(approved(people, dossier, kind=LoanKind.PHOTOCOPY), by=people["clerk"])
    assert custody_of(dossier) == DossierCustody.ON_LOAN
    services.photocopy_register(
        loan,
        by=people["clerk"],
        copied_content="x",
        pages=1,
        copies=1,
        copies_due_on=timezone.localdate(),
        original_complete=True,
    )
    assert custody_of(dossier) == DossierCustody.IN_CABINET


def test_an_original_on_loan_is_not_handed_out_again(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    first, second = approved(people, dossier), approved(people, dossier)
    services.loan_issue(first, by=people["clerk"])
    with pytest.raises(TransitionRefused, match="原件已借出"):
        services.loan_issue(second, by=people["clerk"])


def test_lending_refuses_a_dossier_held_apart_by_its_custody(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    loan = services.loan_request(
        borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y"
    )
    # No destruction list at all: the custody on the row is what lending reads.
    Dossier.objects.filter(pk=dossier.pk).update(custody=DossierCustody.HELD_APART)
    with pytest.raises(ActionRefused, match="正单独存放，不能借阅"):
        services.loan_approve(loan, by=people["manager"])  # whose signature is due
    with pytest.raises(ActionRefused, match="正单独存放，不能借阅"):
        services.loan_request(borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y")


def test_lending_refuses_a_dossier_whose_custody_says_destroyed(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    Dossier.objects.filter(pk=dossier.pk).update(custody=DossierCustody.DESTROYED)
    with pytest.raises(ActionRefused, match="此档案已销毁，不能借阅"):
        services.loan_request(borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y")


def test_the_dossier_page_and_list_show_an_original_on_loan(archive, formal_dossier, client_for):
    people = archive["people"]
    dossier = formal_dossier()
    client = client_for(people["clerk"])
    assert 'data-custody="on_loan"' not in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    services.loan_issue(approved(people, dossier), by=people["clerk"])
    assert 'data-custody="on_loan"' in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'data-custody="on_loan"' in client.get(reverse("dossiers:list")).content.decode()
