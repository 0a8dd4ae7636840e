"""List pages at scale (issue 16): pages read in a fixed number of queries whatever their size or
depth, deep pages by their ids first, and the lists that used to read a row per line (the read log)
or everything at once (notifications counted in full, the monthly report's lines on one page)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import notification_send
from crm_archive.pagination import MAX_OFFSET, paginate
from customers.models import Customer, CustomerReadLog
from lending.models import Loan, LoanKind, MonthlyReport, MonthlyReportKind, MonthlyReportLine
from lending.services import loan_request

from .customers.factories import CustomerFactory

# What a page costs when it is drawn: not the page kept for its reader (crm_archive.page_cache).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drawn_each_time")]


@pytest.fixture
def customers(make_user):
    owner = make_user()
    return [CustomerFactory(name=f"客户{number:03d}", owner=owner) for number in range(57)]


def names(page) -> list[str]:
    return [customer.name for customer in page.object_list]


def test_a_deep_page_lists_the_rows_an_offset_would(customers):
    ordered = Customer.objects.select_related("owner").order_by("-name", "pk")
    page = paginate(ordered, page=3, per_page=10)
    assert names(page) == [customer.name for customer in ordered[20:30]]
    assert page.has_next and page.has_previous() and page.total == 57 and not page.total_is_capped


def test_the_last_page_has_no_next_and_a_page_past_it_is_empty_but_counted(customers):
    ordered = Customer.objects.order_by("name")
    last = paginate(ordered, page=6, per_page=10)
    assert names(last) == [f"客户{number:03d}" for number in range(50, 57)] and not last.has_next
    past = paginate(ordered, page=9, per_page=10)
    assert past.object_list == [] and not past.has_next and past.total == 57


def test_the_total_is_counted_up_to_the_cap(customers):
    page = paginate(Customer.objects.order_by("name"), per_page=10, cap=50)
    assert page.total == 50 and page.total_is_capped and page.total_display == "50+"


def test_a_page_beyond_the_bound_shows_the_last_page_there_is_room_for(customers):
    page = paginate(Customer.objects.order_by("name"), page=10**9, per_page=100)
    assert page.number == MAX_OFFSET // 100 + 1 and page.object_list == []


@pytest.mark.parametrize("page_number", [1, 2])
def test_a_page_and_its_count_cost_the_same_queries_for_10_and_50_rows(
    customers, page_number, django_assert_num_queries
):
    ordered = Customer.objects.select_related("owner", "department").order_by("name", "pk")
    # The first page: its rows and the capped count in one statement. A later page: its ids (with
    # the count), then its rows.
    expected = 1 if page_number == 1 else 2
    for size in (10, 50):
        with django_assert_num_queries(expected):
            page = paginate(ordered, page=page_number, per_page=size)
            [customer.owner.username for customer in page]
        assert page.total == 57


def test_the_notifications_page_reads_a_page_without_counting_the_inbox(
    make_user, client_for, django_assert_max_num_queries
):
    user = make_user()
    client = client_for(user)
    for number in range(3):
        notification_send(recipient=user, message=f"通知{number}")
    client.get(reverse("notifications"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications"))
    for number in range(3, 60):
        notification_send(recipient=user, message=f"通知{number}")
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        html = client.get(reverse("notifications")).content.decode()
    # The menu's badge counts unread ones up to a cap (LIMIT inside); nothing counts the inbox.
    assert not any("COUNT(" in query["sql"] and "LIMIT" not in query["sql"] for query in many.captured_queries)
    assert "通知59" in html and "通知34" not in html  # newest first, 25 a page
    assert "通知34" in client.get(reverse("notifications"), {"page": 2}).content.decode()


def test_the_read_log_reads_its_readers_departments_with_the_rows(
    archive, make_user, client_for, django_assert_max_num_queries
):
    people = archive["people"]
    customer = CustomerFactory(owner=people["owner"])
    client = client_for(people["general_manager"])
    CustomerReadLog.objects.create(user=people["owner"], customer=customer)
    client.get(reverse("customers:read_log"))
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("customers:read_log"))
    readers = [make_user() for _number in range(40)]
    CustomerReadLog.objects.bulk_create(CustomerReadLog(user=reader, customer=customer) for reader in readers)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("customers:read_log"), {"per_page": 50}).content.decode()
    assert html.count("<tr>") >= 41


@pytest.fixture
def report_of_150_lines(archive, formal_dossier):
    people = archive["people"]
    loan = loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="合同", purpose="售后"
    )
    now = timezone.now()
    report = MonthlyReport.objects.create(kind=MonthlyReportKind.SNAPSHOT, year=2026, month=11, taken_at=now)
    MonthlyReportLine.objects.bulk_create(
        MonthlyReportLine(
            report=report,
            loan=Loan.objects.get(pk=loan.pk),
            item="original",
            register_number=f"J{number:06d}",
            archive_number="KH-2026-D10-0001",
            material="合同",
            borrower="张三",
            department="销售部",
            purpose="售后",
            issued_at=now,
            due_at=now,
            days_overdue=0,
        )
        for number in range(1, 151)
    )
    return report


def test_the_monthly_report_page_shows_its_lines_a_page_at_a_time_and_states_them_all(
    archive, report_of_150_lines, client_for, django_assert_max_num_queries
):
    client = client_for(archive["people"]["general_manager"])
    url = reverse("lending:report_detail", args=[report_of_150_lines.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as first:
        html = client.get(url).content.decode()
    assert html.count("data-line") == 100 and "借出未还共 150 项" in html and "J000100" in html
    with django_assert_max_num_queries(len(first.captured_queries) + 1):  # a later page reads its ids first
        html = client.get(url, {"page": 2}).content.decode()
    assert html.count("data-line") == 50 and "借出未还共 150 项" in html and "J000101" in html
