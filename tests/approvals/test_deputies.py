"""SPEC §9: an approver away names a deputy for a date range; the deputy's signature is recorded
"on behalf of" them, only within those dates, and never lets one chain be signed twice by the
same person — in person or through a deputy."""

from datetime import date

import pytest
import time_machine

from accounts.models import Notification
from accounts.roles import Role
from approvals import selectors
from approvals.models import Deputy, RequestKind, StepRole, TaskStatus
from approvals.services import ApprovalOutcome, deputy_appoint, deputy_cancel, subject_for_customer
from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier

from .conftest import awaiting, open_request, shanghai, sign, timeline

pytestmark = pytest.mark.django_db

READ = RequestKind.READ
TIER_STEP = ("T-1", StepRole.TIER_MANAGER)
GM_STEP = ("T-1", StepRole.GENERAL_MANAGER)
TRIP = {"starts_on": date(2026, 6, 8), "ends_on": date(2026, 6, 12), "reason": "出差"}


@pytest.fixture
def assistant(people, make_user):
    """A sales person of the sales department, who holds no approver role of their own."""
    return make_user(Role.SALES, department=people["manager"].department, username="assistant")


@pytest.fixture
def two_roles(people, make_user):
    """The sales department's second manager, who is also a general manager."""
    return make_user(
        Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER, department=people["manager"].department, username="tworoles"
    )


@pytest.fixture
def outsiders_read(archive, people):
    """The outsider's read request on the personal-tier customer: stage 1 (their manager) is
    signed, stage 2 (the sales department's manager, the tier's) is due, stage 3 (GM) queued."""
    open_request(READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL]))
    sign(READ, people["outsider_manager"])
    return people


def test_a_deputy_sees_the_principals_step_and_signs_it_on_their_behalf(outsiders_read, assistant):
    manager = outsiders_read["manager"]
    deputy_appoint(principal=manager, deputy=assistant, **TRIP)

    assert awaiting(assistant) == [TIER_STEP]
    decision = sign(READ, assistant, comment="代经理审批")

    assert decision.outcome == ApprovalOutcome.PENDING
    assert (decision.task.decided_by, decision.task.on_behalf_of) == (assistant, manager)
    assert timeline(READ)[1] == (2, StepRole.TIER_MANAGER, TaskStatus.APPROVED, "assistant", "manager")
    assert awaiting(assistant) == []


def test_a_deputy_appointed_before_the_step_falls_due_is_notified_of_it(archive, people, assistant):
    deputy_appoint(principal=people["manager"], deputy=assistant, **TRIP)
    open_request(READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL]))
    assert not Notification.objects.filter(recipient=assistant).exists()

    sign(READ, people["outsider_manager"])

    assert Notification.objects.filter(recipient=assistant, message__contains="T-1").count() == 1


def test_the_principal_cannot_sign_after_their_deputy_did(outsiders_read, assistant):
    manager = outsiders_read["manager"]
    deputy_appoint(principal=manager, deputy=assistant, **TRIP)
    sign(READ, assistant)

    assert awaiting(manager) == []
    with pytest.raises(ActionRefused, match="同一人不能签署两次"):
        sign(READ, manager)


def test_a_principal_holding_two_roles_cannot_sign_the_next_step_after_their_deputy_signed_one(
    outsiders_read, two_roles, assistant
):
    deputy_appoint(principal=two_roles, deputy=assistant, **TRIP)
    assert sign(READ, assistant).task.on_behalf_of == two_roles  # the tier's step, as a sales manager

    assert awaiting(two_roles) == []
    with pytest.raises(ActionRefused, match="同一人不能签署两次"):
        sign(READ, two_roles)  # the general manager's step
    assert sign(READ, outsiders_read["general_manager"]).outcome == ApprovalOutcome.APPROVED


def test_a_deputy_signs_once_in_a_chain_even_for_a_principal_holding_two_roles(outsiders_read, two_roles, assistant):
    deputy_appoint(principal=two_roles, deputy=assistant, **TRIP)
    sign(READ, assistant)

    assert awaiting(assistant) == []
    with pytest.raises(ActionRefused, match="同一人不能签署两次"):
        sign(READ, assistant)


def test_a_deputy_who_also_holds_the_role_signs_in_person_and_not_again_for_the_principal(outsiders_read, two_roles):
    gm = outsiders_read["general_manager"]
    deputy_appoint(principal=gm, deputy=two_roles, **TRIP)
    sign(READ, two_roles)  # the tier's step, in person

    with pytest.raises(ActionRefused, match="同一人不能签署两次"):
        sign(READ, two_roles)  # the GM's step, for the general manager
    assert timeline(READ)[1][3:] == ("tworoles", None)


@pytest.mark.parametrize(
    ("instant", "may_sign"),
    [
        pytest.param(shanghai(2026, 6, 7, 23, 59), False, id="the_evening_before"),
        pytest.param(shanghai(2026, 6, 8, 0, 1), True, id="the_first_morning"),
        pytest.param(shanghai(2026, 6, 12, 23, 59), True, id="the_last_evening"),
        pytest.param(shanghai(2026, 6, 13, 0, 1), False, id="the_morning_after"),
        pytest.param(shanghai(2026, 7, 1), False, id="weeks_later"),
    ],
)
def test_a_deputy_signs_only_within_their_dates(outsiders_read, assistant, instant, may_sign):
    manager = outsiders_read["manager"]
    with time_machine.travel(shanghai(2026, 6, 5), tick=False):
        deputy_appoint(principal=manager, deputy=assistant, **TRIP)

    with time_machine.travel(instant, tick=False):
        if may_sign:
            assert awaiting(assistant) == [TIER_STEP]
            assert sign(READ, assistant).task.on_behalf_of == manager
        else:
            assert awaiting(assistant) == []
            with pytest.raises(ActionRefused, match="当前不需要您审批"):
                sign(READ, assistant)
            assert sign(READ, manager).task.on_behalf_of is None


def test_a_cancelled_delegation_stops_working_and_stays_on_record(outsiders_read, assistant):
    manager = outsiders_read["manager"]
    appointment = deputy_appoint(principal=manager, deputy=assistant, **TRIP)

    deputy_cancel(appointment, by=manager)

    assert awaiting(assistant) == []
    with pytest.raises(ActionRefused, match="当前不需要您审批"):
        sign(READ, assistant)
    assert Deputy.objects.get(pk=appointment.pk).cancelled_at is not None
    assert sign(READ, manager).task.decided_by == manager


def test_only_the_principal_cancels_a_delegation(outsiders_read, assistant):
    appointment = deputy_appoint(principal=outsiders_read["manager"], deputy=assistant, **TRIP)

    with pytest.raises(ActionRefused, match="只有被代理人"):
        deputy_cancel(appointment, by=assistant)
    assert awaiting(assistant) == [TIER_STEP]


def test_a_deputy_cannot_sign_for_their_principal_on_the_principals_own_request(archive, people, assistant):
    archive_manager = people["archive_manager"]
    open_request(
        RequestKind.PHOTOCOPY, subject_for_customer(archive_manager, archive["customers"][SecrecyTier.COMPANY])
    )
    deputy_appoint(principal=archive_manager, deputy=assistant, **TRIP)

    assert awaiting(assistant) == []
    with pytest.raises(ActionRefused):
        sign(RequestKind.PHOTOCOPY, assistant)


def test_a_deputy_signs_only_what_their_principal_could(outsiders_read, assistant):
    deputy_appoint(principal=outsiders_read["outsider_manager"], deputy=assistant, **TRIP)

    assert awaiting(assistant) == []
    with pytest.raises(ActionRefused, match="当前不需要您审批"):
        sign(READ, assistant)  # the due step is the sales department's, not the other's


@pytest.mark.parametrize(
    ("principal", "deputy", "dates", "reason", "message"),
    [
        pytest.param("owner", "colleague", TRIP, "出差", "只有审批人", id="a_sales_person_names_no_deputy"),
        pytest.param("manager", "manager", TRIP, "出差", "另一位在职同事", id="not_oneself"),
        pytest.param(
            "manager",
            "colleague",
            {"starts_on": date(2026, 6, 12), "ends_on": date(2026, 6, 8)},
            "出差",
            "结束日期不能早于开始日期",
            id="ends_before_it_starts",
        ),
        pytest.param(
            "manager",
            "colleague",
            {"starts_on": date(2026, 6, 1), "ends_on": date(2026, 6, 9)},
            "出差",
            "已经结束",
            id="already_over",
        ),
        pytest.param("manager", "colleague", TRIP, "   ", "代理事由", id="no_reason"),
    ],
)
def test_a_delegation_is_refused_with_a_message(people, principal, deputy, dates, reason, message):
    dates = {key: value for key, value in dates.items() if key != "reason"}

    with pytest.raises(ActionRefused, match=message):
        deputy_appoint(principal=people[principal], deputy=people[deputy], reason=reason, **dates)
    assert not Deputy.objects.exists()


def test_an_inactive_colleague_cannot_be_named_deputy(people):
    colleague = people["colleague"]
    colleague.is_active = False
    colleague.save()

    with pytest.raises(ActionRefused, match="另一位在职同事"):
        deputy_appoint(principal=people["manager"], deputy=colleague, **TRIP)


def test_the_inbox_of_a_deputy_whose_principal_already_signed_the_chain_is_empty(outsiders_read, two_roles, assistant):
    sign(READ, two_roles)  # the tier's step, in person; the general manager's step falls due
    deputy_appoint(principal=two_roles, deputy=assistant, **TRIP)

    with pytest.raises(ActionRefused):
        sign(READ, assistant)
    assert awaiting(assistant) == []


@pytest.mark.parametrize(
    "signed_principal_first",
    [
        pytest.param(False, id="the_principal_who_signed_comes_last"),
        pytest.param(
            True,
            id="the_principal_who_signed_comes_first",
        ),
    ],
)
def test_a_deputy_of_two_approvers_signs_for_the_one_who_has_not_signed(
    outsiders_read, two_roles, assistant, monkeypatch, signed_principal_first
):
    gm = outsiders_read["general_manager"]
    sign(READ, two_roles)  # the tier's step, in person
    deputy_appoint(principal=two_roles, deputy=assistant, **TRIP)
    deputy_appoint(principal=gm, deputy=assistant, **TRIP)
    # The database returns the principals in no set order: fix it, both ways.
    principals_of = selectors.principals_of
    monkeypatch.setattr(
        selectors,
        "principals_of",
        lambda user, *, on=None: sorted(
            principals_of(user, on=on), key=lambda person: (person == two_roles) != signed_principal_first
        ),
    )

    assert sign(READ, assistant).task.on_behalf_of == gm


def test_someone_who_already_signed_the_chain_is_not_told_its_next_step_awaits_them(outsiders_read, two_roles):
    told_before = Notification.objects.filter(recipient=two_roles).count()

    sign(READ, two_roles)  # the tier's step; the general manager's step falls due

    assert Notification.objects.filter(recipient=outsiders_read["general_manager"], message__contains="T-1").exists()
    assert Notification.objects.filter(recipient=two_roles).count() == told_before
