from celery import shared_task
from django.contrib.auth import get_user_model

from . import services


@shared_task
def send_notification(user_id: int, message: str, link: str = "") -> int:
    """Deliver an in-app notification from a worker; returns the notification id."""
    recipient = get_user_model().objects.get(pk=user_id)
    return services.notification_send(recipient=recipient, message=message, link=link).pk
