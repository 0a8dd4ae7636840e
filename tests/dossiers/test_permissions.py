"""dossiers/permissions.py: who runs the archive, and what may be done on a dossier or document now."""

import pytest

from accounts.roles import Role
from customers.models import SecrecyTier
from dossiers.models import Document, Dossier, DossierStatus
from dossiers.permissions import (
    can_manage_archive,
    can_print_volume,
    document_actions,
    dossier_actions,
    dossiers_visible_to,
)

pytestmark = pytest.mark.django_db


def test_the_clerk_and_a_superuser_do_the_filing_the_archive_manager_does_not(archive, make_user):
    people = archive["people"]
    assert can_manage_archive(people["clerk"])
    assert can_manage_archive(make_user(username="root", is_superuser=True))
    assert not can_manage_archive(people["archive_manager"])
    assert not can_manage_archive(people["owner"])


def test_top_secret_volumes_print_for_archive_staff_only(archive):
    people = archive["people"]
    assert can_print_volume(people["archive_manager"], top_secret=True)
    assert not can_print_volume(people["owner"], top_secret=True)
    assert can_print_volume(people["owner"], top_secret=False)


def test_a_sales_person_sees_the_dossiers_of_the_customers_they_read(archive, open_dossier):
    own, top_secret = open_dossier(SecrecyTier.PERSONAL), open_dossier(SecrecyTier.TOP_SECRET)
    visible = set(dossiers_visible_to(archive["people"]["owner"]))
    assert own in visible and top_secret not in visible
    assert top_secret in set(dossiers_visible_to(archive["people"]["clerk"]))


def test_a_temporary_dossier_offers_the_clerk_its_filing_steps_and_nobody_a_loan(archive, open_dossier):
    dossier = open_dossier()
    assert dossier_actions(archive["people"]["clerk"], dossier) == {
        "record_completion",
        "file_document",
        "edit_volume_remarks",
    }
    assert dossier_actions(archive["people"]["owner"], dossier) == set()


def test_a_formal_dossier_offers_a_loan_request_to_anyone_in_a_department(archive, formal_dossier, make_user):
    dossier = formal_dossier()
    assert "request_loan" in dossier_actions(archive["people"]["owner"], dossier)
    assert "request_loan" not in dossier_actions(make_user(Role.SALES, department=None, username="nodept"), dossier)
    assert "record_completion" not in dossier_actions(archive["people"]["clerk"], dossier)


def test_a_destroyed_dossier_and_its_documents_offer_nothing(archive, formal_dossier):
    dossier = formal_dossier()
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.DESTROYED)
    dossier = Dossier.objects.get(pk=dossier.pk)
    clerk = archive["people"]["clerk"]
    assert dossier_actions(clerk, dossier) == set()
    document = Document.objects.select_related("dossier").filter(dossier=dossier).first()
    assert document_actions(clerk, document) == set()
    assert document_actions(archive["people"]["archive_manager"], document) == set()
