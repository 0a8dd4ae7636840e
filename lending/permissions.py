"""Who approves, issues and sees which loan, built on the secrecy core (customers/secrecy.py).

The archive manager approves every request; when the borrower may not read the customer's tier,
the tier's approver approves too (the core's tier-approver rule). Nobody approves their own
request. Approvals are signatures (`accounts.roles.signs_as`): a superuser gives none; the office
work of issuing and receiving back may be done by a superuser (`accounts.roles.handles`).
"""

from django.db.models import Q

from accounts.roles import Role, handles, signs_as
from customers.secrecy import tier_approver_rule
from dossiers.permissions import can_oversee_archive

from .models import Loan, LoanStatus


def loans_awaiting_approval_by(user):
    """Requests waiting for `user`'s approval: as archive manager, or as the approver of the
    dossier's tier. Nobody approves their own request."""
    waiting = Loan.objects.filter(status=LoanStatus.REQUESTED).exclude(borrower_id=user.pk)
    rule = Q(needs_tier_approval=True, tier_approved_by__isnull=True) & tier_approver_rule(
        user, to_customer="dossier__customer"
    )
    if user.has_role(Role.ARCHIVE_MANAGER):
        rule |= Q(archive_approved_by__isnull=True)
    return waiting.filter(rule)


def can_approve_loan_as_archive_manager(user, loan) -> bool:
    return signs_as(user, Role.ARCHIVE_MANAGER) and user.pk != loan.borrower_id


def can_approve_loan_tier(user, loan) -> bool:
    if user.pk == loan.borrower_id:
        return False
    return Loan.objects.filter(pk=loan.pk).filter(tier_approver_rule(user, to_customer="dossier__customer")).exists()


def loan_approval_due_from(user, loan, *, archive_approved_by_id, tier_approved_by_id) -> str | None:
    """Which approval `user` may still give to a loan (or to its extension, whose own approvals
    are passed in): "archive", "tier", or None. Nobody approves their own request."""
    if user.pk == loan.borrower_id:
        return None
    if archive_approved_by_id is None and can_approve_loan_as_archive_manager(user, loan):
        return "archive"
    if loan.needs_tier_approval and tier_approved_by_id is None and can_approve_loan_tier(user, loan):
        return "tier"
    return None


def can_issue_loans(user) -> bool:
    """Issuing, receiving back and closing loans: the archive clerk."""
    return handles(user, Role.ARCHIVE_CLERK)


def loans_visible_to(user):
    """Register rows `user` may see: everything for archive staff and the general manager; the
    department's loans for a department manager; the loans a tier approver must approve; one's
    own loans for everyone."""
    if can_oversee_archive(user):
        return Loan.objects.all()
    rule = Q(borrower_id=user.pk) | (
        Q(needs_tier_approval=True) & tier_approver_rule(user, to_customer="dossier__customer")
    )
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        rule |= Q(department_id=user.department_id)
    return Loan.objects.filter(rule)


def can_read_monthly_reports(user) -> bool:
    return handles(user, Role.GENERAL_MANAGER, Role.ARCHIVE_MANAGER)


def can_generate_monthly_report(user) -> bool:
    return handles(user, Role.GENERAL_MANAGER)
