"""Seed 001 §10, seed 003 制度7 §7: feedback is recorded and classified; a complaint is handled by a
handler before its deadline, its result approved by the general manager, closed by a review note;
an overdue complaint escalates to the department manager, the customer service manager and the
general manager, each on their dashboard."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from customers import complaints
from customers.models import Complaint, ComplaintEscalation, FeedbackKind, SecrecyTier

from .factories import CustomerFactory
from .html import element, errors, messages, section, text, todos

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-03-02; the deadline is Friday 2026-03-06.
RECEIVED = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)


@pytest.fixture
def cs_manager(make_user, people):
    return make_user(Role.CS_MANAGER, department=people["general_manager"].department, username="cs_mgr")


@pytest.fixture
def customer(people):
    return CustomerFactory(name="甲公司", owner=people["owner"], secrecy_tier=SecrecyTier.PERSONAL)


@pytest.fixture
def complaint(people, customer, client_for):
    with time_machine.travel(RECEIVED, tick=False):
        response = client_for(people["owner"]).post(
            reverse("customers:record_add", args=[customer.pk, "complaints"]),
            {
                "kind": "complaint",
                "category": "service_quality",
                "received_on": "2026-03-02",
                "description": "安装延误两周",
                "owner": people["colleague"].pk,
                "deadline": "2026-03-06",
            },
        )
    assert response.status_code == 302
    return Complaint.objects.get(customer=customer)


def dashboard(client):
    return client.get("/").content.decode()


def test_praise_and_suggestions_are_recorded_without_a_deadline(people, customer, client_for):
    client = client_for(people["owner"])
    response = client.post(
        reverse("customers:record_add", args=[customer.pk, "complaints"]),
        {"kind": "praise", "received_on": "2026-03-02", "description": "服务周到", "owner": people["owner"].pk},
    )
    assert response.status_code == 302
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "表扬" in text(section(page, "complaints"))


def test_a_complaint_without_a_deadline_is_refused_with_the_field_named(people, customer, client_for):
    response = client_for(people["owner"]).post(
        reverse("customers:record_add", args=[customer.pk, "complaints"]),
        {"kind": "complaint", "received_on": "2026-03-02", "description": "延误", "owner": people["owner"].pk},
    )
    assert response.status_code == 200
    assert "投诉须定处理期限。" in errors(response.content.decode())
    assert not Complaint.objects.exists()


def test_an_overdue_complaint_escalates_level_by_level_and_shows_on_each_dashboard(
    people, complaint, cs_manager, client_for
):
    manager, gm = people["east_manager"], people["general_manager"]
    # On the deadline it is not yet overdue: nobody is told.
    with time_machine.travel(datetime(2026, 3, 6, 18, tzinfo=SHANGHAI), tick=False):
        assert complaints.complaint_escalations_send() == 0
    # Saturday after the deadline: level 1, the department manager (0 working days after).
    with time_machine.travel(datetime(2026, 3, 7, 9, tzinfo=SHANGHAI), tick=False):
        assert complaints.complaint_escalations_send() == 1
        assert complaints.complaint_escalations_send() == 0  # sent once
        assert ("逾期投诉（已上报）", "1") in todos(dashboard(client_for(manager)))
        assert "甲公司" in dashboard(client_for(manager))
        assert "甲公司" not in dashboard(client_for(cs_manager))
        # The handler still sees it overdue on their own dashboard, first of their todos.
        assert todos(dashboard(client_for(people["colleague"])))[0] == ("逾期未结的投诉", "1")
    # Tuesday: two working days after Friday's deadline → the customer service manager.
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=SHANGHAI), tick=False):
        assert complaints.complaint_escalations_send() == 1
        page = dashboard(client_for(cs_manager))
        assert "甲公司" in text(element(page, "data-panel", "complaints-escalated", tag="ul"))
        assert "甲公司" not in dashboard(client_for(gm))
    # Five working days after: the general manager.
    with time_machine.travel(datetime(2026, 3, 13, 9, tzinfo=SHANGHAI), tick=False):
        assert complaints.complaint_escalations_send() == 1
        assert "甲公司" in dashboard(client_for(gm))
    assert list(ComplaintEscalation.objects.order_by("level").values_list("level", "role")) == [
        (1, "department_manager"),
        (2, "cs_manager"),
        (3, "general_manager"),
    ]
    # Each level told its people, the handler and the owner too.
    assert Notification.objects.filter(recipient=manager, message__contains="第1级").exists()
    assert Notification.objects.filter(recipient=cs_manager, message__contains="第2级").exists()
    assert Notification.objects.filter(recipient=gm, message__contains="第3级").exists()
    assert Notification.objects.filter(recipient=people["owner"], message__contains="第3级").exists()
    # The complaint's page lists the escalations.
    page = client_for(people["owner"]).get(complaints.link(complaint)).content.decode()
    assert "cs_mgr" in text(section(page, "escalations")) or "测试" in text(section(page, "escalations"))


def test_a_manager_of_another_department_is_not_escalated_to(people, complaint, client_for):
    with time_machine.travel(datetime(2026, 3, 7, 9, tzinfo=SHANGHAI), tick=False):
        complaints.complaint_escalations_send()
        assert "甲公司" not in dashboard(client_for(people["west_manager"]))
        assert client_for(people["west_manager"]).get(complaints.link(complaint)).status_code == 404


def test_the_customer_service_manager_opens_an_escalated_complaint_without_reading_the_profile(
    people, complaint, cs_manager, client_for
):
    client = client_for(cs_manager)
    assert client.get(complaints.link(complaint)).status_code == 404  # not escalated yet
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=SHANGHAI), tick=False):
        complaints.complaint_escalations_send()
        page = client.get(complaints.link(complaint))
        assert page.status_code == 200
        assert "安装延误两周" in page.content.decode()
        assert client.get(reverse("customers:detail", args=[complaint.customer_id])).status_code == 404
        # They may record a step of the handling.
        response = client.post(
            complaints.link(complaint),
            {"step": "progress", "note": "已致电客户致歉", "customer_told": "on"},
            follow=True,
        )
        assert "已记录处理进展。" in messages(response.content.decode())


def test_a_complaint_is_handled_approved_and_closed_by_a_review_note(people, complaint, client_for):
    handler, gm = people["colleague"], people["general_manager"]
    link = complaints.link(complaint)
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=SHANGHAI), tick=False):
        client = client_for(handler)
        client.post(link, {"step": "progress", "note": "已约客户现场查看", "customer_told": "on"})
        page = client.post(link, {"step": "close", "review_note": "满意"}, follow=True).content.decode()
        assert "您现在不能办理此项" in " ".join(messages(page))  # no result yet
        client.post(link, {"step": "resolve", "resolution": "补装并赠送一年维保"})
        page = client.get(link).content.decode()
        assert "待总经理审批" in page
        assert 'data-step="close"' not in page
        # The general manager sees it waiting and approves it.
        gm_client = client_for(gm)
        board = dashboard(gm_client)
        assert "投诉处理结果待审批" in board and "甲公司" in board
        assert "已批准处理结果。" in messages(gm_client.post(link, {"step": "approve"}, follow=True).content.decode())
        client = client_for(handler)
        page = client.post(link, {"step": "close", "review_note": "客户表示满意"}, follow=True).content.decode()
        assert "已结案。" in messages(page)
    complaint.refresh_from_db()
    assert complaint.closed_on == date(2026, 3, 3)
    assert complaint.result_approved_by == gm
    assert [step.note for step in complaint.progress.all()] == ["已约客户现场查看"]
    # A closed complaint is a record: no more steps, no editing.
    client = client_for(handler)
    response = client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "客户表示满意" in page and 'data-step="progress"' not in page
    edit = reverse("customers:record_edit", args=[complaint.customer_id, "complaints", complaint.pk])
    assert client_for(people["owner"]).get(edit).status_code == 403


def test_the_general_manager_returns_a_result_with_a_reason(people, complaint, client_for):
    link = complaints.link(complaint)
    client_for(people["colleague"]).post(link, {"step": "resolve", "resolution": "口头道歉"})
    client = client_for(people["general_manager"])
    page = client.post(link, {"step": "return", "reason": ""}, follow=True).content.decode()
    assert "退回理由：该字段是必填项。" in messages(page)
    client.post(link, {"step": "return", "reason": "须书面答复"})
    complaint.refresh_from_db()
    assert complaint.resolved_at is None
    assert "须书面答复" in text(section(client.get(link).content.decode(), "progress"))


def test_without_the_approval_setting_the_handler_closes_after_the_result(people, complaint, client_for, settings):
    settings.COMPLAINT_RESULT_APPROVAL = False
    client = client_for(people["colleague"])
    link = complaints.link(complaint)
    client.post(link, {"step": "resolve", "resolution": "补装"})
    client.post(link, {"step": "close", "review_note": "满意"})
    complaint.refresh_from_db()
    assert complaint.closed_on is not None


def test_a_sales_person_not_handling_it_takes_no_step(people, complaint, client_for):
    client = client_for(people["west_sales"])
    assert client.get(complaints.link(complaint)).status_code == 404
    assert client.post(complaints.link(complaint), {"step": "progress", "note": "x"}).status_code == 404
    # The owner's colleague who reads nothing of the customer cannot approve: only the general manager signs.
    complaints.complaint_resolve(complaint, by=people["colleague"], resolution="补装")
    response = client_for(people["east_manager"]).post(complaints.link(complaint), {"step": "approve"}, follow=True)
    assert "您现在不能办理此项" in " ".join(messages(response.content.decode()))


def test_an_unknown_step_is_not_found(people, complaint, client_for):
    assert client_for(people["owner"]).post(complaints.link(complaint), {"step": "\x00"}).status_code == 404


def test_a_malformed_escalation_setting_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        complaints.escalation_levels("0:department_manager;x:cs_manager")
    with pytest.raises(ImproperlyConfigured):
        complaints.escalation_levels("0:janitor")


def test_escalation_reads_a_fixed_number_of_queries(people, customer, django_assert_max_num_queries):
    for number in range(5):
        Complaint.objects.create(
            customer=customer,
            kind=FeedbackKind.COMPLAINT,
            received_on=date(2026, 3, 2),
            deadline=date(2026, 3, 6),
            description=f"投诉{number}",
            owner=people["colleague"],
        )
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=SHANGHAI), tick=False):
        with django_assert_max_num_queries(8 + 5 * 3 * 4):
            assert complaints.complaint_escalations_send() == 15


def test_a_complaint_cannot_be_turned_into_a_suggestion_to_skip_its_approval(people, complaint, client_for):
    complaints.complaint_resolve(complaint, by=people["colleague"], resolution="补装")
    client = client_for(people["owner"])
    edit = reverse("customers:record_edit", args=[complaint.customer_id, "complaints", complaint.pk])
    data = {
        "kind": "suggestion",
        "received_on": "2026-03-02",
        "description": "安装延误两周",
        "owner": people["colleague"].pk,
        "deadline": "",
    }
    client.post(edit, data)
    complaint.refresh_from_db()
    assert complaint.kind == FeedbackKind.COMPLAINT and complaint.deadline == date(2026, 3, 6)
    # Nor its deadline moved once the result is submitted.
    response = client.post(edit, {**data, "kind": "complaint", "deadline": "2026-12-31"})
    assert "此投诉已提交处理结果、已上报或已结案，内容和期限不能再改。" in errors(response.content.decode())
    assert client.get(complaints.link(complaint)).status_code == 200
    assert 'data-step="close"' not in client.get(complaints.link(complaint)).content.decode()


def test_a_huge_id_is_not_found(people, client_for):
    client = client_for(people["owner"])
    assert client.get(f"/customers/{2**64}/complaints/1/").status_code == 404


def test_a_manager_holding_two_roles_sees_an_escalated_complaint_once(people, complaint, make_user, client_for):
    both = make_user(
        Role.DEPARTMENT_MANAGER, Role.CS_MANAGER, department=people["east_manager"].department, username="both"
    )
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=SHANGHAI), tick=False):
        complaints.complaint_escalations_send()
        page = dashboard(client_for(both))
    assert page.count('data-panel="complaints-escalated"') == 1
    assert todos(page)[0] == ("逾期投诉（已上报）", "1")
