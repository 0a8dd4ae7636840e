"""借阅: request → approval → issue → borrower signs → return and close, step by step (SPEC §5).

A borrow request is approved through its chain (SPEC §9): the borrower's department manager
first, then the archive manager — beside the tier's manager when the borrower may not read the
tier; an extension follows the chain of its loan's kind."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from crm_archive.errors import ActionRefused, TransitionRefused
from customers.models import CustomerAccessGrant, SecrecyTier
from customers.secrecy import can_read_customer
from customers.services import customer_access_grant
from dossiers.models import DossierStatus, Repair
from lending import services
from lending.models import ExtensionStatus, Loan, LoanKind, LoanStatus
from lending.permissions import extension_actions, loan_actions, loans_awaiting_approval_by
from tests.approving import approve_loan_fully, signatures, signed_for
from tests.customers.html import text

pytestmark = pytest.mark.django_db


def request_through_the_page(client, dossier, kind=LoanKind.BORROW):
    response = client.post(
        reverse("lending:request"),
        {"archive_number": dossier.archive_number, "kind": kind, "content": "安装参数一览表", "purpose": "售后维修"},
    )
    return response


def loans_waiting_on_the_dashboard(client) -> str:
    """The dashboard's panel of requests waiting for the signed-in person's signature."""
    html = client.get(reverse("home")).content.decode()
    return html.split('data-panel="loans-waiting"', 1)[1].split("</ul>", 1)[0] if "loans-waiting" in html else ""


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

        # The owner's department manager signs first; only then is it the archive manager's turn.
        assert loan.register_number not in loans_waiting_on_the_dashboard(client_for(people["archive_manager"]))
        assert loan.register_number in loans_waiting_on_the_dashboard(client_for(people["manager"]))
        client_for(people["manager"]).post(reverse("lending:approve", args=[loan.pk]))
        loan.refresh_from_db()
        assert loan.status == LoanStatus.REQUESTED

        assert loan.register_number in loans_waiting_on_the_dashboard(client_for(people["archive_manager"]))
        client_for(people["archive_manager"]).post(reverse("lending:approve", args=[loan.pk]))
        loan.refresh_from_db()
        assert loan.status == LoanStatus.APPROVED and loan.archive_approved_by == people["archive_manager"]
        assert signatures(loan.kind, loan.pk) == [(1, "manager", "approved"), (2, "archmgr", "approved")]

        assert loan.register_number in client_for(people["clerk"]).get(reverse("home")).content.decode()
        client_for(people["clerk"]).post(reverse("lending:issue", args=[loan.pk]), {"pages": 8})
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
    loan = signed_for(services.loan_issue(approve_loan_fully(loan), by=people["clerk"]))
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
    # The archive manager heads the clerk's own office: one signature serves as the department's
    # and the archive's; the company tier is closed to the clerk, so the marketing director signs too.
    loan = services.loan_approve(loan, by=archive["people"]["archive_manager"])
    loan = services.loan_approve(loan, by=lending_people["marketing_director"])
    assert loan.status == LoanStatus.APPROVED
    with pytest.raises(ActionRefused, match="经办人不能是借阅人本人"):
        services.loan_issue(loan, by=clerk)


@pytest.mark.parametrize("person", ["owner", "manager", "general_manager"])
def test_only_the_archive_manager_gives_the_archive_approval(person, archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["colleague"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    # The colleague's department manager also manages the owner's personal tier: one signature for both.
    loan = services.loan_approve(loan, by=people["manager"])
    assert loan.status == LoanStatus.REQUESTED
    with pytest.raises(ActionRefused):
        services.loan_approve(loan, by=people[person])
    loan.refresh_from_db()
    assert loan.status == LoanStatus.REQUESTED and loan.archive_approved_by is None
    loan = services.loan_approve(loan, by=people["archive_manager"])
    assert loan.status == LoanStatus.APPROVED and loan.archive_approved_by == people["archive_manager"]


def test_the_archive_manager_cannot_approve_a_borrow_request_before_the_department_manager(
    archive, formal_dossier, client_for
):
    people = archive["people"]
    archive_manager = people["archive_manager"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    assert loan not in loans_awaiting_approval_by(archive_manager)
    assert loan_actions(archive_manager, loan) == set()
    with pytest.raises(ActionRefused, match="当前不需要您审批"):
        services.loan_approve(loan, by=archive_manager)
    with pytest.raises(ActionRefused, match="当前不需要您审批"):
        services.loan_reject(loan, by=archive_manager, reason="材料正在整理")
    refused = client_for(archive_manager).post(reverse("lending:approve", args=[loan.pk]), follow=True)
    assert "当前不需要您审批" in refused.content.decode() or refused.status_code == 404
    loan.refresh_from_db()
    assert loan.status == LoanStatus.REQUESTED and loan.archive_approved_by is None
    assert signatures(loan.kind, loan.pk) == [(1, "", "waiting"), (2, "", "queued")]

    services.loan_approve(loan, by=people["manager"])
    assert loan in loans_awaiting_approval_by(archive_manager)
    assert {"approve", "reject"} <= loan_actions(archive_manager, loan)
    assert services.loan_approve(loan, by=archive_manager).status == LoanStatus.APPROVED


def test_a_managers_own_request_goes_straight_to_the_archive_manager(archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["manager"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    # A department manager has no department head above them to sign; they read their department's
    # personal tier, so nobody signs for the tier either.
    assert not loan.needs_tier_approval
    assert signatures(loan.kind, loan.pk) == [(1, "", "waiting")]
    assert services.loan_approve(loan, by=people["archive_manager"]).status == LoanStatus.APPROVED


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
    loan = approve_loan_fully(loan)
    response = client_for(people[person]).post(reverse("lending:issue", args=[loan.pk]), {"pages": 3}, follow=True)
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
        services.loan_return(signed_for(loan), by=people["clerk"], complete=True)
    loan = approve_loan_fully(loan)
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
    loan = services.loan_approve(loan, by=people["outsider_manager"])  # the borrower's own department first
    loan = services.loan_approve(loan, by=people["archive_manager"])
    assert loan.status == LoanStatus.REQUESTED  # the tier's approver has not agreed yet
    # The owner's department manager approves personal-tier access; the outsider's own manager cannot.
    with pytest.raises(ActionRefused):
        services.loan_approve(loan, by=people["outsider_manager"])
    assert loan.register_number in loans_waiting_on_the_dashboard(client_for(people["manager"]))
    loan = services.loan_approve(loan, by=people["manager"])
    assert loan.status == LoanStatus.APPROVED
    assert can_read_customer(outsider, customer)
    loan = services.loan_issue(loan, by=people["clerk"])
    assert client_for(outsider).get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    services.loan_return(signed_for(loan), by=people["clerk"], complete=True)
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
    loan = services.loan_approve(loan, by=people["outsider_manager"])  # the borrower's department manager
    others = {"marketing_director", "manager", "general_manager"} - {approver}
    for other in others:
        with pytest.raises(ActionRefused):
            services.loan_approve(loan, by=people[other])
    services.loan_approve(loan, by=people[approver])
    loan = services.loan_approve(loan, by=people["archive_manager"])
    assert loan.status == LoanStatus.APPROVED and loan.tier_approved_by == people[approver]


def test_an_extension_is_approved_like_the_loan_and_moves_the_due_date(archive, formal_dossier, client_for):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    due = loan.due_at
    later = due + timedelta(days=1)
    extension = services.extension_request(loan, by=people["owner"], until=later, reason="资料较多")
    with pytest.raises(ActionRefused, match="不能审批自己的申请|不需要您审批"):
        services.extension_decide(extension, by=people["owner"], approve=True)
    decide = reverse("lending:extension_decide", args=[loan.pk, extension.pk])
    client_for(people["archive_manager"]).post(decide, {"decision": "approve"})  # not yet the archive's turn
    loan.refresh_from_db()
    assert loan.due_at == due
    client_for(people["manager"]).post(decide, {"decision": "approve"})
    client_for(people["archive_manager"]).post(decide, {"decision": "approve"})
    loan.refresh_from_db()
    assert loan.due_at == later
    row = client_for(people["clerk"]).get(reverse("lending:register", args=["borrow"])).content.decode()
    assert timezone.localtime(later).strftime("%Y-%m-%d %H:%M") in text(row)


@pytest.mark.parametrize(
    ("kind", "chain"),
    [
        # 借阅: the borrower's department manager, then the archive manager.
        (LoanKind.BORROW, ["manager", "archive_manager"]),
        # 影印: the archive manager alone (the owner reads the tier).
        (LoanKind.PHOTOCOPY, ["archive_manager"]),
    ],
)
def test_an_extension_follows_the_chain_of_its_loans_kind(kind, chain, archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=kind, content="x", purpose="y"
    )
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    extension = services.extension_request(loan, by=people["owner"], until=loan.due_at + timedelta(days=1), reason="z")
    assert len(signatures("extension", extension.pk)) == len(chain)  # copied from the loan kind's chain
    for signer in {"manager", "archive_manager", "general_manager"} - {chain[0]}:
        assert extension_actions(people[signer], extension) == set()
        with pytest.raises(ActionRefused):
            services.extension_decide(extension, by=people[signer], approve=True)
    for number, signer in enumerate(chain, start=1):
        assert extension_actions(people[signer], extension) == {"approve", "reject"}
        extension = services.extension_decide(extension, by=people[signer], approve=True)
        assert extension.status == (ExtensionStatus.APPROVED if number == len(chain) else ExtensionStatus.REQUESTED)
    assert signatures("extension", extension.pk) == [
        (stage, people[signer].username, "approved") for stage, signer in enumerate(chain, start=1)
    ]


def test_an_extension_of_a_loan_the_borrower_may_not_read_needs_the_tier_manager_again(
    archive, lending_people, formal_dossier
):
    people = lending_people
    loan = services.loan_request(
        borrower=people["outsider"],
        dossier=formal_dossier(SecrecyTier.COMPANY),
        kind=LoanKind.BORROW,
        content="x",
        purpose="y",
    )
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    later = loan.due_at + timedelta(days=1)
    extension = services.extension_request(loan, by=people["outsider"], until=later, reason="z")
    extension = services.extension_decide(extension, by=people["outsider_manager"], approve=True)
    extension = services.extension_decide(extension, by=people["archive_manager"], approve=True)
    assert extension.status == ExtensionStatus.REQUESTED  # the tier's manager, beside the archive's, has not signed
    extension = services.extension_decide(extension, by=people["marketing_director"], approve=True)
    assert extension.status == ExtensionStatus.APPROVED and extension.tier_approved_by == people["marketing_director"]
    loan = Loan.objects.select_related("grant").get(pk=loan.pk)
    assert loan.due_at == later and loan.grant.expires_at == later


@time_machine.travel(datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_overdue_loans_show_to_the_clerk_and_the_borrowers_manager_and_are_reminded(
    archive, formal_dossier, client_for
):
    """Due on Monday 9 March: by Wednesday two working days have passed, so the borrower (at once)
    and their department manager (after one working day) have been told, not yet the archive and
    general managers (after three)."""
    from accounts.models import Notification
    from lending.tasks import send_loan_notices

    people = archive["people"]
    loan = services.loan_request(
        borrower=people["owner"], dossier=formal_dossier(), kind=LoanKind.BORROW, content="x", purpose="y"
    )
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    Loan.objects.filter(pk=loan.pk).update(
        issued_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(days=2)
    )
    assert 'data-panel="loans-overdue"' in client_for(people["clerk"]).get(reverse("home")).content.decode()
    assert 'data-panel="department-overdue"' in client_for(people["manager"]).get(reverse("home")).content.decode()
    assert send_loan_notices.delay().get() == {"courtesy": 0, "overdue": 2, "reservations_lapsed": 0}
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
        loan = services.loan_approve(loan, by=people["outsider_manager"])
        loan = services.loan_approve(loan, by=people["archive_manager"])
        loan = services.loan_approve(loan, by=people["manager"])  # the personal tier's manager
        assert loan.status == LoanStatus.APPROVED
        loan = services.loan_issue(loan, by=people["clerk"])
        assert loan.due_at > loan.issued_at
        assert timezone.localtime(loan.due_at).strftime("%H:%M") == "23:59"
        assert can_read_customer(people["outsider"], loan.dossier.customer)


def test_two_loans_of_one_customer_each_end_their_own_grant(archive, lending_people, formal_dossier):
    people = lending_people
    outsider = people["outsider"]
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    customer = dossier.customer
    copies = services.loan_request(
        borrower=outsider, dossier=dossier, kind=LoanKind.PHOTOCOPY, content="x", purpose="y"
    )
    copies = services.loan_issue(approve_loan_fully(copies), by=people["clerk"])
    copies = services.photocopy_register(
        copies,
        by=people["clerk"],
        copied_content="x",
        pages=1,
        copies=1,
        copies_due_on=timezone.localdate() + timedelta(days=3),
        original_complete=True,
    )
    original = services.loan_request(borrower=outsider, dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y")
    original = services.loan_issue(approve_loan_fully(original), by=people["clerk"])
    assert original.grant_id != copies.grant_id

    services.loan_return(signed_for(original), by=people["clerk"], complete=True)
    assert can_read_customer(outsider, customer)  # through the photocopies' own grant, still running
    services.photocopy_close(signed_for(copies), by=people["clerk"], complete=True)
    assert not can_read_customer(outsider, customer)
    # Ended grants are kept as history, each marked revoked.
    grants = CustomerAccessGrant.objects.filter(user=outsider, content_object=customer)
    assert grants.count() == 2 and not grants.filter(revoked_at__isnull=True).exists()


def test_a_withdrawn_loan_ends_its_grant_and_keeps_it(archive, lending_people, formal_dossier):
    people = lending_people
    outsider = people["outsider"]
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    loan = services.loan_request(borrower=outsider, dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y")
    loan = approve_loan_fully(loan)
    assert can_read_customer(outsider, dossier.customer)
    services.loan_cancel(loan, by=outsider)
    assert not can_read_customer(outsider, dossier.customer)
    assert CustomerAccessGrant.objects.get(pk=loan.grant_id).revoked_at is not None


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
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    extension = services.extension_request(
        loan, by=people["owner"], until=loan.due_at + timedelta(days=7), reason="多看几天"
    )
    services.loan_return(signed_for(loan), by=people["clerk"], complete=True)
    with pytest.raises(TransitionRefused):
        services.extension_decide(extension, by=people["manager"], approve=True)  # whose turn it was
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
        services.loan_return(signed_for(loan), by=borrowing_clerk, complete=True)


def test_a_department_manager_who_also_manages_the_tier_signs_once_in_both_columns(archive, formal_dossier, client_for):
    """A colleague borrows an original of the owner's personal customer: the sales manager is both
    the borrower's department manager and the tier's manager, signs once, and the register shows
    the signature in the 密级审批 column too."""
    people = archive["people"]
    loan = services.loan_request(
        borrower=people["colleague"],
        dossier=formal_dossier(SecrecyTier.PERSONAL),
        kind=LoanKind.BORROW,
        content="合同",
        purpose="核对",
    )
    assert loan.needs_tier_approval
    loan = services.loan_approve(loan, by=people["manager"])
    assert loan.tier_approved_by == people["manager"] and loan.archive_approved_by is None
    loan = services.loan_approve(loan, by=people["archive_manager"])
    assert loan.status == LoanStatus.APPROVED and loan.archive_approved_by == people["archive_manager"]
    page = client_for(people["archive_manager"]).get(reverse("lending:detail", args=[loan.pk])).content.decode()
    page = page[: page.index('id="history"')]  # the register and the timeline, not the changes below
    assert page.count(str(people["manager"])) >= 1 and "待审批" not in page
