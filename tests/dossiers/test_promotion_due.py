"""The 5-day promotion limit, around its boundary and around midnight in Asia/Shanghai (counted in
calendar days here; in working days: test_promotion_working_days.py)."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from customers.models import SecrecyTier
from dossiers import selectors, services
from dossiers.models import Dossier
from dossiers.tasks import notify_overdue_promotions

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _limit_in_calendar_days(settings):
    settings.PROMOTION_LIMIT_COUNTS = "calendar"


@pytest.mark.parametrize(
    ("days_since_completion", "expected"),
    [(4, "due_soon"), (5, "due_soon"), (6, "overdue")],
)
def test_the_due_list_around_the_five_day_boundary(days_since_completion, expected, ready_dossier):
    dossier = ready_dossier(received_days_ago=days_since_completion)
    due = selectors.promotions_due()
    assert [item.pk for item in due[expected]] == [dossier.pk]
    other = "overdue" if expected == "due_soon" else "due_soon"
    assert due[other] == []


def test_due_dates_follow_the_shanghai_calendar_not_utc(ready_dossier):
    dossier = ready_dossier(received_days_ago=0)
    # 00:30 in Shanghai on the sixth day is still the fifth day in UTC.
    received = dossier.completion_received_on
    sixth_day_shanghai = datetime.combine(received + timedelta(days=6), datetime.min.time(), SHANGHAI) + timedelta(
        minutes=30
    )
    with mock.patch("django.utils.timezone.now", return_value=sixth_day_shanghai):
        assert sixth_day_shanghai.astimezone(ZoneInfo("UTC")).date() == received + timedelta(days=5)
        assert [item.pk for item in selectors.promotions_due()["overdue"]] == [dossier.pk]
        assert Dossier.objects.get(pk=dossier.pk).promotion_is_overdue


def test_clerk_and_archive_manager_dashboards_flag_overdue_promotions(archive, ready_dossier, client_for):
    ready_dossier(received_days_ago=8)
    for person in ("clerk", "archive_manager"):
        html = client_for(archive["people"][person]).get(reverse("home")).content.decode()
        assert 'data-panel="promotions-overdue"' in html
        assert "客户-personal" in html


def test_the_overdue_filter_of_the_list(archive, ready_dossier, client_for):
    late = ready_dossier(SecrecyTier.PERSONAL, received_days_ago=9)
    ready_dossier(SecrecyTier.COMPANY, received_days_ago=1)
    html = client_for(archive["people"]["clerk"]).get(reverse("dossiers:list"), {"due": "overdue"}).content.decode()
    assert f'data-dossier="{late.pk}"' in html
    assert html.count("data-dossier=") == 1


def test_a_daily_task_notifies_once_when_a_promotion_becomes_overdue(archive, ready_dossier):
    from accounts.models import Notification

    with time_machine.travel(datetime(2026, 6, 10, 8, 0, tzinfo=SHANGHAI), tick=False):  # a Wednesday
        ready_dossier(received_days_ago=6)  # due yesterday
        ready_dossier(SecrecyTier.COMPANY, received_days_ago=7)  # notified yesterday already
        assert notify_overdue_promotions.delay().get() == 1
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"clerk", "checker", "archmgr"}


def test_statistics_count_promotions_on_time_and_late_by_the_local_date(archive, ready_dossier, client_for):
    clerk = archive["people"]["clerk"]
    on_time = ready_dossier(SecrecyTier.PERSONAL, received_days_ago=0)
    late = ready_dossier(SecrecyTier.COMPANY, received_days_ago=0)
    due = on_time.promotion_due_on
    last_minute = datetime.combine(due, datetime.min.time(), SHANGHAI) + timedelta(hours=23, minutes=50)
    just_after_midnight = datetime.combine(due + timedelta(days=1), datetime.min.time(), SHANGHAI) + timedelta(
        minutes=10
    )
    with mock.patch("django.utils.timezone.now", return_value=last_minute):
        services.dossier_promote(on_time, by=clerk, cabinet=archive["cabinet"], position=1)
    with mock.patch("django.utils.timezone.now", return_value=just_after_midnight):
        services.dossier_promote(late, by=clerk, cabinet=archive["cabinet"], position=2)
    html = client_for(archive["people"]["archive_manager"]).get(reverse("dossiers:statistics")).content.decode()
    assert "data-on-time>1<" in html
    assert "data-late>1<" in html
    assert isinstance(due, date) and timezone.localdate()
