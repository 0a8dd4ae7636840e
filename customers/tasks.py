from celery import shared_task

from . import services


@shared_task
def remove_expired_access_grants() -> int:
    """Daily housekeeping; access checks already ignore expired grants."""
    return services.access_grants_remove_expired()
