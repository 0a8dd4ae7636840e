from celery import shared_task

from . import services


@shared_task
def notify_overdue_promotions() -> int:
    """Daily: tell archive clerks and managers which dossiers passed their 5-day promotion limit."""
    return services.overdue_promotions_notify()
