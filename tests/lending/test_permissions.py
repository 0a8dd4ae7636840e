"""lending/permissions.py: approvals are signatures, issuing is office work, nobody serves themself."""

import pytest

from customers.models import SecrecyTier
from lending import services
from lending.models import LoanKind
from lending.permissions import (
    can_approve_loan_as_archive_manager,
    can_issue_loans,
    loan_actions,
    loan_approval_due_from,
    loans_awaiting_approval_by,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan_of(archive, formal_dossier):
    def make(borrower="owner", tier=SecrecyTier.PERSONAL):
        return services.loan_request(
            borrower=archive["people"][borrower],
            dossier=formal_dossier(tier),
            kind=LoanKind.BORROW,
            content="安装参数一览表",
            purpose="售后维修",
        )

    return make


def test_a_superuser_issues_but_never_signs_an_approval(archive, make_user, loan_of):
    root = make_user(username="root", is_superuser=True, department=archive["people"]["clerk"].department)
    loan = loan_of()
    assert can_issue_loans(root)
    assert not can_approve_loan_as_archive_manager(root, loan)
    assert loan_approval_due_from(root, loan, archive_approved_by_id=None, tier_approved_by_id=None) is None


def test_the_archive_manager_approves_others_requests_but_not_their_own(archive, loan_of):
    manager = archive["people"]["archive_manager"]
    assert (
        loan_approval_due_from(manager, loan_of(), archive_approved_by_id=None, tier_approved_by_id=None) == "archive"
    )
    own = loan_of("archive_manager", SecrecyTier.COMPANY)
    assert not can_approve_loan_as_archive_manager(manager, own)
    assert own not in set(loans_awaiting_approval_by(manager))
    assert loan_actions(manager, own) == {"cancel"}


def test_the_tier_approver_approves_what_the_borrower_may_not_read(archive, loan_of):
    loan = loan_of("colleague")  # the owner's personal customer: the colleague may not read it
    assert loan.needs_tier_approval
    people = archive["people"]
    assert loan_approval_due_from(people["manager"], loan, archive_approved_by_id=None, tier_approved_by_id=None) == (
        "tier"
    )
    assert "approve" in loan_actions(people["manager"], loan)
    assert loan_actions(people["general_manager"], loan) == set()


def test_the_clerk_issues_an_approved_loan_except_to_themself(archive, loan_of):
    people = archive["people"]
    loan = services.loan_approve(loan_of(), by=people["archive_manager"])
    assert loan_actions(people["clerk"], loan) == {"issue"}
    assert loan_actions(people["owner"], loan) == {"cancel"}
    own = loan_of("clerk", SecrecyTier.COMPANY)
    assert "issue" not in loan_actions(people["clerk"], own)
