"""Sortable column headers (issue 15 §5): each list sorts by the header a user clicks, in both
directions, keeps its other parameters, refuses nothing it does not know (the default order
instead), and costs the same number of queries whatever the order."""

import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm_archive.sorting import Sorts
from customers.models import Customer, CustomerGrade
from destruction.models import DestructionList
from dossiers.models import Dossier, ReadRequest
from lending import services as lending_services
from lending.models import Loan, LoanKind

# What a page costs when it is drawn: not the page kept for its reader (crm_archive.page_cache).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drawn_each_time")]

HOSTILE = [
    "password",
    "-password",
    "owner__password",
    "--name",
    "name; DROP TABLE customers_customer",
    "?",
    "",
    "-",
    "名称",
    "x" * 5000,
]


def moment(day: int) -> datetime:
    return timezone.make_aware(datetime(2026, 3, day, 10, 0))


def row_ids(page: str, attribute: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'<tr data-{attribute}="(\d+)"', page)]


def header(page: str, key: str) -> str:
    match = re.search(rf'<th data-sort="{key}"[^>]*>.*?</th>', page, re.S)
    assert match, f"no sortable header {key}"
    return match.group(0)


@pytest.fixture
def customers(archive):
    """Four customers (those of the archive fixture) told apart in every sortable column."""
    rows = {
        "客户-personal": ("B", "key", "R3", "I1"),
        "客户-department": ("A", "general", "R1", "I4"),
        "客户-company": ("D", "key", "R4", "I2"),
        "客户-top_secret": ("C", "general", "R2", "I3"),
    }
    for day, (name, (grade, category, region, industry)) in enumerate(rows.items(), start=1):
        with time_machine.travel(moment(day), tick=False):
            Customer.objects.get(name=name).save()
        Customer.objects.filter(name=name).update(grade=grade, category=category, region=region, industry=industry)
    return list(Customer.objects.all())


@pytest.fixture
def dossiers(archive, open_dossier):
    made = []
    for days_ago, tier in zip((40, 10, 30, 20), archive["customers"], strict=True):
        dossier = open_dossier(tier, opened_days_ago=days_ago)
        made.append(dossier)
    numbers = ["KH-3", "KH-1", "KH-4", "KH-2"]
    dues = [date(2026, 5, 2), date(2026, 5, 4), date(2026, 5, 1), date(2026, 5, 3)]
    for dossier, number, due in zip(made, numbers, dues, strict=True):
        Dossier.objects.filter(pk=dossier.pk).update(archive_number=number, promotion_due_on=due)
    return list(Dossier.objects.select_related("customer"))


@pytest.fixture
def loans(archive, formal_dossier):
    from customers.models import SecrecyTier

    made = []
    for tier in (SecrecyTier.PERSONAL, SecrecyTier.DEPARTMENT):
        dossier = formal_dossier(tier)
        for _ in range(2):
            made.append(
                lending_services.loan_request(
                    borrower=archive["people"]["owner"],
                    dossier=dossier,
                    kind=LoanKind.BORROW,
                    content="竣工文档",
                    purpose="核对",
                )
            )
    for loan, (requested, issued, due, returned) in zip(
        made, [(4, 3, 9, 6), (1, 4, 7, 8), (3, 1, 8, 5), (2, 2, 6, 7)], strict=True
    ):
        Loan.objects.filter(pk=loan.pk).update(
            requested_at=moment(requested), issued_at=moment(issued), due_at=moment(due), returned_at=moment(returned)
        )
    return list(Loan.objects.all())


@pytest.fixture
def read_requests(archive):
    owner = archive["people"]["owner"]
    for day, customer in zip((3, 1, 4, 2), archive["customers"].values(), strict=True):
        ReadRequest.objects.create(
            customer=customer,
            requester=owner,
            department=owner.department,
            content="合同",
            purpose="核对",
            requested_at=moment(day),
        )
    return list(ReadRequest.objects.select_related("customer"))


@pytest.fixture
def destruction_lists(archive):
    clerk = archive["people"]["clerk"]
    for drafted, hold, destroyed in [(2, 9, 1), (4, 7, 3), (1, 8, 4), (3, 6, 2)]:
        DestructionList.objects.create(
            department=clerk.department,
            drafted_by=clerk,
            drafted_at=moment(drafted),
            hold_until=date(2026, 4, hold),
            destroyed_on=date(2026, 5, destroyed),
        )
    return list(DestructionList.objects.all())


# Each list: its URL, the rows' data attribute, the rows fixture, and per sort key how a person
# orders the rows they see (ascending).
LISTS = {
    "customers": (
        lambda: reverse("customers:list"),
        "customer",
        "customers",
        {
            "name": lambda row: row.name,
            "category": lambda row: (row.category, row.name),
            "grade": lambda row: (row.grade, row.name),
            "region": lambda row: (row.region, row.name),
            "industry": lambda row: (row.industry, row.name),
            "updated": lambda row: row.updated_at,
        },
    ),
    "dossiers": (
        lambda: reverse("dossiers:list"),
        "dossier",
        "dossiers",
        {
            "number": lambda row: row.archive_number,
            "customer": lambda row: row.customer.name,
            "opened": lambda row: row.opened_on,
            "due": lambda row: row.promotion_due_on,
        },
    ),
    "borrow register": (
        lambda: reverse("lending:register", kwargs={"kind": "borrow"}),
        "loan",
        "loans",
        {
            "number": lambda row: row.pk,
            "issued": lambda row: row.issued_at,
            "due": lambda row: row.due_at,
            "returned": lambda row: row.returned_at,
        },
    ),
    "read requests": (
        lambda: reverse("dossiers:read_requests"),
        "read-request",
        "read_requests",
        {
            "number": lambda row: row.pk,
            "customer": lambda row: row.customer.name,
            "requested": lambda row: row.requested_at,
        },
    ),
    "destruction lists": (
        lambda: reverse("destruction:index"),
        "destruction-list",
        "destruction_lists",
        {
            "number": lambda row: row.pk,
            "drafted": lambda row: row.drafted_at,
            "hold": lambda row: row.hold_until,
            "destroyed": lambda row: row.destroyed_on,
        },
    ),
}
DEFAULTS = {
    "customers": "name",
    "dossiers": "-opened",
    "borrow register": "-requested",
    "read requests": "-requested",
    "destruction lists": "-drafted",
}
DEFAULT_ORDER = {
    "customers": LISTS["customers"][3]["name"],
    "dossiers": LISTS["dossiers"][3]["opened"],
    "borrow register": lambda row: row.requested_at,
    "read requests": LISTS["read requests"][3]["requested"],
    "destruction lists": LISTS["destruction lists"][3]["drafted"],
}
SORTED_CASES = [(name, key) for name, (_url, _attribute, _fixture, keys) in LISTS.items() for key in keys]


def expected(rows, order, *, descending=False) -> list[int]:
    return [row.pk for row in sorted(rows, key=order, reverse=descending)]


@pytest.mark.parametrize(("name", "key"), SORTED_CASES)
def test_a_header_sorts_its_list_both_ways(name, key, request, archive, client_for):
    url, attribute, fixture, keys = LISTS[name]
    rows = request.getfixturevalue(fixture)
    client = client_for(archive["people"]["general_manager"])

    ascending = client.get(url(), {"sort": key}).content.decode()
    assert row_ids(ascending, attribute) == expected(rows, keys[key])
    assert 'aria-sort="ascending"' in header(ascending, key)

    descending = client.get(url(), {"sort": f"-{key}"}).content.decode()
    assert row_ids(descending, attribute) == expected(rows, keys[key], descending=True)
    assert 'aria-sort="descending"' in header(descending, key)


@pytest.mark.parametrize("name", LISTS)
def test_a_header_link_turns_the_order_and_keeps_the_other_parameters(name, request, archive, client_for):
    url, _attribute, fixture, keys = LISTS[name]
    request.getfixturevalue(fixture)
    key = next(iter(keys))
    client = client_for(archive["people"]["general_manager"])
    page = client.get(url(), {"sort": key, "per_page": "50", "page": "1"}).content.decode()
    link = re.search(r'href="([^"]+)"', header(page, key)).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["sort"] == [f"-{key}"]
    assert query["per_page"] == ["50"]
    assert "page" not in query  # a new order starts on its first page


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("value", HOSTILE)
def test_an_unknown_sort_falls_back_to_the_default_order(name, value, request, archive, client_for):
    url, attribute, fixture, _keys = LISTS[name]
    rows = request.getfixturevalue(fixture)
    response = client_for(archive["people"]["general_manager"]).get(url(), {"sort": value})
    assert response.status_code == 200
    descending = DEFAULTS[name].startswith("-")
    assert row_ids(response.content.decode(), attribute) == expected(rows, DEFAULT_ORDER[name], descending=descending)


@pytest.mark.parametrize("name", LISTS)
def test_two_sort_values_do_not_break_a_list(name, request, archive, client_for):
    url, _attribute, fixture, _keys = LISTS[name]
    request.getfixturevalue(fixture)
    client = client_for(archive["people"]["general_manager"])
    assert client.get(f"{url()}?sort=a&sort=-b").status_code == 200
    assert client.get(f"{url()}?sort=%00name").status_code in (200, 400)  # NUL: refused before any view


@pytest.mark.parametrize("name", LISTS)
def test_every_order_costs_the_same_number_of_queries(name, request, archive, client_for):
    url, _attribute, fixture, keys = LISTS[name]
    request.getfixturevalue(fixture)
    client = client_for(archive["people"]["general_manager"])
    client.get(url())  # warm the session and caches

    def queries(sort: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(), {"sort": sort}).status_code == 200
        return len(captured)

    baseline = queries(DEFAULTS[name])
    assert {sort: queries(sort) for key in keys for sort in (key, f"-{key}")} == {
        sort: baseline for key in keys for sort in (key, f"-{key}")
    }


def test_the_audit_trail_sorts_by_time_both_ways(archive, client_for):
    for day, name in ((2, "乙公司"), (1, "甲公司"), (3, "丙公司")):
        with time_machine.travel(moment(day), tick=False):
            Customer.objects.create(
                name=name,
                owner=archive["people"]["owner"],
                department=archive["people"]["owner"].department,
                grade=CustomerGrade.C,
            )
    client = client_for(archive["people"]["general_manager"])

    def created(sort: str) -> list[str]:
        page = client.get(reverse("audit:trail"), {"sort": sort, "kind": "customer"}).content.decode()
        return list(dict.fromkeys(re.findall(r"(甲公司|乙公司|丙公司)", page)))

    assert created("when") == ["甲公司", "乙公司", "丙公司"]
    assert created("-when") == ["丙公司", "乙公司", "甲公司"]
    assert client.get(reverse("audit:trail"), {"sort": "password"}).status_code == 200


def test_a_whitelist_ends_on_a_unique_column_and_refuses_a_default_it_does_not_know():
    sorts = Sorts({"name": ("name",), "grade": ("grade", "name")}, default="-grade")
    assert sorts.parse("grade").order_by == ("grade", "name", "pk")
    assert sorts.parse("-name").order_by == ("-name", "-pk")
    assert sorts.parse(["name"]).order_by == ("-grade", "-name", "-pk")
    with pytest.raises(ValueError):
        Sorts({"name": ("name",)}, default="grade")


def test_the_customer_filters_keep_the_chosen_order(customers, archive, client_for):
    page = client_for(archive["people"]["general_manager"]).get(reverse("customers:list"), {"sort": "-grade"})
    assert '<input type="hidden" name="sort" value="-grade">' in page.content.decode()


def test_the_recently_updated_customers_come_first_with_the_updated_header(customers, archive, client_for):
    page = client_for(archive["people"]["general_manager"]).get(reverse("customers:list"), {"sort": "-updated"})
    latest = max(customers, key=lambda row: row.updated_at)
    assert row_ids(page.content.decode(), "customer")[0] == latest.pk
