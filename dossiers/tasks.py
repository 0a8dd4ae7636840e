from celery import shared_task

from . import services


@shared_task
def notify_overdue_promotions() -> int:
    """Daily: tell archive clerks and managers which dossiers passed their 5-day promotion limit."""
    return services.overdue_promotions_notify()


@shared_task
def notify_inspections_due() -> int:
    """Daily: remind the archive clerks and the archive manager of scheduled inspections (检查与核对)
    that are due, once per due date."""
    return services.inspections_due_notify()
