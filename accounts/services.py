"""State changes for people and their notifications."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification
from .roles import Role
from .selectors import people_with_role


def notification_send(*, recipient, message: str, link: str = "", email: bool = False) -> Notification:
    """Store an in-app notification for `recipient`; also e-mail it when `email` is set
    and the recipient has an address. The e-mail leaves only after the transaction commits."""
    notification = Notification.objects.create(recipient=recipient, message=message, link=link)
    if email and recipient.email:
        transaction.on_commit(lambda: send_mail(message[:78], message, None, [recipient.email], fail_silently=True))
    return notification


def notifications_send(notifications) -> list[Notification]:
    """Store many in-app notifications at once, each a (recipient, message, link) triple: one
    INSERT however many there are. No e-mail."""
    return Notification.objects.bulk_create(
        Notification(recipient=recipient, message=message, link=link) for recipient, message, link in notifications
    )


def notification_send_to_role(*, role: Role, message: str, link: str = "", email: bool = False) -> int:
    """Notify every active holder of `role`; returns how many were notified."""
    count = 0
    for recipient in people_with_role(role):
        notification_send(recipient=recipient, message=message, link=link, email=email)
        count += 1
    return count


def notifications_mark_read(*, user) -> int:
    """Mark all of `user`'s unread notifications read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
