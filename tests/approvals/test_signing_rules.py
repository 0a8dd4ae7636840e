"""SPEC §9: each step is signed only by the person it names, when it is due — never by the
requester, never twice by one person in one chain."""

import pytest

from accounts.roles import Role
from approvals.models import ApprovalTask, RequestKind, StepRole, TaskStatus
from approvals.services import ApprovalOutcome, Subject, subject_for_customer
from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier

from .conftest import open_request, sign, timeline

pytestmark = pytest.mark.django_db

READ = RequestKind.READ
NOT_DUE = "当前不需要您审批"
SIGNED_ALREADY = "同一人不能签署两次"
OWN_REQUEST = "不能审批自己的申请"


@pytest.fixture
def outsiders_read(archive, people):
    """The outsider asks to read the personal-tier customer: their manager (other department) →
    the sales department's manager (the tier's) → the general manager."""
    open_request(READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL]))
    return people


def statuses(kind=READ, request_id=1):
    return [status for _stage, _role, status, *_ in timeline(kind, request_id=request_id)]


def test_the_requester_cannot_sign_their_own_request(outsiders_read):
    with pytest.raises(ActionRefused, match=OWN_REQUEST):
        sign(READ, outsiders_read["outsider"])

    assert statuses() == [TaskStatus.WAITING, TaskStatus.QUEUED, TaskStatus.QUEUED]


def test_a_requester_holding_the_steps_role_cannot_sign_it(archive, people):
    archive_manager = people["archive_manager"]
    open_request(
        RequestKind.PHOTOCOPY, subject_for_customer(archive_manager, archive["customers"][SecrecyTier.COMPANY])
    )

    with pytest.raises(ActionRefused, match=OWN_REQUEST):
        sign(RequestKind.PHOTOCOPY, archive_manager)
    assert not ApprovalTask.objects.filter(decided_by=archive_manager).exists()


@pytest.mark.parametrize(
    ("intruder", "signed_before"),
    [
        pytest.param("third_manager", [], id="another_departments_manager_on_the_requesters_department_step"),
        pytest.param("colleague", [], id="a_sales_person_of_the_requesters_department_step"),
        pytest.param("third_manager", ["outsider_manager"], id="another_departments_manager_on_the_tier_step"),
        pytest.param("owner", ["outsider_manager"], id="the_customers_owner_on_the_tier_step"),
        pytest.param("marketing_director", ["outsider_manager"], id="a_director_on_a_department_managers_step"),
        pytest.param("archive_manager", ["outsider_manager", "manager"], id="an_archive_manager_on_the_gm_step"),
    ],
)
def test_a_step_is_refused_to_someone_it_does_not_name(outsiders_read, intruder, signed_before):
    for signer in signed_before:
        sign(READ, outsiders_read[signer])
    before = statuses()

    with pytest.raises(ActionRefused, match=NOT_DUE):
        sign(READ, outsiders_read[intruder])
    assert statuses() == before


def test_a_department_manager_signs_the_requesters_step_only_for_their_own_department(outsiders_read):
    with pytest.raises(ActionRefused, match=NOT_DUE):
        sign(READ, outsiders_read["manager"])  # named by stage 2, for the sales department

    assert sign(READ, outsiders_read["outsider_manager"]).task.step_role == StepRole.REQUESTER_DEPARTMENT_MANAGER


@pytest.mark.parametrize(
    ("early", "signed_before"),
    [
        pytest.param("manager", [], id="stage_2_before_stage_1"),
        pytest.param("general_manager", [], id="stage_3_before_stage_1"),
        pytest.param("general_manager", ["outsider_manager"], id="stage_3_before_stage_2"),
    ],
)
def test_a_step_not_yet_due_cannot_be_signed(outsiders_read, early, signed_before):
    for signer in signed_before:
        sign(READ, outsiders_read[signer])
    before = statuses()

    with pytest.raises(ActionRefused, match=NOT_DUE):
        sign(READ, outsiders_read[early])
    assert statuses() == before


def test_a_person_holding_two_roles_signs_once_in_a_chain(outsiders_read, make_user):
    people = outsiders_read
    two_roles = make_user(
        Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER, department=people["manager"].department, username="tworoles"
    )
    sign(READ, people["outsider_manager"])
    sign(READ, two_roles)  # as the sales department's manager, the tier's

    with pytest.raises(ActionRefused, match=SIGNED_ALREADY):
        sign(READ, two_roles)  # as general manager
    assert sign(READ, people["general_manager"]).outcome == ApprovalOutcome.APPROVED
    assert timeline(READ) == [
        (1, StepRole.REQUESTER_DEPARTMENT_MANAGER, TaskStatus.APPROVED, "othermgr", None),
        (2, StepRole.TIER_MANAGER, TaskStatus.APPROVED, "tworoles", None),
        (3, StepRole.GENERAL_MANAGER, TaskStatus.APPROVED, "gm", None),
    ]


def test_an_appraiser_holding_both_parallel_roles_signs_one_of_them(archive, people, make_user):
    sales = people["owner"].department
    both = make_user(Role.DEPARTMENT_MANAGER, Role.CS_MANAGER, department=sales, username="both")
    open_request(RequestKind.DESTRUCTION, Subject(requester=people["clerk"], producing_department_id=sales.pk))

    assert sign(RequestKind.DESTRUCTION, both).outcome == ApprovalOutcome.PENDING
    with pytest.raises(ActionRefused, match=SIGNED_ALREADY):
        sign(RequestKind.DESTRUCTION, both)
    assert sign(RequestKind.DESTRUCTION, people["manager"]).outcome == ApprovalOutcome.PENDING
    assert sign(RequestKind.DESTRUCTION, people["director"]).outcome == ApprovalOutcome.APPROVED


def test_a_chain_already_approved_takes_no_more_signatures(archive, people, make_user):
    open_request(
        RequestKind.PHOTOCOPY, subject_for_customer(people["owner"], archive["customers"][SecrecyTier.PERSONAL])
    )
    sign(RequestKind.PHOTOCOPY, people["archive_manager"])
    second_archive_manager = make_user(Role.ARCHIVE_MANAGER, department=people["clerk"].department)

    with pytest.raises(ActionRefused, match=NOT_DUE):
        sign(RequestKind.PHOTOCOPY, second_archive_manager)


def test_a_request_that_was_never_opened_cannot_be_signed(people):
    with pytest.raises(ActionRefused, match="没有待审批的步骤"):
        sign(READ, people["general_manager"], request_id=404)


def test_signing_one_request_leaves_another_of_the_same_kind_alone(archive, people):
    subject = subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    open_request(READ, subject, request_id=1)
    open_request(READ, subject, request_id=2)

    sign(READ, people["outsider_manager"], request_id=1)

    assert statuses(request_id=1) == [TaskStatus.APPROVED, TaskStatus.WAITING, TaskStatus.QUEUED]
    assert statuses(request_id=2) == [TaskStatus.WAITING, TaskStatus.QUEUED, TaskStatus.QUEUED]
