"""Who approves, issues and sees which loan, built on the secrecy core (customers/secrecy.py).

Who approves a request is its approval chain's business (approvals/, SPEC §9: by default the
requester's department manager, then the archive manager, with the tier's manager when the tier is
closed to the borrower). Nobody approves their own request. Approvals are signatures: a superuser
holds no role and gives none; the office work of issuing and receiving back may be done by a
superuser (`accounts.roles.handles`).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.roles import Role, handles
from approvals.models import RequestKind
from approvals.selectors import may_sign, request_ids_awaiting, request_ids_signed_by
from customers.secrecy import tier_approver_rule
from dossiers.models import DossierCustody, DossierStatus
from dossiers.permissions import can_oversee_archive

from . import circulation
from .models import OUTSTANDING_STATUSES, ExtensionStatus, Loan, LoanKind, LoanStatus, OvernightStatus


def loans_awaiting_approval_by(user):
    """Requests with a step of their chain due for `user`'s signature (in person or as a deputy);
    never their own, nor one whose chain they already signed."""
    return Loan.objects.filter(
        status=LoanStatus.REQUESTED, pk__in=request_ids_awaiting(user, [LoanKind.BORROW, LoanKind.PHOTOCOPY])
    )


def can_issue_loans(user) -> bool:
    """Issuing, receiving back and closing loans: the archive clerk."""
    return handles(user, Role.ARCHIVE_CLERK)


def loans_visible_to(user):
    """Register rows `user` may see: everything for archive staff and the general manager; the
    department's loans for a department manager; the loans a tier approver must approve; one's
    own loans for everyone."""
    if can_oversee_archive(user):
        return Loan.objects.all()
    rule = (
        Q(borrower_id=user.pk)
        | (Q(needs_tier_approval=True) & tier_approver_rule(user, to_customer="dossier__customer"))
        | Q(pk__in=request_ids_awaiting(user, [LoanKind.BORROW, LoanKind.PHOTOCOPY]))
        | Q(pk__in=request_ids_signed_by(user, [LoanKind.BORROW, LoanKind.PHOTOCOPY]))
    )
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        rule |= Q(department_id=user.department_id)
    return Loan.objects.filter(rule)


def can_override_blocks(user) -> bool:
    """Letting a borrower with an overdue loan borrow again: the archive manager, in person."""
    return user.has_role(Role.ARCHIVE_MANAGER)


def block_override_borrowers():
    """Whom the archive manager may let borrow once more (借阅限制): active people blocked by an
    overdue loan, never an administrator."""
    return (
        get_user_model()
        .objects.filter(pk__in=circulation.overdue_loans().values("borrower_id"), is_active=True, is_superuser=False)
        .select_related("department")
        .order_by("username")
    )


def can_read_monthly_reports(user) -> bool:
    return handles(user, Role.GENERAL_MANAGER, Role.ARCHIVE_MANAGER)


def can_generate_monthly_report(user) -> bool:
    return handles(user, Role.GENERAL_MANAGER)


def dossier_may_be_lent(dossier) -> bool:
    """Whether `dossier` may go out now, as its custody says: not destroyed, nor held apart for
    destruction. The services decide again on the locked row."""
    return not dossier_lending_refusal(dossier)


def dossier_lending_refusal(dossier) -> str:
    """Why `dossier` may not go out now, in the words lending.services refuses with: destroyed, or
    held apart for destruction; empty when it may."""
    if dossier.status == DossierStatus.DESTROYED or dossier.custody == DossierCustody.DESTROYED:
        return _("此档案已销毁，不能借阅。")
    if dossier.custody == DossierCustody.HELD_APART:
        return _("此档案已批准销毁，正单独存放，不能借阅。")
    return ""


def dossier_lending_actions(user, dossier) -> set[str]:
    """Lending's part of `dossiers.permissions.dossier_actions` (registered from LendingConfig.ready):
    "request_loan" while the dossier is a formal one that may be lent and `user` belongs to a
    department (the loan is registered to it)."""
    if dossier.status == DossierStatus.FORMAL and user.department_id is not None and dossier_may_be_lent(dossier):
        return {"request_loan"}
    return set()


# Every action of loan_actions, each the service of the same name in lending.services:
# approve → loan_approve, reject → loan_reject, cancel → loan_cancel, issue → loan_issue,
# confirm_receipt → loan_confirm_receipt, return → loan_return, register_photocopy →
# photocopy_register, close_photocopy → photocopy_close, request_extension → extension_request,
# issue_copy → loan_issue with a reference copy, witness_receipt → loan_receipt_witness,
# report_lost → loan_report_lost, decide_overnight → loan_overnight_decide, decide_write_off →
# loan_write_off_decide.
LOAN_ACTIONS = frozenset(
    {
        "approve",
        "reject",
        "cancel",
        "issue",
        "issue_copy",
        "confirm_receipt",
        "witness_receipt",
        "return",
        "register_photocopy",
        "close_photocopy",
        "request_extension",
        "report_lost",
        "decide_overnight",
        "decide_write_off",
    }
)


def _extension_pending(loan) -> bool:
    # Reads the prefetched extensions when the page fetched them (selectors.loan_detail).
    return any(extension.status == ExtensionStatus.REQUESTED for extension in loan.extensions.all())


def _extensions_left(loan) -> bool:
    asked = sum(extension.status != ExtensionStatus.REJECTED for extension in loan.extensions.all())
    return asked < settings.LOAN_MAX_EXTENSIONS


def reference_copy_may_go_out(loan) -> bool:
    """A borrow may be served with a reference copy on the shelf (the original stays in, or is out)."""
    return (
        loan.kind == LoanKind.BORROW
        and dossier_may_be_lent(loan.dossier)
        and circulation.reference_copies_on_shelf(dossier_id=loan.dossier_id).exists()
    )


def original_may_go_out(loan) -> bool:
    """The original is on its shelf and not held for another requester (预约)."""
    return (
        loan.dossier.status == DossierStatus.FORMAL
        and loan.dossier.custody == DossierCustody.IN_CABINET
        and circulation.hold_for_another(loan) is None
    )


def loan_actions(user, loan) -> set[str]:
    """The actions of LOAN_ACTIONS that `user` may take on `loan` now — those its service would
    accept from them (given well-formed input: a reason, a date). Nobody approves their own
    request; the clerk never issues to, or receives back from, themself; a dossier destroyed or
    held apart for destruction is not lent further."""
    actions = set()
    status = loan.status
    signed = status in OUTSTANDING_STATUSES and not loan.awaiting_receipt
    if user.pk == loan.borrower_id:
        if status in (LoanStatus.REQUESTED, LoanStatus.APPROVED):
            actions.add("cancel")
        if status in OUTSTANDING_STATUSES and not signed:
            actions.add("confirm_receipt")
        if status in OUTSTANDING_STATUSES and not _extension_pending(loan) and _extensions_left(loan):
            actions.add("request_extension")
        return actions
    if status == LoanStatus.REQUESTED and may_sign(user, loan.kind, loan.pk):
        actions.add("reject")
        if dossier_may_be_lent(loan.dossier):
            actions.add("approve")
    if (
        loan.overnight_status == OvernightStatus.REQUESTED
        and status in (LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.ISSUED)
        and may_sign(user, RequestKind.OVERNIGHT, loan.pk)
    ):
        actions.add("decide_overnight")
    if status == LoanStatus.LOST and may_sign(user, RequestKind.WRITE_OFF, loan.loss_report_id):
        actions.add("decide_write_off")
    if not can_issue_loans(user):
        return actions
    if status in OUTSTANDING_STATUSES:
        actions.add("report_lost")
        if not signed:
            actions.add("witness_receipt")
    if status == LoanStatus.APPROVED:
        # Only an original on its shelf, not held for another requester, goes out (not one out on
        # another loan, held apart or destroyed), and not to a borrower blocked by an overdue loan.
        if circulation.block_refusal(loan.borrower, loan=loan) is None:
            if original_may_go_out(loan):
                actions.add("issue")
            if reference_copy_may_go_out(loan):
                actions.add("issue_copy")
    elif status == LoanStatus.ISSUED and loan.kind == LoanKind.BORROW and signed:
        actions.add("return")
    elif status == LoanStatus.ISSUED and loan.kind == LoanKind.PHOTOCOPY and dossier_may_be_lent(loan.dossier):
        actions.add("register_photocopy")
    elif status == LoanStatus.COPIES_OUT and loan.kind == LoanKind.PHOTOCOPY and signed:
        actions.add("close_photocopy")
    return actions


# The actions of extension_actions: both are lending.services.extension_decide, with approve=True or False.
EXTENSION_ACTIONS = frozenset({"approve", "reject"})


def extension_actions(user, extension) -> set[str]:
    """What `user` may decide on a 续借 request now: whoever a step of its chain (the loan kind's)
    names now, each once, never the borrower. The approval that completes it lends again, so not
    for a dossier that may not be lent."""
    loan = extension.loan
    if extension.status != ExtensionStatus.REQUESTED or loan.status not in OUTSTANDING_STATUSES:
        return set()
    if not may_sign(user, RequestKind.EXTENSION, extension.pk):
        return set()
    if not dossier_may_be_lent(loan.dossier):
        return {"reject"}
    return {"approve", "reject"}
