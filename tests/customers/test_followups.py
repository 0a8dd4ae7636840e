"""Issue 17 §2: visits planned and minuted; follow-ups (回访) started by plans kept as data, due on
the owner's dashboard and, once missed, on the department manager's, until a contact is recorded;
contact frequency by grade; next actions missed until marked done."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from customers import followups, services
from customers.models import (
    Customer,
    CustomerCategory,
    CustomerGrade,
    FollowUp,
    FollowUpEvent,
    FollowUpPlan,
    Interaction,
    InteractionChannel,
    SecrecyTier,
    VisitPlan,
)

from .factories import CustomerFactory, DealFactory, InteractionFactory
from .html import body_rows, element, errors, messages, section, text

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
TODAY = MONDAY.date()


@pytest.fixture(autouse=True)
def clock():
    """Monday 2 March 2026, 10:00 in Shanghai; tests move it with clock.move_to(...)."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def later(days: int, hour: int = 10) -> datetime:
    return datetime.combine(TODAY + timedelta(days=days), datetime.min.time(), SHANGHAI).replace(hour=hour)


@pytest.fixture
def customer(people):
    """A signed customer of the owner (east department), grade C, contacted today."""
    customer = CustomerFactory(
        name="甲公司", owner=people["owner"], category=CustomerCategory.SIGNED, secrecy_tier=SecrecyTier.PERSONAL
    )
    InteractionFactory(customer=customer, occurred_at=MONDAY - timedelta(hours=1))
    return customer


def post_deal(client, customer, signed_on: date, number="HT-001"):
    return client.post(
        reverse("customers:record_add", args=[customer.pk, "deals"]),
        {"contract_number": number, "signed_on": signed_on.isoformat(), "amount": "50000.00"},
    )


def post_interaction(client, customer, occurred_at: datetime, topic="电话回访"):
    return client.post(
        reverse("customers:record_add", args=[customer.pk, "interactions"]),
        {"topic": topic, "occurred_at": occurred_at.strftime("%Y-%m-%dT%H:%M"), "channel": "phone"},
    )


def dashboard(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def panel(page: str, name: str) -> str:
    return text(element(page, "data-panel", name, tag="ul"))


def count(page: str, name: str) -> str:
    return text(element(page, "data-count", name, tag="h3"))


def more(page: str, name: str) -> tuple[str, str]:
    """A count the owner's panel shows as a link to its list: its words and where it leads."""
    item = element(page, "data-count", name, tag="li")
    return text(item), re.search(r'href="([^"]+)"', item).group(1).replace("&amp;", "&")


def open_follow_ups(customer) -> list[tuple[str, int, date]]:
    return list(
        FollowUp.objects.filter(customer=customer, done_at__isnull=True)
        .order_by("due_on", "pk")
        .values_list("plan__name", "sequence", "due_on")
    )


# --- follow-ups started by plans -----------------------------------------------------------------


def test_a_signed_deal_starts_follow_ups_3_30_and_60_days_later(people, customer, client_for):
    client = client_for(people["owner"])
    assert post_deal(client, customer, TODAY).status_code == 302

    assert open_follow_ups(customer) == [
        ("购买客户回访", 1, date(2026, 3, 5)),
        ("购买客户回访", 2, date(2026, 4, 1)),
        ("购买客户回访", 3, date(2026, 5, 1)),
    ]
    assert set(FollowUp.objects.values_list("assigned_to", flat=True)) == {people["owner"].pk}
    rows = body_rows(
        section(client.get(reverse("customers:detail", args=[customer.pk])).content.decode(), "follow-ups")
    )
    assert [row.split()[0] for row in rows] == ["2026-03-05", "2026-04-01", "2026-05-01"]
    assert "购买客户回访 第 1 次" in rows[0]


def test_changing_a_deal_starts_no_second_round(people, customer, client_for):
    client = client_for(people["owner"])
    post_deal(client, customer, TODAY)
    deal = customer.deals.get()
    client.post(
        reverse("customers:record_edit", args=[customer.pk, "deals", deal.pk]),
        {"contract_number": "HT-001", "signed_on": TODAY.isoformat(), "amount": "60000.00"},
    )
    assert FollowUp.objects.filter(customer=customer).count() == 3


def test_a_deal_entered_late_keeps_one_follow_up_for_the_past_steps_due_today(people, customer, client_for):
    post_deal(client_for(people["owner"]), customer, TODAY - timedelta(days=40))

    assert open_follow_ups(customer) == [
        ("购买客户回访", 2, TODAY),  # the 3- and 30-day steps had passed: one contact now
        ("购买客户回访", 3, date(2026, 3, 22)),
    ]


def test_a_new_potential_customer_is_followed_up_3_and_15_days_later(people):
    created = services.customer_create(
        by=people["owner"], name="乙公司", owner=people["owner"], category=CustomerCategory.POTENTIAL
    )
    assert open_follow_ups(created) == [
        ("潜在客户回访", 1, date(2026, 3, 5)),
        ("潜在客户回访", 2, date(2026, 3, 17)),
    ]
    assert FollowUp.history.filter(customer_id=created.pk).first().history_user == people["owner"]


def test_a_new_signed_customer_starts_no_prospect_follow_up(people):
    created = services.customer_create(
        by=people["owner"], name="丙公司", owner=people["owner"], category=CustomerCategory.SIGNED
    )
    assert open_follow_ups(created) == []


def test_a_plan_changed_in_data_is_honoured(people, customer, client_for):
    FollowUpPlan.objects.filter(name="购买客户回访").update(days="7,90")
    FollowUpPlan.objects.create(name="A 级客户成交回访", event=FollowUpEvent.PURCHASE, grade=CustomerGrade.A, days="1")
    grade_a = CustomerFactory(name="大客户", owner=people["owner"], grade=CustomerGrade.A)
    client = client_for(people["owner"])

    post_deal(client, customer, TODAY, number="HT-C")
    post_deal(client, grade_a, TODAY, number="HT-A")

    assert open_follow_ups(customer) == [("购买客户回访", 1, date(2026, 3, 9)), ("购买客户回访", 2, date(2026, 5, 31))]
    assert open_follow_ups(grade_a) == [
        ("A 级客户成交回访", 1, date(2026, 3, 3)),
        ("购买客户回访", 1, date(2026, 3, 9)),
        ("购买客户回访", 2, date(2026, 5, 31)),
    ]


def test_an_inactive_plan_starts_nothing(people, customer, client_for):
    FollowUpPlan.objects.filter(name="购买客户回访").update(active=False)
    post_deal(client_for(people["owner"]), customer, TODAY)
    assert open_follow_ups(customer) == []


def test_imported_customers_get_their_follow_ups_in_a_constant_number_of_queries(people):
    def create(count: int, prefix: str) -> list[Customer]:
        customers = Customer.objects.bulk_create(
            Customer(name=f"{prefix}{n}", owner=people["owner"], department=people["owner"].department)
            for n in range(count)
        )
        with CaptureQueriesContext(connection) as queries:
            followups.on_customer_created(customers, by=people["owner"])
        return len(queries.captured_queries)

    assert create(2, "小") == create(25, "大")
    assert FollowUp.objects.count() == 2 * 27


# --- due, missed, done ---------------------------------------------------------------------------


@pytest.fixture
def deal_today(people, customer):
    """A deal signed today: follow-ups due 5 March, 1 April, 1 May."""
    deal = DealFactory(customer=customer, signed_on=TODAY)
    followups.on_record_saved(deal, by=people["owner"], created=True)
    return deal


def test_a_follow_up_appears_on_the_owners_dashboard_on_its_due_day_with_a_count(
    people, customer, deal_today, client_for, clock
):
    client = client_for(people["owner"])
    page = dashboard(client)
    assert count(page, "follow-ups-due") == "待回访 0"
    # What comes within the week: a count on the home page, a link to its list.
    assert more(page, "follow-ups-upcoming") == ("7 天内回访 1", "/customers/follow-ups/?list=upcoming")
    upcoming = client.get(reverse("customers:follow_ups"), {"list": "upcoming"}).content.decode()
    assert body_rows(section(upcoming, "upcoming"))[0].startswith("2026-03-05 甲公司")

    clock.move_to(later(3))
    page = dashboard(client_for(people["owner"]))  # signed in again: the session idled out
    assert count(page, "follow-ups-due") == "待回访 1"
    assert "2026-03-05 · 甲公司 · 购买客户回访 第 1 次" in panel(page, "follow-ups-due")


def test_a_missed_follow_up_moves_to_the_department_managers_dashboard(people, customer, deal_today, client_for, clock):
    clock.move_to(later(3))
    assert count(dashboard(client_for(people["east_manager"])), "follow-ups-missed") == "本部门未按期回访 0"

    clock.move_to(later(4, hour=0))
    page = dashboard(client_for(people["east_manager"]))
    assert count(page, "follow-ups-missed") == "本部门未按期回访 1"
    assert "甲公司" in panel(page, "follow-ups-missed")
    assert "张三" in panel(page, "follow-ups-missed")
    # Still the owner's, flagged; not another department's manager's.
    assert "已逾期" in panel(dashboard(client_for(people["owner"])), "follow-ups-due")
    assert "甲公司" not in panel(dashboard(client_for(people["west_manager"])), "follow-ups-missed")


def test_recording_an_interaction_marks_the_follow_up_done_and_it_leaves_both_dashboards(
    people, customer, deal_today, client_for, clock
):
    clock.move_to(later(10))
    owner = client_for(people["owner"])
    assert post_interaction(owner, customer, later(10, hour=9)).status_code == 302

    assert count(dashboard(owner), "follow-ups-due") == "待回访 0"
    assert "甲公司" not in panel(dashboard(client_for(people["east_manager"])), "follow-ups-missed")
    done = FollowUp.objects.get(sequence=1)
    assert done.done_interaction.topic == "电话回访"
    assert done.history.first().history_user == people["owner"]
    assert [sequence for _plan, sequence, _due in open_follow_ups(customer)] == [2, 3]


def test_a_contact_a_few_days_early_counts_but_not_one_on_the_day_of_the_event(
    people, customer, deal_today, client_for, clock
):
    owner = client_for(people["owner"])
    post_interaction(owner, customer, later(0, hour=9))  # the signing itself
    assert len(open_follow_ups(customer)) == 3

    clock.move_to(later(1))
    post_interaction(client_for(people["owner"]), customer, later(1, hour=9))  # 2 days before the 3-day follow-up
    assert [sequence for _plan, sequence, _due in open_follow_ups(customer)] == [2, 3]


def test_the_follow_up_page_records_the_contact_for_that_follow_up(people, customer, deal_today, client_for, clock):
    clock.move_to(later(3))
    client = client_for(people["owner"])
    follow_up = FollowUp.objects.get(sequence=1)
    url = reverse("customers:follow_up_record", args=[customer.pk, follow_up.pk])
    form = client.get(url).content.decode()
    assert "购买客户回访 第 1 次回访" in form  # the topic, filled in

    response = client.post(
        f"{url}?next=/",
        {
            "occurred_at": "2026-03-05T09:30",
            "channel": "visit",
            "topic": "回访",
            "feedback": "设备运行正常",
            "next": "/",
        },
    )
    assert response.status_code == 302 and response.url == "/"
    follow_up.refresh_from_db()
    assert follow_up.done_interaction.feedback == "设备运行正常"
    assert count(dashboard(client), "follow-ups-due") == "待回访 0"
    assert client.get(url).status_code == 302  # done: nothing more to record


def test_a_follow_up_contact_in_the_future_is_refused(people, customer, deal_today, client_for, clock):
    clock.move_to(later(3))
    follow_up = FollowUp.objects.get(sequence=1)
    response = client_for(people["owner"]).post(
        reverse("customers:follow_up_record", args=[customer.pk, follow_up.pk]),
        {"occurred_at": "2026-03-06T09:30", "channel": "phone", "topic": "回访"},
    )
    assert response.status_code == 200
    assert errors(response.content.decode()) == ["只能记录已经发生的联系，时间不能晚于现在。"]
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is None


def test_the_second_owner_sees_the_customers_follow_ups(people, customer, deal_today, client_for, clock):
    Customer.objects.filter(pk=customer.pk).update(second_owner=people["colleague"])
    clock.move_to(later(3))
    assert count(dashboard(client_for(people["colleague"])), "follow-ups-due") == "待回访 1"


# --- visits --------------------------------------------------------------------------------------


def test_a_visit_is_planned_then_minuted_through_the_pages(people, customer, deal_today, client_for, clock):
    client = client_for(people["owner"])
    response = client.post(
        reverse("customers:visit_plan_add", args=[customer.pk]),
        {
            "planned_on": "2026-03-04",
            "purpose": "了解设备使用情况",
            "agenda": "1. 巡检\n2. 续约",
            "materials": "报价单",
        },
    )
    assert response.status_code == 302
    plan = VisitPlan.objects.get()
    assert (plan.planned_by, plan.interaction) == (people["owner"], None)
    detail = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert body_rows(section(detail, "visits")) == ["2026-03-04 了解设备使用情况 张三 填写纪要"]

    clock.move_to(later(2, hour=16))
    client = client_for(people["owner"])
    minutes_url = reverse("customers:visit_minutes", args=[customer.pk, plan.pk])
    assert "了解设备使用情况" in client.get(minutes_url).content.decode()
    response = client.post(
        minutes_url,
        {
            "occurred_at": "2026-03-04T14:00",
            "participants": "张三、客户王工",
            "topic": "了解设备使用情况",
            "feedback": "设备运行稳定，客户有意续约。",
            "next_action": "寄送续约报价",
            "next_action_on": "2026-03-10",
        },
        follow=True,
    )
    assert messages(response.content.decode()) == ["拜访纪要已保存。"]
    assert "设备运行稳定，客户有意续约。" in section(response.content.decode(), "minutes")
    plan.refresh_from_db()
    assert plan.interaction.channel == InteractionChannel.VISIT
    assert plan.interaction.recorded_by == people["owner"]
    # The visit is the contact the 3-day follow-up asked for.
    assert FollowUp.objects.get(sequence=1).done_interaction == plan.interaction
    detail = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert body_rows(section(detail, "visits")) == ["2026-03-04 了解设备使用情况 张三 已填写（2026-03-04）"]
    # Minutes once only; the plan is then the record of what was prepared.
    again = client.post(minutes_url, {"occurred_at": "2026-03-04T15:00", "topic": "x", "feedback": "y"}, follow=True)
    assert messages(again.content.decode()) == ["此拜访的纪要已经填写。"]
    assert Interaction.objects.filter(channel=InteractionChannel.VISIT).count() == 1
    edit = client.get(reverse("customers:visit_plan_edit", args=[customer.pk, plan.pk]), follow=True)
    assert messages(edit.content.decode()) == ["拜访纪要已填写，计划不能再修改。"]


def test_a_visit_cannot_be_planned_for_a_past_day(people, customer, client_for):
    response = client_for(people["owner"]).post(
        reverse("customers:visit_plan_add", args=[customer.pk]), {"planned_on": "2026-03-01", "purpose": "补记"}
    )
    assert errors(response.content.decode()) == ["拜访计划须在拜访之前制定，计划日期不能早于今天。"]
    assert not VisitPlan.objects.exists()


def test_minutes_cannot_be_written_before_the_visit_has_happened(people, customer, client_for):
    plan = followups.visit_plan_create(customer, by=people["owner"], planned_on=TODAY, purpose="拜访")
    response = client_for(people["owner"]).post(
        reverse("customers:visit_minutes", args=[customer.pk, plan.pk]),
        {"occurred_at": "2026-03-02T15:00", "topic": "拜访", "feedback": "提前写好的纪要"},
    )
    assert errors(response.content.decode()) == ["只能记录已经发生的联系，时间不能晚于现在。"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("purpose", "\x00"), ("purpose", "长" * 100_000), ("planned_on", "0001-01-01"), ("planned_on", "1e3")],
)
def test_bad_input_to_the_visit_plan_form_is_a_form_error(field, value, people, customer, client_for):
    data = {"planned_on": "2026-03-04", "purpose": "拜访", field: value}
    response = client_for(people["owner"]).post(reverse("customers:visit_plan_add", args=[customer.pk]), data)
    assert response.status_code == 200
    assert errors(response.content.decode())
    assert not VisitPlan.objects.exists()


def test_ids_that_are_not_records_of_the_customer_are_not_found(people, customer, client_for):
    other = CustomerFactory(owner=people["owner"])
    plan = followups.visit_plan_create(other, by=people["owner"], planned_on=TODAY, purpose="拜访")
    client = client_for(people["owner"])
    assert client.get(reverse("customers:visit_minutes", args=[customer.pk, plan.pk])).status_code == 404
    assert client.get(f"/customers/{customer.pk}/visit-plans/1e3/minutes/").status_code == 404
    assert client.get(f"/customers/{customer.pk}/visit-plans/{2**70}/minutes/").status_code == 404


@pytest.mark.parametrize("who", ["colleague", "west_manager", "marketing_director"])
def test_people_who_may_not_edit_the_customer_cannot_plan_minute_or_mark_done(who, people, client_for):
    # Department tier: the marketing director reads it but keeps only company-tier profiles.
    customer = CustomerFactory(owner=people["owner"], secrecy_tier=SecrecyTier.DEPARTMENT)
    plan = followups.visit_plan_create(customer, by=people["owner"], planned_on=TODAY, purpose="拜访")
    interaction = InteractionFactory(customer=customer, next_action="报价", next_action_on=TODAY)
    deal = DealFactory(customer=customer, signed_on=TODAY)
    followups.on_record_saved(deal, by=people["owner"], created=True)
    follow_up = FollowUp.objects.filter(customer=customer).first()
    client = client_for(people[who])
    expected = 403 if who == "marketing_director" else 404

    assert client.get(reverse("customers:visit_plan_add", args=[customer.pk])).status_code == expected
    add = client.post(
        reverse("customers:visit_plan_add", args=[customer.pk]), {"planned_on": "2026-03-04", "purpose": "x"}
    )
    assert add.status_code == expected
    minutes = {"occurred_at": "2026-03-02T09:00", "topic": "x", "feedback": "y"}
    assert client.post(reverse("customers:visit_minutes", args=[customer.pk, plan.pk]), minutes).status_code == expected
    done = client.post(reverse("customers:next_action_done", args=[customer.pk, interaction.pk]))
    assert done.status_code == expected
    record = {"occurred_at": "2026-03-02T09:00", "channel": "phone", "topic": "x"}
    url = reverse("customers:follow_up_record", args=[customer.pk, follow_up.pk])
    assert client.post(url, record).status_code == expected
    assert VisitPlan.objects.count() == 1
    assert Interaction.objects.get(pk=interaction.pk).next_action_done_at is None
    assert not FollowUp.objects.filter(done_at__isnull=False).exists()


# --- next actions and contact frequency ---------------------------------------------------------


def test_a_missed_next_action_stays_on_the_dashboard_until_marked_done(people, customer, client_for, clock):
    interaction = InteractionFactory(
        customer=customer, next_action="寄送样品", next_action_on=TODAY + timedelta(days=1)
    )
    client = client_for(people["owner"])
    assert 'data-count="next-actions-missed"' not in dashboard(client)

    clock.move_to(later(5))
    client = client_for(people["owner"])
    page = dashboard(client)
    assert more(page, "next-actions-missed") == ("逾期未办的下一步行动 1", "/customers/follow-ups/?list=next-actions")
    listed = client.get(reverse("customers:follow_ups"), {"list": "next-actions"}).content.decode()
    assert body_rows(section(listed, "next-actions")) == ["2026-03-03 甲公司 寄送样品 标记完成"]

    response = client.post(
        reverse("customers:next_action_done", args=[customer.pk, interaction.pk]), {"next": "/"}, follow=True
    )
    assert messages(response.content.decode()) == ["已将下一步行动标记为完成。"]
    assert 'data-count="next-actions-missed"' not in response.content.decode()
    again = client.post(reverse("customers:next_action_done", args=[customer.pk, interaction.pk]), follow=True)
    assert messages(again.content.decode()) == ["此下一步行动已标记完成。"]


def test_customers_past_their_grades_contact_frequency_are_listed_for_the_owner(people, customer, client_for):
    grade_a = CustomerFactory(name="A 级客户", owner=people["owner"], grade=CustomerGrade.A)
    InteractionFactory(customer=grade_a, occurred_at=MONDAY - timedelta(days=31))
    grade_b = CustomerFactory(name="B 级客户", owner=people["owner"], grade=CustomerGrade.B)
    InteractionFactory(customer=grade_b, occurred_at=MONDAY - timedelta(days=31))
    never = CustomerFactory(name="新建 D 级客户", owner=people["owner"], grade=CustomerGrade.D)
    Customer.objects.filter(pk=never.pk).update(created_at=MONDAY - timedelta(days=181))
    CustomerFactory(name="别人的客户", owner=people["successor"], grade=CustomerGrade.A)

    client = client_for(people["owner"])
    assert more(dashboard(client), "contact-overdue")[0] == "超过联系周期的客户 2"
    listed = client.get(reverse("customers:follow_ups"), {"list": "contact-overdue"}).content.decode()
    assert body_rows(section(listed, "contact-overdue")) == ["新建 D 级客户 D 级 从未联系", "A 级客户 A 级 2026-01-30"]
    detail = client_for(people["owner"]).get(reverse("customers:detail", args=[grade_a.pk])).content.decode()
    assert "已超过联系周期。" in section(detail, "follow-ups")


def test_the_follow_ups_page_lists_what_the_person_has_to_do(people, customer, deal_today, client_for, clock):
    clock.move_to(later(4))
    owner_page = client_for(people["owner"]).get(reverse("customers:follow_ups")).content.decode()
    assert body_rows(section(owner_page, "due"))[0].startswith("2026-03-05 已逾期 甲公司")
    assert 'id="missed"' not in owner_page
    assert 'data-list="missed"' not in owner_page  # the department's tab is the manager's alone
    manager_page = client_for(people["east_manager"]).get(reverse("customers:follow_ups")).content.decode()
    assert body_rows(section(manager_page, "missed")) == ["2026-03-05 甲公司 购买客户回访 第 1 次 张三"]


def tabs(page: str) -> list[tuple[str, str, bool]]:
    """The follow-ups page's tabs: (list key, title with its count, whether it is the one shown)."""
    found = re.findall(r'<a href="\?list=([\w-]+)" data-list="[\w-]+"( aria-current="page")?>(.*?)</a>', page)
    return [(key, text(title), bool(current)) for key, current, title in found]


def test_the_follow_ups_page_shows_one_list_at_a_time_with_every_lists_count(
    people, customer, deal_today, client_for, clock
):
    InteractionFactory(customer=customer, next_action="寄送样品", next_action_on=TODAY + timedelta(days=1))
    clock.move_to(later(4))
    client = client_for(people["owner"])

    page = client.get(reverse("customers:follow_ups")).content.decode()
    # Opened without a choice: the first list with something in it.
    assert tabs(page) == [
        ("due", "待回访 1", True),
        ("upcoming", "7 天内回访 0", False),
        ("next-actions", "逾期未办的下一步行动 1", False),
        ("contact-overdue", "超过联系周期的客户 0", False),
    ]
    assert 'id="next-actions"' not in page  # the other lists' rows are not written
    assert "?next=/customers/follow-ups/%3Flist%3Ddue" in page  # recorded, back to this tab

    page = client.get(reverse("customers:follow_ups"), {"list": "next-actions"}).content.decode()
    assert [current for _key, _title, current in tabs(page)] == [False, False, True, False]
    assert body_rows(section(page, "next-actions"))[0].startswith("2026-03-03 甲公司 寄送样品")
    assert 'id="due"' not in page

    # A list that is not one of the person's (or not a list at all) shows the first with rows.
    for unknown in ("missed", "x" * 5000, "DUE", "1e3"):
        page = client.get(reverse("customers:follow_ups"), {"list": unknown}).content.decode()
        assert 'id="due"' in page and 'data-list="missed"' not in page
    assert client.get(reverse("customers:follow_ups"), {"list": "due\x00"}).status_code == 400


def test_a_follow_ups_list_pages_in_a_fixed_number_of_queries(
    people, customer, client_for, clock, django_assert_max_num_queries
):
    for n in range(30):
        other = CustomerFactory(name=f"客户{n:02d}", owner=people["owner"], grade=CustomerGrade.A)
        InteractionFactory(customer=other, next_action=f"报价{n:02d}", next_action_on=TODAY, occurred_at=MONDAY)
    clock.move_to(later(40))
    client = client_for(people["owner"])
    url = reverse("customers:follow_ups")

    # The signed-in user, the grades' contact frequencies, every list's count, the shown page.
    with django_assert_max_num_queries(5):
        first = client.get(url, {"list": "next-actions", "per_page": 10}).content.decode()
    assert len(body_rows(section(first, "next-actions"))) == 10
    assert ("next-actions", "逾期未办的下一步行动 30", True) in tabs(first)
    assert ("contact-overdue", "超过联系周期的客户 30", False) in tabs(first)
    with django_assert_max_num_queries(6):  # a later page: its ids, then its rows
        last = client.get(url, {"list": "next-actions", "per_page": 10, "page": 3}).content.decode()
    assert [row.split(" ")[2] for row in body_rows(section(last, "next-actions"))] == [
        f"报价{n:02d}" for n in range(20, 30)
    ]
    assert "下一页" not in last and "上一页" in last


def test_the_dashboard_panels_keep_a_fixed_number_of_queries(
    people, customer, client_for, clock, django_assert_max_num_queries
):
    for _n in range(13):
        other = CustomerFactory(owner=people["owner"], grade=CustomerGrade.A)
        followups.on_record_saved(DealFactory(customer=other, signed_on=TODAY), by=people["owner"], created=True)
        InteractionFactory(customer=other, next_action="报价", next_action_on=TODAY, occurred_at=MONDAY)
    clock.move_to(later(40))
    owner, manager = (User.objects.get(pk=people[name].pk) for name in ("owner", "east_manager"))

    # Their roles, the rows shown (the due list) and the grades' contact frequencies; the counts
    # are counted with the home page's others.
    with django_assert_max_num_queries(3):
        owner_panel = followups.owner_dashboard(owner)
    with django_assert_max_num_queries(2):
        manager_panel = followups.manager_dashboard(manager)

    assert (owner_panel["due"].count, len(owner_panel["due"].items)) == (26, 10)  # the 3- and 30-day steps
    assert (owner_panel["next_actions_missed"].count, owner_panel["contact_overdue"].count) == (13, 13)
    assert manager_panel["missed"].count == 26
    page = dashboard(client_for(owner))
    assert count(page, "follow-ups-due") == "待回访 26"
    assert more(page, "contact-overdue")[0] == "超过联系周期的客户 13"
    assert count(dashboard(client_for(manager)), "follow-ups-missed") == "本部门未按期回访 26"


def test_a_role_of_the_dashboard_sees_the_panel_only_for_its_role(make_user, client_for):
    page = dashboard(client_for(make_user(Role.ARCHIVE_CLERK)))
    assert 'data-panel="follow-ups-due"' not in page
    assert 'data-panel="follow-ups-missed"' not in page
