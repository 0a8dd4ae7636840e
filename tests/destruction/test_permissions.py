"""destruction/permissions.py: two different people appraise, signatures are personal, the drafter never signs."""

import pytest

from accounts.roles import Role
from crm_archive.errors import ActionRefused
from destruction.models import DestructionItem, DestructionList, Hold, ItemStatus, ListStatus
from destruction.permissions import (
    can_supervise_destruction,
    destruction_item_actions,
    destruction_list_actions,
    destruction_lists_visible_to,
    hold_actions,
)
from destruction.services import destruction_list_appraise, destruction_list_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_list(destruction_people, drafted_list):
    return destruction_list_submit(drafted_list(), by=destruction_people["clerk"])


def test_the_customer_service_manager_and_the_department_head_appraise_then_the_director_approves(
    destruction_people, submitted_list
):
    people = destruction_people
    assert destruction_list_actions(people["cs_manager"], submitted_list) >= {"appraise"}
    assert destruction_list_actions(people["manager"], submitted_list) >= {"appraise"}
    assert not destruction_list_actions(people["director"], submitted_list) & {"appraise", "approve", "reject"}
    destruction_list_appraise(submitted_list, by=people["cs_manager"])
    submitted_list.refresh_from_db()
    assert submitted_list.status == ListStatus.SUBMITTED
    assert "appraise" not in destruction_list_actions(people["cs_manager"], submitted_list)
    destruction_list_appraise(submitted_list, by=people["manager"])
    submitted_list.refresh_from_db()
    assert submitted_list.status == ListStatus.APPRAISED
    assert destruction_list_actions(people["director"], submitted_list) >= {"approve", "reject"}
    assert not destruction_list_actions(people["cs_manager"], submitted_list) & {"approve", "reject"}


def test_the_head_of_another_department_does_not_appraise(destruction_people, submitted_list, make_user):
    from tests.factories import DepartmentFactory

    elsewhere = make_user(Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="other"), username="othermgr")
    assert "appraise" not in destruction_list_actions(elsewhere, submitted_list)
    assert submitted_list not in set(destruction_lists_visible_to(elsewhere))
    with pytest.raises(ActionRefused):
        destruction_list_appraise(submitted_list, by=elsewhere)


def test_the_drafter_never_signs_even_holding_the_role(destruction_people, drafted_list, make_user):
    people = destruction_people
    drafter = make_user(Role.ARCHIVE_CLERK, Role.CS_MANAGER, department=people["clerk"].department, username="both")
    drafted = drafted_list()
    DestructionList.objects.filter(pk=drafted.pk).update(drafted_by=drafter)
    drafted = destruction_list_submit(DestructionList.objects.get(pk=drafted.pk), by=drafter)
    assert "appraise" not in destruction_list_actions(drafter, drafted)
    assert "appraise" in destruction_list_actions(people["cs_manager"], drafted)
    with pytest.raises(ActionRefused):
        destruction_list_appraise(drafted, by=drafter)


def test_the_general_manager_supervises_a_superuser_does_not(destruction_people, make_user):
    assert can_supervise_destruction(destruction_people["general_manager"])
    assert not can_supervise_destruction(make_user(username="root", is_superuser=True))
    assert not can_supervise_destruction(destruction_people["director"])


def test_only_a_proposed_item_is_withdrawn_or_kept_back():
    proposed, withdrawn = DestructionItem(status=ItemStatus.PROPOSED), DestructionItem(status=ItemStatus.WITHDRAWN)
    assert destruction_item_actions(proposed, list_actions={"appraise", "withdraw"}) == {"withdraw", "keep_back"}
    assert destruction_item_actions(proposed, list_actions={"withdraw"}) == {"withdraw"}
    assert destruction_item_actions(withdrawn, list_actions={"appraise", "withdraw"}) == set()


def test_the_archive_manager_lifts_a_hold_in_force_only(destruction_people, formal_dossier):
    people = destruction_people
    hold = Hold.objects.create(dossier=formal_dossier(), reason="诉讼中", placed_by=people["archive_manager"])
    assert hold_actions(people["archive_manager"], hold) == {"lift"}
    assert hold_actions(people["clerk"], hold) == set()
    hold.lifted_at = hold.placed_at
    assert hold_actions(people["archive_manager"], hold) == set()
