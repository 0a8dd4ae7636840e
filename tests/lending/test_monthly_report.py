"""每月5日统计: the outstanding-loan report (SPEC §5).

The month's official report belongs to its 5th: the beat job takes it then, or the first run after
it if beat was down; nothing official is taken earlier. The general manager's button takes a
labelled snapshot of the moment, which never takes the official slot. Every test freezes the clock
in Asia/Shanghai, November 2026."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from customers.models import SecrecyTier
from lending import services
from lending.models import Loan, LoanKind, MonthlyReport, MonthlyReportKind, MonthlyReportLine
from lending.tasks import generate_monthly_outstanding_report
from tests.approving import approve_loan_fully, signed_for
from tests.excel import export_of

from ..conftest import wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICIAL, SNAPSHOT = MonthlyReportKind.OFFICIAL, MonthlyReportKind.SNAPSHOT


def november(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock(request):
    """The clock stands on 3 November 2026, 10:00 in Shanghai (tests move it on); a test may ask
    for a running clock with `@pytest.mark.parametrize("clock", [{"tick": True, ...}], indirect=True)`."""
    options = {"at": november(3, 10), "tick": False, **getattr(request, "param", {})}
    with time_machine.travel(options["at"], tick=options["tick"]) as traveller:
        yield traveller


@pytest.fixture
def loans_in_every_state(clock, archive, formal_dossier):
    """An original out (overdue), photocopies out, a returned loan and a request not yet issued."""
    people = archive["people"]

    def requested(dossier, kind, borrower="owner"):
        return services.loan_request(
            borrower=people[borrower], dossier=dossier, kind=kind, content=f"{kind}材料", purpose="售后"
        )

    def approved(dossier, kind):
        return approve_loan_fully(requested(dossier, kind))

    out = services.loan_issue(approved(formal_dossier(SecrecyTier.PERSONAL), LoanKind.BORROW), by=people["clerk"])
    copies = services.loan_issue(
        approved(formal_dossier(SecrecyTier.DEPARTMENT), LoanKind.PHOTOCOPY), by=people["clerk"]
    )
    copies = services.photocopy_register(
        copies,
        by=people["clerk"],
        copied_content="合同复印件",
        pages=3,
        copies=1,
        copies_due_on=timezone.localdate() + timedelta(days=3),
        original_complete=True,
    )
    returned = services.loan_issue(approved(formal_dossier(SecrecyTier.COMPANY), LoanKind.BORROW), by=people["clerk"])
    services.loan_return(signed_for(returned), by=people["clerk"], complete=True)
    # Top secret: the owner's department manager and the archive manager have signed, the general
    # manager has not.
    pending = requested(formal_dossier(SecrecyTier.TOP_SECRET), LoanKind.BORROW)
    pending = services.loan_approve(pending, by=people["manager"])
    pending = services.loan_approve(pending, by=people["archive_manager"])
    # Overdue now (made so last: a borrower with an overdue loan gets no new one).
    Loan.objects.filter(pk=out.pk).update(
        issued_at=timezone.now() - timedelta(days=4), due_at=timezone.now() - timedelta(days=3)
    )
    return {"out": Loan.objects.get(pk=out.pk), "copies": copies, "returned": returned, "pending": pending}


def stored_loans(report) -> set[tuple[int, str]]:
    return set(report.lines.values_list("loan_id", "item"))


def official_reports(year=2026, month=11):
    return MonthlyReport.objects.filter(kind=OFFICIAL, year=year, month=month)


def run_the_task_at(clock, moment) -> int | None:
    clock.move_to(moment)
    return generate_monthly_outstanding_report()


# The official report: the 5th, or the first run after it.


def test_the_official_report_lists_exactly_what_is_out_with_its_whereabouts(clock, loans_in_every_state):
    report = MonthlyReport.objects.get(pk=run_the_task_at(clock, november(5)))
    out, copies = loans_in_every_state["out"], loans_in_every_state["copies"]
    assert (report.kind, report.year, report.month, report.taken_at) == (OFFICIAL, 2026, 11, november(5))
    assert stored_loans(report) == {(out.pk, "original"), (copies.pk, "photocopy")}
    line = report.lines.get(loan=out)
    assert (line.borrower, line.department, line.purpose) == (str(out.borrower), str(out.department), "售后")
    assert line.days_overdue == 5  # due 31 October
    assert report.lines.get(loan=copies).material == "合同复印件"


def test_the_task_run_before_the_fifth_stores_no_official_report(clock, loans_in_every_state):
    assert run_the_task_at(clock, november(4, 23, 59)) is None
    assert not MonthlyReport.objects.exists()


def test_the_fifth_begins_at_midnight_in_shanghai_time(clock, loans_in_every_state):
    assert run_the_task_at(clock, november(5, 0, 1)) is not None  # still the 4th in UTC
    assert official_reports().get().taken_at == november(5, 0, 1)


def test_a_snapshot_on_the_third_leaves_the_official_report_to_the_fifth(clock, archive, loans_in_every_state):
    people = archive["people"]
    snapshot = services.monthly_report_snapshot_take(by=people["general_manager"])
    clock.move_to(november(4, 10))
    services.loan_return(signed_for(loans_in_every_state["out"]), by=people["clerk"], complete=True)
    pending = services.loan_approve(loans_in_every_state["pending"], by=people["general_manager"])  # top secret
    issued_on_the_fourth = services.loan_issue(pending, by=people["clerk"])

    official = MonthlyReport.objects.get(pk=run_the_task_at(clock, november(5)))

    out, copies = loans_in_every_state["out"], loans_in_every_state["copies"]
    assert (snapshot.kind, official.kind) == (SNAPSHOT, OFFICIAL)
    assert (snapshot.taken_at, official.taken_at) == (november(3, 10), november(5))
    assert stored_loans(snapshot) == {(out.pk, "original"), (copies.pk, "photocopy")}
    assert stored_loans(official) == {(copies.pk, "photocopy"), (issued_on_the_fourth.pk, "original")}
    assert list(official_reports()) == [official]


def test_a_run_after_a_missed_fifth_takes_the_official_slot_once(clock, loans_in_every_state):
    first = run_the_task_at(clock, november(7, 11))
    again = run_the_task_at(clock, november(8, 9))
    assert first == again
    report = official_reports().get()
    assert report.taken_at == november(7, 11)
    assert report.lines.count() == 2


def test_running_the_task_twice_stores_one_official_report(clock, loans_in_every_state):
    clock.move_to(november(5))
    assert generate_monthly_outstanding_report() == generate_monthly_outstanding_report()
    assert MonthlyReport.objects.count() == 1
    assert MonthlyReportLine.objects.count() == 2


def test_the_database_refuses_a_second_official_report_for_a_month(clock, archive):
    MonthlyReport.objects.create(kind=OFFICIAL, year=2026, month=11, taken_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyReport.objects.create(kind=OFFICIAL, year=2026, month=11, taken_at=timezone.now())
    for _ in range(2):
        MonthlyReport.objects.create(kind=SNAPSHOT, year=2026, month=11, taken_at=timezone.now())
    assert MonthlyReport.objects.filter(year=2026, month=11).count() == 3


def test_the_general_manager_is_notified_of_the_official_report_once(clock, archive, loans_in_every_state):
    from accounts.models import Notification

    run_the_task_at(clock, november(5))
    run_the_task_at(clock, november(6))
    assert (
        Notification.objects.filter(
            recipient=archive["people"]["general_manager"], message__contains="借阅未还统计已生成"
        ).count()
        == 1
    )


def test_the_beat_schedule_runs_every_morning_in_shanghai_time(settings):
    from crm_archive.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["lending-monthly-outstanding-report"]
    assert entry["task"] == "lending.tasks.generate_monthly_outstanding_report"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    # Every morning: the task itself stores nothing before the 5th (see the tests above), so the
    # 5th's run takes the report, and after a 5th missed while beat was down the next run does.
    assert schedule.day_of_month == set(range(1, 32)) and schedule.hour == {9} and schedule.minute == {0}
    assert app.conf.timezone == "Asia/Shanghai" == settings.CELERY_TIMEZONE
    assert "expires" not in entry.get("options", {})


# Snapshots: the general manager's button.


def test_the_general_managers_button_takes_a_new_snapshot_each_time(clock, archive, loans_in_every_state, client_for):
    client = client_for(archive["people"]["general_manager"])
    first = client.post(reverse("lending:report_generate"), follow=True)
    clock.move_to(november(3, 10, 20))
    client.post(reverse("lending:report_generate"))
    assert "即时快照" in first.content.decode()
    snapshots = MonthlyReport.objects.filter(kind=SNAPSHOT).order_by("taken_at")
    assert [(s.generated_by, s.taken_at) for s in snapshots] == [
        (archive["people"]["general_manager"], november(3, 10)),
        (archive["people"]["general_manager"], november(3, 10, 20)),
    ]
    assert all(s.lines.count() == 2 for s in snapshots)
    assert not official_reports().exists()


def test_a_snapshot_after_the_fifth_leaves_the_official_report_as_it_was(
    clock, archive, loans_in_every_state, client_for
):
    official = run_the_task_at(clock, november(5))
    clock.move_to(november(6))
    client_for(archive["people"]["general_manager"]).post(reverse("lending:report_generate"))
    assert official_reports().get().pk == official
    assert MonthlyReport.objects.filter(kind=SNAPSHOT, year=2026, month=11).count() == 1


def test_only_the_general_manager_takes_snapshots(clock, archive):
    from crm_archive.errors import ActionRefused

    with pytest.raises(ActionRefused):
        services.monthly_report_snapshot_take(by=archive["people"]["archive_manager"])
    assert not MonthlyReport.objects.exists()


# Pages and Excel.


def test_the_list_labels_official_reports_and_snapshots(clock, archive, loans_in_every_state, client_for):
    services.monthly_report_snapshot_take(by=archive["people"]["general_manager"])
    run_the_task_at(clock, november(5))
    html = client_for(archive["people"]["archive_manager"]).get(reverse("lending:reports")).content.decode()
    assert html.count('data-report-kind="official"') == 1 and html.count('data-report-kind="snapshot"') == 1
    assert "官方月报" in html and "即时快照" in html
    assert "2026-11-03 10:00" in html and "2026-11-05 09:00" in html


def test_the_page_and_the_excel_file_state_the_moment_and_the_same_rows(
    clock, archive, loans_in_every_state, client_for
):
    report = MonthlyReport.objects.get(pk=run_the_task_at(clock, november(5)))
    clock.move_to(november(9))  # read later: the report still states the 5th
    client = client_for(archive["people"]["general_manager"])
    html = client.get(reverse("lending:report_detail", args=[report.pk])).content.decode()
    assert html.count("data-line") == 2
    assert "统计时间 2026-11-05 09:00" in html and "官方月报" in html
    export = export_of(client.get(reverse("lending:report_export", args=[report.pk])))
    assert "官方月报" in export.title
    assert export.filters.startswith("统计时间：2026-11-05 09:00；类型：官方月报")
    assert export.headers[0] == "登记号"
    lines = export.rows
    assert sorted(row[0] for row in lines) == sorted(
        [loans_in_every_state["out"].register_number, loans_in_every_state["copies"].register_number]
    )
    for row in lines:
        assert row[0] in html and row[2] in html


def test_a_snapshots_page_and_excel_file_say_it_is_not_the_official_report(
    clock, archive, loans_in_every_state, client_for
):
    snapshot = services.monthly_report_snapshot_take(by=archive["people"]["general_manager"])
    client = client_for(archive["people"]["general_manager"])
    html = client.get(reverse("lending:report_detail", args=[snapshot.pk])).content.decode()
    assert "即时快照" in html and "统计时间 2026-11-03 10:00" in html
    response = client.get(reverse("lending:report_export", args=[snapshot.pk]))
    assert "snapshot-20261103-1000" in response["Content-Disposition"]
    export = export_of(response)
    assert "即时快照" in export.title
    assert export.filters.startswith("统计时间：2026-11-03 10:00；类型：即时快照")


@pytest.mark.parametrize("person", ["owner", "clerk", "manager"])
def test_only_the_general_and_archive_managers_read_the_reports(person, archive, client_for):
    assert client_for(archive["people"][person]).get(reverse("lending:reports")).status_code == 403


def test_the_archive_manager_reads_but_cannot_take_a_snapshot(clock, archive, client_for):
    client = client_for(archive["people"]["archive_manager"])
    assert client.get(reverse("lending:reports")).status_code == 200
    assert client.post(reverse("lending:report_generate")).status_code == 403
    assert not MonthlyReport.objects.exists()


# The operator's command takes the official report as the beat job does.


def test_the_management_command_takes_the_official_report_once(clock, loans_in_every_state, capsys):
    clock.move_to(november(10))
    call_command("outstanding_loans_report", "--month", "2026-10")
    assert "2026-10: stored, 2 items out" in capsys.readouterr().out
    call_command("outstanding_loans_report", "--month", "2026-10")
    assert "already stored" in capsys.readouterr().out
    assert official_reports(month=10).count() == 1


def test_the_management_command_takes_nothing_before_the_fifth(clock, loans_in_every_state):
    with pytest.raises(CommandError, match="on or after the 5th"):
        call_command("outstanding_loans_report", "--month", "2026-11")
    assert not MonthlyReport.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("clock", [{"at": november(5), "tick": True}], indirect=True)
def test_the_report_task_through_redis_and_a_real_worker_stores_once(clock, loans_in_every_state, real_celery_worker):
    out, copies = loans_in_every_state["out"], loans_in_every_state["copies"]
    result = generate_monthly_outstanding_report.delay(2026, 11)
    assert not result.id.startswith("eager")
    report = wait_for(lambda: official_reports().first())
    assert report is not None, "the worker stored no report within 20 s"
    assert stored_loans(report) == {(out.pk, "original"), (copies.pk, "photocopy")}
    assert result.get(timeout=20) == report.pk
    reruns = [generate_monthly_outstanding_report.delay(2026, 11) for _ in range(2)]
    assert [rerun.get(timeout=20) for rerun in reruns] == [report.pk, report.pk]
    assert official_reports().count() == 1
    assert MonthlyReportLine.objects.filter(report__year=2026, report__month=11).count() == 2
