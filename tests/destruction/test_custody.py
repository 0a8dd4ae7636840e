"""Approval holds a dossier apart (its custody says so), withdrawing its item puts it back in its
cabinet, destruction leaves it destroyed; a dossier that only lost documents goes back too."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from customers.models import Customer, SecrecyTier
from destruction import services
from destruction.models import ItemStatus
from dossiers.models import Dossier, DossierCustody, DossierStatus
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DRAFTED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
SIX_MONTHS_LATER = datetime(2026, 9, 2, 10, 0, tzinfo=SHANGHAI)


def custody_of(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).custody


@pytest.fixture
def approve(destruction_people):
    """approve(dossiers=…, documents=…) → a list drafted, appraised and approved on 2 March 2026."""
    people = destruction_people

    def make(*, dossiers=(), documents=()):
        department = (dossiers[0] if dossiers else documents[0].dossier).customer.department
        with time_machine.travel(DRAFTED_AT, tick=False):
            destruction_list = services.destruction_list_draft(
                by=people["clerk"], department=department, dossiers=dossiers, documents=documents
            )
            services.destruction_list_submit(destruction_list, by=people["clerk"])
            services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
            services.destruction_list_appraise(destruction_list, by=people["manager"])
            return services.destruction_list_approve(destruction_list, by=people["director"])

    return make


def verify_and_destroy(destruction_list, people):
    with time_machine.travel(SIX_MONTHS_LATER, tick=False):
        services.destruction_list_verify(destruction_list, by=people["cs_manager"])
        return services.destruction_list_destroy(
            destruction_list,
            by=people["cs_manager"],
            place="档案室",
            method="碎纸机粉碎",
            destroyed_on=SIX_MONTHS_LATER.date(),
        )


def test_an_approved_list_holds_its_dossiers_apart_and_destruction_leaves_them_destroyed(
    destruction_people, expired_dossier, approve
):
    dossier = expired_dossier()
    destruction_list = approve(dossiers=[dossier])
    assert custody_of(dossier) == DossierCustody.HELD_APART
    assert (
        Dossier.history.filter(id=dossier.pk).order_by("-history_id").first().history_user
        == destruction_people["director"]
    )
    verify_and_destroy(destruction_list, destruction_people)
    assert custody_of(dossier) == DossierCustody.DESTROYED


def test_a_dossier_withdrawn_from_a_held_list_goes_back_to_its_cabinet(destruction_people, expired_dossier, approve):
    kept, withdrawn = expired_dossier(), expired_dossier(SecrecyTier.COMPANY)
    destruction_list = approve(dossiers=[kept, withdrawn])
    item = destruction_list.items.get(dossier=withdrawn)
    services.destruction_item_withdraw(item, by=destruction_people["archive_manager"], reason="尚有纠纷")
    assert custody_of(withdrawn) == DossierCustody.IN_CABINET
    assert custody_of(kept) == DossierCustody.HELD_APART


def test_a_dossier_stays_apart_while_another_of_its_documents_is_still_held(
    destruction_people, expired_dossier, approve
):
    dossier = expired_dossier()
    first, second = list(dossier.documents.order_by("pk")[:2])
    destruction_list = approve(documents=[first, second])
    assert custody_of(dossier) == DossierCustody.HELD_APART
    services.destruction_item_withdraw(
        destruction_list.items.get(document=first), by=destruction_people["archive_manager"], reason="仍需使用"
    )
    assert custody_of(dossier) == DossierCustody.HELD_APART
    services.destruction_item_withdraw(
        destruction_list.items.get(document=second), by=destruction_people["archive_manager"], reason="仍需使用"
    )
    assert custody_of(dossier) == DossierCustody.IN_CABINET


def test_a_dossier_that_lost_only_documents_goes_back_to_its_cabinet(destruction_people, expired_dossier, approve):
    dossier = expired_dossier()
    document = dossier.documents.order_by("pk").first()
    destruction_list = approve(documents=[document])
    verify_and_destroy(destruction_list, destruction_people)
    assert destruction_list.items.get().status == ItemStatus.DESTROYED
    assert custody_of(dossier) == DossierCustody.IN_CABINET


def test_a_rejected_list_leaves_its_dossiers_in_their_cabinet(destruction_people, expired_dossier):
    people = destruction_people
    dossier = expired_dossier()
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    services.destruction_list_reject(destruction_list, by=people["director"], reason="再议")
    assert custody_of(dossier) == DossierCustody.IN_CABINET


def run_custody_migrations():
    """The data steps of dossiers/0007, lending/0006 and destruction/0004, in migration order, on
    the current rows."""
    from django.apps import apps

    for module, function in [
        ("dossiers.migrations.0007_dossier_custody", "custody_from_status"),
        ("lending.migrations.0006_dossier_custody_on_loan", "custody_of_originals_out"),
        ("destruction.migrations.0004_dossier_custody_held_apart", "custody_of_dossiers_held_apart"),
    ]:
        getattr(importlib.import_module(module), function)(apps, None)


def test_existing_dossiers_get_the_custody_their_state_says(destruction_people, expired_dossier, open_dossier, approve):
    people = destruction_people
    owner = people["owner"]
    newcomer = Customer.objects.create(name="新客户", owner=owner, department=owner.department)
    being_filed = open_dossier(customer=newcomer)
    shelved, lent, held, destroyed = (
        expired_dossier(tier)
        for tier in (SecrecyTier.COMPANY, SecrecyTier.PERSONAL, SecrecyTier.DEPARTMENT, SecrecyTier.TOP_SECRET)
    )
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=lent, kind=LoanKind.BORROW, content="x", purpose="y"
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    approve(dossiers=[held])
    Dossier.objects.filter(pk=destroyed.pk).update(status=DossierStatus.DESTROYED)
    Dossier.objects.update(custody="")  # as the column was added: nothing recorded yet

    run_custody_migrations()

    assert {dossier: custody_of(dossier) for dossier in (being_filed, shelved, lent, held, destroyed)} == {
        being_filed: DossierCustody.FILING,
        shelved: DossierCustody.IN_CABINET,
        lent: DossierCustody.ON_LOAN,
        held: DossierCustody.HELD_APART,
        destroyed: DossierCustody.DESTROYED,
    }
