"""Rules a review found bent, held now: grants never open top secret, approvals are never
skipped, closed loans stay closed, lists and holds stay with those concerned."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from crm_archive.errors import ActionRefused, TransitionRefused
from customers.models import SecrecyTier
from customers.secrecy import can_read_customer
from customers.services import customer_access_grant
from destruction import services as destruction_services
from dossiers.models import Document, Dossier, RetentionPeriod
from lending import services as lending_services
from lending.models import LoanKind, LoanStatus
from tests.conftest import PDF_BYTES
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(make_user):
    return make_user(Role.SALES, department=DepartmentFactory(code="far"), username="outsider")


def test_a_grant_never_opens_top_secret_documents(archive, open_dossier, file_document, outsider, client_for):
    dossier = open_dossier(SecrecyTier.PERSONAL)
    regular = file_document(dossier, "客户基本资料表")
    secret = file_document(dossier, "其他", secrecy_tier=SecrecyTier.TOP_SECRET, title="绝密协议")
    for document in (regular, secret):
        document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    customer_access_grant(dossier.customer, user=outsider, until=timezone.now() + timedelta(hours=2))
    client = client_for(outsider)
    assert client.get(reverse("dossiers:document_scan", args=[regular.pk])).status_code == 200
    assert client.get(reverse("dossiers:document_scan", args=[secret.pk])).status_code == 404
    assert "绝密协议" not in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()


def test_top_secret_documents_are_not_listed_to_readers_of_the_dossier(
    archive, open_dossier, file_document, client_for
):
    dossier = open_dossier(SecrecyTier.PERSONAL)
    file_document(dossier, "其他", secrecy_tier=SecrecyTier.TOP_SECRET, title="绝密协议")
    assert (
        "绝密协议"
        not in client_for(archive["people"]["owner"])
        .get(reverse("dossiers:detail", args=[dossier.pk]))
        .content.decode()
    )
    assert (
        "绝密协议"
        in client_for(archive["people"]["clerk"]).get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    )


def test_a_running_grant_does_not_skip_the_tier_approval_of_a_new_request(archive, formal_dossier, outsider):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    customer_access_grant(dossier.customer, user=outsider, until=timezone.now() + timedelta(hours=2))
    assert can_read_customer(outsider, dossier.customer)
    loan = lending_services.loan_request(
        borrower=outsider, dossier=dossier, kind=LoanKind.PHOTOCOPY, content="x", purpose="y"
    )
    assert loan.needs_tier_approval


def test_an_extension_cannot_be_approved_once_the_loan_is_returned(archive, formal_dossier):
    people = archive["people"]
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = lending_services.loan_issue(
        lending_services.loan_approve(loan, by=people["archive_manager"]), by=people["clerk"]
    )
    extension = lending_services.extension_request(
        loan, by=people["owner"], until=loan.due_at + timedelta(days=7), reason="多看几天"
    )
    lending_services.loan_return(loan, by=people["clerk"], complete=True)
    with pytest.raises(TransitionRefused):
        lending_services.extension_decide(extension, by=people["archive_manager"], approve=True)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.due_at < loan.returned_at + timedelta(days=1)


def test_a_clerk_who_borrowed_cannot_close_their_own_loan(archive, formal_dossier, make_user):
    people = archive["people"]
    borrowing_clerk = people["checker"]  # a second archive clerk
    loan = lending_services.loan_request(
        borrower=borrowing_clerk,
        dossier=formal_dossier(SecrecyTier.COMPANY),
        kind=LoanKind.BORROW,
        content="x",
        purpose="y",
    )
    loan = lending_services.loan_approve(loan, by=people["archive_manager"])
    md = make_user(Role.MARKETING_DIRECTOR)
    loan = lending_services.loan_approve(loan, by=md)
    loan = lending_services.loan_issue(loan, by=people["clerk"])
    with pytest.raises(ActionRefused, match="经办人不能是借阅人本人"):
        lending_services.loan_return(loan, by=borrowing_clerk, complete=True)


def test_the_cabinet_page_and_key_log_are_for_the_archive_and_the_general_manager(archive, client_for):
    assert client_for(archive["people"]["owner"]).get(reverse("dossiers:cabinets")).status_code == 403
    assert client_for(archive["people"]["general_manager"]).get(reverse("dossiers:cabinets")).status_code == 200


@pytest.fixture
def drafted_list(archive, formal_dossier):
    def make(dossier=None):
        dossier = dossier or formal_dossier()
        retention = RetentionPeriod.objects.get(code="D10")
        Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=retention)
        Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=retention)
        dossier.refresh_from_db()
        return destruction_services.destruction_list_draft(
            by=archive["people"]["clerk"], department=dossier.customer.department, dossiers=[dossier]
        )

    return make


def test_a_department_manager_sees_only_their_departments_lists_and_no_holds(
    archive, drafted_list, make_user, client_for
):
    destruction_list = drafted_list()
    other_head = make_user(Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="elsewhere"))
    client = client_for(other_head)
    assert client.get(reverse("destruction:detail", args=[destruction_list.pk])).status_code == 404
    assert client.get(reverse("destruction:register", args=[destruction_list.pk])).status_code == 404
    assert destruction_list.number not in client.get(reverse("destruction:index")).content.decode()
    assert client.get(reverse("destruction:holds")).status_code == 403
    own_head = archive["people"]["manager"]
    assert client_for(own_head).get(reverse("destruction:detail", args=[destruction_list.pk])).status_code == 200


def test_a_dossier_holding_documents_still_under_retention_is_not_destroyed_whole(
    archive, formal_dossier, file_document
):
    dossier = formal_dossier()
    retention = RetentionPeriod.objects.get(code="D10")
    Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=retention)
    Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=retention)
    file_document(
        dossier,
        "其他",
        retention=RetentionPeriod.objects.get(code="D30"),
        made_on=timezone.localdate() - timedelta(days=400),
    )
    dossier.refresh_from_db()
    with pytest.raises(ActionRefused, match="保管期限未满的文件"):
        destruction_services.destruction_list_draft(
            by=archive["people"]["clerk"], department=dossier.customer.department, dossiers=[dossier]
        )


def test_every_exported_customer_is_logged_as_read(archive, client_for):
    from customers.models import CustomerReadLog

    owner = archive["people"]["owner"]
    response = client_for(owner).get(reverse("customers:export"))
    b"".join(response.streaming_content)
    logged = set(CustomerReadLog.objects.filter(user=owner, what="export").values_list("customer__name", flat=True))
    assert logged == {"客户-company", "客户-department", "客户-personal"}


def test_extending_a_photocopy_loan_moves_the_copies_due_date(archive, formal_dossier):
    people = archive["people"]
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.PHOTOCOPY, content="x", purpose="y"
    )
    loan = lending_services.loan_issue(
        lending_services.loan_approve(loan, by=people["archive_manager"]), by=people["clerk"]
    )
    loan = lending_services.photocopy_register(
        loan,
        by=people["clerk"],
        copied_content="x",
        pages=1,
        copies=1,
        copies_due_on=timezone.localdate(),
        original_complete=True,
    )
    later = loan.due_at + timedelta(days=3)
    extension = lending_services.extension_request(loan, by=people["owner"], until=later, reason="外地投标")
    lending_services.extension_decide(extension, by=people["archive_manager"], approve=True)
    loan.refresh_from_db()
    assert loan.photocopy.copies_due_on == timezone.localdate(later)
