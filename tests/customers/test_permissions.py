"""customers/permissions.py: who keeps a profile current and opens customers for whom."""

import pytest

from accounts.roles import Role
from customers.models import Customer, SecrecyTier
from customers.permissions import can_create_customer_for, can_edit_customer, customer_actions
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    sales, other = DepartmentFactory(code="sales"), DepartmentFactory(code="other")
    return {
        "owner": make_user(Role.SALES, department=sales, username="owner"),
        "colleague": make_user(Role.SALES, department=sales, username="colleague"),
        "manager": make_user(Role.DEPARTMENT_MANAGER, department=sales, username="manager"),
        "other_manager": make_user(Role.DEPARTMENT_MANAGER, department=other, username="othermgr"),
        "general_manager": make_user(Role.GENERAL_MANAGER, department=other, username="gm"),
    }


def customer_of(people, tier):
    owner = people["owner"]
    return Customer.objects.create(name=f"客户-{tier}", owner=owner, department=owner.department, secrecy_tier=tier)


def test_the_owner_and_their_department_manager_keep_a_personal_profile(people):
    customer = customer_of(people, SecrecyTier.PERSONAL)
    assert can_edit_customer(people["owner"], customer)
    assert can_edit_customer(people["manager"], customer)
    assert not can_edit_customer(people["colleague"], customer)
    assert not can_edit_customer(people["other_manager"], customer)


def test_only_the_general_manager_keeps_a_top_secret_profile(people):
    customer = customer_of(people, SecrecyTier.TOP_SECRET)
    assert customer_actions(people["general_manager"], customer) == {"edit", "second_owner"}
    assert customer_actions(people["owner"], customer) == set()


def test_nobody_is_offered_to_edit_a_profile_they_cannot_read(people):
    customer = customer_of(people, SecrecyTier.COMPANY)
    # The department's manager keeps its profiles, but the company tier is not theirs to read.
    assert can_edit_customer(people["manager"], customer)
    assert customer_actions(people["manager"], customer) == set()
    assert customer_actions(people["owner"], customer) == {"edit"}


def test_a_sales_person_opens_customers_only_for_themself(people):
    assert can_create_customer_for(people["owner"], people["owner"])
    assert not can_create_customer_for(people["owner"], people["colleague"])
    assert can_create_customer_for(people["manager"], people["colleague"])
