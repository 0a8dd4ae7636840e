"""SPEC §6 and §9: destruction lists run on the approval chains — the default chain signed step by
step, shown as a timeline and on each signer's dashboard; a chain edited in the admin changes
the lists submitted afterwards only; a deputy signs on someone's behalf."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from approvals.models import ApprovalChain, ApprovalStep, ApprovalTask, RequestKind, StepRole, TaskStatus
from approvals.services import deputy_appoint
from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier
from destruction import services
from destruction.models import ListStatus
from tests.approvals.test_admin_chains import post_chain

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture
def submitted(destruction_people, drafted_list, expired_dossier):
    tiers = iter([SecrecyTier.PERSONAL, SecrecyTier.COMPANY])

    def make():
        dossier = expired_dossier(next(tiers))
        return services.destruction_list_submit(drafted_list(dossier), by=destruction_people["clerk"])

    return make


def steps_of(destruction_list):
    return [
        (task.stage, task.step_role, task.status, task.decided_by and task.decided_by.username)
        for task in ApprovalTask.objects.filter(kind=RequestKind.DESTRUCTION, request_id=destruction_list.pk)
        .select_related("decided_by")
        .order_by("stage", "step_role")
    ]


def detail_page(client, destruction_list):
    return client.get(reverse("destruction:detail", args=[destruction_list.pk])).content.decode()


def test_the_default_chain_step_by_step_on_dashboards_and_timeline(destruction_people, submitted, client_for):
    people = destruction_people
    destruction_list = submitted()
    cs, manager, director = people["cs_manager"].username, people["manager"].username, people["director"].username
    assert steps_of(destruction_list) == [
        (1, StepRole.CS_MANAGER, TaskStatus.WAITING, None),
        (1, StepRole.PRODUCING_DEPARTMENT_MANAGER, TaskStatus.WAITING, None),
        (2, StepRole.CUSTOMER_DIRECTOR, TaskStatus.QUEUED, None),
    ]
    # Both appraisers are told and see it first thing on their dashboard; the director not yet.
    for appraiser in (people["cs_manager"], people["manager"]):
        assert Notification.objects.filter(recipient=appraiser, message__contains=destruction_list.number).exists()
        assert destruction_list.number in client_for(appraiser).get(HOME).content.decode()
    assert destruction_list.number not in client_for(people["director"]).get(HOME).content.decode()

    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    assert destruction_list.number not in client_for(people["cs_manager"]).get(HOME).content.decode()
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.APPRAISED
    assert destruction_list.cs_appraised_by == people["cs_manager"]
    assert destruction_list.department_appraised_by == people["manager"]
    assert destruction_list.number in client_for(people["director"]).get(HOME).content.decode()

    services.destruction_list_approve(destruction_list, by=people["director"])
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.HELD and destruction_list.approved_by == people["director"]
    assert steps_of(destruction_list) == [
        (1, StepRole.CS_MANAGER, TaskStatus.APPROVED, cs),
        (1, StepRole.PRODUCING_DEPARTMENT_MANAGER, TaskStatus.APPROVED, manager),
        (2, StepRole.CUSTOMER_DIRECTOR, TaskStatus.APPROVED, director),
    ]
    page = detail_page(client_for(people["clerk"]), destruction_list)
    assert 'data-timeline="approvals"' in page
    assert page.count('data-step-status="approved"') == 3


def test_a_refusal_is_a_signature_on_the_timeline_and_ends_the_chain(destruction_people, submitted):
    people = destruction_people
    destruction_list = submitted()
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    services.destruction_list_reject(destruction_list, by=people["director"], reason="尚有查考价值")
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.REJECTED
    director_step = ApprovalTask.objects.get(
        kind=RequestKind.DESTRUCTION, request_id=destruction_list.pk, step_role=StepRole.CUSTOMER_DIRECTOR
    )
    assert director_step.status == TaskStatus.REJECTED and director_step.comment == "尚有查考价值"


def test_a_chain_edited_in_the_admin_changes_later_lists_only(destruction_people, submitted, make_user, client_for):
    people = destruction_people
    running = submitted()
    general_manager = people["general_manager"]
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    chain = ApprovalChain.objects.get(kind=RequestKind.DESTRUCTION, tier="")
    response = post_chain(client_for(admin), chain, new=[{"stage": 3, "role": StepRole.GENERAL_MANAGER}])
    assert response.status_code == 302
    assert ApprovalStep.objects.filter(chain=chain, role=StepRole.GENERAL_MANAGER).exists()

    later = submitted()
    for destruction_list in (running, later):
        services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
        services.destruction_list_appraise(destruction_list, by=people["manager"])
        services.destruction_list_approve(destruction_list, by=people["director"])
    running.refresh_from_db()
    later.refresh_from_db()
    assert running.status == ListStatus.HELD  # made before the edit: the director's signature ends it
    assert later.status == ListStatus.APPRAISED  # made after: the general manager signs last
    assert "approve" in services.permissions.destruction_list_actions(general_manager, later)
    services.destruction_list_approve(later, by=general_manager)
    later.refresh_from_db()
    assert later.status == ListStatus.HELD and later.approved_by == general_manager


def test_a_deputy_signs_on_behalf_of_the_director_and_opens_the_list(
    destruction_people, submitted, make_user, client_for
):
    people = destruction_people
    assistant = make_user(Role.SALES, department=people["owner"].department, username="assistant")
    deputy_appoint(
        principal=people["director"],
        deputy=assistant,
        starts_on=date(2000, 1, 1),
        ends_on=date(2999, 12, 31),
        reason="出差",
    )
    destruction_list = submitted()
    assert client_for(assistant).get(reverse("destruction:detail", args=[destruction_list.pk])).status_code == 403
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    page = detail_page(client_for(assistant), destruction_list)
    assert "批准销毁" in page
    client_for(assistant).post(reverse("destruction:approve", args=[destruction_list.pk]))
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.HELD and destruction_list.approved_by == assistant
    step = ApprovalTask.objects.get(kind=RequestKind.DESTRUCTION, request_id=destruction_list.pk, stage=2)
    assert step.decided_by == assistant and step.on_behalf_of == people["director"]
    assert "代 " + str(people["director"]) in detail_page(client_for(people["clerk"]), destruction_list)
    # The director cannot sign again through the chain the deputy signed for them.
    with pytest.raises(ActionRefused):
        services.destruction_list_approve(destruction_list, by=people["director"])


def test_a_step_nobody_holds_is_reported_to_the_administrators(destruction_people, submitted, make_user):
    people = destruction_people
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    people["director"].groups.clear()
    destruction_list = submitted()
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    assert Notification.objects.filter(recipient=admin, message__contains=destruction_list.number).exists()


def test_a_chain_of_one_stage_holds_the_list_apart_at_the_last_appraisal(
    destruction_people, submitted, make_user, client_for
):
    people = destruction_people
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    chain = ApprovalChain.objects.get(kind=RequestKind.DESTRUCTION, tier="")
    response = post_chain(
        client_for(admin),
        chain,
        edit=lambda step: {**step, "DELETE": step["role"] == StepRole.CUSTOMER_DIRECTOR},
    )
    assert response.status_code == 302
    destruction_list = submitted()
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.SUBMITTED
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.HELD and destruction_list.approved_by == people["manager"]
