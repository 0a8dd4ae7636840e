"""Reads about people and their notifications."""

from .models import Notification


def notifications_for(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notifications_unread_count(user, *, cap: int = 99) -> int:
    """Unread notifications, counted up to `cap` so a flooded inbox stays cheap."""
    return len(Notification.objects.filter(recipient=user, read_at__isnull=True).values("id")[: cap + 1])
