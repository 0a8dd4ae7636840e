"""Follow-up plans and grade criteria are data an administrator keeps in the admin; a grade is
not changed there (it changes through the department manager's approval)."""

import pytest
from django.urls import reverse

from customers.models import FollowUpPlan

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def test_a_plan_with_malformed_days_is_refused_on_its_form(admin_client):
    plan = FollowUpPlan.objects.get(name="购买客户回访")
    url = reverse("admin:customers_followupplan_change", args=[plan.pk])
    data = {"name": plan.name, "event": plan.event, "category": "", "grade": "", "days": "3,abc,99999", "active": "on"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "请填写 1 至 3660 之间的天数，用逗号分隔，如 3,30,60。" in response.content.decode()
    plan.refresh_from_db()
    assert plan.days == "3,30,60"
    response = admin_client.post(url, {**data, "days": "3，30,90"})
    assert response.status_code == 302
    assert FollowUpPlan.objects.get(pk=plan.pk).day_offsets() == [3, 30, 90]


def test_the_customer_admin_shows_the_grade_without_changing_it(admin_client):
    customer = CustomerFactory(grade="C")
    page = admin_client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert 'name="grade"' not in page


def test_a_review_period_beyond_reason_is_refused(admin_client):
    from customers.models import GradeCriterion

    criterion = GradeCriterion.objects.get(grade="A")
    url = reverse("admin:customers_gradecriterion_change", args=[criterion.pk])
    data = {"grade": "A", "criteria": criterion.criteria, "contact_every_days": 30, "review_every_months": 30000}
    response = admin_client.post(url, data)
    assert "复评周期须在 1 至 120 个月之间。" in response.content.decode()
    assert GradeCriterion.objects.get(pk=criterion.pk).review_every_months == 6


def test_a_huge_review_period_stored_anyway_breaks_no_dashboard(client, make_user):
    from accounts.roles import Role
    from customers.models import GradeCriterion

    GradeCriterion.objects.filter(grade="A").update(review_every_months=30000)
    CustomerFactory(grade="A")
    for role in (Role.SALES, Role.DEPARTMENT_MANAGER):
        client.force_login(make_user(role))
        assert client.get("/").status_code == 200
