"""Demo loans in every state of both registers."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dossiers.models import Dossier, DossierStatus

from . import circulation, services
from .models import Loan, LoanKind
from .permissions import loans_awaiting_approval_by


@transaction.atomic
def seed_loans(users: dict) -> int:
    if Loan.objects.exists():
        return Loan.objects.count()
    formal = list(Dossier.objects.filter(status=DossierStatus.FORMAL).select_related("customer").order_by("pk"))
    if len(formal) < 3:
        return 0
    clerk, manager = users["clerk"], users["archmgr"]

    def approved(borrower, dossier, kind, content):
        loan = services.loan_request(borrower=borrower, dossier=dossier, kind=kind, content=content, purpose="售后服务")
        # Each approver signs when their step of the chain falls due, until the chain is complete.
        approvers = (users["deptmgr1"], users["deptmgr2"], manager, users["mktdir"], users["gm"])
        signed = True
        while signed:
            signed = False
            for approver in approvers:
                if loans_awaiting_approval_by(approver).filter(pk=loan.pk).exists():
                    loan = services.loan_approve(loan, by=approver)
                    signed = True
        return loan

    # Out and reading now, signed for.
    reading = services.loan_issue(
        approved(users["sales1"], formal[0], LoanKind.BORROW, "交换机安装参数一览表"), by=clerk, pages=8
    )
    services.loan_confirm_receipt(reading, by=users["sales1"])
    # Photocopies outside, due back in a week.
    photocopy = services.loan_issue(
        approved(users["sales2"], formal[1], LoanKind.PHOTOCOPY, "销售合同复印"), by=clerk, pages=6
    )
    services.photocopy_register(
        photocopy,
        by=clerk,
        copied_content="销售合同第1-6页",
        pages=6,
        copies=2,
        copies_due_on=timezone.localdate() + timedelta(days=7),
        original_complete=True,
    )
    # Returned and closed.
    closed = services.loan_issue(approved(users["sales3"], formal[2], LoanKind.BORROW, "竣工报告"), by=clerk, pages=12)
    closed = services.loan_confirm_receipt(closed, by=users["sales3"])
    services.loan_return(closed, by=clerk, complete=True, pages_returned=12)
    # Waiting for approval — for an original that is out: the request joins its reservation queue.
    services.loan_request(
        borrower=users["sales3"], dossier=formal[0], kind=LoanKind.BORROW, content="客户基本资料表", purpose="续约谈判"
    )
    # A reference copy of the first document of the second dossier, on the shelf (参考副本).
    document = formal[1].documents.order_by("position", "pk").first()
    if document is not None:
        circulation.reference_copy_register(document, by=clerk)
    # This month's official report (taken from the 5th on), as the beat job would have.
    today = timezone.localdate()
    services.monthly_report_generate(year=today.year, month=today.month)
    return Loan.objects.count()
