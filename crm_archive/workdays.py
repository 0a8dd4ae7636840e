"""Working days and the end of the working day (Asia/Shanghai), shared by every deadline.

A working day is Monday to Friday here; Chinese public holidays and adjusted working days are the
circulation desk's next step (SPEC §5) and will replace `is_working_day` alone."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def end_of_working_day(day: date) -> datetime:
    """The end of the working day (LOAN_DAY_ENDS_AT, Asia/Shanghai) of `day`."""
    hour, minute = (int(part) for part in settings.LOAN_DAY_ENDS_AT.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def end_of_working_days(count: int, *, start: datetime | None = None) -> datetime:
    """The end of the `count`-th working day counted from `start` (default now): today counts
    when it is a working day not yet over, so one working day granted at 10:00 on a Monday ends
    at 17:30 that Monday, and one granted at 18:00 ends at 17:30 the next working day."""
    start = start or timezone.now()
    day = timezone.localdate(start)
    if not is_working_day(day) or end_of_working_day(day) <= start:
        day += timedelta(days=1)
    remaining = max(count, 1)
    while True:
        if is_working_day(day):
            remaining -= 1
            if remaining == 0:
                return end_of_working_day(day)
        day += timedelta(days=1)
