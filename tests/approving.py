"""Signing a whole approval chain (SPEC §9), for tests whose subject comes after the approval.

`approve_loan_fully(loan)` has each step of the loan's chain signed, in order, by someone who
holds its role, until the loan is approved; `approve_extension_fully(extension)` does the same for
a 续借. Each signer is whoever the engine itself says may sign the step now, so these helpers follow
the chains as they stand. Tests about who signs what name their signers one by one instead."""

from django.db.models import Q

from approvals.models import ApprovalTask, RequestKind, TaskStatus
from approvals.selectors import approvers_of
from lending import services
from lending.models import Extension, ExtensionStatus, Loan, LoanStatus


def next_signer(kind: str, request_id: int):
    """Someone who may sign a step of the request's chain now: a holder of a due step's role who
    has not signed this chain yet. Fails the test when nobody may."""
    tasks = ApprovalTask.objects.filter(kind=kind, request_id=request_id)
    signed = set(tasks.values_list("decided_by_id", flat=True)) | set(tasks.values_list("on_behalf_of_id", flat=True))
    for task in tasks.filter(status=TaskStatus.WAITING).order_by("stage", "id"):
        for person in sorted(approvers_of(task), key=lambda person: person.pk):
            if person.pk not in signed:
                return person
    steps = list(tasks.filter(~Q(status=TaskStatus.APPROVED)).values_list("stage", "role", "status"))
    raise AssertionError(f"nobody may sign the next step of {kind} {request_id}: {steps}")


def approve_loan_fully(loan: Loan) -> Loan:
    """Every step of `loan`'s chain signed in order; returns the approved loan."""
    loan = Loan.objects.get(pk=loan.pk)
    while loan.status == LoanStatus.REQUESTED:
        loan = services.loan_approve(loan, by=next_signer(loan.kind, loan.pk))
    assert loan.status == LoanStatus.APPROVED, loan.get_status_display()
    return loan


def approve_extension_fully(extension: Extension) -> Extension:
    """Every step of the 续借's chain (its loan's kind) signed in order; returns it approved."""
    extension = Extension.objects.get(pk=extension.pk)
    while extension.status == ExtensionStatus.REQUESTED:
        signer = next_signer(RequestKind.EXTENSION, extension.pk)
        extension = services.extension_decide(extension, by=signer, approve=True)
    assert extension.status == ExtensionStatus.APPROVED, extension.get_status_display()
    return extension


def signatures(kind: str, request_id: int) -> list[tuple[int, str, str]]:
    """The request's chain as it stands: (stage, signer's username or "", step status), in order."""
    return [
        (task.stage, task.decided_by.username if task.decided_by else "", task.status)
        for task in ApprovalTask.objects.filter(kind=kind, request_id=request_id)
        .select_related("decided_by")
        .order_by("stage", "id")
    ]


def signed_for(loan: Loan) -> Loan:
    """The borrower signs (签收) for what is out now — the original, or the photocopies once
    registered — unless they already did: a loan closes only once its receipt is recorded (SPEC §5)."""
    loan = Loan.objects.get(pk=loan.pk)
    if loan.awaiting_receipt:
        loan = services.loan_confirm_receipt(loan, by=loan.borrower)
    return loan
