"""lending/permissions.py: approvals are signatures, due in the order of the request's chain (SPEC §9);
issuing is office work; nobody serves themself."""

import pytest

from customers.models import SecrecyTier
from lending import services
from lending.models import LoanKind
from lending.permissions import can_issue_loans, loan_actions, loans_awaiting_approval_by
from tests.approving import approve_loan_fully

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan_of(lending_people, formal_dossier):
    def make(borrower="owner", tier=SecrecyTier.PERSONAL):
        return services.loan_request(
            borrower=lending_people[borrower],
            dossier=formal_dossier(tier),
            kind=LoanKind.BORROW,
            content="安装参数一览表",
            purpose="售后维修",
        )

    return make


def signs_now(user, loan) -> bool:
    """Whether the loan waits for `user`'s signature, as the dashboard and the page both say."""
    in_the_panel = loan in set(loans_awaiting_approval_by(user))
    offered = "approve" in loan_actions(user, loan)
    assert in_the_panel == offered
    return offered


def test_a_superuser_issues_but_never_signs_an_approval(archive, make_user, loan_of):
    root = make_user(username="root", is_superuser=True, department=archive["people"]["clerk"].department)
    loan = loan_of()
    assert can_issue_loans(root)
    assert not signs_now(root, loan)
    loan = services.loan_approve(loan, by=archive["people"]["manager"])
    assert not signs_now(root, loan)  # the archive manager's step is due: a superuser holds no role
    assert loan_actions(root, loan) == set()


def test_the_borrowers_department_manager_signs_first(lending_people, loan_of):
    people = lending_people
    loan = loan_of()
    assert signs_now(people["manager"], loan)
    assert loan_actions(people["manager"], loan) == {"approve", "reject"}
    for other in ("archive_manager", "outsider_manager", "marketing_director", "general_manager", "clerk"):
        assert not signs_now(people[other], loan)
    loan = services.loan_approve(loan, by=people["manager"])
    assert not signs_now(people["manager"], loan)  # nobody signs twice
    assert signs_now(people["archive_manager"], loan)


def test_the_archive_manager_approves_others_requests_but_not_their_own(lending_people, loan_of):
    manager = lending_people["archive_manager"]
    loan = services.loan_approve(loan_of(), by=lending_people["manager"])
    assert signs_now(manager, loan)
    own = loan_of("archive_manager", SecrecyTier.COMPANY)
    assert not signs_now(manager, own)
    assert own not in set(loans_awaiting_approval_by(manager))
    assert loan_actions(manager, own) == {"cancel"}


def test_the_tier_approver_approves_what_the_borrower_may_not_read(lending_people, loan_of):
    people = lending_people
    loan = loan_of("outsider")  # the owner's personal customer: the outsider may not read it
    assert loan.needs_tier_approval
    assert not signs_now(people["manager"], loan)  # the outsider's own department manager comes first
    loan = services.loan_approve(loan, by=people["outsider_manager"])
    # Then the archive manager and the tier's manager (the owner's department manager), in either order.
    assert signs_now(people["manager"], loan) and signs_now(people["archive_manager"], loan)
    assert loan_actions(people["general_manager"], loan) == set()
    loan = services.loan_approve(loan, by=people["manager"])
    assert not signs_now(people["manager"], loan) and signs_now(people["archive_manager"], loan)


def test_the_clerk_issues_an_approved_loan_except_to_themself(lending_people, loan_of):
    people = lending_people
    loan = approve_loan_fully(loan_of())
    assert loan_actions(people["clerk"], loan) == {"issue"}
    assert loan_actions(people["owner"], loan) == {"cancel"}
    own = approve_loan_fully(loan_of("clerk", SecrecyTier.COMPANY))
    assert "issue" not in loan_actions(people["clerk"], own)
    assert loan_actions(people["checker"], own) == {"issue"}
