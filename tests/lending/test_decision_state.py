"""Where a loan is decided — approved, issued — the page says what the decision rests on (issue 15
§4): the return date asked for, whether the original is out now and with whom (since when, due
when), and who must approve next, or that the approval is complete."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.selectors import approval_progress
from customers.models import SecrecyTier
from dossiers import services as dossier_services
from dossiers.models import ReadRequestScope
from lending import services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.customers.html import element, text

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock():
    # A Tuesday with no holiday near it.
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


def request(people, dossier, borrower="owner", **extra):
    fields = {"kind": LoanKind.BORROW, "content": "安装参数一览表", "purpose": "售后维修", **extra}
    return services.loan_request(borrower=people[borrower], dossier=dossier, **fields)


def out_with_colleague(people, dossier, clock):
    """The dossier's original issued to the colleague at 09:00 today."""
    clock.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI))
    loan = services.loan_issue(approve_loan_fully(request(people, dossier, "colleague")), by=people["clerk"], pages=5)
    clock.move_to(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI))
    return loan


def decision_state(page: str) -> str:
    return text(element(page, "data-decision-state", "loan", tag="dl"))


def loan_page(client, loan) -> str:
    response = client.get(reverse("lending:detail", args=[loan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_approver_sees_the_return_date_where_the_original_is_and_who_signs_after_them(
    clock, archive, formal_dossier, client_for
):
    people = archive["people"]
    dossier = formal_dossier()
    holder = out_with_colleague(people, dossier, clock)
    loan = request(people, dossier, requested_due_on=datetime(2026, 3, 10).date())
    page = loan_page(client_for(people["manager"]), loan)  # the owner's department manager signs first
    state = decision_state(element(page, "data-action", "approve"))
    assert "申请归还日期 2026-03-10" in state
    assert f"已借出：在 {people['colleague']} 处（{holder.register_number}），2026-03-10 09:00 借出，应还" in state
    assert f"申请人所在部门经理（{people['manager'].department}） — {people['manager']}" in state
    assert "之后：内勤部经理" in state


def test_the_clerk_issuing_sees_the_original_on_its_shelf_and_the_approval_complete(
    clock, archive, formal_dossier, client_for
):
    people = archive["people"]
    loan = approve_loan_fully(request(people, formal_dossier()))
    page = loan_page(client_for(people["clerk"]), loan)
    state = decision_state(element(page, "data-action", "issue"))
    assert "申请归还日期 当天归还" in state
    assert f"原件去向 原件在柜（{archive['cabinet'].code}/" in state
    assert "下一步审批 审批完成" in state


def test_the_timeline_names_the_people_who_may_sign_the_due_step(clock, archive, formal_dossier, client_for):
    people = archive["people"]
    loan = request(people, formal_dossier())
    page = loan_page(client_for(people["owner"]), loan)
    timeline = text(element(page, "data-timeline", "approvals"))
    assert f"下一步审批：申请人所在部门经理（{people['manager'].department}） — {people['manager']}" in timeline


def test_a_step_nobody_may_sign_says_so(clock, archive, formal_dossier, client_for):
    people = archive["people"]
    loan = request(people, formal_dossier())
    people["manager"].is_active = False
    people["manager"].save()
    page = loan_page(client_for(people["owner"]), loan)
    assert "暂无可审批的人" in text(element(page, "data-timeline", "approvals"))


def test_a_read_request_page_tells_its_approver_what_follows_their_signature(archive, client_for):
    people = archive["people"]
    read_request = dossier_services.read_request_create(
        requester=people["colleague"],
        customer=archive["customers"]["personal"],
        scope=ReadRequestScope.PROFILE,
        content="联系人",
        purpose="回访",
        working_days=2,
    )
    progress = approval_progress("read", read_request.pk)
    assert progress.due and not progress.complete
    signer = progress.due[0].approvers[0]
    page = client_for(signer).get(reverse("dossiers:read_request", args=[read_request.pk])).content.decode()
    assert 'data-next-approver="due"' in page
    decide = text(element(page, "data-action", "decide"))
    assert "您同意后" in decide


def test_the_desk_says_which_originals_to_issue_are_out_and_with_whom(clock, archive, formal_dossier, client_for):
    people = archive["people"]
    dossier = formal_dossier()
    out_with_colleague(people, dossier, clock)
    waiting = approve_loan_fully(request(people, dossier))
    on_shelf = approve_loan_fully(
        request(people, formal_dossier(SecrecyTier.DEPARTMENT), requested_due_on=datetime(2026, 3, 10).date())
    )
    page = client_for(people["clerk"]).get(reverse("lending:desk")).content.decode()
    waiting_row = text(element(page, "data-loan", str(waiting.pk), tag="li"))
    assert f"原件在 {people['colleague']} 处，03-10 09:00 借出，应还" in waiting_row
    assert "申请归还 当天" in waiting_row
    shelf_row = text(element(page, "data-loan", str(on_shelf.pk), tag="li"))
    assert "原件在柜" in shelf_row and "申请归还 2026-03-10" in shelf_row


def test_the_desk_reads_the_originals_in_a_fixed_number_of_queries(
    clock, archive, lending_people, formal_dossier, client_for
):
    people = lending_people
    client = client_for(people["clerk"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("lending:desk")).status_code == 200
        return len(captured)

    dossier = formal_dossier()
    out_with_colleague(people, dossier, clock)
    approve_loan_fully(request(people, dossier))
    one = queries()
    for tier in (SecrecyTier.DEPARTMENT, SecrecyTier.COMPANY, SecrecyTier.TOP_SECRET):
        approve_loan_fully(request(people, formal_dossier(tier)))
    assert queries() == one


def test_the_return_form_asks_its_question_as_a_legend_over_its_options(clock, archive, formal_dossier, client_for):
    people = archive["people"]
    loan = services.loan_issue(approve_loan_fully(request(people, formal_dossier())), by=people["clerk"], pages=5)
    services.loan_confirm_receipt(loan, by=people["owner"])
    page = loan_page(client_for(people["clerk"]), loan)
    form = element(page, "data-action", "return")
    fieldset = element(form, "class", "field field-choices", tag="fieldset")
    assert "<legend>检查完整性" in fieldset
    assert 'type="radio" name="complete" value="yes"' in fieldset and "完整无损" in fieldset
    assert 'type="radio" name="complete" value="no"' in fieldset
