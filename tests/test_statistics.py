"""SPEC §7: archive statistics, loans per month and customer composition on one page."""

import re

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerGrade, SecrecyTier
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully

pytestmark = pytest.mark.django_db


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
