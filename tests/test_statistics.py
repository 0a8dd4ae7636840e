"""SPEC §7: archive statistics, loans per month and customer composition on one page."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerGrade, SecrecyTier
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def stat_rows(html: str, name: str) -> dict[str, str]:
    table = html.split(f'data-stat="{name}"')[1].split("</table>")[0]
    return dict(re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", table))


def test_customer_composition_counts_what_the_reader_may_read(archive, client_for):
    owner = archive["people"]["owner"]
    Customer.objects.filter(pk=archive["customers"][SecrecyTier.PERSONAL].pk).update(
        grade=CustomerGrade.A, region="华东"
    )
    general_manager_html = (
        client_for(archive["people"]["general_manager"]).get(reverse("dossiers:statistics")).content.decode()
    )
    grades = stat_rows(general_manager_html, "grade")
    assert grades["A 级"] == "1" and grades["C 级"] == "3"
    assert stat_rows(general_manager_html, "region")["华东"] == "1"
    assert owner  # the owner reads 3 of the 4 tiers but may not open the statistics page
    assert client_for(owner).get(reverse("dossiers:statistics")).status_code == 403


def test_loans_are_counted_per_month_by_kind(archive, formal_dossier, client_for):
    people = archive["people"]
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    html = client_for(people["archive_manager"]).get(reverse("dossiers:statistics")).content.decode()
    table = html.split('data-stat="loans"')[1].split("</table>")[0]
    assert re.search(r"<td>\d{4}-\d{2}</td><td>1</td><td>0</td>", table)


def test_composition_shows_the_share_of_sales_amount_beside_the_head_count(archive, client_for):
    """Issue 17 §7 (seed 003 制度9 第四条3): shares of the sales amount by grade, region, industry and
    product, from the deals, beside the head-counts."""
    from datetime import date
    from decimal import Decimal

    from customers.models import Deal

    customers = archive["customers"]
    Customer.objects.filter(pk=customers[SecrecyTier.PERSONAL].pk).update(grade=CustomerGrade.A, region="华东")
    for customer, amount, product in (
        (customers[SecrecyTier.PERSONAL], "30000.00", "程控交换机"),
        (customers[SecrecyTier.PERSONAL], "45000.00", "程控交换机"),
        (customers[SecrecyTier.COMPANY], "25000.00", "维保服务"),
    ):
        Deal.objects.create(
            customer=customer,
            contract_number=f"HT-{amount}",
            signed_on=date(2026, 3, 1),
            amount=Decimal(amount),
            product=product,
        )
    html = client_for(archive["people"]["general_manager"]).get(reverse("dossiers:statistics")).content.decode()

    def cells(name):
        table = html.split(f'data-stat="{name}"')[1].split("</table>")[0]
        rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
        return {row[0]: tuple(row[1:]) for row in rows if row}

    grades = cells("grade")
    assert grades["A 级"] == ("1", "25.0%", "75000.00", "75.0%")
    assert grades["C 级"] == ("3", "75.0%", "25000.00", "25.0%")
    assert cells("region")["华东"][2:] == ("75000.00", "75.0%")
    products = cells("product")
    assert products["程控交换机"] == ("1", "75000.00", "75.0%")
    assert products["维保服务"] == ("1", "25000.00", "25.0%")
    assert "100000.00" in html


def test_the_tier_card_names_each_tier_with_its_count(archive, formal_dossier, client_for):
    formal_dossier(SecrecyTier.DEPARTMENT)
    page = client_for(archive["people"]["archive_manager"]).get(reverse("dossiers:statistics")).content.decode()
    card = re.search(r'data-stat="tier">(.*?)</table>', page, re.S).group(1)
    assert "customer__secrecy_tier" not in card
    assert re.search(r"<td>部门级</td><td>1</td>", card)


# Issue 15 §2: totals and shares, a chart beside each table, a period, empty states, an export.


def stat_cells(html: str, name: str) -> dict[str, tuple]:
    """Row label → the row's other cells, and "合计" → the total row's, of the table `name`."""
    table = html.split(f'data-stat="{name}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td>((?:<td[^>]*>.*?</td>)*)</tr>", table)
    cells = {label: tuple(re.findall(r"<td[^>]*>(.*?)</td>", rest)) for label, rest in rows}
    total = re.search(r'<tr class="total"><th[^>]*>合计</th>(.*?)</tr>', table)
    if total:
        cells["合计"] = tuple(re.findall(r"<td[^>]*>(.*?)</td>", total.group(1)))
    return cells


def statistics_page(client, **query) -> str:
    response = client.get(reverse("dossiers:statistics"), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def clock():
    import time_machine

    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


def test_each_table_has_its_shares_and_a_total_row(clock, archive, formal_dossier, open_dossier, client_for):
    formal_dossier(SecrecyTier.DEPARTMENT)
    open_dossier(SecrecyTier.COMPANY)
    open_dossier(SecrecyTier.PERSONAL)
    open_dossier(SecrecyTier.TOP_SECRET)
    html = statistics_page(client_for(archive["people"]["archive_manager"]))
    tiers = stat_cells(html, "tier")
    assert tiers["部门级"] == ("1", "25.0%")
    assert tiers["合计"] == ("4", "100.0%")
    statuses = stat_cells(html, "status")
    assert statuses["合计"] == ("4", "100.0%")
    assert sum(int(cells[0]) for label, cells in statuses.items() if label != "合计") == 4


def test_each_table_has_its_chart_beside_it(clock, archive, formal_dossier, client_for):
    formal_dossier(SecrecyTier.DEPARTMENT)
    html = statistics_page(client_for(archive["people"]["archive_manager"]))
    assert "chart.umd.min.js" in html and "charts.js" in html
    spec = json.loads(re.search(r'<script id="chart-stat-tier" type="application/json">(.*?)</script>', html).group(1))
    assert spec["type"] == "pie" and spec["labels"] == ["部门级"] and spec["datasets"][0]["data"] == [1]
    for name in ("status", "year", "cabinet", "promotions"):
        assert f'id="chart-stat-{name}"' in html


def test_a_period_counts_only_what_happened_in_it(clock, archive, open_dossier, client_for):
    open_dossier(SecrecyTier.PERSONAL, opened_days_ago=5)  # 5 March
    open_dossier(SecrecyTier.COMPANY, opened_days_ago=40)  # 29 January
    client = client_for(archive["people"]["archive_manager"])
    assert stat_cells(statistics_page(client), "tier")["合计"][0] == "2"
    march = statistics_page(client, date_from="2026-03-01", date_to="2026-03-31")
    assert stat_cells(march, "tier")["合计"][0] == "1"
    assert "个人级" in stat_cells(march, "tier") and "公司级" not in stat_cells(march, "tier")
    assert "2026-03-01 至 2026-03-31" in march
    assert stat_cells(statistics_page(client, date_to="2026-01-31"), "tier")["合计"][0] == "1"


def test_a_period_narrows_the_loans_per_month(clock, archive, formal_dossier, client_for):
    people = archive["people"]
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    client = client_for(people["archive_manager"])
    assert stat_cells(statistics_page(client, date_from="2026-03-01"), "loans")["2026-03"] == ("1", "0", "1", "100.0%")
    february = statistics_page(client, date_to="2026-02-28")
    assert 'data-stat-empty="loans"' in february and "暂无数据" in february


def test_an_empty_archive_says_there_is_nothing_to_count(archive, client_for):
    html = statistics_page(client_for(archive["people"]["archive_manager"]))
    for name in ("status", "tier", "year", "cabinet", "promotions", "inspections", "repairs", "loans"):
        assert f'data-stat-empty="{name}"' in html
    assert "暂无数据" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-02-30"}, "有效的日期"),
        ({"date_from": "10000-01-01"}, "有效的日期"),
        ({"date_from": "1899-12-31"}, "1900-01-01"),
        ({"date_from": "2026-03-09", "date_to": "2026-03-01"}, "结束日期不能早于开始日期。"),
    ],
)
def test_a_bad_period_keeps_what_was_typed_with_a_message(query, message, archive, client_for):
    html = statistics_page(client_for(archive["people"]["archive_manager"]), **query)
    form = html.split("data-period-form")[1].split("</form>")[0]
    assert message in form
    assert f'value="{query["date_from"]}"' in form


def test_the_page_costs_the_same_queries_whatever_the_archive_holds(
    clock, archive, formal_dossier, open_dossier, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(archive["people"]["archive_manager"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            statistics_page(client, date_from="2026-01-01")
        return len(captured)

    formal_dossier(SecrecyTier.DEPARTMENT)
    few = queries()
    for tier in (SecrecyTier.COMPANY, SecrecyTier.PERSONAL, SecrecyTier.TOP_SECRET):
        formal_dossier(tier)
        more = Customer.objects.create(
            name=f"又一客户-{tier.value}",
            owner=archive["people"]["owner"],
            department=archive["people"]["owner"].department,
            secrecy_tier=tier,
        )
        open_dossier(customer=more, opened_days_ago=400)
    assert queries() == few


def test_the_export_names_its_period_and_holds_the_pages_figures(clock, archive, open_dossier, client_for):
    from tests.excel import export_of

    open_dossier(SecrecyTier.PERSONAL, opened_days_ago=5)
    open_dossier(SecrecyTier.COMPANY, opened_days_ago=40)
    client = client_for(archive["people"]["general_manager"])
    export = export_of(client.get(reverse("dossiers:statistics_export"), {"date_from": "2026-03-01"}))
    assert export.title == "档案统计（2026-03-01 起）"
    tiers = {row[1]: row[3:] for row in export.rows if row[0] == "按密级"}
    assert tiers == {"个人级": (1, 1.0), "合计": (1, 1.0)}


def test_the_export_is_refused_to_whoever_is_refused_the_page(archive, client_for):
    assert client_for(archive["people"]["owner"]).get(reverse("dossiers:statistics_export")).status_code == 403


def test_months_without_loans_are_on_the_chart_at_zero(clock, archive, formal_dossier, client_for):
    """A line over months must not join March to the month of the next loan: each calendar month of
    the period is on the chart and in the table, at 0 when nothing was lent."""
    people = archive["people"]
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    html = statistics_page(client_for(people["archive_manager"]), date_from="2026-01-01", date_to="2026-06-30")
    spec = json.loads(re.search(r'<script id="chart-stat-loans" type="application/json">(.*?)</script>', html).group(1))
    assert spec["labels"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert spec["datasets"][0]["data"] == [0, 0, 1, 0, 0, 0]
    assert stat_cells(html, "loans")["2026-02"][:3] == ("0", "0", "0")
