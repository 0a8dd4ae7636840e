"""Seed 003 制度1 第五条/第七条, 制度8 §12, 制度4 第四条: a handover moves every open item of the leaver,
lists the customers to be told, prints a checklist signed by three, and closes the leaver's account
once nothing is left; an important customer has a second responsible person (第七条3)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Notification
from customers import complaints
from customers.models import (
    Complaint,
    CorrectionRequest,
    Customer,
    FeedbackKind,
    FollowUp,
    FollowUpPlan,
    Handover,
    HandoverStep,
    SecrecyTier,
)

from .factories import ContactFactory, CustomerFactory, InteractionFactory
from .html import element, messages, section, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver_book(people):
    """张三 leaves: two customers, one where he is second contact, an open complaint he handles, a
    follow-up due, a correction request addressed to him, a pending next action."""
    owner, colleague = people["owner"], people["colleague"]
    first = CustomerFactory(name="甲公司", owner=owner, address="上海市浦东新区", postcode="200120")
    second = CustomerFactory(name="乙公司", owner=owner, secrecy_tier=SecrecyTier.DEPARTMENT)
    seconded = CustomerFactory(name="丙公司", owner=colleague, second_owner=owner, grade="A")
    ContactFactory(customer=first, name="陈经理", title="采购经理", is_decision_maker=True)
    complaint = Complaint.objects.create(
        customer=seconded,
        kind=FeedbackKind.COMPLAINT,
        received_on=date(2026, 3, 2),
        deadline=date(2026, 3, 9),
        description="发票错误",
        owner=owner,
    )
    follow_up = FollowUp.objects.create(
        customer=first,
        plan=FollowUpPlan.objects.get(name="购买客户回访"),
        event_key="deal:1",
        event_on=date(2026, 3, 1),
        sequence=1,
        due_on=date(2026, 3, 4),
        assigned_to=owner,
    )
    correction = CorrectionRequest.objects.create(
        customer=first, requested_by=people["east_manager"], addressed_to=owner, note="补充法定代表人"
    )
    InteractionFactory(customer=first, topic="报价", next_action="寄样品", next_action_on=date(2026, 3, 10))
    return {
        "customers": [first, second, seconded],
        "complaint": complaint,
        "follow_up": follow_up,
        "correction": correction,
    }


def hand_over(client, people):
    return client.post(
        reverse("customers:handover"),
        {"from_user": people["owner"].pk, "to_user": people["successor"].pk, "reason": "张三离职"},
        follow=True,
    )


def test_a_handover_moves_every_open_item_and_shows_its_checklist(people, leaver_book, client_for):
    successor = people["successor"]
    response = hand_over(client_for(people["east_manager"]), people)
    page = response.content.decode()
    assert messages(page) == ["已将 张三 的 2 位客户及其未结事项移交给 李四。"]
    moved = section(page, "moved")
    assert text(element(moved, "data-moved", "customers", tag="dd")) == "2"
    assert text(element(moved, "data-moved", "complaints", tag="dd")) == "1"
    assert text(element(moved, "data-moved", "follow-ups", tag="dd")) == "1"
    assert text(element(moved, "data-moved", "next-actions", tag="dd")) == "1"
    assert text(element(moved, "data-moved", "requests", tag="dd")) == "1"
    first, second, seconded = (Customer.objects.get(pk=customer.pk) for customer in leaver_book["customers"])
    assert first.owner == successor and second.owner == successor
    assert seconded.owner == people["colleague"] and seconded.second_owner == successor
    assert Complaint.objects.get(pk=leaver_book["complaint"].pk).owner == successor
    assert FollowUp.objects.get(pk=leaver_book["follow_up"].pk).assigned_to == successor
    assert CorrectionRequest.objects.get(pk=leaver_book["correction"].pk).addressed_to == successor
    # Each moved record keeps who moved it in its history.
    assert Complaint.history.filter(id=leaver_book["complaint"].pk).first().history_user == people["east_manager"]
    # Nothing is left in the leaver's name.
    remaining = section(page, "remaining")
    assert set(re.findall(r'data-remaining="[^"]*">(\d+)<', remaining)) == {"0"}


def test_the_letter_list_names_each_customer_with_whom_to_write_to(people, leaver_book, client_for):
    client = client_for(people["east_manager"])
    hand_over(client, people)
    handover = Handover.objects.get()
    page = client.get(reverse("customers:handover_letters", args=[handover.pk])).content.decode()
    rows = text(element(page, "data-list", "letters", tag="table"))
    assert "甲公司 陈经理 采购经理" in rows
    assert "上海市浦东新区（200120）" in rows
    assert "乙公司" in rows and "丙公司" in rows
    assert "原联系人 张三 调离，由 李四 接替与贵司联系。" in text(page)


def test_the_printed_checklist_has_three_signatures(people, leaver_book, client_for):
    client = client_for(people["east_manager"])
    hand_over(client, people)
    page = client.get(reverse("customers:handover_checklist", args=[Handover.objects.get().pk])).content.decode()
    signatures = text(element(page, "class", "signatures", tag="table"))
    assert "移交人" in signatures and "接收人" in signatures and "部门经理" in signatures
    assert "甲公司" in text(element(page, "data-list", "checklist-customers", tag="table"))


def test_the_leaver_is_deactivated_only_when_the_last_item_is_done(people, leaver_book, client_for):
    client = client_for(people["east_manager"])
    hand_over(client, people)
    handover = Handover.objects.get()
    link = reverse("customers:handover_detail", args=[handover.pk])
    page = client.post(link, {"step": "account_deactivated"}, follow=True).content.decode()
    assert "尚有未完成的交接事项：已通知客户新的联系人、交接清单已由三方签字。" in messages(page)
    client.post(link, {"step": "customers_told"})
    client.post(link, {"step": "checklist_signed"})
    page = client.post(link, {"step": "account_deactivated"}, follow=True).content.decode()
    assert "已停用 张三 的账号。" in messages(page)
    people["owner"].refresh_from_db()
    assert not people["owner"].is_active
    assert list(HandoverStep.objects.values_list("kind", flat=True)) == [
        "customers_told",
        "checklist_signed",
        "account_deactivated",
    ]


def test_a_leaver_still_holding_something_keeps_their_account(people, leaver_book, client_for):
    client = client_for(people["east_manager"])
    hand_over(client, people)
    handover = Handover.objects.get()
    # A customer opened in the leaver's name after the handover.
    CustomerFactory(name="丁公司", owner=people["owner"])
    link = reverse("customers:handover_detail", args=[handover.pk])
    client.post(link, {"step": "customers_told"})
    client.post(link, {"step": "checklist_signed"})
    page = client.post(link, {"step": "account_deactivated"}, follow=True).content.decode()
    assert "尚有未完成的交接事项：名下客户 1。" in messages(page)
    people["owner"].refresh_from_db()
    assert people["owner"].is_active


def test_a_manager_of_another_department_sees_no_checklist(people, leaver_book, client_for):
    hand_over(client_for(people["east_manager"]), people)
    handover = Handover.objects.get()
    client = client_for(people["west_manager"])
    assert client.get(reverse("customers:handover_detail", args=[handover.pk])).status_code == 403
    assert client.get(reverse("customers:handover_letters", args=[handover.pk])).status_code == 403
    assert client.post(reverse("customers:handover_detail", args=[handover.pk]), {"step": "x"}).status_code == 403


def test_an_important_customer_gets_a_second_contact_who_reads_it_and_is_told(people, client_for):
    customer = CustomerFactory(name="甲公司", owner=people["owner"], grade="A", secrecy_tier=SecrecyTier.PERSONAL)
    colleague = people["colleague"]
    assert client_for(colleague).get(reverse("customers:detail", args=[customer.pk])).status_code == 404
    manager = client_for(people["east_manager"])
    board = manager.get("/").content.decode()
    assert "重要客户未指定第二负责人" in board and "甲公司" in board
    page = manager.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "重要客户须指定第二负责人" in page
    response = manager.post(
        reverse("customers:second_owner", args=[customer.pk]), {"second_owner": colleague.pk}, follow=True
    )
    assert "已保存第二负责人。" in messages(response.content.decode())
    assert "甲公司" not in manager.get("/").content.decode()
    assert Notification.objects.filter(recipient=colleague, message__contains="第二负责人").exists()
    # The second contact reads and keeps the profile, and is told what the owner is told.
    page = client_for(colleague).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "第二负责人 王五" in text(section(page, "profile"))
    complaint = Complaint.objects.create(
        customer=customer,
        kind=FeedbackKind.COMPLAINT,
        received_on=date(2026, 3, 2),
        deadline=date(2026, 3, 3),
        description="交货延迟",
        owner=people["owner"],
    )
    complaints.complaint_resolve(complaint, by=people["owner"], resolution="补发")
    complaints.complaint_result_approve(complaint, by=people["general_manager"])
    assert Notification.objects.filter(recipient=colleague, message__contains="总经理批准").exists()


def test_only_people_of_the_department_may_be_second_contact(people, client_for):
    customer = CustomerFactory(name="甲公司", owner=people["owner"], grade="A")
    manager = client_for(people["east_manager"])
    response = manager.post(
        reverse("customers:second_owner", args=[customer.pk]), {"second_owner": people["west_sales"].pk}, follow=True
    )
    assert any("第二负责人" in message for message in messages(response.content.decode()))
    assert Customer.objects.get(pk=customer.pk).second_owner is None
    # The owner does not name their own second contact.
    response = client_for(people["owner"]).post(
        reverse("customers:second_owner", args=[customer.pk]), {"second_owner": people["colleague"].pk}, follow=True
    )
    assert "您不能指定此客户的第二负责人。" in messages(response.content.decode())


def test_the_letter_list_hides_customers_the_manager_may_not_read(people, client_for):
    owner = people["owner"]
    CustomerFactory(name="甲公司", owner=owner)
    secret = CustomerFactory(name="绝密公司", owner=owner, secrecy_tier=SecrecyTier.TOP_SECRET, address="绝密地址路1号")
    ContactFactory(customer=secret, name="绝密联系人")
    client = client_for(people["east_manager"])
    hand_over(client, people)
    handover = Handover.objects.get()
    for name in ("customers:handover_letters", "customers:handover_checklist"):
        page = client.get(reverse(name, args=[handover.pk])).content.decode()
        assert "甲公司" in page
        assert "绝密" not in page
        assert "另有 1 位客户您无权查阅，须由有权查阅的人员通知。" in text(page)
    # The general manager, who reads it, sees it listed.
    page = client_for(people["general_manager"]).get(reverse("customers:handover_letters", args=[handover.pk]))
    assert "绝密公司" in page.content.decode() and "绝密联系人" in page.content.decode()


def test_an_open_visit_plan_keeps_the_leaver_active(people, client_for):
    from customers.models import VisitPlan

    CustomerFactory(name="甲公司", owner=people["owner"])
    client = client_for(people["east_manager"])
    hand_over(client, people)
    handover = Handover.objects.get()
    VisitPlan.objects.create(
        customer=Customer.objects.get(name="甲公司"),
        planned_on=date(2026, 3, 9),
        purpose="拜访",
        planned_by=people["owner"],
    )
    link = reverse("customers:handover_detail", args=[handover.pk])
    client.post(link, {"step": "customers_told"})
    client.post(link, {"step": "checklist_signed"})
    page = client.post(link, {"step": "account_deactivated"}, follow=True).content.decode()
    assert "尚有未完成的交接事项：未完成的拜访计划 1。" in messages(page)
