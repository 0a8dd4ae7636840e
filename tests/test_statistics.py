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
