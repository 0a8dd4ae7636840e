from celery import shared_task

from . import services


@shared_task
def notify_hold_ended() -> int:
    """Daily: tell the archive clerks which destruction lists have finished their six months apart."""
    return services.hold_end_notify()
