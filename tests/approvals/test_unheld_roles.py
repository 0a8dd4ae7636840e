"""SPEC §9: the next approvers are notified; a step whose role nobody holds is reported to the
administrators when it falls due, instead of waiting unseen."""

import pytest

from accounts.models import Notification
from accounts.roles import Role
from approvals.models import RequestKind, StepRole, TaskStatus
from approvals.services import subject_for_customer
from customers.models import SecrecyTier
from tests.factories import DepartmentFactory

from .conftest import open_request, sign, timeline

pytestmark = pytest.mark.django_db

NOBODY_HOLDS = "无人担任"
AWAITS_YOU = "待您审批"


def told(user, text):
    return list(Notification.objects.filter(recipient=user, message__contains=text).values_list("message", "link"))


@pytest.fixture
def no_marketing_director(people):
    """The marketing director has left the company: nobody manages the company tier."""
    director = people["marketing_director"]
    director.is_active = False
    director.save()
    return people


def test_a_first_step_nobody_holds_is_reported_to_the_administrators(archive, no_marketing_director, superuser):
    people = no_marketing_director
    open_request(
        RequestKind.PHOTOCOPY, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.COMPANY])
    )

    assert told(superuser, NOBODY_HOLDS) == [
        ("影印 T-1 的审批步骤“密级管理人”无人担任，请在系统管理中指定审批人。", "/requests/photocopy/1/")
    ]
    assert told(people["archive_manager"], AWAITS_YOU) == [
        (f"{people['outsider']} 的影印 T-1 待您审批。", "/requests/photocopy/1/")
    ]
    assert not told(people["marketing_director"], "T-1")


def test_a_later_step_nobody_holds_is_reported_when_it_falls_due(archive, no_marketing_director, superuser):
    people = no_marketing_director
    open_request(RequestKind.READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.COMPANY]))
    assert not told(superuser, "T-1")

    sign(RequestKind.READ, people["outsider_manager"])

    assert len(told(superuser, NOBODY_HOLDS)) == 1
    assert timeline(RequestKind.READ)[1][:3] == (2, StepRole.TIER_MANAGER, TaskStatus.WAITING)


def test_a_sales_department_without_a_head_is_reported_for_its_staffs_requests(archive, make_user, superuser):
    lonely = make_user(Role.SALES, department=DepartmentFactory(code="lonely"), username="lonely")

    open_request(RequestKind.EXPORT, subject_for_customer(lonely, archive["customers"][SecrecyTier.PERSONAL]))

    assert len(told(superuser, NOBODY_HOLDS)) == 1
    assert "申请人所在部门经理" in told(superuser, NOBODY_HOLDS)[0][0]


def test_a_step_only_the_requester_holds_is_reported_to_the_administrators(archive, people, superuser):
    archive_manager = people["archive_manager"]

    open_request(
        RequestKind.PHOTOCOPY, subject_for_customer(archive_manager, archive["customers"][SecrecyTier.COMPANY])
    )

    assert "内勤部经理" in told(superuser, NOBODY_HOLDS)[0][0]
    assert not told(archive_manager, AWAITS_YOU)
    assert told(people["marketing_director"], AWAITS_YOU)


def test_inactive_administrators_and_other_people_are_not_told(archive, no_marketing_director, superuser, make_user):
    retired = make_user(username="retired", is_staff=True, is_superuser=True, is_active=False)
    people = no_marketing_director

    open_request(
        RequestKind.PHOTOCOPY, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.COMPANY])
    )

    assert told(superuser, NOBODY_HOLDS)
    assert not told(retired, "T-1")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"root", "archmgr"}


def test_only_the_approvers_of_the_due_stage_are_told(archive, people):
    open_request(RequestKind.READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL]))

    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"othermgr"}
    sign(RequestKind.READ, people["outsider_manager"])
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"othermgr", "manager"}
