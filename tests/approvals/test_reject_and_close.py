"""SPEC §9: a refusal ends the chain — the steps after it are skipped, recorded as never signed;
a request ended otherwise (withdrawn, refused by a rule) skips its open steps."""

import pytest

from approvals.models import RequestKind, StepRole, TaskStatus
from approvals.services import ApprovalOutcome, Subject, approval_close, subject_for_customer
from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier

from .conftest import open_request, sign, timeline

pytestmark = pytest.mark.django_db

READ = RequestKind.READ


@pytest.fixture
def outsiders_read(archive, people):
    open_request(READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL]))
    return people


def test_a_refusal_at_the_first_step_skips_every_step_after_it(outsiders_read):
    decision = sign(READ, outsiders_read["outsider_manager"], approve=False, comment="  无业务需要  ")

    assert decision.outcome == ApprovalOutcome.REJECTED
    assert timeline(READ) == [
        (1, StepRole.REQUESTER_DEPARTMENT_MANAGER, TaskStatus.REJECTED, "othermgr", None),
        (2, StepRole.TIER_MANAGER, TaskStatus.SKIPPED, None, None),
        (3, StepRole.GENERAL_MANAGER, TaskStatus.SKIPPED, None, None),
    ]
    assert decision.task.comment == "无业务需要"
    assert decision.task.decided_at is not None


def test_a_refusal_at_a_later_step_keeps_the_signatures_before_it(outsiders_read):
    sign(READ, outsiders_read["outsider_manager"])

    assert sign(READ, outsiders_read["manager"], approve=False, comment="涉及商业秘密").outcome == (
        ApprovalOutcome.REJECTED
    )
    assert timeline(READ) == [
        (1, StepRole.REQUESTER_DEPARTMENT_MANAGER, TaskStatus.APPROVED, "othermgr", None),
        (2, StepRole.TIER_MANAGER, TaskStatus.REJECTED, "manager", None),
        (3, StepRole.GENERAL_MANAGER, TaskStatus.SKIPPED, None, None),
    ]


def test_a_refused_chain_takes_no_more_signatures(outsiders_read):
    sign(READ, outsiders_read["outsider_manager"], approve=False, comment="不同意")

    for latecomer in ["manager", "general_manager"]:
        with pytest.raises(ActionRefused):
            sign(READ, outsiders_read[latecomer])


def test_one_appraisers_refusal_skips_the_other_appraiser_and_the_director(people):
    sales = people["owner"].department
    open_request(RequestKind.DESTRUCTION, Subject(requester=people["clerk"], producing_department_id=sales.pk))

    assert sign(RequestKind.DESTRUCTION, people["cs_manager"], approve=False, comment="尚有纠纷").outcome == (
        ApprovalOutcome.REJECTED
    )
    assert timeline(RequestKind.DESTRUCTION) == [
        (1, StepRole.CS_MANAGER, TaskStatus.REJECTED, "csmgr", None),
        (1, StepRole.PRODUCING_DEPARTMENT_MANAGER, TaskStatus.SKIPPED, None, None),
        (2, StepRole.CUSTOMER_DIRECTOR, TaskStatus.SKIPPED, None, None),
    ]
    with pytest.raises(ActionRefused):
        sign(RequestKind.DESTRUCTION, people["manager"])


def test_closing_a_request_skips_its_open_steps_and_keeps_its_signatures(outsiders_read):
    sign(READ, outsiders_read["outsider_manager"])

    assert approval_close(kind=READ, request_id=1) == 2
    assert timeline(READ) == [
        (1, StepRole.REQUESTER_DEPARTMENT_MANAGER, TaskStatus.APPROVED, "othermgr", None),
        (2, StepRole.TIER_MANAGER, TaskStatus.SKIPPED, None, None),
        (3, StepRole.GENERAL_MANAGER, TaskStatus.SKIPPED, None, None),
    ]
    with pytest.raises(ActionRefused):
        sign(READ, outsiders_read["manager"])


def test_closing_a_request_leaves_other_requests_running(archive, outsiders_read):
    subject = subject_for_customer(outsiders_read["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    open_request(READ, subject, request_id=2)
    open_request(RequestKind.BORROW, subject, request_id=1)

    approval_close(kind=READ, request_id=1)

    assert [status for _s, _r, status, *_ in timeline(READ, request_id=2)][0] == TaskStatus.WAITING
    assert [status for _s, _r, status, *_ in timeline(RequestKind.BORROW)][0] == TaskStatus.WAITING


def test_closing_a_finished_request_changes_nothing(archive, people):
    open_request(
        RequestKind.PHOTOCOPY, subject_for_customer(people["owner"], archive["customers"][SecrecyTier.PERSONAL])
    )
    sign(RequestKind.PHOTOCOPY, people["archive_manager"])

    assert approval_close(kind=RequestKind.PHOTOCOPY, request_id=1) == 0
    assert timeline(RequestKind.PHOTOCOPY) == [(1, StepRole.ARCHIVE_MANAGER, TaskStatus.APPROVED, "archmgr", None)]
