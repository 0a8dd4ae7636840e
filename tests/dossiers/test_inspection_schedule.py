"""检查与核对要定期进行 (seed 002 §23, issue 13 §8): the archive manager schedules inspections of a
cabinet or of the whole store; the clerks and the archive manager are reminded once when one is
due; recording it moves the next due date on; the cabinets page shows when each was last checked."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from crm_archive.errors import ActionRefused
from crm_archive.workdays import add_months
from dossiers import services
from dossiers.models import Cabinet, InspectionReason, InspectionSchedule
from dossiers.tasks import notify_inspections_due

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def schedule(archive):
    """Cabinet A01 is inspected every 3 months, next on 1 May 2026."""
    return services.inspection_schedule_save(
        InspectionSchedule(cabinet=archive["cabinet"], every_months=3, next_due_on=date(2026, 5, 1)),
        by=archive["people"]["archive_manager"],
    )


def reminders():
    return list(Notification.objects.filter(message__startswith="检查与核对到期").order_by("pk"))


def test_a_scheduled_inspection_is_reminded_once_when_due(archive, schedule):
    with time_machine.travel(at("2026-04-30 23:59"), tick=False):
        assert notify_inspections_due.delay().get() == 0
    assert reminders() == []
    with time_machine.travel(at("2026-05-01 08:05"), tick=False):  # 00:05 UTC: already the 1st in Shanghai
        assert notify_inspections_due.delay().get() == 1
        assert notify_inspections_due.delay().get() == 0  # beat ran it twice: nothing more
    with time_machine.travel(at("2026-05-02 08:05"), tick=False):
        assert notify_inspections_due.delay().get() == 0  # still due, already reminded
    sent = reminders()
    assert {notification.recipient for notification in sent} == {
        archive["people"]["clerk"],
        archive["people"]["checker"],
        archive["people"]["archive_manager"],
    }
    assert "档案柜 A01（档案室）应于 2026-05-01 检查（每 3 个月一次）" in sent[0].message
    assert sent[0].link == reverse("dossiers:stocktake_start", args=[archive["cabinet"].pk])


def test_a_due_date_missed_while_beat_was_down_is_reminded_on_the_next_run(archive, schedule):
    with time_machine.travel(at("2026-05-09 08:05"), tick=False):
        assert services.inspections_due_notify() == 1
    assert len(reminders()) == 3


def test_recording_the_inspection_moves_the_next_due_date_on_and_it_is_reminded_again(archive, schedule):
    clerk = archive["people"]["clerk"]
    with time_machine.travel(at("2026-05-01 08:05"), tick=False):
        services.inspections_due_notify()
    with time_machine.travel(at("2026-05-03 10:00"), tick=False):
        services.inspection_record(by=clerk, cabinet=archive["cabinet"], reason=InspectionReason.PERIODIC)
    schedule.refresh_from_db()
    assert schedule.next_due_on == date(2026, 8, 3)
    with time_machine.travel(at("2026-08-02 08:05"), tick=False):
        assert services.inspections_due_notify() == 0
    with time_machine.travel(at("2026-08-03 08:05"), tick=False):
        assert services.inspections_due_notify() == 1
    assert len(reminders()) == 6


def test_finishing_a_stocktake_moves_its_cabinets_schedule_on(archive, schedule):
    clerk = archive["people"]["clerk"]
    with time_machine.travel(at("2026-06-10 10:00"), tick=False):
        stocktake = services.stocktake_start(archive["cabinet"], by=clerk)
        services.stocktake_scan(stocktake, "POS:A01/1", by=clerk)
        services.stocktake_finish(stocktake, by=clerk)
    schedule.refresh_from_db()
    assert schedule.next_due_on == date(2026, 9, 10)


def test_an_inspection_entered_late_moves_nothing_back(archive, schedule):
    with time_machine.travel(at("2026-04-20 10:00"), tick=False):
        services.inspection_record(
            by=archive["people"]["clerk"],
            cabinet=archive["cabinet"],
            reason=InspectionReason.DOUBT,
            inspected_on=date(2025, 12, 1),
        )
    schedule.refresh_from_db()
    assert schedule.next_due_on == date(2026, 5, 1)


def test_the_whole_store_and_each_cabinet_keep_their_own_schedule(archive, schedule):
    manager, clerk = archive["people"]["archive_manager"], archive["people"]["clerk"]
    store = services.inspection_schedule_save(
        InspectionSchedule(cabinet=None, every_months=6, next_due_on=date(2026, 5, 1)), by=manager
    )
    with time_machine.travel(at("2026-05-01 08:05"), tick=False):
        assert services.inspections_due_notify() == 2
        services.inspection_record(by=clerk, reason=InspectionReason.PERIODIC)  # the whole store
    store.refresh_from_db()
    schedule.refresh_from_db()
    assert (store.next_due_on, schedule.next_due_on) == (date(2026, 11, 1), date(2026, 5, 1))
    assert any("整个库房应于 2026-05-01 检查" in notification.message for notification in reminders())


def test_an_inactive_schedule_reminds_nobody(archive, schedule):
    schedule.is_active = False
    services.inspection_schedule_save(schedule, by=archive["people"]["archive_manager"])
    with time_machine.travel(at("2026-05-01 08:05"), tick=False):
        assert services.inspections_due_notify() == 0


def test_one_schedule_per_cabinet_and_one_for_the_whole_store(archive, schedule):
    manager = archive["people"]["archive_manager"]
    with pytest.raises(ActionRefused, match="已有检查计划"):
        services.inspection_schedule_save(
            InspectionSchedule(cabinet=archive["cabinet"], every_months=1, next_due_on=date(2026, 6, 1)), by=manager
        )
    services.inspection_schedule_save(InspectionSchedule(every_months=6, next_due_on=date(2026, 6, 1)), by=manager)
    with pytest.raises(ActionRefused, match="已有检查计划"):
        services.inspection_schedule_save(InspectionSchedule(every_months=12, next_due_on=date(2026, 6, 1)), by=manager)


def test_the_archive_manager_schedules_inspections_on_a_page(archive, client_for):
    client = client_for(archive["people"]["archive_manager"])
    response = client.post(
        reverse("dossiers:inspection_schedule_add"),
        {"cabinet": archive["cabinet"].pk, "every_months": "3", "next_due_on": "2026-07-01", "is_active": "on"},
    )
    assert response.status_code == 302
    schedule = InspectionSchedule.objects.get()
    assert (schedule.cabinet, schedule.every_months, schedule.next_due_on) == (archive["cabinet"], 3, date(2026, 7, 1))
    again = client.post(
        reverse("dossiers:inspection_schedule_add"),
        {"cabinet": archive["cabinet"].pk, "every_months": "1", "next_due_on": "2026-07-01", "is_active": "on"},
    )
    assert "已有检查计划" in again.content.decode() and InspectionSchedule.objects.count() == 1
    edit = client.post(
        reverse("dossiers:inspection_schedule_edit", args=[schedule.pk]),
        {"cabinet": archive["cabinet"].pk, "every_months": "6", "next_due_on": "2026-09-01", "is_active": "on"},
    )
    assert edit.status_code == 302
    assert InspectionSchedule.objects.get().every_months == 6
    assert "2026-09-01" in client.get(reverse("dossiers:inspection_schedules")).content.decode()


@pytest.mark.parametrize(
    ("every_months", "next_due_on", "message"),
    [("1e3", "2026-07-01", "整数"), ("0", "2026-07-01", "1"), ("61", "2026-07-01", "60"), ("3", "0001-01-01", "1900")],
)
def test_bad_schedules_get_a_clear_message(every_months, next_due_on, message, archive, client_for):
    response = client_for(archive["people"]["archive_manager"]).post(
        reverse("dossiers:inspection_schedule_add"),
        {"cabinet": archive["cabinet"].pk, "every_months": every_months, "next_due_on": next_due_on},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not InspectionSchedule.objects.exists()


@pytest.mark.parametrize("role", [Role.ARCHIVE_CLERK, Role.GENERAL_MANAGER, Role.SALES])
def test_only_the_archive_manager_makes_schedules(role, archive, make_user, client_for):
    user = make_user(role)
    with pytest.raises(ActionRefused):
        services.inspection_schedule_save(InspectionSchedule(every_months=3, next_due_on=date(2026, 7, 1)), by=user)
    response = client_for(user).post(
        reverse("dossiers:inspection_schedule_add"), {"every_months": "3", "next_due_on": "2026-07-01"}
    )
    assert response.status_code == 403
    assert not InspectionSchedule.objects.exists()


def test_the_cabinets_page_shows_when_each_was_last_checked_and_is_next_due(archive, schedule, client_for):
    clerk = archive["people"]["clerk"]
    with time_machine.travel(at("2026-03-15 10:00"), tick=False):
        services.inspection_record(by=clerk, cabinet=archive["cabinet"], reason=InspectionReason.PERIODIC)
        services.inspection_record(by=clerk, reason=InspectionReason.PERIODIC)
    with time_machine.travel(at("2026-04-02 10:00"), tick=False):
        services.inspection_record(by=clerk, cabinet=archive["cabinet"], reason=InspectionReason.DOUBT)
    Cabinet.objects.create(code="B01", place="档案室", positions=10)
    client = client_for(clerk)
    with time_machine.travel(at("2026-08-01 09:00"), tick=False):
        page = client.get(reverse("dossiers:cabinets")).content.decode()
    row = re.search(r'<tr data-cabinet="A01"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert re.search(r"data-last-checked>2026-04-02<", row)
    assert "2026-07-02" in row and "已到期" in row  # 3 months after the last check
    other = re.search(r'<tr data-cabinet="B01"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "data-last-checked>—<" in other and "未制定计划" in other
    assert "上次检查 2026-03-15" in page  # the whole store


def test_the_cabinets_page_keeps_a_fixed_number_of_queries(archive, client_for, django_assert_max_num_queries):
    clerk = archive["people"]["clerk"]
    client = client_for(clerk)

    def add_cabinets(count, start):
        for number in range(start, start + count):
            cabinet = Cabinet.objects.create(code=f"C{number:02d}", place="库房", positions=5)
            services.inspection_record(by=clerk, cabinet=cabinet, reason=InspectionReason.PERIODIC)
            services.inspection_schedule_save(
                InspectionSchedule(cabinet=cabinet, every_months=3, next_due_on=date(2030, 1, 1)),
                by=archive["people"]["archive_manager"],
            )
            services.stocktake_start(cabinet, by=clerk)

    add_cabinets(2, 0)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("dossiers:cabinets"))
    add_cabinets(20, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("dossiers:cabinets")).content.decode()
    assert page.count("data-cabinet=") == 23 and page.count("继续盘点") == 22


def test_the_task_runs_every_morning_in_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["dossiers-notify-inspections-due"]
    assert entry["task"] == "dossiers.tasks.notify_inspections_due"
    assert "expires" not in entry.get("options", {})


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 12, date(2027, 12, 15)),
    ],
)
def test_months_after_keeps_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_the_clerks_dashboard_lists_the_inspections_due(archive, schedule, client_for):
    with time_machine.travel(at("2026-05-01 09:00"), tick=False):
        page = client_for(archive["people"]["clerk"]).get(reverse("home")).content.decode()
    panel = re.search(r'data-panel="inspections-due"[^>]*>(.*?)</ul>', page, re.S).group(1)
    assert "A01" in panel and "2026-05-01" in panel
