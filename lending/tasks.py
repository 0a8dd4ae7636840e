from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import circulation, services


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, retry_kwargs={"max_retries": 5})
def generate_monthly_outstanding_report(year: int | None = None, month: int | None = None) -> int | None:
    """每月5日: take this month's official outstanding-loan report (once, however often it runs).
    Beat runs it on the 5th; a run after a missed 5th takes it then; a run before the 5th stores
    nothing and returns None."""
    today = timezone.localdate()
    report, _created = services.monthly_report_generate(year=year or today.year, month=month or today.month)
    return report.pk if report else None


@shared_task
def send_loan_notices() -> dict[str, int]:
    """Every quarter of an hour: courtesy reminders before the due time, the overdue escalation by
    working days, reservations whose hold ran out (each notice once, recorded on its loan)."""
    return circulation.loan_notices_send()
