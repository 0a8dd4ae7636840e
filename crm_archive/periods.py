"""A period of days (from, to — both included, either left open) as a query filter, read in the
product's time zone (Asia/Shanghai): the statistics page, the read log."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone


def day_range(field_name: str, date_from: date | None, date_to: date | None) -> Q:
    """Rows whose date `field_name` falls in the period."""
    lookups = {}
    if date_from:
        lookups[f"{field_name}__gte"] = date_from
    if date_to:
        lookups[f"{field_name}__lte"] = date_to
    return Q(**lookups)


def moment_range(field_name: str, date_from: date | None, date_to: date | None) -> Q:
    """Rows whose moment `field_name` falls on a day of the period, local time: a range on the
    column itself, so an index on it serves."""
    lookups = {}
    if date_from:
        lookups[f"{field_name}__gte"] = timezone.make_aware(datetime.combine(date_from, time.min))
    if date_to:
        lookups[f"{field_name}__lt"] = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    return Q(**lookups)


MONTHS_SHOWN_AT_MOST = 120


def calendar_months(date_from: date | None, date_to: date | None, *, last: int = 12) -> list[date] | None:
    """The first days of the calendar months a per-month chart shows, oldest first, months without
    data included (a line must not join January to June): without a period, the last `last` months
    ending with this one (Asia/Shanghai); with one, each month it touches (an open end: `last`
    months from or up to the other end, never past this month). None for a period longer than
    MONTHS_SHOWN_AT_MOST months: the chart then shows the months that have data."""
    from crm_archive.workdays import add_months

    this_month = timezone.localdate().replace(day=1)
    if date_from and date_to:
        start, end = date_from.replace(day=1), date_to.replace(day=1)
    elif date_from:
        start = date_from.replace(day=1)
        end = max(start, min(this_month, add_months(start, last - 1)))
    else:
        end = (date_to or this_month).replace(day=1)
        start = add_months(end, -(last - 1)) if end.year > 1 or end.month >= last else date(1, 1, 1)
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if count > MONTHS_SHOWN_AT_MOST or count < 1:
        return None
    return [add_months(start, offset) for offset in range(count)]


def by_month(rows, months: list[date] | None, key: str = "month") -> list[tuple[date, dict]]:
    """Rows grouped by month (each with a `key` date or datetime) on the `months` of
    calendar_months(), a month without a row as an empty dict; without `months`, or when no month
    has a row, the rows' own."""

    def month_of(value):
        return (timezone.localdate(value) if isinstance(value, datetime) else value).replace(day=1)

    found = {month_of(row[key]): row for row in rows}
    if months is None or not found:
        return sorted(found.items())  # nothing counted: no months, and the page says 暂无数据
    return [(month, found.get(month, {})) for month in months]
