"""SPEC §9: administrators edit the chains in 系统管理; a change affects new requests only, and a
chain that could not be signed is refused with a message, storing nothing."""

import pytest
from django.urls import reverse

from approvals.models import ApprovalChain, ApprovalStep, ApprovalTask, RequestKind, StepCondition, StepRole, TaskStatus
from approvals.services import ApprovalOutcome, approval_plan, subject_for_customer
from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier

from .conftest import open_request, sign, timeline

pytestmark = pytest.mark.django_db


def change_url(chain):
    return reverse("admin:approvals_approvalchain_change", args=[chain.pk])


def steps_of(chain):
    return list(ApprovalStep.objects.filter(chain=chain).order_by("stage", "id").values_list("stage", "role", "active"))


def post_chain(client, chain, *, edit=lambda step: step, new=()):
    """POST the chain's change page: each stored step as `edit(fields)` returns it (add "DELETE"
    to delete it), then the `new` steps. The inline's prefix is read from the page itself."""
    page = client.get(change_url(chain))
    assert page.status_code == 200
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    stored = [
        edit(
            {"id": step.pk, "stage": step.stage, "role": step.role, "condition": step.condition, "active": step.active}
        )
        for step in chain.steps.order_by("stage", "id")
    ]
    rows = stored + [{"id": "", "active": True, "condition": StepCondition.ALWAYS, **step} for step in new]
    data = {
        "kind": chain.kind,
        "tier": chain.tier,
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": len(stored),
        f"{prefix}-MIN_NUM_FORMS": 1,
        f"{prefix}-MAX_NUM_FORMS": 1000,
        "_save": "保存",
    }
    for index, row in enumerate(rows):
        fields = {"id": row["id"], "chain": chain.pk, "stage": row["stage"], "role": row["role"]}
        fields["condition"] = row["condition"]
        if row.get("active"):
            fields["active"] = "on"
        if row.get("DELETE"):
            fields["DELETE"] = "on"
        data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})
    return client.post(change_url(chain), data)


@pytest.fixture
def admin_client(client_for, superuser):
    return client_for(superuser)


@pytest.fixture
def personal_read_chain():
    return ApprovalChain.objects.get(kind=RequestKind.READ, tier=SecrecyTier.PERSONAL)


def switch_off_the_general_manager_and_add_the_archive_manager(admin_client, chain):
    def edit(step):
        return {**step, "active": step["role"] != StepRole.GENERAL_MANAGER}

    return post_chain(admin_client, chain, edit=edit, new=[{"stage": 3, "role": StepRole.ARCHIVE_MANAGER}])


def test_an_edited_chain_decides_who_approves_the_next_request_not_a_running_one(
    archive, people, admin_client, personal_read_chain
):
    subject = subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    open_request(RequestKind.READ, subject, request_id=1)

    response = switch_off_the_general_manager_and_add_the_archive_manager(admin_client, personal_read_chain)
    assert response.status_code == 302
    open_request(RequestKind.READ, subject, request_id=2)

    roles = [StepRole.REQUESTER_DEPARTMENT_MANAGER, StepRole.TIER_MANAGER]
    assert [step_role for _stage, step_role, *_ in timeline(RequestKind.READ, request_id=1)] == [
        *roles,
        StepRole.GENERAL_MANAGER,
    ]
    assert [step_role for _stage, step_role, *_ in timeline(RequestKind.READ, request_id=2)] == [
        *roles,
        StepRole.ARCHIVE_MANAGER,
    ]
    for request_id, last in [(1, people["general_manager"]), (2, people["archive_manager"])]:
        sign(RequestKind.READ, people["outsider_manager"], request_id=request_id)
        sign(RequestKind.READ, people["manager"], request_id=request_id)
        if request_id == 1:
            with pytest.raises(ActionRefused):
                sign(RequestKind.READ, people["archive_manager"], request_id=1)
        assert sign(RequestKind.READ, last, request_id=request_id).outcome == ApprovalOutcome.APPROVED


def test_an_edit_changes_only_the_chain_of_its_kind_and_tier(archive, people, admin_client, personal_read_chain):
    switch_off_the_general_manager_and_add_the_archive_manager(admin_client, personal_read_chain)

    subject = subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.DEPARTMENT])
    assert [step_role for _stage, step_role, *_ in approval_plan(RequestKind.READ, subject)] == [
        StepRole.REQUESTER_DEPARTMENT_MANAGER,
        StepRole.TIER_MANAGER,
        StepRole.GENERAL_MANAGER,
    ]


def test_a_chain_with_no_active_step_is_refused_and_nothing_is_stored(admin_client, personal_read_chain):
    before = steps_of(personal_read_chain)

    response = post_chain(admin_client, personal_read_chain, edit=lambda step: {**step, "active": False})

    assert response.status_code == 200
    assert "审批流程至少需要一个启用的步骤。" in response.content.decode()
    assert steps_of(personal_read_chain) == before


def test_a_chain_with_every_step_deleted_is_refused_and_nothing_is_stored(admin_client, personal_read_chain):
    before = steps_of(personal_read_chain)

    response = post_chain(admin_client, personal_read_chain, edit=lambda step: {**step, "DELETE": True})

    assert response.status_code == 200
    assert "审批流程至少需要一个启用的步骤。" in response.content.decode()
    assert steps_of(personal_read_chain) == before


def test_a_destruction_chain_naming_a_tier_manager_is_refused(admin_client):
    chain = ApprovalChain.objects.get(kind=RequestKind.DESTRUCTION, tier="")
    before = steps_of(chain)

    response = post_chain(admin_client, chain, new=[{"stage": 3, "role": StepRole.TIER_MANAGER}])

    assert response.status_code == 200
    assert "销毁清册、导出、过夜留存和丢失注销不分密级，不能以“密级管理人”为审批人。" in response.content.decode()
    assert steps_of(chain) == before


def test_an_export_chain_naming_a_tier_manager_is_refused(admin_client):
    chain = ApprovalChain.objects.get(kind=RequestKind.EXPORT, tier="")
    before = steps_of(chain)

    response = post_chain(admin_client, chain, edit=lambda step: {**step, "role": StepRole.TIER_MANAGER})

    assert response.status_code == 200
    assert steps_of(chain) == before


def test_a_chain_only_the_requesters_manager_signs_must_skip_managers_requests(admin_client):
    chain = ApprovalChain.objects.get(kind=RequestKind.EXPORT, tier="")
    before = list(chain.steps.values_list("role", "condition"))

    response = post_chain(admin_client, chain, edit=lambda step: {**step, "condition": StepCondition.ALWAYS})

    assert response.status_code == 200
    assert "请再加一个其他审批人" in response.content.decode()
    assert list(chain.steps.values_list("role", "condition")) == before


def test_a_chain_naming_one_role_twice_is_refused_without_an_error_page(admin_client, personal_read_chain):
    before = steps_of(personal_read_chain)

    response = post_chain(admin_client, personal_read_chain, new=[{"stage": 4, "role": StepRole.GENERAL_MANAGER}])

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert steps_of(personal_read_chain) == before


def test_the_chain_pages_are_for_superusers_only(people, client_for, personal_read_chain):
    staff_manager = people["general_manager"]
    staff_manager.is_staff = True
    staff_manager.save()

    assert client_for(staff_manager).get(change_url(personal_read_chain)).status_code == 403


def test_signatures_are_read_only_in_the_admin(archive, people, admin_client):
    open_request(RequestKind.READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL]))
    before = timeline(RequestKind.READ)
    first = ApprovalTask.objects.order_by("stage").first()

    admin_client.post(
        reverse("admin:approvals_approvaltask_change", args=[first.pk]),
        {"status": TaskStatus.APPROVED, "comment": "偷签"},
    )

    assert timeline(RequestKind.READ) == before
