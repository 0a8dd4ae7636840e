"""State changes for people and their notifications."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification
from .roles import Role


def notification_send(*, recipient, message: str, link: str = "", email: bool = False) -> Notification:
    """Store an in-app notification for `recipient`; also e-mail it when `email` is set
    and the recipient has an address. The e-mail leaves only after the transaction commits."""
    notification = Notification.objects.create(recipient=recipient, message=message, link=link)
    if email and recipient.email:
        transaction.on_commit(lambda: send_mail(message[:78], message, None, [recipient.email], fail_silently=True))
    return notification


def notification_send_to_role(*, role: Role, message: str, link: str = "", email: bool = False) -> int:
    """Notify every active holder of `role`; returns how many were notified."""
    recipients = get_user_model().objects.filter(groups__name=role, is_active=True).distinct()
    count = 0
    for recipient in recipients:
        notification_send(recipient=recipient, message=message, link=link, email=email)
        count += 1
    return count


def notifications_mark_read(*, user) -> int:
    """Mark all of `user`'s unread notifications read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
