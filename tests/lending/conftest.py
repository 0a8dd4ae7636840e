import pytest

from accounts.roles import Role
from customers.models import SecrecyTier
from dossiers import services as dossier_services


@pytest.fixture
def formal_dossier(archive, ready_dossier):
    """formal_dossier(tier) → a shelved formal dossier of the customer of that tier."""
    positions = iter(range(1, 11))

    def make(tier=SecrecyTier.PERSONAL):
        dossier = ready_dossier(tier)
        return dossier_services.dossier_promote(
            dossier, by=archive["people"]["clerk"], cabinet=archive["cabinet"], position=next(positions)
        )

    return make


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
