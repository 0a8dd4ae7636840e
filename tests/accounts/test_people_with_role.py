"""Who holds a role, optionally in one department: asked in one place (accounts.selectors)."""

import pytest

from accounts.roles import Role
from accounts.selectors import people_with_role
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_people_with_a_role_are_its_active_holders(make_user):
    first, second = make_user(Role.ARCHIVE_CLERK), make_user(Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER)
    make_user(Role.ARCHIVE_CLERK, is_active=False)
    make_user(Role.SALES)
    assert set(people_with_role(Role.ARCHIVE_CLERK)) == {first, second}


def test_people_with_a_role_in_a_department_are_only_that_departments(make_user):
    sales, service = DepartmentFactory(code="sales"), DepartmentFactory(code="service")
    ours = make_user(Role.DEPARTMENT_MANAGER, department=sales)
    make_user(Role.DEPARTMENT_MANAGER, department=service)
    make_user(Role.SALES, department=sales)
    assert list(people_with_role(Role.DEPARTMENT_MANAGER, department=sales)) == [ours]
    assert list(people_with_role(Role.DEPARTMENT_MANAGER, department=sales.pk)) == [ours]


def test_people_holding_either_of_two_roles_are_listed_once(make_user):
    both = make_user(Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER)
    clerk = make_user(Role.ARCHIVE_CLERK)
    either = people_with_role(Role.ARCHIVE_CLERK) | people_with_role(Role.ARCHIVE_MANAGER)
    assert sorted(person.pk for person in either) == sorted([both.pk, clerk.pk])
