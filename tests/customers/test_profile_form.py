"""The profile form (客户基本资料): messages a person can act on, and nothing stored when refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerGrade, SecrecyTier

from .factories import CustomerFactory, profile_form_data
from .html import errors, messages

pytestmark = pytest.mark.django_db

PHONE_MESSAGE = "请输入有效的电话号码：数字，可含 +、-、空格和括号，至少 7 位。"


def new_profile(owner, **fields):
    return {
        "name": "新客户",
        "credit_status": "unknown",
        "category": "potential",
        "kind": "end_customer",
        "grade": "C",
        "secrecy_tier": "personal",
        "owner": owner.pk,
        **fields,
    }


def create(client, data):
    return client.post(reverse("customers:create"), data, follow=True)


@pytest.fixture
def existing(people):
    return CustomerFactory(name="甲公司", owner=people["owner"], postcode="100080", phone="010-62345678")


BAD_INPUT = [
    ({"postcode": "1000"}, "邮编应为 6 位数字。"),
    ({"postcode": "10008a"}, "邮编应为 6 位数字。"),
    ({"phone": "abc"}, PHONE_MESSAGE),
    ({"fax": "12"}, PHONE_MESSAGE),
    ({"registered_capital": "-1"}, "注册资本不能为负数。"),
    ({"annual_revenue": "-0.01"}, "营业额不能为负数。"),
    # A callable is read when the test runs, under whatever clock it runs at.
    ({"founded_on": lambda: (timezone.localdate() + timedelta(days=1)).isoformat()}, "成立日期不能晚于今天。"),
    ({"founded_on": "0001-01-01"}, "请输入 1900-01-01 至 2099-12-31 之间的日期。"),
]


def resolved(bad: dict) -> dict:
    return {name: value() if callable(value) else value for name, value in bad.items()}


@pytest.mark.parametrize(("bad", "message"), BAD_INPUT)
def test_a_new_profile_with_bad_input_is_refused_with_a_message(bad, message, people, existing, client_for):
    response = create(client_for(people["owner"]), new_profile(people["owner"], **resolved(bad)))
    assert response.status_code == 200
    assert message in errors(response.content.decode())
    assert list(Customer.objects.values_list("name", flat=True)) == ["甲公司"]


@pytest.mark.parametrize(("bad", "message"), BAD_INPUT)
def test_an_edit_with_bad_input_is_refused_and_the_profile_is_unchanged(bad, message, people, existing, client_for):
    data = profile_form_data(existing, name="甲公司（新）", grade=CustomerGrade.A, **resolved(bad))
    response = client_for(people["owner"]).post(reverse("customers:update", args=[existing.pk]), data)
    assert response.status_code == 200
    assert message in errors(response.content.decode())
    existing.refresh_from_db()
    assert (existing.name, existing.grade, existing.postcode, existing.phone) == (
        "甲公司",
        CustomerGrade.C,
        "100080",
        "010-62345678",
    )


def test_founding_today_is_accepted(people, client_for):
    response = create(client_for(people["owner"]), new_profile(people["owner"], founded_on=timezone.localdate()))
    assert messages(response.content.decode()) == ["已建立客户“新客户”。"]


def test_a_new_profile_with_a_name_already_registered_is_refused(people, existing, client_for):
    response = create(client_for(people["colleague"]), new_profile(people["colleague"], name="甲公司"))
    assert any("客户名称" in error and "已存在" in error for error in errors(response.content.decode()))
    assert Customer.objects.count() == 1
    assert Customer.objects.get().owner == people["owner"]


def test_renaming_a_profile_to_a_name_already_registered_is_refused(people, existing, client_for):
    other = CustomerFactory(name="乙公司", owner=people["owner"])
    response = client_for(people["owner"]).post(
        reverse("customers:update", args=[other.pk]), profile_form_data(other, name="甲公司")
    )
    assert any("客户名称" in error and "已存在" in error for error in errors(response.content.decode()))
    other.refresh_from_db()
    assert other.name == "乙公司"


def test_a_sales_person_creating_a_customer_owns_it_in_their_department(people, client_for):
    response = create(client_for(people["owner"]), new_profile(people["owner"], name="丙公司", postcode="200000"))
    assert messages(response.content.decode()) == ["已建立客户“丙公司”。"]
    customer = Customer.objects.get(name="丙公司")
    assert (customer.owner, customer.department) == (people["owner"], people["owner"].department)
    assert response.redirect_chain[-1][0] == reverse("customers:detail", args=[customer.pk])


def test_the_new_customer_form_suggests_the_signed_in_user_as_owner(people, client_for):
    page = client_for(people["owner"]).get(reverse("customers:create")).content.decode()
    assert f'<option value="{people["owner"].pk}" selected>' in page
    assert f'value="{people["colleague"].pk}"' not in page


def test_a_sales_person_cannot_create_a_customer_for_a_colleague(people, client_for):
    response = create(client_for(people["owner"]), new_profile(people["colleague"]))
    assert errors(response.content.decode())
    assert not Customer.objects.exists()


def test_a_department_manager_creates_a_customer_for_a_member_in_the_members_department(people, client_for):
    create(client_for(people["east_manager"]), new_profile(people["successor"]))
    customer = Customer.objects.get(name="新客户")
    assert (customer.owner, customer.department) == (people["successor"], people["successor"].department)


def test_a_department_manager_cannot_create_a_customer_for_another_department(people, client_for):
    response = create(client_for(people["east_manager"]), new_profile(people["west_sales"]))
    assert errors(response.content.decode())
    assert not Customer.objects.exists()


def test_people_without_a_sales_role_cannot_create_customers(make_user, client_for):
    from accounts.roles import Role

    clerk = make_user(Role.ARCHIVE_CLERK)
    assert client_for(clerk).get(reverse("customers:create")).status_code == 403


def test_a_sales_person_can_open_every_customer_they_create(people, client_for):
    client = client_for(people["owner"])
    response = create(client, new_profile(people["owner"], secrecy_tier=SecrecyTier.TOP_SECRET))
    assert response.status_code == 200 and "新客户" in response.content.decode()
    if Customer.objects.exists():  # if the form took it, its creator can still open and edit it
        customer = Customer.objects.get()
        assert client.get(reverse("customers:update", args=[customer.pk])).status_code == 200


def test_an_owner_cannot_edit_their_customer_out_of_their_own_reach(people, existing, client_for):
    client = client_for(people["owner"])
    client.post(
        reverse("customers:update", args=[existing.pk]),
        profile_form_data(existing, secrecy_tier=SecrecyTier.TOP_SECRET),
    )
    assert client.get(reverse("customers:detail", args=[existing.pk])).status_code == 200
