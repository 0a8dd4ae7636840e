"""Working days and the end of the working day (Asia/Shanghai), shared by every deadline (SPEC §5).

A day is a working day when an administrator said so (`CalendarDay`, in the admin); otherwise as
China's calendar says — public holidays and adjusted working days, from the `chinese-calendar`
package — for the years the package knows; otherwise (a year not announced yet when the package was
released) when it is Monday to Friday.

Each function reads the administrator's dates of the range it looks at in one query (one more per
further year a count runs into), never one per day; they are read afresh on every call, so a date
changed in the admin counts at once in every process.
"""

import calendar
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from .models import CalendarDay

# How far ahead one reading of the administrator's dates looks: further than any deadline counts,
# so a call reads them once; a longer count reads the next stretch when it gets there.
_WINDOW = timedelta(days=366)


@lru_cache(maxsize=4096)
def is_working_day_without_overrides(day: date) -> bool:
    """What the calendar says without the administrator's dates: China's calendar, or Monday to
    Friday for a year chinese-calendar does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _overrides(first: date, last: date) -> dict[date, bool]:
    """The administrator's dates from `first` to `last` (inclusive): date → is a working day."""
    return dict(CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "is_working_day"))


class _Calendar:
    """Answers day after day, in either direction, reading the administrator's dates by stretch."""

    def __init__(self, first: date, last: date | None = None):
        self._first = self._last = first
        self._known: dict[date, bool] = {}
        self._read(first, last or first + _WINDOW)

    def _read(self, first: date, last: date) -> None:
        self._known.update(_overrides(first, last))
        self._first, self._last = min(self._first, first), max(self._last, last)

    def is_working_day(self, day: date) -> bool:
        if day > self._last:
            self._read(self._last + timedelta(days=1), day + _WINDOW)
        elif day < self._first:
            self._read(day - _WINDOW, self._first - timedelta(days=1))
        if day in self._known:
            return self._known[day]
        return is_working_day_without_overrides(day)


def is_working_day(day: date) -> bool:
    """Whether `day` is a working day: the administrator's word, else China's calendar, else
    Monday to Friday."""
    return _Calendar(day, day).is_working_day(day)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    return add_working_days(day, 0)


def add_working_days(day: date, count: int) -> date:
    """The `count`-th working day after `day` (`day` itself not counted): with 1, the next working
    day. With 0, `day` itself when it is a working day, else the next one; with a negative count,
    the `-count`-th working day before `day`."""
    calendar = _Calendar(day - _WINDOW if count < 0 else day)
    if count == 0:
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        return day
    step = timedelta(days=1 if count > 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start` up to and including `end` (0 when `end` is not
    after `start`): from a Friday to the next Monday, 1 in an ordinary week."""
    if end <= start:
        return 0
    calendar = _Calendar(start + timedelta(days=1), end)
    return sum(1 for offset in range(1, (end - start).days + 1) if calendar.is_working_day(start + timedelta(offset)))


def end_of_working_day(day: date) -> datetime:
    """The end of the working day (LOAN_DAY_ENDS_AT, Asia/Shanghai) on `day`, whatever day it is
    (an original lent on a day off is still due back that day)."""
    hour, minute = (int(part) for part in settings.LOAN_DAY_ENDS_AT.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def end_of_next_working_days(count: int, *, at: datetime | None = None) -> datetime:
    """The end (LOAN_DAY_ENDS_AT) of the `count`-th working day after the day of `at` (default now):
    unlike `end_of_working_days`, today never counts — a reservation hold or an override granted on
    Tuesday afternoon lasts to Wednesday evening, one granted on Friday to Monday's."""
    at = at or timezone.now()
    return end_of_working_day(add_working_days(timezone.localdate(at), max(count, 1)))


def end_of_working_days(count: int, *, start: datetime | None = None) -> datetime:
    """The end of the `count`-th working day counted from `start` (default now): today counts
    when it is a working day not yet over, so one working day granted at 10:00 on a Monday ends
    at 17:30 that Monday, and one granted at 18:00 — or on a holiday — ends at 17:30 the next
    working day."""
    start = start or timezone.now()
    day = timezone.localdate(start)
    calendar = _Calendar(day)
    if not calendar.is_working_day(day) or end_of_working_day(day) <= start:
        day += timedelta(days=1)
    remaining = max(count, 1)
    while True:
        if calendar.is_working_day(day):
            remaining -= 1
            if remaining == 0:
                return end_of_working_day(day)
        day += timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (earlier when negative), or that month's last
    day when it has fewer days (31 Aug + 6 → 28 Feb). Raises ValueError beyond years 1–9999."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
