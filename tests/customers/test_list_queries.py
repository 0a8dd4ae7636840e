"""The customer list: a bounded number of queries whatever the page size, search and filters."""

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerCategory, CustomerGrade, SecrecyTier

from .factories import ContactFactory, CustomerFactory
from .html import listed_customer_ids

# What a page costs when it is drawn: not the page kept for its reader (crm_archive.page_cache).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drawn_each_time")]

MAX_QUERIES = 12


@pytest.fixture
def many(people):
    """120 customers of the east department, each with a contact."""
    sellers = [people["owner"], people["successor"], people["colleague"]]
    customers = [CustomerFactory(owner=sellers[n % 3], name=f"客户{n:03d}") for n in range(120)]
    for customer in customers:
        ContactFactory(customer=customer)
    return customers


def list_page(client, **params):
    response = client.get(reverse("customers:list"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["east_manager", "general_manager"])
def test_the_list_costs_the_same_queries_for_10_and_100_rows(
    persona, people, many, client_for, django_assert_max_num_queries
):
    client = client_for(people[persona])
    list_page(client, per_page=10)  # session and caches warmed alike for both pages
    with django_assert_max_num_queries(MAX_QUERIES) as small:
        page_of_10 = list_page(client, per_page=10)
    with django_assert_max_num_queries(MAX_QUERIES) as large:
        page_of_100 = list_page(client, per_page=100)
    assert page_of_10.count("data-customer=") == 10
    assert page_of_100.count("data-customer=") == 100
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_list_shows_each_row_once_however_many_contacts_a_customer_has(people, client_for):
    customer = CustomerFactory(name="甲公司", owner=people["owner"])
    ContactFactory.create_batch(5, customer=customer)
    assert listed_customer_ids(list_page(client_for(people["owner"]), q="联系人")) == [customer.pk]


@pytest.fixture
def varied(people):
    owner, colleague, west = people["owner"], people["colleague"], people["west_sales"]
    customers = {
        "甲": CustomerFactory(
            name="甲公司",
            owner=owner,
            category=CustomerCategory.SIGNED,
            grade=CustomerGrade.A,
            region="北京",
            industry="制造业",
        ),
        "乙": CustomerFactory(
            name="乙公司",
            owner=owner,
            category=CustomerCategory.POTENTIAL,
            grade=CustomerGrade.B,
            region="上海",
            industry="金融业",
            secrecy_tier=SecrecyTier.DEPARTMENT,
            phone="021-61234567",
        ),
        "丙": CustomerFactory(
            name="丙公司",
            owner=colleague,
            category=CustomerCategory.SIGNED,
            grade=CustomerGrade.B,
            region="北京",
            industry="金融业",
        ),
        "丁": CustomerFactory(
            name="丁公司", owner=west, category=CustomerCategory.LOST, grade=CustomerGrade.A, region="成都"
        ),
    }
    ContactFactory(customer=customers["丙"], name="欧阳娜娜", mobile="13912345678")
    return customers


def names(client, **params) -> set[str]:
    ids = listed_customer_ids(list_page(client, per_page=100, **params))
    return set(Customer.objects.filter(pk__in=ids).values_list("name", flat=True))


def test_a_search_by_a_contacts_name_finds_the_customer(people, varied, client_for):
    assert names(client_for(people["general_manager"]), q="欧阳") == {"丙公司"}


def test_a_search_by_a_contacts_mobile_or_the_customers_phone_finds_the_customer(people, varied, client_for):
    client = client_for(people["general_manager"])
    assert names(client, q="13912345678") == {"丙公司"}
    assert names(client, q="6123456") == {"乙公司"}


def test_a_search_matches_part_of_the_name(people, varied, client_for):
    assert names(client_for(people["general_manager"]), q="丁") == {"丁公司"}


def test_a_search_never_reveals_a_customer_the_user_may_not_read(people, varied, client_for):
    assert names(client_for(people["owner"]), q="欧阳") == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"甲公司", "乙公司", "丙公司", "丁公司"}),
        ({"category": "signed"}, {"甲公司", "丙公司"}),
        ({"grade": "A"}, {"甲公司", "丁公司"}),
        ({"region": "北京"}, {"甲公司", "丙公司"}),
        ({"industry": "金融业"}, {"乙公司", "丙公司"}),
        ({"owner": "owner"}, {"甲公司", "乙公司"}),
        ({"department": "west"}, {"丁公司"}),
        ({"secrecy_tier": "department"}, {"乙公司"}),
        ({"grade": "B", "region": "北京"}, {"丙公司"}),
        ({"category": "signed", "q": "甲"}, {"甲公司"}),
    ],
)
def test_each_filter_narrows_the_list(params, expected, people, varied, client_for):
    if "owner" in params:
        params = {**params, "owner": people[params["owner"]].pk}
    if "department" in params:
        params = {**params, "department": people["west_sales"].department_id}
    assert names(client_for(people["general_manager"]), **params) == expected


def test_filters_apply_within_what_the_user_may_read(people, varied, client_for):
    assert names(client_for(people["east_manager"]), grade="A") == {"甲公司"}


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "999"},
        {"per_page": "abc"},
        {"per_page": "7"},
        {"per_page": "100000"},
        {"per_page": "-10"},
        {"sort": "password"},
        {"grade": "Z"},
        {"owner": "abc"},
        {"department": "999999"},
    ],
)
def test_a_bad_page_or_filter_value_does_not_break_the_list(params, people, varied, client_for):
    response = client_for(people["general_manager"]).get(reverse("customers:list"), params)
    assert response.status_code == 200


def test_a_huge_page_number_does_not_break_the_list(people, varied, client_for):
    client = client_for(people["general_manager"])
    client.raise_request_exception = False
    response = client.get(reverse("customers:list"), {"page": "9" * 20})
    assert response.status_code == 200


def test_a_search_with_a_nul_character_does_not_break_the_list(people, varied, client_for):
    client = client_for(people["general_manager"])
    client.raise_request_exception = False
    response = client.get(reverse("customers:list"), {"q": "甲\x00"})
    assert response.status_code in (200, 400)


def test_a_page_past_the_end_shows_no_rows_and_a_page_in_range_shows_the_rest(people, many, client_for):
    client = client_for(people["east_manager"])
    assert list_page(client, per_page=100, page=2).count("data-customer=") == 20
    assert list_page(client, per_page=100, page=3).count("data-customer=") == 0


def test_an_unknown_page_size_falls_back_to_25_rows(people, many, client_for):
    assert list_page(client_for(people["east_manager"]), per_page=7).count("data-customer=") == 25
