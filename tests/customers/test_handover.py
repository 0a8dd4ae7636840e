"""SPEC §2: when a sales person leaves, a manager hands all their customers to a successor in one step."""

import pytest
from django.urls import reverse

from customers.models import Customer, Handover, SecrecyTier

from .factories import CustomerFactory, profile_form_data
from .html import body_rows, errors, listed_customer_ids, messages, section

pytestmark = pytest.mark.django_db


def hand_over(client, from_user, to_user, reason="张三调往华西，客户移交李四"):
    return client.post(
        reverse("customers:handover"), {"from_user": from_user.pk, "to_user": to_user.pk, "reason": reason}, follow=True
    )


@pytest.fixture
def book(people):
    """Three customers of 张三 (one per readable tier) and one of 王五."""
    owner = people["owner"]
    return {
        "leaving": [
            CustomerFactory(name="甲公司", owner=owner, secrecy_tier=SecrecyTier.PERSONAL),
            CustomerFactory(name="乙公司", owner=owner, secrecy_tier=SecrecyTier.DEPARTMENT),
            CustomerFactory(name="丙公司", owner=owner, secrecy_tier=SecrecyTier.COMPANY),
        ],
        "staying": CustomerFactory(name="丁公司", owner=people["colleague"]),
    }


def owners(customers):
    return {customer.name: Customer.objects.get(pk=customer.pk).owner.username for customer in customers}


def test_a_department_manager_moves_every_customer_of_the_leaver_to_the_successor(people, book, client_for):
    response = hand_over(client_for(people["east_manager"]), people["owner"], people["successor"])
    assert response.status_code == 200
    assert messages(response.content.decode()) == ["已将 张三 的 3 位客户及其未结事项移交给 李四。"]
    assert owners(book["leaving"]) == {"甲公司": "lisi", "乙公司": "lisi", "丙公司": "lisi"}
    assert not Customer.objects.filter(owner=people["owner"]).exists()


def test_the_customers_of_another_sales_person_stay_where_they_are(people, book, client_for):
    hand_over(client_for(people["east_manager"]), people["owner"], people["successor"])
    assert owners([book["staying"]]) == {"丁公司": "wangwu"}
    assert Customer.objects.filter(owner=people["successor"]).count() == 3


def test_the_handover_is_recorded_with_who_from_to_and_how_many(people, book, client_for):
    client = client_for(people["east_manager"])
    hand_over(client, people["owner"], people["successor"], reason="调岗")
    response = client.get(reverse("customers:handover"))
    handover = Handover.objects.get()
    assert (handover.performed_by, handover.from_user, handover.to_user) == (
        people["east_manager"],
        people["owner"],
        people["successor"],
    )
    assert (handover.customer_count, handover.reason) == (3, "调岗")
    rows = body_rows(response.content.decode().split('data-list="handovers"')[1])
    assert len(rows) == 1
    assert rows[0].endswith("张三 李四 3 赵经理 调岗")


def test_each_moved_customers_history_shows_the_owner_change_by_the_manager(people, book, client_for):
    hand_over(client_for(people["east_manager"]), people["owner"], people["successor"])
    client = client_for(people["general_manager"])  # the only one reading every tier
    for customer in book["leaving"]:
        response = client.get(reverse("customers:detail", args=[customer.pk]))
        assert response.status_code == 200
        newest = body_rows(section(response.content.decode(), "history"))[0]
        assert " 赵经理 " in newest
        assert "员工交接" in newest
        assert "负责业务员：张三 → 李四" in newest


def test_a_customer_not_handed_over_has_no_handover_in_its_history(people, book, client_for):
    client = client_for(people["east_manager"])
    hand_over(client, people["owner"], people["successor"])
    page = client.get(reverse("customers:detail", args=[book["staying"].pk])).content.decode()
    assert "员工交接" not in section(page, "history")


def test_the_department_follows_the_successor_when_the_general_manager_moves_customers_across(people, book, client_for):
    hand_over(client_for(people["general_manager"]), people["owner"], people["west_sales"])
    moved = Customer.objects.get(pk=book["leaving"][0].pk)
    assert (moved.owner, moved.department) == (people["west_sales"], people["west_sales"].department)
    page = client_for(people["general_manager"]).get(reverse("customers:detail", args=[moved.pk])).content.decode()
    newest = body_rows(section(page, "history"))[0]
    assert "负责业务员：张三 → 孙六" in newest
    assert "所属部门：华东销售部 → 华西销售部" in newest


def test_a_manager_of_another_department_cannot_hand_over_the_customers(people, book, client_for):
    response = hand_over(client_for(people["west_manager"]), people["owner"], people["west_sales"])
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert errors(response.content.decode()), "the refusal is shown on the form"
    assert owners(book["leaving"]) == {"甲公司": "zhangsan", "乙公司": "zhangsan", "丙公司": "zhangsan"}
    assert not Handover.objects.exists()


def test_a_manager_cannot_hand_customers_to_someone_outside_the_department(people, book, client_for):
    response = hand_over(client_for(people["east_manager"]), people["owner"], people["west_sales"])
    assert errors(response.content.decode())
    assert owners(book["leaving"])["甲公司"] == "zhangsan"
    assert not Handover.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_sales_person_is_refused_the_handover_page(method, people, book, client_for):
    client = client_for(people["owner"])
    data = {"from_user": people["colleague"].pk, "to_user": people["owner"].pk, "reason": "x"}
    response = getattr(client, method)(reverse("customers:handover"), data if method == "post" else None)
    assert response.status_code == 403
    assert owners([book["staying"]]) == {"丁公司": "wangwu"}


def test_a_handover_needs_a_reason(people, book, client_for):
    response = hand_over(client_for(people["east_manager"]), people["owner"], people["successor"], reason="  ")
    assert errors(response.content.decode())
    assert not Handover.objects.exists()


def test_handing_over_to_the_same_person_is_refused(people, book, client_for):
    response = hand_over(client_for(people["east_manager"]), people["owner"], people["owner"])
    assert "移交人和接收人不能是同一人。" in errors(response.content.decode())
    assert not Handover.objects.exists()


def test_the_edit_page_has_no_owner_or_department_field(people, book, client_for):
    customer = book["leaving"][0]
    page = client_for(people["owner"]).get(reverse("customers:update", args=[customer.pk])).content.decode()
    assert 'name="name"' in page
    assert 'name="owner"' not in page
    assert 'name="department"' not in page


def test_posting_an_owner_to_the_edit_page_does_not_change_the_owner(people, book, client_for):
    customer = book["leaving"][0]
    data = profile_form_data(
        customer, owner=people["successor"].pk, department=people["west_sales"].department_id, region="上海"
    )
    response = client_for(people["east_manager"]).post(reverse("customers:update", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.region == "上海"
    assert (customer.owner, customer.department) == (people["owner"], people["owner"].department)


def test_a_second_handover_back_restores_the_owner(people, book, client_for):
    client = client_for(people["east_manager"])
    hand_over(client, people["owner"], people["successor"])
    response = hand_over(client, people["successor"], people["owner"], reason="张三回岗")
    assert messages(response.content.decode()) == ["已将 李四 的 3 位客户及其未结事项移交给 张三。"]
    assert owners(book["leaving"]) == {"甲公司": "zhangsan", "乙公司": "zhangsan", "丙公司": "zhangsan"}
    assert Handover.objects.count() == 2
    page = client.get(reverse("customers:detail", args=[book["leaving"][0].pk])).content.decode()
    history = body_rows(section(page, "history"))
    assert "负责业务员：李四 → 张三" in history[0]
    assert "负责业务员：张三 → 李四" in history[1]


def test_a_handed_over_customer_comes_first_among_the_recently_updated(people, book, client_for):
    book["leaving"][0].save()  # 甲公司 is now the latest change …
    client = client_for(people["east_manager"])
    hand_over(client, people["colleague"], people["successor"], reason="王五离职")  # … until 丁公司 changes hands
    page = client.get(reverse("customers:list"), {"sort": "-updated"}).content.decode()
    assert listed_customer_ids(page)[0] == book["staying"].pk
