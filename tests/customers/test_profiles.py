"""Profiles that stay current (issue 17 §3): visits entered the same day, profiles completed every
month, correction requests from archive staff, grades changed only with the department manager's
approval and reviewed on time."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from crm_archive.errors import ActionRefused
from crm_archive.workdays import add_months
from customers import profiles
from customers import services as customer_services
from customers.models import (
    CorrectionRequest,
    Customer,
    CustomerGrade,
    GradeChange,
    GradeChangeStatus,
    GradeCriterion,
    SecrecyTier,
)

from .factories import CustomerFactory, InteractionFactory, profile_form_data
from .html import body_rows, element, errors, messages, section, text

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(archive):
    return archive["people"]


@pytest.fixture
def customer(archive):
    """The owner's personal-tier customer: the owner and their department manager read it."""
    return archive["customers"][SecrecyTier.PERSONAL]


def visit(customer, occurred: str, entered: str, **fields):
    return InteractionFactory(customer=customer, occurred_at=at(occurred), created_at=at(entered), **fields)


def report_rows(page: str) -> dict[str, str]:
    """The late-entry report's rows, by the person's name."""
    return {row.split(" ")[0]: row for row in body_rows(section(page, "late-entry-report"))}


# ---------------------------------------------------------------------------------------------
# The late-entry report


def test_the_late_entry_report_lists_each_sales_person_with_their_late_visits_of_the_month(
    people, customer, client_for
):
    owner, colleague = people["owner"], people["colleague"]
    visit(customer, "2026-11-02 10:00", "2026-11-02 18:00")  # the same day
    visit(customer, "2026-11-03 10:00", "2026-11-05 09:00")  # two days later
    # Late by the Shanghai calendar though the same day in UTC (15:30 and 16:10 UTC on the 10th).
    visit(customer, "2026-11-10 23:30", "2026-11-11 00:10")
    # The same Shanghai day though not the same day in UTC (16:30 UTC on the 10th, 01:00 on the 11th).
    visit(customer, "2026-11-11 00:30", "2026-11-11 09:00")
    visit(customer, "2026-10-30 10:00", "2026-11-02 10:00")  # late, but a visit of October
    visit(customer, "2026-11-04 10:00", "2026-11-04 11:00", recorded_by=colleague)

    page = client_for(people["manager"]).get(reverse("customers:late_entries"), {"month": "2026-11"})

    assert page.status_code == 200
    html = page.content.decode()
    rows = report_rows(html)
    assert rows[str(owner)].split(" ")[2:4] == ["4", "2"]  # department, visits, late
    assert rows[str(colleague)].split(" ")[2:4] == ["1", "0"]
    assert list(rows)[0] == str(owner)  # the most late entries first
    late = body_rows(section(html, "late-entries"))
    assert [row.split(" ")[3:] for row in late] == [
        ["2026-11-03", "10:00", "2026-11-05", "09:00"],
        ["2026-11-10", "23:30", "2026-11-11", "00:10"],
    ]


def test_the_late_entry_report_shows_this_month_unless_told(people, customer, client_for, clock):
    visit(customer, "2026-11-20 10:00", "2026-11-21 10:00")
    page = client_for(people["manager"]).get(reverse("customers:late_entries")).content.decode()
    assert 'value="2026-11"' in page
    assert "2026 年 11 月" in text(section(page, "late-entry-report"))
    assert report_rows(page)[str(people["owner"])].split(" ")[2:4] == ["1", "1"]


@pytest.mark.parametrize("typed", ["2026-13", "2026-00", "0001-01", "1e3", "2026/11", "26-11"])
def test_a_bad_month_keeps_what_was_typed_and_says_what_is_wrong(people, client_for, typed):
    response = client_for(people["manager"]).get(reverse("customers:late_entries"), {"month": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert errors(page)
    assert f'value="{typed}"' in page
    assert 'id="late-entry-report"' not in page


def test_the_report_counts_incomplete_profiles_nobody_completed_during_the_month(people, archive, client_for, clock):
    """Opened in November (a change that month); in December nobody touches three of the four."""
    owner = people["owner"]
    client = client_for(people["manager"])
    november = report_rows(client.get(reverse("customers:late_entries"), {"month": "2026-11"}).content.decode())
    assert str(owner) not in november

    clock.move_to(at("2026-12-15 10:00"))
    touched = archive["customers"][SecrecyTier.PERSONAL]
    customer_services.customer_update(touched, by=owner, legal_representative="王总")

    client = client_for(people["manager"])  # signed in afresh: the session of November has expired
    december = report_rows(client.get(reverse("customers:late_entries"), {"month": "2026-12"}).content.decode())
    assert december[str(owner)].split(" ")[-1] == "3"


def test_the_not_kept_count_is_at_most_five_minutes_old_and_says_when_it_was_counted(
    people, archive, client_for, clock
):
    """Counted over every profile of the department, the figure is kept five minutes; the page
    says when it was counted, and a change shows once they have passed."""
    owner = people["owner"]
    clock.move_to(at("2026-12-15 10:00"))
    client = client_for(people["manager"])
    page = client.get(reverse("customers:late_entries"), {"month": "2026-12"}).content.decode()
    assert report_rows(page)[str(owner)].split(" ")[-1] == "4"
    assert "未完善档案数统计于 2026-12-15 10:00，每 5 分钟更新。" in text(page)

    customer_services.customer_update(archive["customers"][SecrecyTier.PERSONAL], by=owner, legal_representative="王总")
    clock.move_to(at("2026-12-15 10:04"))
    page = client.get(reverse("customers:late_entries"), {"month": "2026-12"}).content.decode()
    assert report_rows(page)[str(owner)].split(" ")[-1] == "4"  # the figure of 10:00
    clock.move_to(at("2026-12-15 10:06"))
    page = client_for(people["manager"]).get(reverse("customers:late_entries"), {"month": "2026-12"}).content.decode()
    assert report_rows(page)[str(owner)].split(" ")[-1] == "3"
    assert "未完善档案数统计于 2026-12-15 10:06" in text(page)


def test_a_complete_profile_is_never_counted_as_not_kept(people, client_for, clock):
    complete = CustomerFactory(owner=people["colleague"], **FULL_PROFILE)
    assert complete.completeness == 100
    clock.move_to(at("2026-12-15 10:00"))
    page = client_for(people["manager"]).get(reverse("customers:late_entries"), {"month": "2026-12"}).content.decode()
    assert str(people["colleague"]) not in report_rows(page)


def test_a_department_manager_sees_only_the_people_of_their_department(people, customer, make_user, client_for):
    visit(customer, "2026-11-03 10:00", "2026-11-05 09:00")
    other_manager = make_user(Role.DEPARTMENT_MANAGER, username="othermgr")
    page = client_for(other_manager).get(reverse("customers:late_entries"), {"month": "2026-11"}).content.decode()
    assert str(people["owner"]) not in page


@pytest.mark.parametrize("role", [Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER, Role.ARCHIVE_MANAGER])
def test_the_managers_above_departments_see_everyone_in_the_report(role, people, customer, make_user, client_for):
    visit(customer, "2026-11-03 10:00", "2026-11-05 09:00")
    page = client_for(make_user(role)).get(reverse("customers:late_entries"), {"month": "2026-11"}).content.decode()
    assert str(people["owner"]) in report_rows(page)


@pytest.mark.parametrize("person", ["sales", "clerk"])
def test_sales_people_and_clerks_cannot_open_the_late_entry_report(person, people, client_for):
    user = people["owner"] if person == "sales" else people["clerk"]
    assert client_for(user).get(reverse("customers:late_entries")).status_code == 403


def test_the_late_list_narrows_to_one_person(people, customer, client_for):
    visit(customer, "2026-11-03 10:00", "2026-11-05 09:00")
    visit(customer, "2026-11-04 10:00", "2026-11-06 09:00", recorded_by=people["colleague"])
    client = client_for(people["manager"])
    page = client.get(
        reverse("customers:late_entries"), {"month": "2026-11", "person": people["colleague"].pk}
    ).content.decode()
    assert [row.split(" ")[0] for row in body_rows(section(page, "late-entries"))] == [str(people["colleague"])]
    junk = client.get(reverse("customers:late_entries"), {"month": "2026-11", "person": "1e3"})
    assert junk.status_code == 200


def test_the_late_entry_report_costs_the_same_for_many_people(
    people, archive, make_user, client_for, django_assert_max_num_queries
):
    department = people["owner"].department
    for number in range(8):
        seller = make_user(Role.SALES, department=department, username=f"seller{number}")
        seller_customer = CustomerFactory(owner=seller)
        for day in range(3, 6):
            visit(seller_customer, f"2026-11-{day:02d} 10:00", f"2026-11-{day + 1:02d} 10:00")
    client = client_for(people["manager"])
    client.get(reverse("customers:late_entries"))  # the session and the menu, once
    with django_assert_max_num_queries(14):
        page = client.get(reverse("customers:late_entries"), {"month": "2026-11"}).content.decode()
    assert len(report_rows(page)) == 8


# ---------------------------------------------------------------------------------------------
# Completeness and correction requests

FULL_PROFILE = {
    "legal_representative": "王总",
    "address": "北京市海淀区",
    "postcode": "100080",
    "phone": "010-62345678",
    "email": "a@example.com",
    "registered_capital": 100,
    "founded_on": date(2001, 1, 1),
    "enterprise_type": "private",
    "industry": "通信",
    "region": "华北",
    "business_scope": "通信设备",
    "annual_revenue": 1000,
    "employees": 50,
    "credit_rating": "AA",
}


def test_the_completeness_list_shows_each_profile_s_score_and_missing_fields(people, client_for):
    half = {name: FULL_PROFILE[name] for name in list(FULL_PROFILE)[:7]}
    CustomerFactory(name="半全公司", owner=people["owner"], **half)
    page = client_for(people["archive_manager"]).get(reverse("customers:completeness")).content.decode()
    row = next(row for row in body_rows(element(page, "data-list", "completeness", "table")) if "半全公司" in row)
    assert "50%" in row
    assert "企业性质、所属行业、所属区域、经营范围、年营业额（万元）、员工人数、信用等级" in row
    assert "法定代表人" not in row


def test_the_completeness_list_shows_the_least_complete_first_and_leaves_out_complete_ones(people, client_for):
    CustomerFactory(name="完整公司", owner=people["owner"], **FULL_PROFILE)
    CustomerFactory(name="较全公司", owner=people["owner"], **dict(list(FULL_PROFILE.items())[:10]))
    page = client_for(people["clerk"]).get(reverse("customers:completeness")).content.decode()
    names = [row.split(" ")[0] for row in body_rows(element(page, "data-list", "completeness", "table"))]
    assert "完整公司" not in names
    assert names[-1] == "较全公司"


def test_archive_staff_see_every_profile_s_completeness_but_no_link_into_it(people, archive, client_for):
    page = client_for(people["clerk"]).get(reverse("customers:completeness")).content.decode()
    listed = element(page, "data-list", "completeness", "table")
    for tier_customer in archive["customers"].values():
        assert tier_customer.name in listed
    assert f'href="{reverse("customers:detail", args=[archive["customers"][SecrecyTier.PERSONAL].pk])}"' not in listed


def test_others_see_the_completeness_of_what_their_tier_opens(people, archive, client_for):
    colleague_page = client_for(people["colleague"]).get(reverse("customers:completeness")).content.decode()
    assert "客户-personal" not in colleague_page
    manager_page = client_for(people["manager"]).get(reverse("customers:completeness")).content.decode()
    assert "客户-personal" in manager_page and "客户-department" in manager_page
    assert "客户-top_secret" not in manager_page


def test_the_completeness_list_costs_the_same_for_a_full_page(people, client_for, django_assert_max_num_queries):
    for number in range(30):
        CustomerFactory(name=f"批量{number:02d}", owner=people["owner"])
    client = client_for(people["archive_manager"])
    client.get(reverse("customers:completeness"))
    with django_assert_max_num_queries(13):
        response = client.get(reverse("customers:completeness"), {"per_page": 25})
    assert len(body_rows(element(response.content.decode(), "data-list", "completeness", "table"))) == 25


def home_panel(client, panel: str) -> str:
    return text(element(client.get(reverse("home")).content.decode(), "data-panel", panel, "ul"))


def test_a_correction_request_stays_on_the_owner_s_dashboard_until_marked_done(people, customer, client_for):
    archive_client = client_for(people["archive_manager"])
    response = archive_client.post(
        reverse("customers:correction_add", args=[customer.pk]), {"note": "请补充法定代表人"}, follow=True
    )
    assert messages(response.content.decode()) == [f"已向 {people['owner']} 发出资料更正通知。"]
    assert Notification.objects.filter(recipient=people["owner"], message__contains="请补充法定代表人").exists()

    owner_client = client_for(people["owner"])
    assert f"{customer.name} · {people['archive_manager']} · 请补充法定代表人" in home_panel(
        owner_client, "corrections"
    )
    correction = CorrectionRequest.objects.get()

    done_url = reverse("customers:correction_done", args=[correction.pk])
    refused = owner_client.post(done_url, {"done_note": ""}, follow=True)
    assert messages(refused.content.decode()) == ["完成说明：该字段是必填项。"]
    assert "请补充法定代表人" in home_panel(owner_client, "corrections")

    done = owner_client.post(done_url, {"done_note": "已补充"}, follow=True)
    assert "已办结资料更正通知。" in messages(done.content.decode())
    assert "请补充法定代表人" not in home_panel(owner_client, "corrections")
    correction.refresh_from_db()
    assert (correction.done_by, correction.done_note) == (people["owner"], "已补充")
    assert Notification.objects.filter(recipient=people["archive_manager"], message__contains="已补充").exists()


def test_an_open_correction_request_shows_on_the_customer_page(people, customer, client_for):
    profiles.correction_request_send(customer, by=people["clerk"], note="邮编有误")
    page = client_for(people["owner"]).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    listed = text(element(section(page, "profiles"), "data-list", "corrections", "ul"))
    assert "邮编有误" in listed
    assert "标记已完成" in element(section(page, "profiles"), "data-list", "corrections", "ul")


def test_the_second_responsible_person_is_told_of_a_correction_request(people, customer):
    Customer.objects.filter(pk=customer.pk).update(second_owner=people["colleague"])
    customer.refresh_from_db()
    profiles.correction_request_send(customer, by=people["clerk"], note="地址有误")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"owner", "colleague"}


def test_only_archive_staff_send_correction_requests(people, customer, client_for):
    response = client_for(people["colleague"]).post(
        reverse("customers:correction_add", args=[customer.pk]), {"note": "x"}
    )
    assert response.status_code == 403
    assert not CorrectionRequest.objects.exists()


def test_someone_else_cannot_mark_a_correction_request_done(people, customer, client_for):
    correction = profiles.correction_request_send(customer, by=people["clerk"], note="邮编有误")
    response = client_for(people["colleague"]).post(
        reverse("customers:correction_done", args=[correction.pk]), {"done_note": "好"}
    )
    assert response.status_code == 404
    correction.refresh_from_db()
    assert correction.done_at is None


@pytest.mark.parametrize("note", ["\x00\x01", "长" * 100_000, ""])
def test_a_correction_request_with_bad_text_is_refused_on_the_form(note, people, customer, client_for):
    response = client_for(people["clerk"]).post(reverse("customers:correction_add", args=[customer.pk]), {"note": note})
    assert response.status_code == 200
    assert errors(response.content.decode())
    assert not CorrectionRequest.objects.exists()


# ---------------------------------------------------------------------------------------------
# Grades


def request_change(client, customer, to_grade="A", reason="年采购额超过 500 万"):
    return client.post(
        reverse("customers:grade_change_add", args=[customer.pk]), {"to_grade": to_grade, "reason": reason}, follow=True
    )


def decide(client, change, decision, comment=""):
    return client.post(
        reverse("customers:grade_change_decide", args=[change.pk]),
        {"decision": decision, "comment": comment},
        follow=True,
    )


def profile_section(client, customer) -> str:
    return text(section(client.get(reverse("customers:detail", args=[customer.pk])).content.decode(), "profiles"))


def test_a_grade_change_waits_on_the_department_manager_s_dashboard_with_the_grade_unchanged(
    people, customer, client_for
):
    owner_client = client_for(people["owner"])
    response = request_change(owner_client, customer)
    assert messages(response.content.decode()) == ["等级变更申请已提交，待部门经理审批。"]
    customer.refresh_from_db()
    assert customer.grade == CustomerGrade.C
    assert "待部门经理审批" in profile_section(owner_client, customer)
    assert Notification.objects.filter(recipient=people["manager"], message__contains="待您审批").exists()

    manager_page = client_for(people["manager"]).get(reverse("home")).content.decode()
    assert "待审批等级变更 1 项" in text(element(manager_page, "data-panel", "grade-counts", "p"))
    waiting = client_for(people["manager"]).get(reverse("customers:grade_changes")).content.decode()
    assert customer.name in waiting and "C 级" in waiting and "A 级" in waiting


def test_an_approved_grade_change_shows_the_new_grade_and_review_date_on_the_customer_page(
    people, customer, client_for
):
    request_change(client_for(people["owner"]), customer)
    change = GradeChange.objects.get()
    manager_client = client_for(people["manager"])
    response = decide(manager_client, change, "approve")
    assert messages(response.content.decode()) == ["已批准等级变更。"]

    shown = profile_section(client_for(people["owner"]), customer)
    assert "客户等级 A 级" in shown
    assert "等级评定日期 2026-11-23" in shown
    customer.refresh_from_db()
    assert (customer.grade, customer.grade_reviewed_on) == (CustomerGrade.A, date(2026, 11, 23))
    latest = customer.history.latest()
    assert (latest.history_user, latest.grade) == (people["manager"], CustomerGrade.A)
    assert Notification.objects.filter(recipient=people["owner"], message__contains="已由").exists()
    manager_home = client_for(people["manager"]).get(reverse("home")).content.decode()
    assert "待审批等级变更 0 项" in text(element(manager_home, "data-panel", "grade-counts", "p"))


def test_a_refusal_needs_a_comment_and_keeps_the_grade(people, customer, client_for):
    request_change(client_for(people["owner"]), customer)
    change = GradeChange.objects.get()
    manager_client = client_for(people["manager"])

    without = decide(manager_client, change, "refuse")
    assert messages(without.content.decode()) == ["审批意见：驳回时请写明理由。"]
    change.refresh_from_db()
    assert change.status == GradeChangeStatus.PENDING

    refused = decide(client_for(people["manager"]), change, "refuse", "合作规模不足")
    assert messages(refused.content.decode()) == ["已驳回等级变更申请。"]
    change.refresh_from_db()
    customer.refresh_from_db()
    assert (change.status, change.comment, customer.grade) == (GradeChangeStatus.REFUSED, "合作规模不足", "C")
    assert "客户等级 C 级" in profile_section(client_for(people["owner"]), customer)


def test_the_owner_cannot_approve_their_own_grade_change(people, customer, client_for):
    owner_client = client_for(people["owner"])
    request_change(owner_client, customer)
    change = GradeChange.objects.get()
    response = decide(owner_client, change, "approve")
    assert messages(response.content.decode()) == ["不能审批自己提出的申请。"]
    customer.refresh_from_db()
    assert customer.grade == CustomerGrade.C
    assert "批准" not in element(
        section(owner_client.get(reverse("customers:detail", args=[customer.pk])).content.decode(), "profiles"),
        "data-grade-change",
        "pending",
        "div",
    )


def test_a_department_manager_cannot_approve_their_own_request(people, customer, make_user):
    make_user(Role.DEPARTMENT_MANAGER, department=people["manager"].department, username="deputy")
    change = profiles.grade_change_request(customer, by=people["manager"], to_grade="B", reason="调整")
    with pytest.raises(ActionRefused, match="不能审批自己提出的申请。"):
        profiles.grade_change_decide(change, by=people["manager"], approve=True)


def test_a_grade_change_nobody_else_could_decide_is_refused_when_asked(people, customer):
    with pytest.raises(ActionRefused, match="没有其他部门经理"):
        profiles.grade_change_request(customer, by=people["manager"], to_grade="B", reason="调整")
    assert not GradeChange.objects.exists()


def test_a_manager_of_another_department_cannot_decide(people, customer, make_user):
    change = profiles.grade_change_request(customer, by=people["owner"], to_grade="B", reason="调整")
    with pytest.raises(ActionRefused, match="只有客户所属部门的部门经理"):
        profiles.grade_change_decide(change, by=make_user(Role.DEPARTMENT_MANAGER, username="othermgr"), approve=True)


def test_a_customer_has_one_pending_grade_change_at_a_time(people, customer, client_for):
    request_change(client_for(people["owner"]), customer)
    again = client_for(people["owner"]).post(
        reverse("customers:grade_change_add", args=[customer.pk]), {"to_grade": "B", "reason": "再议"}
    )
    assert "此客户已有待审批的等级变更申请。" in errors(again.content.decode())
    assert GradeChange.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [{"to_grade": "Z", "reason": "x"}, {"to_grade": "C", "reason": "x"}, {"to_grade": "A", "reason": "长" * 100_000}],
)
def test_a_grade_change_with_bad_input_is_refused_on_the_form(data, people, customer, client_for):
    response = client_for(people["owner"]).post(reverse("customers:grade_change_add", args=[customer.pk]), data)
    assert response.status_code == 200
    assert errors(response.content.decode())
    assert not GradeChange.objects.exists()


def test_a_colleague_cannot_ask_to_change_a_grade_of_a_customer_they_do_not_keep(people, customer, client_for):
    response = request_change(client_for(people["colleague"]), customer)
    assert response.status_code == 404


def test_the_edit_form_cannot_change_the_grade(people, customer, client_for):
    response = client_for(people["owner"]).post(
        reverse("customers:update", args=[customer.pk]), profile_form_data(customer, grade="A", address="新地址")
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.grade, customer.address) == (CustomerGrade.C, "新地址")
    with pytest.raises(ActionRefused, match="客户等级须申请变更"):
        customer_services.customer_update(customer, by=people["owner"], grade="A")


def test_a_grade_review_shows_as_due_once_its_period_has_passed(people, customer, client_for, clock):
    Customer.objects.filter(pk=customer.pk).update(grade=CustomerGrade.A)  # reviewed every 6 months
    owner_client = client_for(people["owner"])
    assert "复评已到期" not in profile_section(owner_client, customer)
    assert "下次复评 2027-05-23" in profile_section(owner_client, customer)

    clock.move_to(at("2027-05-22 23:59"))
    owner_client = client_for(people["owner"])  # signed in afresh: sessions expire
    assert "复评已到期" not in profile_section(owner_client, customer)

    clock.move_to(at("2027-05-23 00:01"))
    owner_client = client_for(people["owner"])
    assert "复评已到期" in profile_section(owner_client, customer)
    assert customer.name in home_panel(owner_client, "grade-reviews-due")


def test_a_department_manager_confirms_a_grade_due_for_review(people, customer, client_for, clock):
    clock.move_to(at("2027-12-01 10:00"))  # grade C: reviewed every 12 months
    manager_client = client_for(people["manager"])
    listed = body_rows(
        element(
            manager_client.get(reverse("customers:grade_changes")).content.decode(),
            "data-list",
            "grade-reviews-due",
            "table",
        )
    )
    assert any(customer.name in row for row in listed)

    response = manager_client.post(reverse("customers:grade_review", args=[customer.pk]), follow=True)
    assert messages(response.content.decode()) == ["已确认客户等级，复评日期已更新。"]
    customer.refresh_from_db()
    assert (customer.grade, customer.grade_reviewed_on) == (CustomerGrade.C, date(2027, 12, 1))
    assert "复评已到期" not in profile_section(manager_client, customer)
    assert "等级复评" in customer.history.latest().history_change_reason


def test_only_the_department_manager_confirms_a_grade(people, customer, client_for):
    response = client_for(people["owner"]).post(reverse("customers:grade_review", args=[customer.pk]), follow=True)
    assert messages(response.content.decode()) == ["只有客户所属部门的部门经理可以确认客户等级。"]
    customer.refresh_from_db()
    assert customer.grade_reviewed_on is None


@pytest.mark.parametrize("months", [6, 12])
def test_the_reviews_due_in_sql_agree_with_each_customer_s_due_date(months, people, clock):
    """Month ends included: reviewed on 31 August, a 6-month review falls due on 28 February."""
    grade = "A" if months == 6 else "B"
    reviewed = [date(2025, 8, 28) + timedelta(days=offset) for offset in range(0, 10)]
    customers = [
        CustomerFactory(owner=people["owner"], grade=grade, grade_reviewed_on=day, name=f"复评{day}")
        for day in reviewed
    ]
    criteria = {criterion.grade: criterion for criterion in GradeCriterion.objects.all()}
    for today in [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 8, 31), date(2026, 9, 2)]:
        in_sql = set(profiles.grade_reviews_due(Customer.objects.filter(grade=grade), today=today))
        by_date = {item for item in customers if profiles.grade_review_due_on(item, criteria[grade]) <= today}
        assert in_sql == by_date, today


def test_add_months_keeps_within_the_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), -12) == date(2025, 11, 30)


def test_the_customer_page_shows_its_grade_criteria(people, customer, client_for):
    shown = profile_section(client_for(people["owner"]), customer)
    assert "资料完整度 0%" in shown
    assert "评定标准" in shown
    assert "尚未复评" in shown


def test_an_open_correction_request_follows_the_customer_to_its_new_owner(people, customer, client_for):
    profiles.correction_request_send(customer, by=people["clerk"], note="邮编有误")
    Customer.objects.filter(pk=customer.pk).update(owner=people["colleague"])  # as a handover leaves it
    assert "邮编有误" in home_panel(client_for(people["colleague"]), "corrections")


def test_the_customer_page_costs_the_same_however_many_corrections_are_open(people, customer, client_for):
    client = client_for(people["owner"])
    profiles.correction_request_send(customer, by=people["clerk"], note="第一项")
    client.get(reverse("customers:detail", args=[customer.pk]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("customers:detail", args=[customer.pk]))
    for number in range(5):
        profiles.correction_request_send(customer, by=people["archive_manager"], note=f"第{number}项")
    with CaptureQueriesContext(connection) as six:
        page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert len(six) == len(one)
    assert text(element(section(page, "profiles"), "data-list", "corrections", "ul")).count("标记已完成") == 6


@pytest.mark.parametrize("decision", ["drop", "", "1e3"])
def test_a_decision_that_is_neither_approval_nor_refusal_changes_nothing(decision, people, customer, client_for):
    change = profiles.grade_change_request(customer, by=people["owner"], to_grade="B", reason="调整")
    response = decide(client_for(people["manager"]), change, decision, "\x00" * 3)
    assert response.status_code == 200
    assert messages(response.content.decode())
    change.refresh_from_db()
    assert change.status == GradeChangeStatus.PENDING
