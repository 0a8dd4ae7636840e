"""The working-day calendar (SPEC §5): China's public holidays and adjusted working days, Monday to
Friday for a year chinese-calendar does not know, and the dates an administrator adds or removes.

2026's National Day: 1–7 October off, Saturday 10 October worked (as chinese-calendar 1.11.0 has it).
"""

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.urls import reverse

from crm_archive.models import CalendarDay
from crm_archive.workdays import (
    add_working_days,
    end_of_working_day,
    end_of_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent

LAST_DAY_BEFORE_NATIONAL_DAY = date(2026, 9, 30)  # a Wednesday
NATIONAL_DAY_2026 = [date(2026, 10, day) for day in range(1, 8)]
FIRST_DAY_BACK = date(2026, 10, 8)  # a Thursday
WORKING_SATURDAY = date(2026, 10, 10)


def at(year, month, day, hour=10, minute=0):
    """A frozen moment in Asia/Shanghai."""
    return time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Every test here at a fixed moment (those about the time of day travel further)."""
    with at(2026, 11, 20):
        yield


# China's calendar


def test_the_national_day_week_is_not_worked():
    assert [is_working_day(day) for day in NATIONAL_DAY_2026] == [False] * 7
    assert is_working_day(LAST_DAY_BEFORE_NATIONAL_DAY) and is_working_day(FIRST_DAY_BACK)


def test_the_adjusted_saturday_after_national_day_is_worked_and_the_sunday_is_not():
    assert WORKING_SATURDAY.weekday() == 5
    assert is_working_day(WORKING_SATURDAY)
    assert not is_working_day(date(2026, 10, 11))
    assert not is_working_day(date(2026, 10, 17))  # an ordinary Saturday


def test_a_year_the_package_does_not_know_counts_monday_to_friday():
    # 2099 lies beyond any release of chinese-calendar (1.11.0 knows 2004–2026); 1 May is a Friday.
    friday, saturday = date(2099, 5, 1), date(2099, 5, 2)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(friday)
    assert is_working_day(friday)
    assert not is_working_day(saturday)
    assert add_working_days(friday, 1) == date(2099, 5, 4)


# Counting


def test_the_next_working_day_after_the_last_one_before_national_day_is_the_eighth():
    assert add_working_days(LAST_DAY_BEFORE_NATIONAL_DAY, 1) == FIRST_DAY_BACK


def test_counting_working_days_across_national_day_takes_the_adjusted_saturday():
    assert add_working_days(LAST_DAY_BEFORE_NATIONAL_DAY, 3) == WORKING_SATURDAY
    assert add_working_days(LAST_DAY_BEFORE_NATIONAL_DAY, 4) == date(2026, 10, 12)


def test_zero_working_days_is_the_day_itself_or_the_next_working_day():
    assert add_working_days(FIRST_DAY_BACK, 0) == FIRST_DAY_BACK
    assert add_working_days(date(2026, 10, 3), 0) == FIRST_DAY_BACK


def test_a_negative_count_goes_back():
    assert add_working_days(FIRST_DAY_BACK, -1) == LAST_DAY_BEFORE_NATIONAL_DAY
    assert add_working_days(date(2026, 10, 12), -1) == WORKING_SATURDAY


def test_the_next_working_day_is_today_on_a_working_day():
    assert next_working_day(WORKING_SATURDAY) == WORKING_SATURDAY
    assert next_working_day(date(2026, 10, 1)) == FIRST_DAY_BACK
    assert next_working_day(date(2026, 10, 11)) == date(2026, 10, 12)


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert working_days_between(LAST_DAY_BEFORE_NATIONAL_DAY, FIRST_DAY_BACK) == 1
    assert working_days_between(LAST_DAY_BEFORE_NATIONAL_DAY, date(2026, 10, 12)) == 4  # 8th, 9th, 10th, 12th
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


def test_working_days_between_a_day_and_itself_or_an_earlier_one_is_none():
    assert working_days_between(FIRST_DAY_BACK, FIRST_DAY_BACK) == 0
    assert working_days_between(FIRST_DAY_BACK, LAST_DAY_BEFORE_NATIONAL_DAY) == 0


def test_each_count_reads_the_administrators_dates_once(django_assert_num_queries):
    CalendarDay.objects.create(day=date(2026, 10, 12), is_working_day=False, note="公司调休")
    with django_assert_num_queries(1):
        assert add_working_days(LAST_DAY_BEFORE_NATIONAL_DAY, 4) == date(2026, 10, 13)
    with django_assert_num_queries(1):
        assert working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 248 - 1  # 2 January to 31 December


def test_a_count_beyond_a_year_reads_the_next_year_when_it_gets_there(django_assert_num_queries):
    with django_assert_num_queries(2):
        assert add_working_days(date(2026, 1, 5), 300) > date(2027, 1, 5)


# The administrator's dates


def test_an_administrator_adds_a_holiday_the_package_does_not_know_yet():
    CalendarDay.objects.create(day=date(2027, 10, 1), is_working_day=False, note="国务院办公厅通知：国庆节")
    assert not is_working_day(date(2027, 10, 1))
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)
    assert working_days_between(date(2027, 9, 30), date(2027, 10, 4)) == 1


def test_an_administrator_makes_a_saturday_a_working_day():
    CalendarDay.objects.create(day=date(2027, 9, 25), is_working_day=True, note="国庆节调休上班")
    assert is_working_day(date(2027, 9, 25))
    assert add_working_days(date(2027, 9, 24), 1) == date(2027, 9, 25)


def test_an_administrators_date_overrides_china_s_calendar():
    CalendarDay.objects.create(day=WORKING_SATURDAY, is_working_day=False, note="公司统一放假")
    CalendarDay.objects.create(day=date(2026, 10, 7), is_working_day=True, note="盘点")
    assert not is_working_day(WORKING_SATURDAY)
    assert is_working_day(date(2026, 10, 7))
    assert add_working_days(LAST_DAY_BEFORE_NATIONAL_DAY, 1) == date(2026, 10, 7)
    assert add_working_days(LAST_DAY_BEFORE_NATIONAL_DAY, 4) == date(2026, 10, 12)


# The end of a working day and of several


def test_the_end_of_a_working_day_is_that_day_whatever_it_is():
    assert end_of_working_day(date(2026, 10, 3)) == datetime(2026, 10, 3, 17, 30, tzinfo=SHANGHAI)


def test_one_working_day_granted_in_the_morning_before_national_day_ends_that_evening():
    with at(2026, 9, 30, 10):
        assert end_of_working_days(1) == datetime(2026, 9, 30, 17, 30, tzinfo=SHANGHAI)


def test_one_working_day_granted_after_hours_before_national_day_ends_on_the_eighth():
    with at(2026, 9, 30, 18):
        assert end_of_working_days(1) == datetime(2026, 10, 8, 17, 30, tzinfo=SHANGHAI)


def test_working_days_granted_on_a_holiday_start_counting_after_it_and_take_the_adjusted_saturday():
    with at(2026, 10, 3, 10):
        assert end_of_working_days(1) == datetime(2026, 10, 8, 17, 30, tzinfo=SHANGHAI)
        assert end_of_working_days(3) == datetime(2026, 10, 10, 17, 30, tzinfo=SHANGHAI)


def test_the_end_of_working_days_follows_the_administrators_dates(django_assert_num_queries):
    CalendarDay.objects.create(day=FIRST_DAY_BACK, is_working_day=False, note="公司调休")
    with at(2026, 9, 30, 18), django_assert_num_queries(1):
        assert end_of_working_days(1) == datetime(2026, 10, 9, 17, 30, tzinfo=SHANGHAI)


# The admin page


@pytest.fixture
def root_client(make_user, client_for):
    return client_for(make_user(username="root", is_staff=True, is_superuser=True))


def add_url():
    return reverse("admin:crm_archive_calendarday_add")


def test_a_superuser_adds_a_holiday_in_the_admin_and_it_counts_at_once(root_client):
    response = root_client.post(
        add_url(), {"day": "2027-10-01", "is_working_day": "False", "note": "国务院办公厅通知：国庆节"}
    )
    changelist = root_client.get(reverse("admin:crm_archive_calendarday_changelist"))
    assert response.status_code == 302
    calendar_day = CalendarDay.objects.get(day=date(2027, 10, 1))
    assert calendar_day.history.get().history_user.username == "root"
    assert not is_working_day(date(2027, 10, 1))
    assert "国务院办公厅通知：国庆节" in changelist.content.decode()


def test_a_superuser_changes_a_date_back_and_its_history_keeps_both(root_client):
    calendar_day = CalendarDay.objects.create(day=WORKING_SATURDAY, is_working_day=False, note="公司统一放假")
    with at(2026, 10, 9):
        response = root_client.post(
            reverse("admin:crm_archive_calendarday_change", args=[calendar_day.pk]),
            {"day": "2026-10-10", "is_working_day": "True", "note": "撤销：照常调休上班"},
        )
    assert response.status_code == 302
    assert is_working_day(WORKING_SATURDAY)
    assert [row.is_working_day for row in calendar_day.history.order_by("history_id")] == [False, True]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"day": "0001-01-01", "is_working_day": "False", "note": "元旦"},
            "请输入 1900-01-01 至 2099-12-31 之间的日期",
        ),
        ({"day": "2027-13-45", "is_working_day": "False", "note": "元旦"}, "输入一个有效的日期"),
        ({"day": "2027-01-01", "is_working_day": "", "note": "元旦"}, "该字段是必填项"),
        ({"day": "2027-01-01", "is_working_day": "maybe", "note": "元旦"}, "选择一个有效的选项"),
        ({"day": "2027-01-01", "is_working_day": "False", "note": ""}, "该字段是必填项"),
    ],
)
def test_bad_input_in_the_admin_is_a_form_error_not_a_server_error(root_client, data, message):
    response = root_client.post(add_url(), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_a_date_already_adjusted_is_refused_in_the_admin(root_client):
    CalendarDay.objects.create(day=date(2027, 1, 1), is_working_day=False, note="元旦")
    response = root_client.post(add_url(), {"day": "2027-01-01", "is_working_day": "True", "note": "重复"})
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert CalendarDay.objects.get().note == "元旦"


def test_a_date_is_never_deleted_in_the_admin(root_client):
    calendar_day = CalendarDay.objects.create(day=date(2027, 1, 1), is_working_day=False, note="元旦")
    response = root_client.post(
        reverse("admin:crm_archive_calendarday_delete", args=[calendar_day.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert CalendarDay.objects.filter(pk=calendar_day.pk).exists()


def test_only_a_superuser_sees_the_calendar_in_the_admin(make_user, client_for):
    staff = client_for(make_user(username="staff", is_staff=True))
    assert staff.get(reverse("admin:crm_archive_calendarday_changelist")).status_code == 403
    assert staff.post(add_url(), {"day": "2027-01-01", "is_working_day": "False", "note": "元旦"}).status_code == 403
    assert not CalendarDay.objects.exists()


# The setting


@pytest.mark.parametrize("value", ["weekly", "工作日"])
def test_an_unknown_way_of_counting_the_promotion_limit_stops_the_start(value):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm_archive.settings_test", "PROMOTION_LIMIT_COUNTS": value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert 'PROMOTION_LIMIT_COUNTS must be "working" or "calendar"' in result.stderr
