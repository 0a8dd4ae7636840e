"""借阅: request → approval → issue → borrower signs → return and close, step by step (SPEC §5)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from crm_archive.errors import ActionRefused, TransitionRefused
from customers.models import SecrecyTier
from customers.secrecy import can_read_customer
from customers.services import customer_access_grant
from dossiers.models import DossierStatus, Repair
from lending import services
from lending.models import Loan, LoanKind, LoanStatus

pytestmark = pytest.mark.django_db


def request_through_the_page(client, dossier, kind=LoanKind.BORROW):
    response = client.post(
        reverse("lending:request"),
        {"archive_number": dossier.archive_number, "kind": kind, "content": "安装参数一览表", "purpose": "售后维修"},
    )
    return response


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("clock", "due"),
    [
        # In the working day: due at its end, 17:30.
        (datetime(2026, 12, 31, 9, 0, tzinfo=SHANGHAI), "17:30"),
        # After hours (an original handed out at 18:00): due that evening, not already overdue.
        (datetime(2026, 12, 31, 18, 0, tzinfo=SHANGHAI), "23:59"),
    ],
    ids=["morning", "after-hours"],
)
def test_the_whole_borrow_flow_through_the_pages(archive, formal_dossier, client_for, clock, due):
    with time_machine.travel(clock, tick=False):
        people = archive["people"]
        dossier = formal_dossier(SecrecyTier.PERSONAL)
        owner = client_for(people["owner"])
        response = request_through_the_page(owner, dossier)
        loan = Loan.objects.get()
        assert response.status_code == 302 and loan.status == LoanStatus.REQUESTED
        assert not loan.needs_tier_approval  # the owner may read their own customer's tier

        waiting = client_for(people["archive_manager"]).get(reverse("home")).content.decode()
        assert loan.register_number in waiting
        client_for(people["archive_manager"]).post(reverse("lending:approve", args=[loan.pk]))
        loan.refresh_from_db()
        assert loan.status == LoanStatus.APPROVED and loan.archive_approved_by == people["archive_manager"]

        assert loan.register_number in client_for(people["clerk"]).get(reverse("home")).content.decode()
        client_for(people["clerk"]).post(reverse("lending:issue", args=[loan.pk]))
        loan.refresh_from_db()
        assert loan.status == LoanStatus.ISSUED and loan.issued_by == people["clerk"]
        assert timezone.localtime(loan.due_at).date() == clock.date()  # due the same day
        assert timezone.localtime(loan.due_at).strftime("%H:%M") == due
        assert not loan.is_overdue

        client_for(people["owner"]).post(reverse("lending:confirm", args=[loan.pk]))
        loan.refresh_from_db()
        assert loan.borrower_confirmed_at is not None

        client_for(people["clerk"]).post(reverse("lending:return", args=[loan.pk]), {"complete": "yes"})
        loan.refresh_from_db()
        assert loan.status == LoanStatus.CLOSED and loan.returned_complete is True and loan.closed_by == people["clerk"]
        register = client_for(people["clerk"]).get(reverse("lending:register", args=["borrow"])).content.decode()
        assert loan.register_number in register and "已注销" in register


def test_an_incomplete_return_is_recorded_and_opens_a_repair(archive, formal_dossier, client_for):
    people = archive["people"]
    dossier = formal_dossier()
    loan = services.loan_request(
        borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = services.loan_approve(loan, by=people["archive_manager"])
    loan = services.loan_issue(loan, by=people["clerk"])
    damaged = dossier.documents.first()
    client = client_for(people["clerk"])
    refused = client.post(reverse("lending:return", args=[loan.pk]), {"complete": "no"}, follow=True)
    assert "归还不完整或有破损时，请写明情况。" in refused.content.decode()
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ISSUED
    client.post(
        reverse("lending:return", args=[loan.pk]),
        {"complete": "no", "remarks": "第2页撕裂", "damaged_documents": [damaged.pk]},
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.returned_complete is False
    repair = Repair.objects.get()
    assert repair.document == damaged and "第2页撕裂" in repair.damage and repair.is_open


def test_nobody_approves_their_own_request(archive, formal_dossier, make_user):
    manager_as_borrower = archive["people"]["archive_manager"]
    loan = services.loan_request(
        borrower=manager_as_borrower,
        dossier=formal_dossier(SecrecyTier.COMPANY),
        kind=LoanKind.BORROW,
        content="x",
        purpose="y",
    )
    with pytest.raises(ActionRefused, match="不能审批自己的申请"):
        services.loan_approve(loan, by=manager_as_borrower)


def test_the_clerk_cannot_issue_to_themself(archive, lending_people, formal_dossier):
    clerk = archive["people"]["clerk"]
    loan = services.loan_request(
        borrower=clerk, dossier=formal_dossier(SecrecyTier.COMPANY), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = services.loan_approve(loan, by=archive["people"]["archive_manager"])
    loan = services.loan_approve(loan, by=lending_people["marketing_director"])
    assert loan.status == LoanStatus.APPROVED
    with pytest.raises(ActionRefused, match="经办人不能是借阅人本人"):
        services.loan_issue(loan, by=clerk)


@pytest.mark.parametrize("person", ["owner", "manager", "general_manager"])
def test_only_the_archive_manager_gives_the_archive_approval(person, archive, formal_dossier, make_user):
    loan = services.loan_request(
        borrower=archive["people"]["colleague"],
        dossier=formal_dossier(),
        kind=LoanKind.BORROW,
        content="x",
        purpose="y",
    )
    if person == "manager":
        # The department manager is the tier approver here, not the archive's.
        services.loan_approve(loan, by=archive["people"][person])
        loan.refresh_from_db()
        assert loan.status == LoanStatus.REQUESTED and loan.archive_approved_by is None
    else:
        with pytest.raises(ActionRefused):
            services.loan_approve(loan, by=archive["people"][person])


@pytest.mark.parametrize("person", ["owner", "archive_manager", "general_manager"])
def test_only_the_archive_clerk_issues_and_receives(person, archive, lending_people, formal_dossier, client_for):
    people = lending_people
    loan = services.loan_request(
        borrower=people["colleague"],
        dossier=formal_dossier(SecrecyTier.COMPANY),
        kind=LoanKind.BORROW,
        content="x",
        purpose="y",
    )
    loan = services.loan_approve(loan, by=people["archive_manager"])
    loan = services.loan_approve(loan, by=people["marketing_director"])
    response = client_for(people[person]).post(reverse("lending:issue", args=[loan.pk]), follow=True)
    assert "只有档案管理员可以发放档案" in response.content.decode() or response.status_code == 404
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.APPROVED


def test_each_step_is_refused_in_the_wrong_state(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    with pytest.raises(TransitionRefused, match="待审批"):
        services.loan_issue(loan, by=people["clerk"])
    with pytest.raises(TransitionRefused):
        services.loan_return(loan, by=people["clerk"], complete=True)
    loan = services.loan_approve(loan, by=people["archive_manager"])
    with pytest.raises(TransitionRefused):
        services.loan_approve(loan, by=people["archive_manager"])
    loan = services.loan_issue(loan, by=people["clerk"])
    with pytest.raises(TransitionRefused):
        services.loan_issue(loan, by=people["clerk"])
    with pytest.raises(TransitionRefused):
        services.loan_cancel(loan, by=people["owner"])
    with pytest.raises(ActionRefused, match="只有借阅人本人可以签收"):
        services.loan_confirm_receipt(loan, by=people["colleague"])


@pytest.mark.parametrize(
    "status", [DossierStatus.TEMPORARY, DossierStatus.COMPLETION_RECEIVED, DossierStatus.DESTROYED]
)
def test_requests_for_dossiers_not_on_the_shelf_are_refused_with_a_message(status, archive, open_dossier, client_for):
    dossier = open_dossier()
    dossier.status, dossier.archive_number = status, f"KH-TEST-{status}"
    dossier.save(update_fields=["status", "archive_number"])
    response = request_through_the_page(client_for(archive["people"]["owner"]), dossier)
    html = response.content.decode()
    assert ("已销毁" in html) if status == DossierStatus.DESTROYED else ("尚未转为正式档案" in html)
    assert not Loan.objects.exists()


def test_an_unknown_archive_number_is_reported_on_the_form(archive, client_for):
    response = client_for(archive["people"]["owner"]).post(
        reverse("lending:request"), {"archive_number": "KH-0000-X", "kind": "borrow", "content": "x", "purpose": "y"}
    )
    assert "没有档号为“KH-0000-X”的档案" in response.content.decode()


def test_a_reader_without_the_tier_needs_the_tier_approver_and_reads_only_until_return(
    archive, lending_people, formal_dossier, client_for
):
    people = lending_people
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    customer = dossier.customer
    outsider = people["outsider"]
    assert not can_read_customer(outsider, customer)
    loan = services.loan_request(borrower=outsider, dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y")
    assert loan.needs_tier_approval
    loan = services.loan_approve(loan, by=people["archive_manager"])
    assert loan.status == LoanStatus.REQUESTED  # the tier's approver has not agreed yet
    # The owner's department manager approves personal-tier access; the outsider's own manager cannot.
    with pytest.raises(ActionRefused):
        services.loan_approve(loan, by=people["outsider_manager"])
    waiting = client_for(people["manager"]).get(reverse("home")).content.decode()
    assert loan.register_number in waiting
    loan = services.loan_approve(loan, by=people["manager"])
    assert loan.status == LoanStatus.APPROVED
    assert can_read_customer(outsider, customer)
    loan = services.loan_issue(loan, by=people["clerk"])
    assert client_for(outsider).get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    services.loan_return(loan, by=people["clerk"], complete=True)
    assert not can_read_customer(outsider, customer)
    assert client_for(outsider).get(reverse("customers:detail", args=[customer.pk])).status_code == 404


@pytest.mark.parametrize(
    ("tier", "approver"),
    [
        (SecrecyTier.COMPANY, "marketing_director"),
        (SecrecyTier.DEPARTMENT, "manager"),
        (SecrecyTier.TOP_SECRET, "general_manager"),
    ],
)
def test_the_tier_approver_follows_the_secrecy_table(tier, approver, archive, lending_people, formal_dossier):
    people = lending_people
    loan = services.loan_request(
        borrower=people["outsider"], dossier=formal_dossier(tier), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    others = {"marketing_director", "manager", "general_manager"} - {approver}
    for other in others:
        with pytest.raises(ActionRefused):
            services.loan_approve(loan, by=people[other])
    services.loan_approve(loan, by=people[approver])
    loan = services.loan_approve(loan, by=people["archive_manager"])
    assert loan.status == LoanStatus.APPROVED


def test_an_extension_is_approved_like_the_loan_and_moves_the_due_date(archive, formal_dossier, client_for):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = services.loan_issue(services.loan_approve(loan, by=people["archive_manager"]), by=people["clerk"])
    later = loan.due_at + timedelta(days=1)
    extension = services.extension_request(loan, by=people["owner"], until=later, reason="资料较多")
    with pytest.raises(ActionRefused, match="不能审批自己的申请|不需要您审批"):
        services.extension_decide(extension, by=people["owner"], approve=True)
    client_for(people["archive_manager"]).post(
        reverse("lending:extension_decide", args=[loan.pk, extension.pk]), {"decision": "approve"}
    )
    loan.refresh_from_db()
    assert loan.due_at == later
    row = client_for(people["clerk"]).get(reverse("lending:register", args=["borrow"])).content.decode()
    assert timezone.localtime(later).strftime("%Y-%m-%d %H:%M") in row


def test_overdue_loans_show_to_the_clerk_and_the_borrowers_manager_and_are_reminded(
    archive, formal_dossier, client_for
):
    from accounts.models import Notification
    from lending.tasks import send_overdue_reminders

    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = services.loan_issue(services.loan_approve(loan, by=people["archive_manager"]), by=people["clerk"])
    Loan.objects.filter(pk=loan.pk).update(
        issued_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(days=2)
    )
    assert 'data-panel="loans-overdue"' in client_for(people["clerk"]).get(reverse("home")).content.decode()
    assert 'data-panel="department-overdue"' in client_for(people["manager"]).get(reverse("home")).content.decode()
    assert send_overdue_reminders.delay().get() == 1
    assert set(
        Notification.objects.filter(message__contains="已逾期").values_list("recipient__username", flat=True)
    ) == {
        "owner",
        "manager",
    }


def test_the_register_leaves_empty_cells_empty(archive, formal_dossier, client_for):
    people = archive["people"]
    services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    html = client_for(people["clerk"]).get(reverse("lending:register", args=["borrow"])).content.decode()
    assert "None" not in html


def test_after_hours_a_tier_approved_loan_is_approved_issued_and_due_the_same_evening(
    archive, lending_people, formal_dossier
):
    from datetime import datetime
    from unittest import mock
    from zoneinfo import ZoneInfo

    people = lending_people
    evening = datetime.combine(timezone.localdate(), datetime.min.time(), ZoneInfo("Asia/Shanghai")) + timedelta(
        hours=18, minutes=30
    )
    with mock.patch("django.utils.timezone.now", return_value=evening):
        loan = services.loan_request(
            borrower=people["outsider"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
        )
        loan = services.loan_approve(loan, by=people["archive_manager"])
        loan = services.loan_approve(loan, by=people["manager"])
        assert loan.status == LoanStatus.APPROVED
        loan = services.loan_issue(loan, by=people["clerk"])
        assert loan.due_at > loan.issued_at
        assert timezone.localtime(loan.due_at).strftime("%H:%M") == "23:59"
        assert can_read_customer(people["outsider"], loan.dossier.customer)


def test_a_running_grant_does_not_skip_the_tier_approval_of_a_new_request(archive, formal_dossier, lending_people):
    outsider = lending_people["outsider"]
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    customer_access_grant(dossier.customer, user=outsider, until=timezone.now() + timedelta(hours=2))
    assert can_read_customer(outsider, dossier.customer)
    loan = services.loan_request(borrower=outsider, dossier=dossier, kind=LoanKind.PHOTOCOPY, content="x", purpose="y")
    assert loan.needs_tier_approval


def test_an_extension_cannot_be_approved_once_the_loan_is_returned(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = services.loan_issue(services.loan_approve(loan, by=people["archive_manager"]), by=people["clerk"])
    extension = services.extension_request(
        loan, by=people["owner"], until=loan.due_at + timedelta(days=7), reason="多看几天"
    )
    services.loan_return(loan, by=people["clerk"], complete=True)
    with pytest.raises(TransitionRefused):
        services.extension_decide(extension, by=people["archive_manager"], approve=True)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.due_at < loan.returned_at + timedelta(days=1)


def test_a_clerk_who_borrowed_cannot_close_their_own_loan(archive, formal_dossier, make_user):
    people = archive["people"]
    borrowing_clerk = people["checker"]  # a second archive clerk
    loan = services.loan_request(
        borrower=borrowing_clerk,
        dossier=formal_dossier(SecrecyTier.COMPANY),
        kind=LoanKind.BORROW,
        content="x",
        purpose="y",
    )
    loan = services.loan_approve(loan, by=people["archive_manager"])
    md = make_user(Role.MARKETING_DIRECTOR)
    loan = services.loan_approve(loan, by=md)
    loan = services.loan_issue(loan, by=people["clerk"])
    with pytest.raises(ActionRefused, match="经办人不能是借阅人本人"):
        services.loan_return(loan, by=borrowing_clerk, complete=True)
