"""SPEC §2: every change to a profile is kept (who, when, old → new) and shown as the customer's history."""

import pytest
from django.conf import settings
from django.urls import reverse

from customers.models import CreditStatus, CustomerCategory, CustomerGrade, CustomerKind

from .factories import CustomerFactory, profile_form_data
from .html import body_rows, section, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(people):
    return CustomerFactory(
        name="甲公司",
        owner=people["owner"],
        grade=CustomerGrade.B,
        category=CustomerCategory.POTENTIAL,
        region="北京",
        postcode="100080",
    )


def edit(client, customer, **changes):
    response = client.post(reverse("customers:update", args=[customer.pk]), profile_form_data(customer, **changes))
    assert response.status_code == 302, text(response.content.decode())
    return response


def history_rows(client, customer) -> list[str]:
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 200
    return body_rows(section(response.content.decode(), "history"))


def test_an_edit_shows_the_author_and_the_changed_choice_by_its_label(people, customer, client_for):
    client = client_for(people["owner"])
    edit(client, customer, kind=CustomerKind.DEALER)
    newest = history_rows(client, customer)[0]
    assert " 张三 " in newest
    assert "客户性质：终端客户 → 经销商" in newest


def test_an_edit_lists_every_changed_field_and_nothing_else(people, customer, client_for):
    client = client_for(people["owner"])
    edit(client, customer, category=CustomerCategory.SIGNED, region="上海", legal_representative="刘强")
    newest = history_rows(client, customer)[0]
    assert "客户类别：潜在客户 → 签约客户" in newest
    assert "所属区域：北京 → 上海" in newest
    assert "法定代表人：— → 刘强" in newest
    assert "客户等级" not in newest
    assert "邮编" not in newest


def test_the_history_is_newest_first_and_keeps_the_creation(people, customer, client_for):
    client = client_for(people["owner"])
    edit(client, customer, kind=CustomerKind.DEALER)
    customer.refresh_from_db()
    edit(client, customer, credit_status=CreditStatus.GOOD)
    rows = history_rows(client, customer)
    assert len(rows) == 3
    assert "信用状况：未评估 → 良好" in rows[0]
    assert "客户性质：终端客户 → 经销商" in rows[1]
    assert "建立客户资料" in rows[2]


def test_the_history_names_the_manager_who_edited_not_the_owner(people, customer, client_for):
    client = client_for(people["east_manager"])
    edit(client, customer, region="天津")
    newest = history_rows(client, customer)[0]
    assert " 赵经理 " in newest
    assert " 张三 " not in newest


def test_a_refused_edit_leaves_no_history(people, customer, client_for):
    client = client_for(people["owner"])
    response = client.post(
        reverse("customers:update", args=[customer.pk]), profile_form_data(customer, kind="dealer", postcode="12")
    )
    assert response.status_code == 200
    assert len(history_rows(client, customer)) == 1


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_in_english_the_history_shows_english_labels_and_choices(people, customer, client_for, english):
    client = client_for(people["owner"])
    edit(client, customer, kind=CustomerKind.DEALER, region="上海")
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert '<html lang="en">' in page
    newest = body_rows(section(page, "history"))[0]
    assert " 张三 " in newest
    assert "Kind：End customer → Dealer" in newest or "Kind: End customer → Dealer" in newest
    assert "Region" in newest
    assert "客户性质" not in newest
    assert "终端客户" not in newest


def test_switching_the_language_on_the_page_translates_the_history(people, customer, client_for):
    client = client_for(people["owner"])
    edit(client, customer, category=CustomerCategory.INTENT)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    newest = history_rows(client, customer)[0]
    assert "Category" in newest
    assert "Potential → Intent" in newest
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "客户类别：潜在客户 → 意向客户" in history_rows(client, customer)[0]
