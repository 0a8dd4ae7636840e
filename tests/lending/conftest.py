import pytest

from accounts.roles import Role


@pytest.fixture
def lending_people(archive, make_user):
    """Besides the archive's people: a marketing director and a sales person of another department."""
    from tests.factories import DepartmentFactory

    people = archive["people"]
    other = DepartmentFactory(code="other")
    people["marketing_director"] = make_user(Role.MARKETING_DIRECTOR, department=other, username="md")
    people["outsider"] = make_user(Role.SALES, department=other, username="outsider")
    people["outsider_manager"] = make_user(Role.DEPARTMENT_MANAGER, department=other, username="othermgr")
    return people
