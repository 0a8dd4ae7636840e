"""People and helpers for the approval-chain tests (SPEC §9).

Besides the archive's people (tests/conftest.py: "owner" and "colleague" sell in the sales
department that "manager" heads; the archive office holds the clerks, the archive manager and
the general manager), a sales person of another department with their own manager, the
company-wide approvers, and a manager of a third department whom no default step names.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from approvals import selectors, services
from tests.factories import DepartmentFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
JUNE_TENTH = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)


def shanghai(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _june_tenth():
    """Every test here starts on 2026-06-10, 10:00 in Shanghai (never the wall clock); tests about
    dates travel further from there."""
    with time_machine.travel(JUNE_TENTH, tick=True):
        yield


@pytest.fixture
def people(archive, make_user):
    people = archive["people"]
    other = DepartmentFactory(code="other")
    people["outsider"] = make_user(Role.SALES, department=other, username="outsider")
    people["outsider_manager"] = make_user(Role.DEPARTMENT_MANAGER, department=other, username="othermgr")
    people["third_manager"] = make_user(
        Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="third"), username="thirdmgr"
    )
    people["marketing_director"] = make_user(
        Role.MARKETING_DIRECTOR, department=DepartmentFactory(code="marketing"), username="md"
    )
    people["cs_manager"] = make_user(Role.CS_MANAGER, department=DepartmentFactory(code="service"), username="csmgr")
    people["director"] = make_user(
        Role.CUSTOMER_DIRECTOR, department=DepartmentFactory(code="direction"), username="custdir"
    )
    return people


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


def open_request(kind, subject, *, request_id=1):
    """approval_open for request `request_id` of `kind`, referenced as T-<id>."""
    return services.approval_open(
        kind=kind,
        request_id=request_id,
        reference=f"T-{request_id}",
        subject=subject,
        link=f"/requests/{kind}/{request_id}/",
    )


def sign(kind, by, *, request_id=1, approve=True, comment=""):
    return services.approval_decide(kind=kind, request_id=request_id, by=by, approve=approve, comment=comment)


def timeline(kind, *, request_id=1):
    """The request's steps as (stage, step role, status, signer, on whose behalf) — usernames."""
    return [
        (
            task.stage,
            task.step_role,
            task.status,
            task.decided_by.username if task.decided_by else None,
            task.on_behalf_of.username if task.on_behalf_of else None,
        )
        for task in selectors.approval_timeline(kind, request_id)
    ]


def awaiting(user):
    """The steps `user` may sign now, as (reference, step role)."""
    return [(task.reference, task.step_role) for task in selectors.tasks_awaiting(user)]
