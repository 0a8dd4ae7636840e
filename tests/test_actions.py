"""The buttons a page offers are the steps its services accept (STYLE.md, "A room for every line").

For each workflow record, in each state it can reach, and for each person of the office: every
action of the entity's action list is offered by `<entity>_actions(user, obj)` if and only if the
matching service, called by that person on that record, succeeds. Each call runs in a savepoint
rolled back at once, so every person and action meets the same state. Each state also names a
few offers that must be there, so a rule that refuses everything (offer and service alike) is
caught as well.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from crm_archive.errors import ActionRefused
from customers import services as customer_services
from customers.models import Customer, SecrecyTier
from customers.permissions import CUSTOMER_ACTIONS, customer_actions
from destruction import services as destruction_services
from destruction.models import DestructionItem, DestructionList, Hold, ItemStatus, ListStatus
from destruction.permissions import (
    DESTRUCTION_ITEM_ACTIONS,
    DESTRUCTION_LIST_ACTIONS,
    HOLD_ACTIONS,
    destruction_item_actions,
    destruction_list_actions,
    hold_actions,
)
from dossiers import services as dossier_services
from dossiers.models import Cabinet, Document, Dossier, DossierCustody, RetentionPeriod
from dossiers.permissions import DOCUMENT_ACTIONS, DOSSIER_ACTIONS, document_actions, dossier_actions
from lending import services as lending_services
from lending.models import Extension, Loan, LoanKind
from lending.permissions import EXTENSION_ACTIONS, LOAN_ACTIONS, extension_actions, loan_actions

from .approving import approve_extension_fully, approve_loan_fully, signed_for
from .conftest import REQUIRED
from .factories import DepartmentFactory

pytestmark = pytest.mark.django_db


class _RolledBack(Exception):
    pass


def accepted(call) -> bool:
    """Whether the service call succeeds; what it wrote is rolled back either way."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        return True
    except ActionRefused:
        return False


def offers_that_disagree_with_the_services(people, actors, fetch, actions_of, calls) -> list[str]:
    """For each actor and action: offered by `actions_of(user, fetch())` iff `calls[action](user, fetch())`
    succeeds. Returns the disagreements, readably."""
    wrong = []
    for actor in actors:
        user = people[actor]
        offered = actions_of(user, fetch())
        assert offered <= set(calls), f"{actor} was offered actions no service stands for: {offered - set(calls)}"
        for action, call in calls.items():
            succeeded = accepted(lambda call=call, user=user: call(user, fetch()))
            if succeeded != (action in offered):
                wrong.append(f"{actor} / {action}: offered {action in offered}, service accepted {succeeded}")
    return wrong


def offered_pairs(people, actors, fetch, actions_of) -> set[tuple[str, str]]:
    return {(actor, action) for actor in actors for action in actions_of(people[actor], fetch())}


@dataclass
class World:
    people: dict
    archive: dict
    formal_dossier: object
    ready_dossier: object
    open_dossier: object
    shelf: Cabinet
    positions: object

    def expired_dossier(self, tier=SecrecyTier.PERSONAL) -> Dossier:
        """A formal dossier filed in 2012 and kept 10 years: due for destruction."""
        dossier = dossier_services.dossier_promote(
            self.ready_dossier(tier), by=self.people["clerk"], cabinet=self.shelf, position=next(self.positions)
        )
        retention = RetentionPeriod.objects.get(code="D10")
        Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=retention)
        Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=retention)
        return Dossier.objects.select_related("customer").get(pk=dossier.pk)


@pytest.fixture
def world(archive, make_user, formal_dossier, ready_dossier, open_dossier):
    people = archive["people"]
    office, other = people["clerk"].department, DepartmentFactory(code="other")
    people.update(
        {
            "marketing_director": make_user(Role.MARKETING_DIRECTOR, department=other, username="md"),
            "outsider_manager": make_user(Role.DEPARTMENT_MANAGER, department=other, username="othermgr"),
            "cs_manager": make_user(Role.CS_MANAGER, department=office, username="csmgr"),
            "director": make_user(Role.CUSTOMER_DIRECTOR, department=office, username="custdir"),
            # One person holding every archive role: signs as archive manager, CS manager and
            # customer director — but never on a list they drafted, nor a loan they asked for.
            "signer_of_all": make_user(
                Role.ARCHIVE_CLERK,
                Role.ARCHIVE_MANAGER,
                Role.CS_MANAGER,
                Role.CUSTOMER_DIRECTOR,
                department=office,
                username="allroles",
            ),
            "superuser": make_user(department=office, username="root", is_staff=True, is_superuser=True),
            "no_department": make_user(Role.SALES, department=None, username="nodept"),
        }
    )
    return World(
        people=people,
        archive=archive,
        formal_dossier=formal_dossier,
        ready_dossier=ready_dossier,
        open_dossier=open_dossier,
        shelf=Cabinet.objects.create(code="B01", place="档案室", positions=20),
        positions=iter(range(1, 21)),
    )


# ---------------------------------------------------------------------------------------------
# Loans


def request_loan(world, *, borrower="owner", tier=SecrecyTier.PERSONAL, kind=LoanKind.BORROW, dossier=None) -> Loan:
    return lending_services.loan_request(
        borrower=world.people[borrower],
        dossier=dossier or world.formal_dossier(tier),
        kind=kind,
        content="安装参数一览表",
        purpose="售后维修",
    )


def approved_loan(world, **request) -> Loan:
    """A request approved through its whole chain (SPEC §9), each step signed when it falls due."""
    return approve_loan_fully(request_loan(world, **request))


def issued_loan(world, **request) -> Loan:
    return lending_services.loan_issue(approved_loan(world, **request), by=world.people["clerk"])


def held_apart_for_destruction(world, dossier) -> DestructionList:
    """Put `dossier` on a list and take the list to 单独存放 (approved, held apart)."""
    people = world.people
    destruction_list = destruction_services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    destruction_services.destruction_list_submit(destruction_list, by=people["clerk"])
    destruction_services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    destruction_services.destruction_list_appraise(destruction_list, by=people["manager"])
    return destruction_services.destruction_list_approve(destruction_list, by=people["director"])


def loan_requested_on_a_dossier_held_apart(world):
    dossier = world.expired_dossier()
    loan = request_loan(world, dossier=dossier)  # a request alone does not keep a list from approval
    held_apart_for_destruction(world, dossier)
    return loan


def loan_approved_while_the_original_is_out(world):
    dossier = world.formal_dossier()
    lending_services.loan_issue(approved_loan(world, dossier=dossier), by=world.people["clerk"])
    return approved_loan(world, borrower="colleague", dossier=dossier)


def loan_issued_with_an_extension_pending(world):
    loan = issued_loan(world)
    lending_services.loan_confirm_receipt(loan, by=world.people["owner"])
    lending_services.extension_request(
        loan, by=world.people["owner"], until=loan.due_at + timedelta(days=2), reason="还需核对"
    )
    return loan


def copies_out(world):
    loan = issued_loan(world, kind=LoanKind.PHOTOCOPY)
    return lending_services.photocopy_register(
        loan,
        by=world.people["clerk"],
        copied_content="安装参数一览表",
        pages=2,
        copies=1,
        copies_due_on=timezone.localdate() + timedelta(days=5),
        original_complete=True,
    )


def loan_needing_the_tier(world):
    """The colleague asks for the owner's company-tier customer, which the colleague may not read:
    their department manager, then the archive manager beside the marketing director."""
    return request_loan(world, borrower="colleague", tier=SecrecyTier.COMPANY)


def loan_approved_by_the_department_manager(world):
    return lending_services.loan_approve(loan_needing_the_tier(world), by=world.people["manager"])


def loan_approved_by_the_archive_manager_awaiting_the_tier(world):
    loan = loan_approved_by_the_department_manager(world)
    return lending_services.loan_approve(loan, by=world.people["archive_manager"])


def rejected_loan(world):
    return lending_services.loan_reject(request_loan(world), by=world.people["manager"], reason="不需要原件")


def cancelled_loan(world):
    return lending_services.loan_cancel(approved_loan(world), by=world.people["owner"])


def overnight_requested(world):
    """A borrow asked for until tomorrow, with a reason: its own step for the archive manager."""
    return lending_services.loan_request(
        borrower=world.people["owner"],
        dossier=world.formal_dossier(),
        kind=LoanKind.BORROW,
        content="安装参数一览表",
        purpose="售后维修",
        requested_due_on=timezone.localdate() + timedelta(days=1),
        overnight_reason="现场调试需要对照",
    )


def lost_loan(world):
    return lending_services.loan_report_lost(issued_loan(world), by=world.people["clerk"], description="遗失在会议室")


def closed_loan(world):
    return lending_services.loan_return(signed_for(issued_loan(world)), by=world.people["clerk"], complete=True)


def _copy_on_shelf(loan):
    """A reference copy of the loan's dossier on the shelf, for issuing one; refused when there is none."""
    from lending.circulation import reference_copies_on_shelf

    copy = reference_copies_on_shelf(dossier_id=loan.dossier_id).first()
    if copy is None:
        raise ActionRefused("no reference copy on the shelf")
    return copy


def approved_while_out_with_a_reference_copy(world):
    """The original is out; a reference copy of one of its documents is on the shelf."""
    from lending.circulation import reference_copy_register

    dossier = world.formal_dossier()
    reference_copy_register(dossier.documents.first(), by=world.people["clerk"])
    lending_services.loan_issue(approved_loan(world, dossier=dossier), by=world.people["clerk"])
    return approved_loan(world, borrower="colleague", dossier=dossier)


LOAN_STATES = {
    # state: (build, offers that must be among the actions)
    # The borrower's department manager signs first; the archive manager waits for them.
    "requested": (request_loan, {("manager", "approve"), ("manager", "reject"), ("owner", "cancel")}),
    "requested, the tier's approval needed": (
        loan_needing_the_tier,
        {("manager", "approve"), ("manager", "reject"), ("colleague", "cancel")},
    ),
    "requested, approved by the department manager": (
        loan_approved_by_the_department_manager,
        {("archive_manager", "approve"), ("signer_of_all", "reject"), ("marketing_director", "approve")},
    ),
    "requested, approved by the archive manager, the tier pending": (
        loan_approved_by_the_archive_manager_awaiting_the_tier,
        {("marketing_director", "approve"), ("marketing_director", "reject"), ("colleague", "cancel")},
    ),
    "requested by the clerk, signed by the head of the archive office": (
        lambda world: lending_services.loan_approve(
            request_loan(world, borrower="clerk", tier=SecrecyTier.COMPANY), by=world.people["archive_manager"]
        ),
        {("marketing_director", "approve"), ("clerk", "cancel")},
    ),
    "requested by the archive manager": (
        lambda world: request_loan(world, borrower="archive_manager", tier=SecrecyTier.COMPANY),
        {("signer_of_all", "approve"), ("marketing_director", "approve"), ("archive_manager", "cancel")},
    ),
    "requested, the dossier held apart for destruction": (
        loan_requested_on_a_dossier_held_apart,
        {("manager", "reject"), ("owner", "cancel")},
    ),
    "approved": (
        approved_loan,
        {("clerk", "issue"), ("checker", "issue"), ("superuser", "issue"), ("owner", "cancel")},
    ),
    "approved, borrowed by the clerk": (
        lambda world: approved_loan(world, borrower="clerk", tier=SecrecyTier.COMPANY),
        {("checker", "issue"), ("signer_of_all", "issue"), ("clerk", "cancel")},
    ),
    "approved, the original out on another loan": (loan_approved_while_the_original_is_out, {("colleague", "cancel")}),
    "issued": (
        issued_loan,
        {
            ("owner", "confirm_receipt"),
            ("owner", "request_extension"),
            ("clerk", "witness_receipt"),
            ("clerk", "report_lost"),
        },
    ),
    "issued, signed for": (
        lambda world: signed_for(issued_loan(world)),
        {("clerk", "return"), ("superuser", "return"), ("clerk", "report_lost")},
    ),
    "requested, overnight asked for": (
        overnight_requested,
        {("manager", "approve"), ("archive_manager", "decide_overnight"), ("owner", "cancel")},
    ),
    "reported lost": (lost_loan, {("archive_manager", "decide_write_off")}),
    "approved, the original out, a reference copy on the shelf": (
        approved_while_out_with_a_reference_copy,
        {("clerk", "issue_copy"), ("colleague", "cancel")},
    ),
    "issued, signed for, an extension pending": (loan_issued_with_an_extension_pending, {("clerk", "return")}),
    "issued for photocopying": (
        lambda world: issued_loan(world, kind=LoanKind.PHOTOCOPY),
        {("clerk", "register_photocopy"), ("owner", "confirm_receipt")},
    ),
    "copies out": (
        copies_out,
        {("owner", "confirm_receipt"), ("clerk", "witness_receipt"), ("owner", "request_extension")},
    ),
    "copies out, signed for": (lambda world: signed_for(copies_out(world)), {("clerk", "close_photocopy")}),
    "rejected": (rejected_loan, set()),
    "cancelled": (cancelled_loan, set()),
    "closed": (closed_loan, set()),
}

LOAN_ACTORS = [
    "owner",
    "colleague",
    "clerk",
    "checker",
    "archive_manager",
    "manager",
    "outsider_manager",
    "marketing_director",
    "general_manager",
    "signer_of_all",
    "superuser",
]


def _extension_until(loan):
    return (loan.due_at or timezone.now()) + timedelta(days=3)


LOAN_CALLS = {
    "approve": lambda user, loan: lending_services.loan_approve(loan, by=user),
    "reject": lambda user, loan: lending_services.loan_reject(loan, by=user, reason="不需要原件"),
    "cancel": lambda user, loan: lending_services.loan_cancel(loan, by=user),
    "issue": lambda user, loan: lending_services.loan_issue(loan, by=user),
    "confirm_receipt": lambda user, loan: lending_services.loan_confirm_receipt(loan, by=user),
    "return": lambda user, loan: lending_services.loan_return(loan, by=user, complete=True),
    "register_photocopy": lambda user, loan: lending_services.photocopy_register(
        loan,
        by=user,
        copied_content="安装参数一览表",
        pages=2,
        copies=1,
        copies_due_on=timezone.localdate() + timedelta(days=5),
        original_complete=True,
    ),
    "close_photocopy": lambda user, loan: lending_services.photocopy_close(loan, by=user, complete=True),
    "issue_copy": lambda user, loan: lending_services.loan_issue(
        loan, by=user, pages=1, reference_copy=_copy_on_shelf(loan)
    ),
    "witness_receipt": lambda user, loan: lending_services.loan_receipt_witness(loan, by=user, note="纸质签字"),
    "report_lost": lambda user, loan: lending_services.loan_report_lost(loan, by=user, description="遗失"),
    "decide_overnight": lambda user, loan: lending_services.loan_overnight_decide(loan, by=user, approve=True),
    "decide_write_off": lambda user, loan: lending_services.loan_write_off_decide(loan, by=user, approve=True),
    "request_extension": lambda user, loan: lending_services.extension_request(
        loan, by=user, until=_extension_until(loan), reason="还需核对"
    ),
}


def test_every_loan_action_has_its_service_in_the_table():
    assert set(LOAN_CALLS) == LOAN_ACTIONS


def _fresh_loan(pk):
    return lambda: Loan.objects.select_related("dossier__customer").prefetch_related("extensions").get(pk=pk)


@pytest.mark.parametrize("state", list(LOAN_STATES))
def test_a_loan_offers_exactly_the_steps_its_services_accept(world, state):
    build, must_offer = LOAN_STATES[state]
    loan = build(world)
    fetch = _fresh_loan(loan.pk)
    assert must_offer <= offered_pairs(world.people, LOAN_ACTORS, fetch, loan_actions)
    assert offers_that_disagree_with_the_services(world.people, LOAN_ACTORS, fetch, loan_actions, LOAN_CALLS) == []


# Extensions (续借)


def extension_on(loan, world) -> Extension:
    return lending_services.extension_request(
        loan, by=loan.borrower, until=loan.due_at + timedelta(days=2), reason="还需核对"
    )


def extension_needing_the_tier(world):
    return extension_on(issued_loan(world, borrower="colleague", tier=SecrecyTier.COMPANY), world)


def extension_with_the_department_approval_given(world):
    extension = extension_needing_the_tier(world)
    return lending_services.extension_decide(extension, by=world.people["manager"], approve=True)


def extension_with_the_archive_approval_given(world):
    extension = extension_with_the_department_approval_given(world)
    return lending_services.extension_decide(extension, by=world.people["archive_manager"], approve=True)


def extension_while_the_dossier_is_held_apart(world):
    """The services never hold apart a dossier whose original is out (approval for destruction is
    refused then), but should its custody ever say so, the approval that grants more time is
    refused — lending again — and a refusal is not; the offers must follow."""
    extension = extension_on(issued_loan(world), world)
    Dossier.objects.filter(pk=extension.loan.dossier_id).update(custody=DossierCustody.HELD_APART)
    return extension


def extension_decided(world):
    return approve_extension_fully(extension_on(issued_loan(world), world))


def extension_on_copies_out(world):
    return extension_on(copies_out(world), world)


EXTENSION_STATES = {
    # A 续借 follows its loan's chain: for an original, the borrower's department manager first.
    "pending": (lambda world: extension_on(issued_loan(world), world), {("manager", "approve")}),
    "pending, the tier's approval needed": (
        extension_needing_the_tier,
        {("manager", "approve"), ("manager", "reject")},
    ),
    "pending, the department approval given": (
        extension_with_the_department_approval_given,
        {("archive_manager", "approve"), ("marketing_director", "approve"), ("marketing_director", "reject")},
    ),
    "pending, the archive approval given": (
        extension_with_the_archive_approval_given,
        {("marketing_director", "approve")},
    ),
    # For photocopies, the archive manager (any holder of the role) alone.
    "pending on photocopies out": (extension_on_copies_out, {("signer_of_all", "approve")}),
    "pending, the dossier held apart": (
        extension_while_the_dossier_is_held_apart,
        {("manager", "reject")},
    ),
    "decided": (extension_decided, set()),
}

EXTENSION_CALLS = {
    "approve": lambda user, extension: lending_services.extension_decide(extension, by=user, approve=True),
    "reject": lambda user, extension: lending_services.extension_decide(extension, by=user, approve=False),
}


def test_every_extension_action_has_its_service_in_the_table():
    assert set(EXTENSION_CALLS) == EXTENSION_ACTIONS


@pytest.mark.parametrize("state", list(EXTENSION_STATES))
def test_an_extension_offers_exactly_the_decisions_its_service_accepts(world, state):
    build, must_offer = EXTENSION_STATES[state]
    extension = build(world)

    def fetch():
        return Extension.objects.select_related("loan__dossier__customer").get(pk=extension.pk)

    assert must_offer <= offered_pairs(world.people, LOAN_ACTORS, fetch, extension_actions)
    assert (
        offers_that_disagree_with_the_services(world.people, LOAN_ACTORS, fetch, extension_actions, EXTENSION_CALLS)
        == []
    )


# ---------------------------------------------------------------------------------------------
# Dossiers and their documents

DOSSIER_ACTORS = [
    "clerk",
    "checker",
    "archive_manager",
    "owner",
    "colleague",
    "outsider_manager",
    "general_manager",
    "superuser",
    "no_department",
]


def completion_received_missing_documents(world):
    dossier = world.open_dossier()
    return dossier_services.dossier_record_completion(
        dossier, by=world.people["clerk"], received_on=timezone.localdate() - timedelta(days=1)
    )


def dossier_held_apart(world):
    dossier = world.expired_dossier()
    held_apart_for_destruction(world, dossier)
    return dossier


def destroyed_list(world, dossiers) -> DestructionList:
    destruction_list = destruction_services.destruction_list_draft(
        by=world.people["clerk"], department=dossiers[0].customer.department, dossiers=dossiers
    )
    destruction_services.destruction_list_submit(destruction_list, by=world.people["clerk"])
    destruction_services.destruction_list_appraise(destruction_list, by=world.people["cs_manager"])
    destruction_services.destruction_list_appraise(destruction_list, by=world.people["manager"])
    destruction_services.destruction_list_approve(destruction_list, by=world.people["director"])
    return destroy(world, verify(world, destruction_list))


def verify(world, destruction_list):
    DestructionList.objects.filter(pk=destruction_list.pk).update(hold_until=timezone.localdate())  # six months on
    return destruction_services.destruction_list_verify(destruction_list, by=world.people["archive_manager"])


def destroy(world, destruction_list):
    return destruction_services.destruction_list_destroy(
        destruction_list,
        by=world.people["archive_manager"],
        place="档案室碎纸间",
        method="碎纸机粉碎",
        destroyed_on=timezone.localdate(),
    )


def destroyed_dossier(world):
    dossier = world.expired_dossier()
    destroyed_list(world, [dossier])
    return Dossier.objects.get(pk=dossier.pk)


DOSSIER_STATES = {
    "temporary": (
        lambda world: world.open_dossier(),
        {("clerk", "record_completion"), ("clerk", "file_document"), ("superuser", "file_document")},
    ),
    "completion received, required documents missing": (
        completion_received_missing_documents,
        {("clerk", "file_document"), ("checker", "edit_volume_remarks")},
    ),
    "completion received, complete": (lambda world: world.ready_dossier(), {("clerk", "promote")}),
    "formal": (
        lambda world: world.formal_dossier(),
        {("owner", "request_loan"), ("archive_manager", "request_loan"), ("clerk", "edit_volume_remarks")},
    ),
    "formal, held apart for destruction": (dossier_held_apart, {("clerk", "file_document")}),
    "destroyed": (destroyed_dossier, set()),
}


def _new_document(dossier, world) -> Document:
    return Document(
        dossier=dossier,
        document_type=world.archive["types"][REQUIRED[0]],
        title="补充资料",
        made_on=timezone.localdate() - timedelta(days=3),
        responsible_party="工程部",
        pages=1,
        secrecy_tier=dossier.customer.secrecy_tier,
        retention=world.archive["retention"],
    )


def dossier_calls(world):
    return {
        "record_completion": lambda user, dossier: dossier_services.dossier_record_completion(
            dossier, by=user, received_on=timezone.localdate()
        ),
        "promote": lambda user, dossier: dossier_services.dossier_promote(
            dossier, by=user, cabinet=world.shelf, position=20
        ),
        "file_document": lambda user, dossier: dossier_services.document_save(_new_document(dossier, world), by=user),
        "edit_volume_remarks": lambda user, dossier: dossier_services.volume_remarks_save(
            dossier=dossier, filing_year=2012, top_secret=False, by=user, notes="卷内文件齐全"
        ),
        "request_loan": lambda user, dossier: lending_services.loan_request(
            borrower=user, dossier=dossier, kind=LoanKind.BORROW, content="安装参数一览表", purpose="售后维修"
        ),
    }


def test_every_dossier_action_has_its_service_in_the_table(world):
    assert set(dossier_calls(world)) == DOSSIER_ACTIONS


@pytest.mark.parametrize("state", list(DOSSIER_STATES))
def test_a_dossier_offers_exactly_the_steps_its_services_accept(world, state):
    build, must_offer = DOSSIER_STATES[state]
    dossier = build(world)

    def fetch():
        return Dossier.objects.select_related("customer", "retention").get(pk=dossier.pk)

    assert must_offer <= offered_pairs(world.people, DOSSIER_ACTORS, fetch, dossier_actions)
    wrong = offers_that_disagree_with_the_services(
        world.people, DOSSIER_ACTORS, fetch, dossier_actions, dossier_calls(world)
    )
    assert wrong == []


def document_destroyed_on_its_own(world):
    document = world.formal_dossier().documents.first()
    Document.objects.filter(pk=document.pk).update(destroyed_at=timezone.now())
    return document


DOCUMENT_STATES = {
    "filed": (lambda world: world.formal_dossier().documents.first(), {("clerk", "edit"), ("clerk", "report_damage")}),
    "in a temporary dossier": (
        lambda world: world.ready_dossier().documents.first(),
        {("checker", "edit"), ("superuser", "edit")},
    ),
    # A destroyed document is gone: nothing is edited, nothing repaired (must_offer is empty, and
    # the table check below still fails should any step be offered or accepted).
    "destroyed on its own": (document_destroyed_on_its_own, set()),
    "in a destroyed dossier": (lambda world: destroyed_dossier(world).documents.first(), set()),
}


def _edited(document):
    document.title = "改过的题名"
    return document


DOCUMENT_CALLS = {
    "edit": lambda user, document: dossier_services.document_save(_edited(document), by=user),
    "report_damage": lambda user, document: dossier_services.repair_open(document, by=user, damage="第2页撕裂"),
}


def test_every_document_action_has_its_service_in_the_table():
    assert set(DOCUMENT_CALLS) == DOCUMENT_ACTIONS


@pytest.mark.parametrize("state", list(DOCUMENT_STATES))
def test_a_document_offers_exactly_the_steps_its_services_accept(world, state):
    build, must_offer = DOCUMENT_STATES[state]
    document = build(world)

    def fetch():
        return Document.objects.select_related("dossier__customer").get(pk=document.pk)

    assert must_offer <= offered_pairs(world.people, DOSSIER_ACTORS, fetch, document_actions)
    assert (
        offers_that_disagree_with_the_services(world.people, DOSSIER_ACTORS, fetch, document_actions, DOCUMENT_CALLS)
        == []
    )


# ---------------------------------------------------------------------------------------------
# Destruction lists, their items, holds

DESTRUCTION_ACTORS = [
    "clerk",
    "checker",
    "cs_manager",
    "manager",
    "outsider_manager",
    "director",
    "archive_manager",
    "general_manager",
    "signer_of_all",
    "superuser",
    "owner",
]


def drafted(world, *, drafter="clerk", count=1) -> DestructionList:
    dossiers = [world.expired_dossier(tier) for tier in list(SecrecyTier)[:count]]
    return destruction_services.destruction_list_draft(
        by=world.people[drafter], department=dossiers[0].customer.department, dossiers=dossiers
    )


def submitted(world, **draft):
    return destruction_services.destruction_list_submit(drafted(world, **draft), by=world.people["clerk"])


def cs_signed(world, **draft):
    return destruction_services.destruction_list_appraise(submitted(world, **draft), by=world.people["cs_manager"])


def appraised(world, **draft):
    return destruction_services.destruction_list_appraise(cs_signed(world, **draft), by=world.people["manager"])


def appraised_while_a_loan_is_approved(world):
    destruction_list = appraised(world)
    dossier = destruction_list.items.get().dossier
    approved_loan(world, dossier=dossier)
    return destruction_list


def appraised_with_every_item_withdrawn(world):
    destruction_list = appraised(world)
    for item in destruction_list.items.all():
        destruction_services.destruction_item_withdraw(item, by=world.people["clerk"], reason="仍在使用")
    return destruction_list


def verified_with_every_item_withdrawn(world):
    destruction_list = verified(world)
    for item in destruction_list.items.all():
        destruction_services.destruction_item_withdraw(item, by=world.people["clerk"], reason="仍在使用")
    return destruction_list


def held(world, **draft):
    return destruction_services.destruction_list_approve(appraised(world, **draft), by=world.people["director"])


def held_six_months(world):
    destruction_list = held(world)
    DestructionList.objects.filter(pk=destruction_list.pk).update(hold_until=timezone.localdate())
    return destruction_list


def verified(world, **draft):
    return verify(world, held(world, **draft))


def verified_then_put_on_hold(world):
    destruction_list = verified(world)
    destruction_services.hold_place(
        destruction_list.items.get().dossier, by=world.people["archive_manager"], reason="诉讼中"
    )
    return destruction_list


def rejected_list(world):
    return destruction_services.destruction_list_reject(
        appraised(world), by=world.people["director"], reason="仍有保存价值"
    )


DESTRUCTION_LIST_STATES = {
    "draft": (
        drafted,
        {("clerk", "submit"), ("checker", "submit"), ("superuser", "submit"), ("clerk", "withdraw")},
    ),
    "submitted": (
        submitted,
        {("cs_manager", "appraise"), ("manager", "appraise"), ("signer_of_all", "appraise"), ("director", "withdraw")},
    ),
    "submitted, drafted by someone who also signs": (
        lambda world: submitted(world, drafter="signer_of_all"),
        {("cs_manager", "appraise"), ("manager", "appraise")},
    ),
    "submitted, the customer service side signed": (cs_signed, {("manager", "appraise")}),
    "appraised": (appraised, {("director", "approve"), ("director", "reject"), ("signer_of_all", "approve")}),
    "appraised, drafted by someone who also signs": (
        lambda world: appraised(world, drafter="signer_of_all"),
        {("director", "approve"), ("signer_of_all", "withdraw")},
    ),
    "appraised, a loan of its dossier approved": (appraised_while_a_loan_is_approved, {("director", "reject")}),
    "appraised, every item withdrawn": (appraised_with_every_item_withdrawn, {("director", "reject")}),
    "held apart, six months running": (held, {("clerk", "withdraw"), ("manager", "withdraw")}),
    "held apart, six months over": (
        held_six_months,
        {("archive_manager", "verify"), ("cs_manager", "verify"), ("signer_of_all", "verify")},
    ),
    "verified": (
        verified,
        {("archive_manager", "destroy"), ("cs_manager", "destroy"), ("general_manager", "destroy")},
    ),
    "verified, then put on hold": (verified_then_put_on_hold, {("clerk", "withdraw")}),
    # Nothing left to destroy: no destruction is recorded for an empty list.
    "verified, every item withdrawn": (verified_with_every_item_withdrawn, set()),
    "verified, two dossiers": (lambda world: verified(world, count=2), {("general_manager", "destroy")}),
    "rejected": (rejected_list, set()),
    "destroyed": (lambda world: destroyed_list(world, [world.expired_dossier()]), set()),
}


def _some_item(destruction_list):
    items = destruction_list.items.order_by("pk")
    return items.filter(status=ItemStatus.PROPOSED).first() or items.first()


DESTRUCTION_LIST_CALLS = {
    "submit": lambda user, dl: destruction_services.destruction_list_submit(dl, by=user),
    "appraise": lambda user, dl: destruction_services.destruction_list_appraise(dl, by=user),
    "approve": lambda user, dl: destruction_services.destruction_list_approve(dl, by=user),
    "reject": lambda user, dl: destruction_services.destruction_list_reject(dl, by=user, reason="仍有保存价值"),
    "verify": lambda user, dl: destruction_services.destruction_list_verify(dl, by=user),
    "destroy": lambda user, dl: destruction_services.destruction_list_destroy(
        dl, by=user, place="档案室碎纸间", method="碎纸机粉碎", destroyed_on=timezone.localdate()
    ),
    "withdraw": lambda user, dl: destruction_services.destruction_item_withdraw(
        _some_item(dl), by=user, reason="仍在使用"
    ),
}


def test_every_destruction_list_action_has_its_service_in_the_table():
    assert set(DESTRUCTION_LIST_CALLS) == DESTRUCTION_LIST_ACTIONS


@pytest.mark.parametrize("state", list(DESTRUCTION_LIST_STATES))
def test_a_destruction_list_offers_exactly_the_steps_its_services_accept(world, state):
    build, must_offer = DESTRUCTION_LIST_STATES[state]
    destruction_list = build(world)

    def fetch():
        return DestructionList.objects.get(pk=destruction_list.pk)

    assert must_offer <= offered_pairs(world.people, DESTRUCTION_ACTORS, fetch, destruction_list_actions)
    wrong = offers_that_disagree_with_the_services(
        world.people, DESTRUCTION_ACTORS, fetch, destruction_list_actions, DESTRUCTION_LIST_CALLS
    )
    assert wrong == []


ITEM_CALLS = {
    "withdraw": lambda user, item: destruction_services.destruction_item_withdraw(item, by=user, reason="仍在使用"),
    "keep_back": lambda user, item: destruction_services.destruction_list_appraise(
        item.destruction_list, by=user, keep_back={item.pk: "仍有保存价值"}
    ),
}


def test_every_destruction_item_action_has_its_service_in_the_table():
    assert set(ITEM_CALLS) == DESTRUCTION_ITEM_ACTIONS


@pytest.mark.parametrize("build", [submitted, held], ids=["submitted", "held apart"])
def test_each_item_of_a_list_offers_exactly_the_steps_its_services_accept(world, build):
    destruction_list = build(world, count=2)
    kept = destruction_list.items.order_by("pk").last()
    destruction_services.destruction_item_withdraw(kept, by=world.people["clerk"], reason="仍在使用")

    def item_actions(user, item):
        return destruction_item_actions(item, list_actions=destruction_list_actions(user, item.destruction_list))

    offered = set()
    for item in destruction_list.items.all():

        def fetch(pk=item.pk):
            return DestructionItem.objects.select_related("destruction_list").get(pk=pk)

        offered |= offered_pairs(world.people, DESTRUCTION_ACTORS, fetch, item_actions)
        assert (
            offers_that_disagree_with_the_services(world.people, DESTRUCTION_ACTORS, fetch, item_actions, ITEM_CALLS)
            == []
        )
    assert ("clerk", "withdraw") in offered
    if destruction_list.status == ListStatus.SUBMITTED:
        assert ("cs_manager", "keep_back") in offered


HOLD_CALLS = {"lift": lambda user, hold: destruction_services.hold_lift(hold, by=user, reason="诉讼已结束")}


def test_every_hold_action_has_its_service_in_the_table():
    assert set(HOLD_CALLS) == HOLD_ACTIONS


@pytest.mark.parametrize("lifted", [False, True], ids=["in force", "lifted"])
def test_a_hold_offers_exactly_the_steps_its_service_accepts(world, lifted):
    hold = destruction_services.hold_place(world.formal_dossier(), by=world.people["archive_manager"], reason="诉讼中")
    if lifted:
        destruction_services.hold_lift(hold, by=world.people["archive_manager"], reason="诉讼已结束")

    def fetch():
        return Hold.objects.get(pk=hold.pk)

    offered = offered_pairs(world.people, DESTRUCTION_ACTORS, fetch, hold_actions)
    in_force = {("archive_manager", "lift"), ("signer_of_all", "lift"), ("superuser", "lift")}
    assert offered == (set() if lifted else in_force)
    assert (
        offers_that_disagree_with_the_services(world.people, DESTRUCTION_ACTORS, fetch, hold_actions, HOLD_CALLS) == []
    )


# ---------------------------------------------------------------------------------------------
# Customers

CUSTOMER_ACTORS = [
    "owner",
    "colleague",
    "manager",
    "outsider_manager",
    "marketing_director",
    "general_manager",
    "superuser",
    "clerk",
]

CUSTOMER_CALLS = {
    "edit": lambda user, customer: customer_services.customer_update(customer, by=user),
    "second_owner": lambda user, customer: customer_services.customer_second_owner_set(customer, by=user, person=None),
}


def test_every_customer_action_has_its_service_in_the_table():
    assert set(CUSTOMER_CALLS) == CUSTOMER_ACTIONS


@pytest.mark.parametrize(
    ("tier", "must_offer"),
    [
        (SecrecyTier.PERSONAL, {("owner", "edit"), ("manager", "edit")}),
        (SecrecyTier.DEPARTMENT, {("owner", "edit"), ("manager", "edit")}),
        (SecrecyTier.COMPANY, {("owner", "edit"), ("marketing_director", "edit"), ("superuser", "edit")}),
        (SecrecyTier.TOP_SECRET, {("general_manager", "edit")}),
    ],
    ids=["personal", "department", "company", "top_secret"],
)
def test_a_customer_offers_editing_exactly_when_the_service_accepts_it(world, tier, must_offer):
    customer = world.archive["customers"][tier]
    # A colleague who reads through a grant (an approved loan) still does not keep the profile.
    customer_services.customer_access_grant(
        customer, user=world.people["colleague"], until=timezone.now() + timedelta(hours=2)
    )

    def fetch():
        return Customer.objects.get(pk=customer.pk)

    assert must_offer <= offered_pairs(world.people, CUSTOMER_ACTORS, fetch, customer_actions)
    assert (
        offers_that_disagree_with_the_services(world.people, CUSTOMER_ACTORS, fetch, customer_actions, CUSTOMER_CALLS)
        == []
    )


# ---------------------------------------------------------------------------------------------
# Templates

STATUS_COMPARISON = re.compile(
    r"""\.status\s*(==|!=|\bin\b|\bnot\s+in\b)"""  # loan.status == "issued", item.status in "…"
    r"""|(==|!=)\s*[\w.]*\.status\b"""  # "issued" == loan.status
    r"""|\bstatus\s*(==|!=)\s*["']"""  # {% with status=… %}{% if status == "draft" %}
)


def test_no_template_compares_a_status():
    """Pages show the buttons the actions offer; a status decides nothing in a template."""
    templates = [path for folder in settings.TEMPLATES[0]["DIRS"] for path in Path(folder).rglob("*.html")]
    assert len(templates) > 30
    comparisons = [
        f"{path.name}:{number}: {line.strip()[:120]}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATUS_COMPARISON.search(line)
    ]
    assert comparisons == []


@pytest.mark.parametrize(
    "line",
    [
        '{% if loan.status == "issued" %}',
        "{% if item.status != 'proposed' and x %}",
        '{% if "draft" == list.status %}',
        '{% if dossier.status in "formal destroyed" %}',
        '{% if status == "draft" %}',
    ],
)
def test_the_template_check_recognises_a_status_comparison(line):
    assert STATUS_COMPARISON.search(line)


def test_the_template_check_leaves_a_status_shown_alone():
    assert not STATUS_COMPARISON.search(
        '<span class="tag" data-status="{{ loan.status }}">{{ loan.get_status_display }}'
    )
