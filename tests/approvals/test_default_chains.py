"""SPEC §9: the default chains the data migration installs, for every request kind and secrecy
tier, planned step by step and then signed through to approval."""

import pytest

from accounts.models import Department
from accounts.roles import Role
from approvals import services
from approvals.models import ApprovalTask, RequestKind, StepRole, TaskStatus
from approvals.services import ApprovalOutcome, Subject, approval_plan, subject_for_customer
from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier

from .conftest import open_request, sign, timeline

pytestmark = pytest.mark.django_db

COMPANY, DEPARTMENT, PERSONAL, TOP_SECRET = (
    SecrecyTier.COMPANY,
    SecrecyTier.DEPARTMENT,
    SecrecyTier.PERSONAL,
    SecrecyTier.TOP_SECRET,
)

# A step as (step role, resolved role, department code or None for company-wide, who signs it).
OUTSIDERS_MANAGER = (StepRole.REQUESTER_DEPARTMENT_MANAGER, Role.DEPARTMENT_MANAGER, "other", "othermgr")
SALES_MANAGER = (StepRole.REQUESTER_DEPARTMENT_MANAGER, Role.DEPARTMENT_MANAGER, "sales", "manager")
ARCHIVE_OFFICE_HEAD = (StepRole.REQUESTER_DEPARTMENT_MANAGER, Role.ARCHIVE_MANAGER, "archive", "archmgr")
TIER_MANAGER = {
    COMPANY: (StepRole.TIER_MANAGER, Role.MARKETING_DIRECTOR, None, "md"),
    DEPARTMENT: (StepRole.TIER_MANAGER, Role.DEPARTMENT_MANAGER, "sales", "manager"),
    PERSONAL: (StepRole.TIER_MANAGER, Role.DEPARTMENT_MANAGER, "sales", "manager"),
    TOP_SECRET: (StepRole.TIER_MANAGER, Role.GENERAL_MANAGER, None, "gm"),
}
ARCHIVE_MANAGER = (StepRole.ARCHIVE_MANAGER, Role.ARCHIVE_MANAGER, None, "archmgr")
GENERAL_MANAGER = (StepRole.GENERAL_MANAGER, Role.GENERAL_MANAGER, None, "gm")
CS_MANAGER = (StepRole.CS_MANAGER, Role.CS_MANAGER, None, "csmgr")
PRODUCING_MANAGER = (StepRole.PRODUCING_DEPARTMENT_MANAGER, Role.DEPARTMENT_MANAGER, "sales", "manager")
CUSTOMER_DIRECTOR = (StepRole.CUSTOMER_DIRECTOR, Role.CUSTOMER_DIRECTOR, None, "custdir")

OPEN_TO_OWNER = [COMPANY, DEPARTMENT, PERSONAL]  # the owner reads these without asking


def case(kind, tier, requester, *steps, note=""):
    """A parametrized case: `steps` are (stage, step) pairs, in signing order."""
    label = f"{kind}-{tier or 'any_tier'}-by-{requester}" + (f"-{note}" if note else "")
    return pytest.param(kind, tier, requester, [(stage, *step) for stage, step in steps], id=label)


CASES = [
    # Read access: requester's department manager → tier manager → general manager.
    *[
        case(RequestKind.READ, tier, "outsider", (1, OUTSIDERS_MANAGER), (2, TIER_MANAGER[tier]), (3, GENERAL_MANAGER))
        for tier in [COMPANY, DEPARTMENT, PERSONAL]
    ],
    case(
        RequestKind.READ,
        TOP_SECRET,
        "outsider",
        (1, OUTSIDERS_MANAGER),
        (2, TIER_MANAGER[TOP_SECRET]),
        note="tier_manager_and_gm_merge",
    ),
    *[
        case(
            RequestKind.READ,
            tier,
            "colleague",
            (1, SALES_MANAGER),
            (2, GENERAL_MANAGER),
            note="own_manager_is_the_tier_manager",
        )
        for tier in [DEPARTMENT, PERSONAL]
    ],
    # Borrowing an original: requester's department manager → archive manager (∥ tier manager when closed).
    *[
        case(
            RequestKind.BORROW,
            tier,
            "outsider",
            (1, OUTSIDERS_MANAGER),
            (2, ARCHIVE_MANAGER),
            (2, TIER_MANAGER[tier]),
            note="tier_closed",
        )
        for tier in SecrecyTier
    ],
    *[
        case(RequestKind.BORROW, tier, "owner", (1, SALES_MANAGER), (2, ARCHIVE_MANAGER), note="tier_open")
        for tier in OPEN_TO_OWNER
    ],
    case(
        RequestKind.BORROW,
        TOP_SECRET,
        "owner",
        (1, SALES_MANAGER),
        (2, ARCHIVE_MANAGER),
        (2, TIER_MANAGER[TOP_SECRET]),
        note="tier_closed",
    ),
    case(
        RequestKind.BORROW,
        PERSONAL,
        "clerk",
        (1, ARCHIVE_OFFICE_HEAD),
        (2, TIER_MANAGER[PERSONAL]),
        note="archive_manager_heads_the_office_and_signs_once",
    ),
    # Photocopy: archive manager (∥ tier manager when closed).
    *[case(RequestKind.PHOTOCOPY, tier, "owner", (1, ARCHIVE_MANAGER), note="tier_open") for tier in OPEN_TO_OWNER],
    case(
        RequestKind.PHOTOCOPY,
        TOP_SECRET,
        "owner",
        (1, ARCHIVE_MANAGER),
        (1, TIER_MANAGER[TOP_SECRET]),
        note="tier_closed",
    ),
    *[
        case(RequestKind.PHOTOCOPY, tier, "outsider", (1, ARCHIVE_MANAGER), (1, TIER_MANAGER[tier]), note="tier_closed")
        for tier in SecrecyTier
    ],
    # Export (one chain for every tier): the requester's department manager, nobody for managers
    # and directors.
    *[case(RequestKind.EXPORT, tier, "owner", (1, SALES_MANAGER)) for tier in ["", *SecrecyTier]],
    *[case(RequestKind.EXPORT, tier, "outsider", (1, OUTSIDERS_MANAGER)) for tier in ["", *SecrecyTier]],
    *[case(RequestKind.EXPORT, tier, "manager", note="nobody") for tier in ["", *SecrecyTier]],
    *[case(RequestKind.EXPORT, tier, "md", note="nobody") for tier in ["", *SecrecyTier]],
    # Destruction list (one chain for every tier): customer service manager ∥ producing
    # department's manager → customer director.
    *[
        case(
            RequestKind.DESTRUCTION,
            tier,
            "clerk",
            (1, CS_MANAGER),
            (1, PRODUCING_MANAGER),
            (2, CUSTOMER_DIRECTOR),
        )
        for tier in ["", *SecrecyTier]
    ],
]


@pytest.fixture
def by_username(people):
    return {person.username: person for person in people.values()}


@pytest.fixture
def subject_of(archive, by_username):
    """The subject as the flows build it: about a customer of `tier`, or, for a request spanning
    tiers (tier ""), about the requester alone — and the producing department for destruction."""

    def make(kind, tier, requester):
        requester = by_username[requester]
        if kind == RequestKind.DESTRUCTION:
            sales = archive["people"]["owner"].department
            return Subject(requester=requester, tier=tier, producing_department_id=sales.pk)
        if not tier:
            return Subject(requester=requester)
        return subject_for_customer(requester, archive["customers"][tier])

    return make


def expected_plan(steps):
    departments = dict(Department.objects.values_list("code", "pk"))
    return [
        (stage, step_role, role, departments[code] if code else None) for stage, step_role, role, code, _signer in steps
    ]


@pytest.mark.parametrize(("kind", "tier", "requester", "steps"), CASES)
def test_the_default_plan_names_each_step_in_order(kind, tier, requester, steps, subject_of):
    assert approval_plan(kind, subject_of(kind, tier, requester)) == expected_plan(steps)


@pytest.mark.parametrize(("kind", "tier", "requester", "steps"), [c for c in CASES if c.values[3]])
def test_the_default_chain_is_signed_through_to_approval(kind, tier, requester, steps, subject_of, by_username):
    tasks = open_request(kind, subject_of(kind, tier, requester))

    assert [(task.stage, task.step_role, task.status) for task in tasks] == [
        (stage, step_role, TaskStatus.WAITING if stage == 1 else TaskStatus.QUEUED)
        for stage, step_role, *_rest in steps
    ]
    outcomes = []
    for stage, step_role, _role, _code, signer in steps:
        decision = sign(kind, by_username[signer])
        assert (decision.task.stage, decision.task.step_role) == (stage, step_role)
        outcomes.append(decision.outcome)
    assert outcomes == [ApprovalOutcome.PENDING] * (len(steps) - 1) + [ApprovalOutcome.APPROVED]
    assert timeline(kind) == [
        (stage, step_role, TaskStatus.APPROVED, signer, None) for stage, step_role, _role, _code, signer in steps
    ]


def test_a_managers_export_opens_no_steps_and_takes_no_signature(people):
    assert open_request(RequestKind.EXPORT, Subject(requester=people["manager"])) == []
    assert not ApprovalTask.objects.exists()
    with pytest.raises(ActionRefused, match="没有待审批的步骤"):
        sign(RequestKind.EXPORT, people["general_manager"])


def test_the_steps_of_a_stage_fall_due_together_when_the_stage_before_is_approved(archive, people):
    subject = subject_for_customer(people["outsider"], archive["customers"][PERSONAL])
    open_request(RequestKind.BORROW, subject)

    sign(RequestKind.BORROW, people["outsider_manager"])

    assert [status for _stage, _role, status, *_ in timeline(RequestKind.BORROW)] == [
        TaskStatus.APPROVED,
        TaskStatus.WAITING,
        TaskStatus.WAITING,
    ]


def test_parallel_appraisers_sign_in_either_order_and_the_director_waits_for_both(archive, people):
    sales = people["owner"].department
    subject = Subject(requester=people["clerk"], producing_department_id=sales.pk)
    open_request(RequestKind.DESTRUCTION, subject)

    assert sign(RequestKind.DESTRUCTION, people["manager"]).outcome == ApprovalOutcome.PENDING
    with pytest.raises(ActionRefused):
        sign(RequestKind.DESTRUCTION, people["director"])
    assert sign(RequestKind.DESTRUCTION, people["cs_manager"]).outcome == ApprovalOutcome.PENDING
    assert sign(RequestKind.DESTRUCTION, people["director"]).outcome == ApprovalOutcome.APPROVED


def test_a_destruction_chain_without_a_producing_department_is_refused_with_a_message(people):
    with pytest.raises(ActionRefused, match="找不到对应的部门"):
        approval_plan(RequestKind.DESTRUCTION, Subject(requester=people["clerk"]))


def test_an_extension_follows_the_chain_of_the_loan_it_extends(archive, people):
    subject = subject_for_customer(people["outsider"], archive["customers"][PERSONAL])
    tasks = services.approval_open(
        kind=RequestKind.EXTENSION, request_id=7, reference="X-7", subject=subject, chain_kind=RequestKind.BORROW
    )

    assert [(task.kind, task.stage, task.step_role) for task in tasks] == [
        (RequestKind.EXTENSION, 1, StepRole.REQUESTER_DEPARTMENT_MANAGER),
        (RequestKind.EXTENSION, 2, StepRole.ARCHIVE_MANAGER),
        (RequestKind.EXTENSION, 2, StepRole.TIER_MANAGER),
    ]
    with pytest.raises(ActionRefused, match="尚未配置"):
        approval_plan(RequestKind.EXTENSION, subject)
