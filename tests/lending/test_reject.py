"""Who may turn a request down (SPEC §5, §9): whoever a step of its chain due now names — first
the borrower's department manager, then the archive manager (beside the tier's approver when the
request needs the tier's approval) — always with a reason; nobody else, and never out of turn."""

import pytest

from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier
from lending import services
from lending.models import Loan, LoanKind, LoanStatus
from lending.permissions import loan_actions
from tests.approving import signatures

pytestmark = pytest.mark.django_db


def owner_request(archive, dossier):
    return services.loan_request(
        borrower=archive["people"]["owner"], dossier=dossier, kind=LoanKind.BORROW, content="参数表", purpose="维修"
    )


def test_a_tier_approver_cannot_reject_a_request_the_borrowers_tier_already_opens(
    archive, lending_people, formal_dossier
):
    loan = owner_request(archive, formal_dossier(SecrecyTier.COMPANY))
    marketing_director = lending_people["marketing_director"]  # approves the company tier
    assert not loan.needs_tier_approval  # the owner reads their own company-tier customer
    for step in ("manager", "archive_manager"):
        assert "reject" not in loan_actions(marketing_director, loan)
        with pytest.raises(ActionRefused):
            services.loan_reject(loan, by=marketing_director, reason="不同意")
        assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REQUESTED
        loan = services.loan_approve(loan, by=lending_people[step])
    assert loan.status == LoanStatus.APPROVED


def test_the_borrowers_department_manager_rejects_a_request_and_the_chain_ends(archive, formal_dossier):
    loan = owner_request(archive, formal_dossier(SecrecyTier.PERSONAL))
    people = archive["people"]
    assert "reject" in loan_actions(people["manager"], loan)
    with pytest.raises(ActionRefused, match="请写明不批准的原因"):
        services.loan_reject(loan, by=people["manager"], reason="  ")
    loan = services.loan_reject(loan, by=people["manager"], reason="不是本部门的客户业务")
    assert loan.status == LoanStatus.REJECTED and loan.rejected_by == people["manager"]
    assert signatures(loan.kind, loan.pk) == [(1, "manager", "rejected"), (2, "", "skipped")]
    assert loan_actions(people["archive_manager"], loan) == set()


def test_the_archive_manager_rejects_a_request_with_a_reason_once_it_is_their_turn(archive, formal_dossier):
    loan = owner_request(archive, formal_dossier(SecrecyTier.PERSONAL))
    people = archive["people"]
    archive_manager = people["archive_manager"]
    assert "reject" not in loan_actions(archive_manager, loan)
    with pytest.raises(ActionRefused):
        services.loan_reject(loan, by=archive_manager, reason="材料正在整理")
    loan = services.loan_approve(loan, by=people["manager"])
    assert "reject" in loan_actions(archive_manager, loan)
    services.loan_reject(loan, by=archive_manager, reason="材料正在整理")
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.status == LoanStatus.REJECTED and loan.rejection_reason == "材料正在整理"
    assert signatures(loan.kind, loan.pk) == [(1, "manager", "approved"), (2, "archmgr", "rejected")]
