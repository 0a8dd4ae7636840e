"""The 5-day promotion limit counts working days (SPEC §5), or calendar days when
PROMOTION_LIMIT_COUNTS = "calendar": around 2026's National Day (1–7 October off, Saturday
10 October worked)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Notification
from crm_archive.models import CalendarDay
from customers.models import SecrecyTier
from dossiers import selectors, services
from dossiers.models import Dossier

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")

RECEIVED_ON = date(2026, 9, 29)  # a Tuesday
# 30 September, then (after the holiday) 8, 9, 10 (the adjusted Saturday) and 12 October.
FIFTH_WORKING_DAY = date(2026, 10, 12)
FIFTH_CALENDAR_DAY = date(2026, 10, 4)  # a Sunday in the holiday


def at(year, month, day, hour=10, minute=0):
    """A frozen moment in Asia/Shanghai."""
    return time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Every test starts on the day the completion documents come in; some travel further."""
    with at(2026, 9, 29):
        yield


@pytest.fixture
def calendar_days(settings):
    settings.PROMOTION_LIMIT_COUNTS = "calendar"


@pytest.fixture
def record_completion(archive, open_dossier):
    def record(tier=SecrecyTier.PERSONAL, *, received_on=RECEIVED_ON):
        return services.dossier_record_completion(
            open_dossier(tier), by=archive["people"]["clerk"], received_on=received_on
        )

    return record


def test_the_limit_counts_five_working_days_across_national_day(record_completion):
    assert record_completion().promotion_due_on == FIFTH_WORKING_DAY


def test_the_limit_counts_five_calendar_days_when_the_setting_says_so(calendar_days, record_completion):
    assert record_completion().promotion_due_on == FIFTH_CALENDAR_DAY


def test_the_limit_in_a_year_the_package_does_not_know_counts_monday_to_friday():
    assert Dossier.promotion_due_after(date(2027, 9, 30)) == date(2027, 10, 7)


def test_the_limit_skips_a_day_off_the_administrator_added(record_completion):
    CalendarDay.objects.create(day=FIFTH_WORKING_DAY, is_working_day=False, note="公司调休")
    assert record_completion().promotion_due_on == date(2026, 10, 13)


def test_a_limit_already_set_stays_when_the_calendar_changes_later(record_completion):
    dossier = record_completion()
    CalendarDay.objects.create(day=date(2026, 10, 9), is_working_day=False, note="公司调休")
    dossier.refresh_from_db()
    assert dossier.promotion_due_on == FIFTH_WORKING_DAY


def test_a_dossier_is_not_overdue_after_the_holiday_week_when_counting_working_days(record_completion):
    dossier = record_completion()
    with at(2026, 10, 9):
        assert not Dossier.objects.get(pk=dossier.pk).promotion_is_overdue
        assert selectors.promotions_due()["overdue"] == []


def test_counting_calendar_days_the_same_dossier_is_overdue_by_then(calendar_days, record_completion):
    dossier = record_completion()
    with at(2026, 10, 9):
        assert Dossier.objects.get(pk=dossier.pk).promotion_is_overdue
        assert [item.pk for item in selectors.promotions_due()["overdue"]] == [dossier.pk]


def test_the_limit_runs_to_midnight_of_the_fifth_working_day(record_completion):
    dossier = record_completion()
    with at(2026, 10, 12, 23, 50):
        assert not Dossier.objects.get(pk=dossier.pk).promotion_is_overdue
    with at(2026, 10, 13, 0, 10):
        assert Dossier.objects.get(pk=dossier.pk).promotion_is_overdue


def test_the_overdue_notice_goes_out_once_the_day_after_the_fifth_working_day(record_completion):
    record_completion()
    sent = {}
    for day in (date(2026, 10, 12), date(2026, 10, 13), date(2026, 10, 14)):
        with at(day.year, day.month, day.day, 8):
            sent[day] = services.overdue_promotions_notify()
    assert sent == {date(2026, 10, 12): 0, date(2026, 10, 13): 1, date(2026, 10, 14): 0}
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"clerk", "checker", "archmgr"}


def test_a_limit_that_runs_out_in_the_holiday_is_told_on_the_first_working_day_after_it(
    calendar_days, record_completion
):
    record_completion(SecrecyTier.PERSONAL)  # due 4 October
    record_completion(SecrecyTier.COMPANY, received_on=date(2026, 9, 25))  # due 30 September, told 8 October
    sent = {}
    for day in (date(2026, 10, 5), date(2026, 10, 7), date(2026, 10, 8), date(2026, 10, 9)):
        with at(day.year, day.month, day.day, 8):
            sent[day] = services.overdue_promotions_notify()
    assert sent == {date(2026, 10, 5): 0, date(2026, 10, 7): 0, date(2026, 10, 8): 2, date(2026, 10, 9): 0}
