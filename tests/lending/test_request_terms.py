"""What a request asks for is what its approvers approve: a return date within LOAN_MAX_DAYS, shown
on the loan's page, and the tier's approval decided again when the request is approved."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from crm_archive.errors import ActionRefused
from customers.models import Customer, SecrecyTier
from lending import services
from lending.models import Loan, LoanKind, LoanStatus

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


def test_a_return_date_beyond_the_limit_is_refused_on_the_form_and_by_the_service(
    archive, formal_dossier, client_for, settings
):
    settings.LOAN_MAX_DAYS = 7
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    owner = archive["people"]["owner"]
    response = client_for(owner).post(
        reverse("lending:request"),
        {
            "archive_number": dossier.archive_number,
            "kind": LoanKind.BORROW,
            "content": "参数表",
            "purpose": "维修",
            "requested_due_on": "2099-12-31",
        },
    )
    assert response.status_code == 200 and "申请归还日期最多为 7 天之后。" in response.content.decode()
    assert not Loan.objects.exists()
    with pytest.raises(ActionRefused):
        services.loan_request(
            borrower=owner,
            dossier=dossier,
            kind=LoanKind.BORROW,
            content="参数表",
            purpose="维修",
            requested_due_on=MORNING.date() + timedelta(days=8),
        )


def test_the_approvers_see_the_requested_return_date(archive, formal_dossier, client_for):
    loan = services.loan_request(
        borrower=archive["people"]["owner"],
        dossier=formal_dossier(SecrecyTier.PERSONAL),
        kind=LoanKind.BORROW,
        content="参数表",
        purpose="维修",
        requested_due_on=MORNING.date() + timedelta(days=3),
        overnight_reason="现场调试",
    )
    page = client_for(archive["people"]["archive_manager"]).get(reverse("lending:detail", args=[loan.pk]))
    assert "2026-11-26" in page.content.decode()


def test_a_tier_raised_after_the_request_needs_the_new_tiers_approval(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier(SecrecyTier.COMPANY)
    loan = services.loan_request(
        borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="参数表", purpose="维修"
    )
    assert not loan.needs_tier_approval  # the owner reads their own company-tier customer
    Customer.objects.filter(pk=dossier.customer_id).update(secrecy_tier=SecrecyTier.TOP_SECRET)
    loan = services.loan_approve(loan, by=people["manager"])
    loan = services.loan_approve(loan, by=people["archive_manager"])
    # Top secret is closed to the owner now: the chain copied at the request is not complete without
    # the general manager.
    assert loan.status == LoanStatus.REQUESTED and loan.needs_tier_approval
    loan = services.loan_approve(loan, by=people["general_manager"])
    assert loan.status == LoanStatus.APPROVED and loan.tier_approved_by == people["general_manager"]
