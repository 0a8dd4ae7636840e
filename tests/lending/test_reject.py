"""Who may turn a request down (SPEC §5): the archive manager, and the tier's approver only when
the request needs the tier's approval."""

import pytest

from crm_archive.errors import ActionRefused
from customers.models import SecrecyTier
from lending import services
from lending.models import Loan, LoanKind, LoanStatus
from lending.permissions import loan_actions

pytestmark = pytest.mark.django_db


def owner_request(archive, dossier):
    return services.loan_request(
        borrower=archive["people"]["owner"], dossier=dossier, kind=LoanKind.BORROW, content="参数表", purpose="维修"
    )


def test_a_tier_approver_cannot_reject_a_request_the_borrowers_tier_already_opens(archive, formal_dossier):
    loan = owner_request(archive, formal_dossier(SecrecyTier.PERSONAL))
    manager = archive["people"]["manager"]  # approves the personal tier of the owner's department
    assert not loan.needs_tier_approval
    assert "reject" not in loan_actions(manager, loan)
    with pytest.raises(ActionRefused):
        services.loan_reject(loan, by=manager, reason="不同意")
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REQUESTED


def test_the_archive_manager_rejects_a_request_with_a_reason(archive, formal_dossier):
    loan = owner_request(archive, formal_dossier(SecrecyTier.PERSONAL))
    archive_manager = archive["people"]["archive_manager"]
    assert "reject" in loan_actions(archive_manager, loan)
    services.loan_reject(loan, by=archive_manager, reason="材料正在整理")
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REJECTED
