"""影印 flow, and the rules the database holds (SPEC §5)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from crm_archive.errors import ActionRefused, TransitionRefused
from customers.models import SecrecyTier
from lending import services
from lending.models import Loan, LoanKind, LoanStatus
from tests.approving import approve_loan_fully, signed_for

pytestmark = pytest.mark.django_db


def approved(people, dossier, *, borrower="owner", kind=LoanKind.BORROW):
    loan = services.loan_request(borrower=people[borrower], dossier=dossier, kind=kind, content="合同", purpose="投标")
    return approve_loan_fully(loan)


@time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_the_whole_photocopy_flow(archive, formal_dossier, client_for):
    people = archive["people"]
    dossier = formal_dossier()
    loan = approved(people, dossier, kind=LoanKind.PHOTOCOPY)
    assert loan.status == LoanStatus.APPROVED and loan.archive_approved_by == people["archive_manager"]
    clerk = client_for(people["clerk"])
    clerk.post(reverse("lending:issue", args=[loan.pk]), {"pages": 6})
    due = timezone.localdate() + timedelta(days=3)  # Friday 13 March, a working day
    clerk.post(
        reverse("lending:photocopy", args=[loan.pk]),
        {
            "copied_content": "合同第1-4页",
            "pages": 4,
            "copies": 2,
            "copies_due_on": due.isoformat(),
            "original_complete": "yes",
        },
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.COPIES_OUT and loan.original_complete is True
    assert loan.photocopy.pages == 4 and loan.photocopy.copies == 2
    assert timezone.localtime(loan.due_at).date() == due
    # The original is back in its cabinet: it can be lent again while the copies are out.
    again = approved(people, dossier, borrower="colleague")
    assert services.loan_issue(again, by=people["clerk"]).status == LoanStatus.ISSUED
    register = clerk.get(reverse("lending:register", args=["photocopy"])).content.decode()
    assert "合同" in register and "4 / 2" in register
    # The copies are not closed before the borrower signs for them (签收), even once registered.
    refused = clerk.post(reverse("lending:photocopy_close", args=[loan.pk]), {"complete": "yes"}, follow=True)
    assert "借阅人尚未签收" in refused.content.decode()
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.COPIES_OUT
    client_for(loan.borrower).post(reverse("lending:confirm", args=[loan.pk]))
    assert Loan.objects.get(pk=loan.pk).photocopy.copies_signed_at is not None
    client_for(people["clerk"]).post(reverse("lending:photocopy_close", args=[loan.pk]), {"complete": "yes"})
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.photocopy.copies_complete is True


def test_photocopies_need_the_archive_managers_approval(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.PHOTOCOPY, content="x", purpose="y"
    )
    # A photocopy's chain starts with the archive manager: the department manager has no step in it.
    with pytest.raises(ActionRefused):
        services.loan_approve(loan, by=people["manager"])
    with pytest.raises(TransitionRefused):
        services.loan_issue(loan, by=people["clerk"])
    loan = services.loan_approve(loan, by=people["archive_manager"])
    assert loan.status == LoanStatus.APPROVED and loan.archive_approved_by == people["archive_manager"]


def test_incomplete_photocopies_must_be_described_before_closing(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_issue(approved(people, formal_dossier(), kind=LoanKind.PHOTOCOPY), by=people["clerk"])
    loan = services.photocopy_register(
        loan,
        by=people["clerk"],
        copied_content="x",
        pages=1,
        copies=1,
        copies_due_on=timezone.localdate(),
        original_complete=True,
    )
    with pytest.raises(ActionRefused, match="请写明情况"):
        services.photocopy_close(signed_for(loan), by=people["clerk"], complete=False)
    loan = services.photocopy_close(signed_for(loan), by=people["clerk"], complete=False, remarks="少一份")
    assert loan.returned_complete is False and "少一份" in loan.remarks


def test_the_same_original_cannot_be_lent_twice(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    first = approved(people, dossier)
    second = approved(people, dossier)
    services.loan_issue(first, by=people["clerk"])
    with pytest.raises(TransitionRefused, match="原件已借出，尚未归还"):
        services.loan_issue(second, by=people["clerk"])
    assert Loan.objects.get(pk=second.pk).status == LoanStatus.APPROVED


def test_the_database_refuses_a_second_original_out_even_without_the_service(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    first = services.loan_issue(approved(people, dossier), by=people["clerk"])
    second = approved(people, dossier)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=second.pk).update(
            status=LoanStatus.ISSUED, issued_at=first.issued_at, issued_by=people["clerk"], due_at=first.due_at
        )


def test_the_database_refuses_a_change_of_borrower(archive, formal_dossier):
    loan = approved(archive["people"], formal_dossier())
    with pytest.raises(IntegrityError, match="handed on"), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(borrower=archive["people"]["colleague"])


def test_the_database_refuses_a_due_date_before_issue(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_issue(approved(people, formal_dossier()), by=people["clerk"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(due_at=loan.issued_at - timedelta(minutes=1))


def test_the_database_refuses_an_issuer_who_is_the_borrower(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_issue(approved(people, formal_dossier()), by=people["clerk"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(issued_by=people["owner"])


def test_the_register_keeps_a_fixed_number_of_queries(
    archive, formal_dossier, client_for, django_assert_max_num_queries
):
    people = archive["people"]
    dossier = formal_dossier(SecrecyTier.COMPANY)
    for _ in range(105):
        loan = services.loan_request(
            borrower=people["archive_manager"], dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y"
        )
        Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.CLOSED)
    client = client_for(people["clerk"])
    for size in (10, 100):
        with django_assert_max_num_queries(13):  # 13th: the session's idle timer, saved on each request
            html = client.get(reverse("lending:register", args=["borrow"]), {"per_page": size}).content.decode()
        assert html.count("data-loan=") == size


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_issuing_the_same_original_at_once_leave_one_out_and_refuse_the_other(
    archive, make_user, formal_dossier
):
    assert connection.vendor == "postgresql"
    from accounts.roles import Role

    people = archive["people"]
    second_clerk = make_user(Role.ARCHIVE_CLERK, username="clerk2")
    dossier = formal_dossier()
    loans = [approved(people, dossier), approved(people, dossier, borrower="manager")]
    barrier = threading.Barrier(2)
    refused, errors = [], []

    def issue(loan, clerk):
        try:
            barrier.wait(timeout=10)
            services.loan_issue(loan, by=clerk)
        except TransitionRefused as refusal:
            refused.append(str(refusal))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=issue, args=(loans[0], people["clerk"])),
        threading.Thread(target=issue, args=(loans[1], second_clerk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(refused) == 1 and "原件已借出" in refused[0]
    assert Loan.objects.filter(dossier=dossier, status=LoanStatus.ISSUED).count() == 1


def test_extending_a_photocopy_loan_moves_the_copies_due_date(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.PHOTOCOPY, content="x", purpose="y"
    )
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    loan = services.photocopy_register(
        loan,
        by=people["clerk"],
        copied_content="x",
        pages=1,
        copies=1,
        copies_due_on=timezone.localdate(),
        original_complete=True,
    )
    later = loan.due_at + timedelta(days=3)
    extension = services.extension_request(loan, by=people["owner"], until=later, reason="外地投标")
    services.extension_decide(extension, by=people["archive_manager"], approve=True)
    loan.refresh_from_db()
    assert loan.photocopy.copies_due_on == timezone.localdate(later)
