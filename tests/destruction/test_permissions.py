"""destruction/permissions.py: two different people appraise, signatures are personal, the drafter never signs."""

import pytest

from accounts.roles import Role
from destruction.models import DestructionItem, DestructionList, Hold, ItemStatus, ListStatus
from destruction.permissions import (
    can_supervise_destruction,
    destruction_appraisal_side,
    destruction_item_actions,
    destruction_list_actions,
    destruction_lists_visible_to,
    hold_actions,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_list(destruction_people):
    people = destruction_people
    return DestructionList.objects.create(
        department=people["owner"].department, drafted_by=people["clerk"], status=ListStatus.SUBMITTED
    )


def test_the_customer_service_manager_and_the_department_head_sign_one_side_each(destruction_people, submitted_list):
    people = destruction_people
    assert destruction_appraisal_side(people["cs_manager"], submitted_list) == "customer_service"
    assert destruction_appraisal_side(people["manager"], submitted_list) == "department"
    submitted_list.cs_appraised_by = people["cs_manager"]
    assert destruction_appraisal_side(people["cs_manager"], submitted_list) is None


def test_the_head_of_another_department_does_not_appraise(destruction_people, submitted_list, make_user):
    from tests.factories import DepartmentFactory

    elsewhere = make_user(Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="other"), username="othermgr")
    assert destruction_appraisal_side(elsewhere, submitted_list) is None
    assert submitted_list not in set(destruction_lists_visible_to(elsewhere))


def test_the_drafter_never_signs_even_holding_the_role(destruction_people, make_user):
    people = destruction_people
    drafter = make_user(Role.ARCHIVE_CLERK, Role.CS_MANAGER, department=people["clerk"].department, username="both")
    drafted = DestructionList.objects.create(
        department=people["owner"].department, drafted_by=drafter, status=ListStatus.SUBMITTED
    )
    assert destruction_appraisal_side(drafter, drafted) is None
    assert "appraise" not in destruction_list_actions(drafter, drafted)
    assert "appraise" in destruction_list_actions(people["cs_manager"], drafted)


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
