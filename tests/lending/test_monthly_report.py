"""每月5日统计: the outstanding-loan report (SPEC §5)."""

import io
from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from customers.models import SecrecyTier
from lending import services
from lending.models import Loan, LoanKind, MonthlyReport, MonthlyReportLine
from lending.tasks import generate_monthly_outstanding_report

from ..conftest import wait_for


@pytest.fixture
def loans_in_every_state(archive, formal_dossier):
    """An original out (overdue), photocopies out, a returned loan and a request not yet issued."""
    people = archive["people"]

    def approved(dossier, kind, borrower="owner"):
        loan = services.loan_request(
            borrower=people[borrower], dossier=dossier, kind=kind, content=f"{kind}材料", purpose="售后"
        )
        return services.loan_approve(loan, by=people["archive_manager"])

    out = services.loan_issue(approved(formal_dossier(SecrecyTier.PERSONAL), LoanKind.BORROW), by=people["clerk"])
    Loan.objects.filter(pk=out.pk).update(
        issued_at=timezone.now() - timedelta(days=4), due_at=timezone.now() - timedelta(days=3)
    )
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
    services.loan_return(returned, by=people["clerk"], complete=True)
    pending = approved(formal_dossier(SecrecyTier.TOP_SECRET), LoanKind.BORROW)
    return {"out": out, "copies": copies, "returned": returned, "pending": pending}


def stored_loans(report) -> set[tuple[int, str]]:
    return set(report.lines.values_list("loan_id", "item"))


def test_the_report_lists_exactly_what_is_out_with_its_whereabouts(loans_in_every_state):
    report, created = services.monthly_report_generate(year=2026, month=11)
    assert created
    out, copies = loans_in_every_state["out"], loans_in_every_state["copies"]
    assert stored_loans(report) == {(out.pk, "original"), (copies.pk, "photocopy")}
    line = report.lines.get(loan=out)
    assert (line.borrower, line.department, line.purpose) == (str(out.borrower), str(out.department), "售后")
    assert line.days_overdue == 3
    assert report.lines.get(loan=copies).material == "合同复印件"


def test_a_second_run_for_the_month_stores_no_duplicate(loans_in_every_state):
    first, created = services.monthly_report_generate(year=2026, month=11)
    second, created_again = services.monthly_report_generate(year=2026, month=11)
    assert created and not created_again and first.pk == second.pk
    assert MonthlyReport.objects.count() == 1
    assert MonthlyReportLine.objects.count() == 2


def test_the_general_manager_is_notified(archive, loans_in_every_state):
    from accounts.models import Notification

    services.monthly_report_generate(year=2026, month=11)
    assert Notification.objects.filter(
        recipient=archive["people"]["general_manager"], message__contains="借阅未还统计已生成"
    ).exists()


def test_the_beat_schedule_runs_on_the_fifth_in_shanghai_time(settings):
    from crm_archive.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["lending-monthly-outstanding-report"]
    assert entry["task"] == "lending.tasks.generate_monthly_outstanding_report"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_month == {5} and schedule.hour == {9} and schedule.minute == {0}
    assert app.conf.timezone == "Asia/Shanghai" == settings.CELERY_TIMEZONE
    assert "expires" not in entry.get("options", {})


def test_the_page_and_the_excel_file_have_the_same_rows(archive, loans_in_every_state, client_for):
    report, _created = services.monthly_report_generate(year=2026, month=11)
    client = client_for(archive["people"]["general_manager"])
    html = client.get(reverse("lending:report_detail", args=[report.pk])).content.decode()
    assert html.count("data-line") == 2
    response = client.get(reverse("lending:report_export", args=[report.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "登记号"
    assert sorted(row[0] for row in rows[1:]) == sorted(
        [loans_in_every_state["out"].register_number, loans_in_every_state["copies"].register_number]
    )
    for row in rows[1:]:
        assert row[0] in html and row[2] in html


def test_the_general_manager_makes_the_report_on_demand_once(archive, loans_in_every_state, client_for):
    client = client_for(archive["people"]["general_manager"])
    first = client.post(reverse("lending:report_generate"), {"month": "2026-11"}, follow=True)
    assert "统计已生成" in first.content.decode()
    second = client.post(reverse("lending:report_generate"), {"month": "2026-11"}, follow=True)
    assert "已存在" in second.content.decode()
    assert MonthlyReport.objects.count() == 1


def test_a_bad_month_is_refused_with_a_message(archive, client_for):
    client = client_for(archive["people"]["general_manager"])
    response = client.post(reverse("lending:report_generate"), {"month": "2026-13"}, follow=True)
    assert "请按“年-月”填写" in response.content.decode()
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("person", ["owner", "clerk", "manager"])
def test_only_the_general_and_archive_managers_read_the_reports(person, archive, client_for):
    assert client_for(archive["people"][person]).get(reverse("lending:reports")).status_code == 403


def test_the_archive_manager_reads_but_cannot_generate(archive, client_for):
    client = client_for(archive["people"]["archive_manager"])
    assert client.get(reverse("lending:reports")).status_code == 200
    assert client.post(reverse("lending:report_generate"), {"month": "2026-11"}).status_code == 403


def test_the_management_command_makes_the_report(loans_in_every_state, capsys):
    call_command("outstanding_loans_report", "--month", "2026-10")
    assert "2026-10: stored, 2 items out" in capsys.readouterr().out
    call_command("outstanding_loans_report", "--month", "2026-10")
    assert "already stored" in capsys.readouterr().out
    assert MonthlyReport.objects.filter(year=2026, month=10).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_report_task_through_redis_and_a_real_worker_stores_once(loans_in_every_state, real_celery_worker):
    out, copies = loans_in_every_state["out"], loans_in_every_state["copies"]
    result = generate_monthly_outstanding_report.delay(2026, 11)
    assert not result.id.startswith("eager")
    report = wait_for(lambda: MonthlyReport.objects.filter(year=2026, month=11).first())
    assert report is not None, "the worker stored no report within 20 s"
    assert stored_loans(report) == {(out.pk, "original"), (copies.pk, "photocopy")}
    assert result.get(timeout=20) == report.pk
    reruns = [generate_monthly_outstanding_report.delay(2026, 11) for _ in range(2)]
    assert [rerun.get(timeout=20) for rerun in reruns] == [report.pk, report.pk]
    assert MonthlyReport.objects.filter(year=2026, month=11).count() == 1
    assert MonthlyReportLine.objects.filter(report__year=2026, report__month=11).count() == 2
