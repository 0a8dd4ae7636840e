import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.navigation import NAVIGATION
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def nav_keys(response) -> set[str]:
    html = response.content.decode()
    return {item.key for item in NAVIGATION if f'data-nav="{item.key}"' in html}


def test_the_eight_roles_exist_after_migrate_on_an_empty_database():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
    assert len(Role) == 8


EVERYONE = {
    "home",
    "customers",
    "dossiers",
    "notifications",
    "loan_request",
    "borrow_register",
    "photocopy_register",
    "read_requests",
}
ARCHIVE_PAGES = {"cabinets", "inspections", "statistics"}
# Whoever an approval chain can name sees the approvals inbox and names deputies.
APPROVER = {"approvals", "deputies"}
# The customer-relationship pages (issue 17): follow-ups for those who keep customers, the
# completeness list for archive staff and those who keep or oversee profiles, the late-entry report
# for those who oversee sales people, grade approvals for department managers.
PROFILES = {"completeness"}
OVERSIGHT = {"completeness", "late_entries"}
NAVIGATION_BY_ROLE = {
    Role.ARCHIVE_CLERK: EVERYONE | ARCHIVE_PAGES | PROFILES | {"destruction", "desk"},
    Role.ARCHIVE_MANAGER: EVERYONE
    | APPROVER
    | ARCHIVE_PAGES
    | OVERSIGHT
    | {"read_log", "audit", "reports", "destruction"},
    Role.SALES: EVERYONE | PROFILES | {"follow_ups"},
    Role.DEPARTMENT_MANAGER: EVERYONE
    | APPROVER
    | OVERSIGHT
    | {"handover", "customer_import", "destruction", "follow_ups", "grade_changes"},
    Role.CS_MANAGER: EVERYONE | APPROVER | {"destruction"},
    Role.CUSTOMER_DIRECTOR: EVERYONE | APPROVER | {"destruction"},
    Role.MARKETING_DIRECTOR: EVERYONE | APPROVER | OVERSIGHT | {"customer_import"},
    Role.GENERAL_MANAGER: EVERYONE
    | APPROVER
    | ARCHIVE_PAGES
    | OVERSIGHT
    | {"handover", "customer_import", "read_log", "audit", "reports", "destruction"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_navigation_meant_for_it(role, make_user, client_for):
    response = client_for(make_user(role)).get(reverse("home"))
    assert nav_keys(response) == NAVIGATION_BY_ROLE[role]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_its_own_dashboard_panel(role, make_user, client_for):
    response = client_for(make_user(role)).get(reverse("home"))
    html = response.content.decode()
    assert f'data-role="{role.value}"' in html
    others = [other for other in Role if other != role]
    assert not any(f'data-role="{other.value}"' in html for other in others)


def test_a_user_with_two_roles_sees_both_panels(make_user, client_for):
    user = make_user(Role.CS_MANAGER, Role.DEPARTMENT_MANAGER)
    html = client_for(user).get(reverse("home")).content.decode()
    assert 'data-role="cs_manager"' in html and 'data-role="department_manager"' in html


def test_only_staff_see_the_administration_entry(make_user, client_for):
    assert "admin" not in nav_keys(client_for(make_user(Role.GENERAL_MANAGER)).get(reverse("home")))
    assert "admin" in nav_keys(client_for(make_user(is_staff=True)).get(reverse("home")))


def test_roles_are_assigned_on_the_admin_user_page(make_user, client_for):
    admin = make_user(is_staff=True, is_superuser=True)
    clerk = make_user()
    page = client_for(admin).get(reverse("admin:accounts_user_change", args=[clerk.pk]))
    assert page.status_code == 200
    assert 'name="groups"' in page.content.decode()
    assert "archive_clerk" in page.content.decode()
