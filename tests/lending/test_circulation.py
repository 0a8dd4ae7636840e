"""The circulation desk's rules (SPEC §5, issue 13), each allowed and refused: the receipt (签收)
before a loan closes, an original kept overnight, lost and written off, reservations, borrower
blocks, the overdue escalation by working days, renewal limits, reference copies, the desk's scan."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from approvals.models import RequestKind
from crm_archive.errors import ActionRefused, TransitionRefused
from customers.models import SecrecyTier
from dossiers.models import DossierCustody, Repair
from lending import circulation, services
from lending.models import BlockOverride, Loan, LoanKind, LoanNotice, LoanStatus, NoticeKind, OvernightStatus
from tests.approving import approve_loan_fully, next_signer, signed_for

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday with no holiday near it.
TUESDAY = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


def request(people, dossier, borrower="owner", **extra) -> Loan:
    fields = {"kind": LoanKind.BORROW, "content": "安装参数一览表", "purpose": "售后维修", **extra}
    return services.loan_request(borrower=people[borrower], dossier=dossier, **fields)


def approved(people, dossier, borrower="owner", **extra) -> Loan:
    return approve_loan_fully(request(people, dossier, borrower, **extra))


def issued(people, dossier, borrower="owner", **extra) -> Loan:
    return services.loan_issue(approved(people, dossier, borrower, **extra), by=people["clerk"], pages=10)


def notified(username: str, fragment: str) -> bool:
    return Notification.objects.filter(recipient__username=username, message__contains=fragment).exists()


# 1. Registers that hold up as evidence ---------------------------------------------------------


def test_a_loan_cannot_close_before_the_borrower_signs_for_it(clock, archive, formal_dossier, client_for):
    people = archive["people"]
    loan = issued(people, formal_dossier())
    assert loan.pages_out == 10
    with pytest.raises(ActionRefused, match="借阅人尚未签收"):
        services.loan_return(loan, by=people["clerk"], complete=True)
    page = client_for(people["clerk"]).get(reverse("lending:detail", args=[loan.pk])).content.decode()
    assert 'data-receipt="missing"' in page and 'data-action="witness"' in page and 'data-action="return"' not in page

    # The borrower signed the paper register in front of the clerk: recorded as a witnessed signature.
    with pytest.raises(ActionRefused, match="见证签收"):
        services.loan_receipt_witness(loan, by=people["clerk"], note=" ")
    client_for(people["clerk"]).post(reverse("lending:witness", args=[loan.pk]), {"note": "借阅人当面签字，王芳见证"})
    loan.refresh_from_db()
    assert loan.borrower_confirmed_at is not None and loan.receipt_witnessed_by == people["clerk"]

    # Back with fewer pages than went out: it cannot be recorded as complete.
    with pytest.raises(ActionRefused, match="少于交付的 10 页"):
        services.loan_return(loan, by=people["checker"], complete=True, pages_returned=9)
    client_for(people["checker"]).post(
        reverse("lending:return", args=[loan.pk]),
        {"pages_returned": "9", "complete": "no", "damaged": "on", "remarks": "缺第7页，封面破损"},
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.original_received_by == people["checker"]
    assert (loan.pages_returned, loan.returned_complete, loan.returned_damaged) == (9, False, True)
    assert Repair.objects.filter(damage__contains="缺第7页").exists()
    page = client_for(people["clerk"]).get(reverse("lending:detail", args=[loan.pk])).content.decode()
    assert "王芳见证" in page and "归还 9 页" in page


def test_the_photocopy_borrower_signs_for_the_copies_once_registered(clock, archive, formal_dossier):
    people = archive["people"]
    loan = issued(people, formal_dossier(), kind=LoanKind.PHOTOCOPY)
    loan = services.photocopy_register(
        loan,
        by=people["clerk"],
        copied_content="合同第1-3页",
        pages=3,
        copies=2,
        copies_due_on=date(2026, 3, 13),
        original_complete=True,
    )
    assert loan.status == LoanStatus.COPIES_OUT and loan.original_received_by == people["clerk"]
    with pytest.raises(ActionRefused, match="借阅人尚未签收"):
        services.photocopy_close(loan, by=people["clerk"], complete=True)
    services.loan_confirm_receipt(loan, by=people["owner"])
    assert services.photocopy_close(loan, by=people["clerk"], complete=True).status == LoanStatus.CLOSED


def test_an_original_is_due_the_same_day_unless_keeping_it_overnight_is_approved(clock, archive, formal_dossier):
    people = archive["people"]
    same_day = issued(people, formal_dossier(SecrecyTier.COMPANY))
    assert timezone.localtime(same_day.due_at) == at(2026, 3, 10, 17, 30)

    dossier = formal_dossier()
    with pytest.raises(ActionRefused, match="请写明原因"):
        request(people, dossier, requested_due_on=date(2026, 3, 11))
    loan = request(people, dossier, requested_due_on=date(2026, 3, 11), overnight_reason="现场调试需对照")
    assert loan.overnight_status == OvernightStatus.REQUESTED
    # Its own step, beside the loan's chain: the archive manager's.
    assert next_signer(RequestKind.OVERNIGHT, loan.pk) == people["archive_manager"]
    # Issued before the overnight step is decided: due back the same day.
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"], pages=4)
    assert timezone.localtime(loan.due_at) == at(2026, 3, 10, 17, 30)
    with pytest.raises(ActionRefused, match="不能审批自己的申请"):
        services.loan_overnight_decide(loan, by=people["owner"], approve=True)
    loan = services.loan_overnight_decide(loan, by=people["archive_manager"], approve=True)
    assert loan.overnight_status == OvernightStatus.APPROVED
    assert timezone.localtime(loan.due_at) == at(2026, 3, 11, 17, 30)
    assert notified("owner", "可留存至 2026-03-11")


def test_an_overnight_request_refused_leaves_the_original_due_the_same_day(clock, archive, formal_dossier):
    people = archive["people"]
    loan = request(people, formal_dossier(), requested_due_on=date(2026, 3, 12), overnight_reason="出差")
    with pytest.raises(ActionRefused, match="不批准的原因"):
        services.loan_overnight_decide(loan, by=people["archive_manager"], approve=False)
    services.loan_overnight_decide(loan, by=people["archive_manager"], approve=False, comment="当天可查完")
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"], pages=4)
    assert loan.overnight_status == OvernightStatus.REJECTED
    assert timezone.localtime(loan.due_at) == at(2026, 3, 10, 17, 30)


def test_a_lost_loan_is_written_off_with_approval_and_a_repair_or_replace_follow_up(
    clock, archive, formal_dossier, client_for
):
    people = archive["people"]
    dossier = formal_dossier()
    loan = issued(people, dossier)
    client_for(people["clerk"]).post(reverse("lending:report_lost", args=[loan.pk]), {"description": "遗失在会议室"})
    loan.refresh_from_db()
    assert loan.status == LoanStatus.LOST and loan.loss_reported_by == people["clerk"]
    # The archive manager is told at once, and the notice is recorded on the loan.
    assert notified("archmgr", "登记丢失")
    assert LoanNotice.objects.filter(loan=loan, kind=NoticeKind.LOSS).exists()
    # Still out: in the month's report of what is not returned, and the dossier cannot go to anyone.
    assert loan in services.selectors.loans_outstanding()
    waiting = approved(people, dossier, borrower="colleague")
    with pytest.raises(TransitionRefused, match="原件已借出"):
        services.loan_issue(waiting, by=people["clerk"], pages=1)
    with pytest.raises(ActionRefused, match="只有档案管理员"):
        services.loan_report_lost(loan, by=people["owner"], description="x")

    services.loan_write_off_decide(loan, by=people["archive_manager"], approve=True)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.LOST  # the general manager signs next
    loan = services.loan_write_off_decide(loan, by=people["general_manager"], approve=True)
    assert loan.status == LoanStatus.WRITTEN_OFF and loan.written_off_at is not None
    repair = Repair.objects.get()
    assert "补办或复制替换" in repair.damage and repair.is_open
    dossier.refresh_from_db()
    assert dossier.custody == DossierCustody.IN_CABINET
    assert loan not in services.selectors.loans_outstanding()


def test_a_write_off_refused_puts_the_loan_back_out(clock, archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_report_lost(issued(people, formal_dossier()), by=people["clerk"], description="找不到")
    loan = services.loan_write_off_decide(loan, by=people["archive_manager"], approve=False, comment="已在工位找回")
    assert loan.status == LoanStatus.ISSUED


# 2. Reservations --------------------------------------------------------------------------------


def test_a_reservation_queue_of_two_is_served_in_order_with_its_notices(
    clock, archive, formal_dossier, client_for, django_capture_on_commit_callbacks
):
    people = archive["people"]
    dossier = formal_dossier()
    first = issued(people, dossier, borrower="owner")
    # Two requests for the original while it is out: accepted into the queue, in order.
    clock.move_to(at(2026, 3, 10, 10, 5))
    colleague = approved(people, dossier, borrower="colleague")
    clock.move_to(at(2026, 3, 10, 10, 10))
    manager = approved(people, dossier, borrower="manager")
    # The approver and the clerk see where the original is and who waits.
    page = client_for(people["clerk"]).get(reverse("lending:detail", args=[manager.pk])).content.decode()
    assert f"原件在 {people['owner']}" in page and "2 人在等候" in page
    with pytest.raises(TransitionRefused, match=f"原件已借出，尚未归还：在 {people['owner']} 处"):
        services.loan_issue(manager, by=people["clerk"], pages=1)

    clock.move_to(at(2026, 3, 10, 15, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_return(signed_for(first), by=people["clerk"], complete=True)
    colleague.refresh_from_db()
    assert timezone.localtime(colleague.held_until) == at(2026, 3, 11, 17, 30)  # to the end of the next working day
    assert notified("colleague", "为您保留至 2026-03-11 17:30")
    assert not notified("manager", "为您保留")
    # Held for the first in line: the second is refused, saying for whom.
    with pytest.raises(TransitionRefused, match="保留至"):
        services.loan_issue(manager, by=people["clerk"], pages=1)
    colleague = services.loan_issue(colleague, by=people["clerk"], pages=1)
    assert colleague.held_until is None

    clock.move_to(at(2026, 3, 10, 16, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_return(signed_for(colleague), by=people["clerk"], complete=True)
    assert notified("manager", "为您保留至")
    assert services.loan_issue(manager, by=people["clerk"], pages=1).status == LoanStatus.ISSUED
    assert list(
        LoanNotice.objects.filter(kind=NoticeKind.RESERVATION).order_by("sent_at").values_list("loan", flat=True)
    ) == [colleague.pk, manager.pk]


def test_a_hold_not_collected_passes_to_the_next_in_line(
    clock, archive, formal_dossier, django_capture_on_commit_callbacks
):
    people = archive["people"]
    dossier = formal_dossier()
    first = issued(people, dossier, borrower="owner")
    colleague = approved(people, dossier, borrower="colleague")
    clock.move_to(at(2026, 3, 10, 10, 30))
    manager = approved(people, dossier, borrower="manager")
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_return(signed_for(first), by=people["clerk"], complete=True)
    clock.move_to(at(2026, 3, 11, 17, 45))  # the hold ran out at 17:30
    assert circulation.loan_notices_send()["reservations_lapsed"] == 1
    manager.refresh_from_db()
    assert manager.held_until is not None and notified("manager", "为您保留至 2026-03-12 17:30")
    assert services.loan_issue(manager, by=people["clerk"], pages=1).status == LoanStatus.ISSUED
    assert Loan.objects.get(pk=colleague.pk).status == LoanStatus.APPROVED


# 3. Borrower blocks -----------------------------------------------------------------------------


def test_an_overdue_borrower_is_refused_until_the_archive_manager_overrides(clock, archive, formal_dossier, client_for):
    people = archive["people"]
    late = issued(people, formal_dossier(SecrecyTier.COMPANY))
    clock.move_to(at(2026, 3, 11, 9, 0))  # yesterday's loan is overdue
    dossier = formal_dossier()
    with pytest.raises(ActionRefused, match=late.register_number):
        request(people, dossier)
    # Only the archive manager overrides, with a reason.
    with pytest.raises(ActionRefused, match="只有内勤部经理"):
        circulation.block_override_grant(people["owner"], by=people["clerk"], reason="急用")
    with pytest.raises(ActionRefused, match="特批原因"):
        circulation.block_override_grant(people["owner"], by=people["archive_manager"], reason=" ")
    response = client_for(people["archive_manager"]).post(
        reverse("lending:blocks"), {"borrower": people["owner"].pk, "reason": "客户投诉处理急需"}
    )
    assert response.status_code == 302
    loan = request(people, dossier)
    override = BlockOverride.objects.get()
    assert override.loan == loan and override.granted_by == people["archive_manager"]
    assert services.loan_issue(approve_loan_fully(loan), by=people["clerk"], pages=2).status == LoanStatus.ISSUED
    # Spent: the next request is refused again.
    with pytest.raises(ActionRefused, match="逾期未还"):
        request(people, formal_dossier(SecrecyTier.DEPARTMENT))
    assert "客户投诉处理急需" in client_for(people["archive_manager"]).get(reverse("lending:blocks")).content.decode()


def test_a_borrower_who_falls_overdue_after_approval_is_not_issued(clock, archive, formal_dossier):
    people = archive["people"]
    waiting = approved(people, formal_dossier())
    issued(people, formal_dossier(SecrecyTier.COMPANY))
    clock.move_to(at(2026, 3, 11, 9, 0))
    with pytest.raises(ActionRefused, match="逾期未还"):
        services.loan_issue(waiting, by=people["clerk"], pages=1)


@override_settings(LOAN_BLOCK_OVERDUE_BORROWERS=False)
def test_the_block_is_a_setting(clock, archive, formal_dossier):
    people = archive["people"]
    issued(people, formal_dossier(SecrecyTier.COMPANY))
    clock.move_to(at(2026, 3, 11, 9, 0))
    assert request(people, formal_dossier()).status == LoanStatus.REQUESTED


# 4. Notices ------------------------------------------------------------------------------------


def test_a_courtesy_reminder_goes_out_once_before_the_due_time(clock, archive, formal_dossier):
    people = archive["people"]
    loan = issued(people, formal_dossier())
    clock.move_to(at(2026, 3, 10, 16, 0))
    assert circulation.courtesy_reminders_send() == 0
    clock.move_to(at(2026, 3, 10, 16, 45))
    assert circulation.courtesy_reminders_send() == 1
    assert circulation.courtesy_reminders_send() == 0
    assert notified("owner", "应于 2026-03-10 17:30 归还")
    assert LoanNotice.objects.get(loan=loan).kind == NoticeKind.COURTESY


def test_overdue_notices_escalate_by_working_days_across_a_holiday_and_an_adjusted_saturday(
    archive, formal_dossier, make_user, client_for
):
    """Due on Wednesday 30 September 2026, the eve of National Day: 1–7 October are holidays and
    Saturday 10 October is a working day. The borrower is told at once; their department manager
    after one working day (Thursday 8 October); the archive and general managers after three (the
    working Saturday)."""
    people = archive["people"]
    with time_machine.travel(at(2026, 9, 30, 9, 0), tick=False) as clock:
        loan = issued(people, formal_dossier())
        assert timezone.localtime(loan.due_at) == at(2026, 9, 30, 17, 30)

        def levels_sent_at(*moment):
            clock.move_to(at(*moment))
            circulation.overdue_notices_send()
            return sorted(LoanNotice.objects.filter(loan=loan, kind=NoticeKind.OVERDUE).values_list("level", flat=True))

        assert levels_sent_at(2026, 9, 30, 17, 0) == []
        assert levels_sent_at(2026, 9, 30, 17, 45) == [1]
        assert notified("owner", "已逾期") and not notified("manager", "已逾期")
        assert levels_sent_at(2026, 10, 7, 10, 0) == [1]  # the holidays count for nothing
        assert levels_sent_at(2026, 10, 8, 10, 0) == [1, 2]
        assert notified("manager", "已逾期") and not notified("archmgr", "已逾期")
        assert levels_sent_at(2026, 10, 9, 10, 0) == [1, 2]
        assert levels_sent_at(2026, 10, 10, 10, 0) == [1, 2, 3]  # the adjusted working Saturday
        assert notified("archmgr", "第3级逾期通知") and notified("gm", "第3级逾期通知")
        assert levels_sent_at(2026, 10, 12, 10, 0) == [1, 2, 3]  # each level once
        assert Notification.objects.filter(recipient__username="owner", message__contains="已逾期").count() == 1
        page = client_for(people["clerk"]).get(reverse("lending:detail", args=[loan.pk])).content.decode()
        assert 'data-notice="overdue-3"' in page and 'data-notice="overdue-2"' in page


@pytest.mark.parametrize("count", [1, 8])
def test_overdue_notices_take_the_same_few_queries_for_one_loan_or_many(
    archive, formal_dossier, make_user, count, django_assert_max_num_queries
):
    from accounts.roles import Role
    from tests.factories import DepartmentFactory

    people = archive["people"]
    dossier = formal_dossier()
    with time_machine.travel(TUESDAY, tick=False):
        for number in range(count):
            department = DepartmentFactory(code=f"branch-{number}")
            make_user(Role.DEPARTMENT_MANAGER, department=department, username=f"manager-{number}")
            borrower = make_user(Role.SALES, department=department, username=f"borrower-{number}")
            Loan.objects.create(
                kind=LoanKind.PHOTOCOPY,
                status=LoanStatus.COPIES_OUT,
                dossier=dossier,
                borrower=borrower,
                department=department,
                content="安装参数",
                purpose="售后",
                issued_at=TUESDAY - timedelta(days=8),
                issued_by=people["clerk"],
                due_at=TUESDAY - timedelta(days=7),
            )
        # Reads: loans, notices sent, the calendar, department managers, two company roles; then
        # per notice its savepoint, record and notifications.
        with django_assert_max_num_queries(6 + 5 * 3 * count):
            assert circulation.overdue_notices_send() == 3 * count
        with django_assert_max_num_queries(3):
            assert circulation.overdue_notices_send() == 0


def test_a_malformed_escalation_setting_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    assert [level.after for level in circulation.notice_levels("0:borrower;2:department_manager")] == [0, 2]
    for text in ("x:borrower", "1:nobody", "3:borrower;1:department_manager", "1:"):
        with pytest.raises(ImproperlyConfigured):
            circulation.notice_levels(text)


# 5. Renewal limits -----------------------------------------------------------------------------


@override_settings(LOAN_MAX_EXTENSIONS=1)
def test_an_extension_past_the_cap_is_refused(clock, archive, formal_dossier):
    from tests.approving import approve_extension_fully

    people = archive["people"]
    loan = signed_for(issued(people, formal_dossier()))
    extension = services.extension_request(loan, by=people["owner"], until=loan.due_at + timedelta(days=1), reason="x")
    approve_extension_fully(extension)
    loan.refresh_from_db()
    with pytest.raises(ActionRefused, match="最多续借 1 次"):
        services.extension_request(loan, by=people["owner"], until=loan.due_at + timedelta(days=1), reason="y")
    from lending.permissions import loan_actions

    assert "request_extension" not in loan_actions(people["owner"], Loan.objects.get(pk=loan.pk))


# 9. Reference copies ---------------------------------------------------------------------------


def test_a_reference_copy_is_lent_while_the_original_stays_in_its_cabinet(
    clock, archive, formal_dossier, client_for, settings
):
    people = archive["people"]
    dossier = formal_dossier()
    manual = dossier.documents.first()
    manual.document_type = archive["types"]["设备说明书"]
    manual.save()
    client_for(people["clerk"]).post(
        reverse("lending:reference_copies"), {"archive_number": dossier.archive_number, "position": manual.position}
    )
    copy = manual.reference_copies.get()
    loan = approved(people, dossier)
    page = client_for(people["clerk"]).get(reverse("lending:detail", args=[loan.pk])).content.decode()
    assert f'value="{copy.pk}"' in page  # offered at the issue step
    client_for(people["clerk"]).post(reverse("lending:issue", args=[loan.pk]), {"pages": 5, "reference_copy": copy.pk})
    loan.refresh_from_db()
    dossier.refresh_from_db()
    assert loan.status == LoanStatus.ISSUED and loan.reference_copy == copy
    assert dossier.custody == DossierCustody.IN_CABINET  # the original stays in
    # So the original itself can go to someone else at the same time.
    assert issued(people, dossier, borrower="colleague").status == LoanStatus.ISSUED
    # Out and not returned: in a snapshot of the month's report, as a reference copy.
    report = services.monthly_report_snapshot_take(by=people["general_manager"])
    assert report.lines.get(loan=loan).item == "reference_copy"
    # No copy of the equipment manual left on the shelf: flagged.
    listing = client_for(people["clerk"]).get(reverse("lending:reference_copies")).content.decode()
    assert 'data-flag="no-copy-on-shelf"' in listing
    services.loan_return(signed_for(loan), by=people["clerk"], complete=True)
    listing = client_for(people["clerk"]).get(reverse("lending:reference_copies")).content.decode()
    assert 'data-flag="no-copy-on-shelf"' not in listing


# 7. The desk by scanning -----------------------------------------------------------------------


def test_the_desk_goes_from_a_scanned_label_to_the_loan_to_issue_then_to_take_back(
    clock, archive, formal_dossier, client_for
):
    people = archive["people"]
    dossier = formal_dossier()
    loan = approved(people, dossier)
    desk = client_for(people["clerk"])
    # A scanner types the code and presses Enter (a trailing carriage return included).
    response = desk.get(reverse("lending:desk"), {"code": f" {dossier.archive_number}\r"})
    assert response.status_code == 302 and response["Location"] == reverse("lending:detail", args=[loan.pk]) + "#desk"
    desk.post(reverse("lending:issue", args=[loan.pk]), {"pages": 3})
    services.loan_confirm_receipt(loan, by=people["owner"])
    response = desk.get(reverse("lending:desk"), {"code": dossier.archive_number})
    assert response["Location"].startswith(reverse("lending:detail", args=[loan.pk]))
    page = desk.get(response["Location"]).content.decode()
    assert 'data-action="return"' in page
    # Garbage and unknown codes get a message on the form, not a 500.
    for code in ("KH-2099-D30-9999", "1e3", "x" * 190):
        page = desk.get(reverse("lending:desk"), {"code": code})
        assert page.status_code == 200 and 'class="error"' in page.content.decode()
    assert client_for(people["owner"]).get(reverse("lending:desk")).status_code == 403


def test_nobody_is_told_an_original_is_back_while_it_is_out(
    clock, archive, formal_dossier, django_capture_on_commit_callbacks
):
    """The first requester's hold runs out; the clerk then issues the original to the second; the
    next run of the job tells the third nothing, since the original is out."""
    people = archive["people"]
    dossier = formal_dossier()
    first = issued(people, dossier, borrower="owner")
    clock.move_to(at(2026, 3, 10, 10, 10))
    approved(people, dossier, borrower="colleague")
    clock.move_to(at(2026, 3, 10, 10, 20))
    second = approved(people, dossier, borrower="manager")
    clock.move_to(at(2026, 3, 10, 10, 30))
    third = approved(people, dossier, borrower="checker")
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_return(signed_for(first), by=people["clerk"], complete=True)
    clock.move_to(at(2026, 3, 11, 17, 35))  # the colleague's hold ran out at 17:30
    circulation.loan_notices_send()  # the manager is now held for
    services.loan_issue(second, by=people["clerk"], pages=1)
    clock.move_to(at(2026, 3, 12, 17, 45))
    circulation.loan_notices_send()
    assert not LoanNotice.objects.filter(loan=third, kind=NoticeKind.RESERVATION).exists()
    assert Loan.objects.get(pk=third.pk).held_until is None


def test_a_loss_reported_again_after_a_refused_write_off_can_be_written_off(clock, archive, formal_dossier):
    people = archive["people"]
    loan = services.loan_report_lost(issued(people, formal_dossier()), by=people["clerk"], description="找不到")
    loan = services.loan_write_off_decide(loan, by=people["archive_manager"], approve=False, comment="已找回")
    loan = services.loan_report_lost(loan, by=people["clerk"], description="又丢了")
    services.loan_write_off_decide(loan, by=people["archive_manager"], approve=True)
    loan = services.loan_write_off_decide(loan, by=people["general_manager"], approve=True)
    assert loan.status == LoanStatus.WRITTEN_OFF


def test_an_overnight_step_still_open_ends_with_the_loan(clock, archive, formal_dossier):
    from approvals.models import ApprovalTask, TaskStatus

    people = archive["people"]
    loan = request(people, formal_dossier(), requested_due_on=date(2026, 3, 11), overnight_reason="调试")
    loan = services.loan_issue(approve_loan_fully(loan), by=people["clerk"], pages=2)
    services.loan_return(signed_for(loan), by=people["clerk"], complete=True)
    assert not ApprovalTask.objects.filter(
        kind=RequestKind.OVERNIGHT, request_id=loan.pk, status=TaskStatus.WAITING
    ).exists()


def test_a_reference_copy_serves_a_request_while_the_original_is_out(clock, archive, formal_dossier, client_for):
    from lending.permissions import loan_actions

    people = archive["people"]
    dossier = formal_dossier()
    copy = circulation.reference_copy_register(dossier.documents.first(), by=people["clerk"])
    issued(people, dossier, borrower="owner")
    waiting = approved(people, dossier, borrower="colleague")
    assert loan_actions(people["clerk"], waiting) & {"issue", "issue_copy"} == {"issue_copy"}
    page = client_for(people["clerk"]).get(reverse("lending:detail", args=[waiting.pk])).content.decode()
    assert f'value="{copy.pk}"' in page
    client_for(people["clerk"]).post(
        reverse("lending:issue", args=[waiting.pk]), {"pages": 2, "reference_copy": copy.pk}
    )
    assert Loan.objects.get(pk=waiting.pk).reference_copy == copy


def test_the_photocopy_borrower_signs_again_for_the_copies(clock, archive, formal_dossier):
    people = archive["people"]
    loan = signed_for(issued(people, formal_dossier(), kind=LoanKind.PHOTOCOPY))
    loan = services.photocopy_register(
        loan,
        by=people["clerk"],
        copied_content="合同",
        pages=2,
        copies=1,
        copies_due_on=date(2026, 3, 13),
        original_complete=True,
    )
    with pytest.raises(ActionRefused, match="借阅人尚未签收"):
        services.photocopy_close(loan, by=people["clerk"], complete=True)
    services.loan_receipt_witness(loan, by=people["clerk"], note="当面签字")
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.photocopy.copies_witnessed_by == people["clerk"]
    assert services.photocopy_close(loan, by=people["clerk"], complete=True).status == LoanStatus.CLOSED


def test_the_loans_own_steps_are_signed_on_its_page(clock, archive, formal_dossier, client_for):
    """过夜留存 and 丢失注销 are decided with the buttons of the loan page; a refusal needs a reason."""
    people = archive["people"]
    loan = request(people, formal_dossier(), requested_due_on=date(2026, 3, 11), overnight_reason="调试")
    manager = client_for(people["archive_manager"])
    page = manager.get(reverse("lending:detail", args=[loan.pk])).content.decode()
    assert 'data-action="decide-overnight"' in page
    refused = manager.post(reverse("lending:overnight_decide", args=[loan.pk]), {"decision": "reject"}, follow=True)
    assert "请写明不批准的原因。" in refused.content.decode()
    manager.post(reverse("lending:overnight_decide", args=[loan.pk]), {"decision": "approve"})
    assert Loan.objects.get(pk=loan.pk).overnight_status == OvernightStatus.APPROVED

    lost = services.loan_report_lost(
        issued(people, formal_dossier(SecrecyTier.COMPANY)), by=people["clerk"], description="遗失"
    )
    manager.post(reverse("lending:write_off_decide", args=[lost.pk]), {"decision": "approve"})
    client_for(people["general_manager"]).post(
        reverse("lending:write_off_decide", args=[lost.pk]), {"decision": "approve"}
    )
    assert Loan.objects.get(pk=lost.pk).status == LoanStatus.WRITTEN_OFF
