"""Reads about people and their notifications."""

from django.contrib.auth.models import Group
from django.db.models import QuerySet

from .models import Notification, User
from .roles import Role


def people_with_role(role: Role | str, department=None) -> QuerySet[User]:
    """Active users holding `role`, only those of `department` (a Department or its pk) when given.
    One query, each person once: the role is matched through a subquery, so querysets for several
    roles combine with `|` without duplicates."""
    people = User.objects.filter(is_active=True, pk__in=Group.objects.filter(name=role).values("user"))
    if department is not None:
        people = people.filter(department=department)
    return people


def notifications_for(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


# The menu's badge counts unread notifications up to this many (so a flooded inbox stays cheap);
# accounts.backends reads the same count with the signed-in user.
UNREAD_CAP = 99


def notifications_unread_count(user, *, cap: int = UNREAD_CAP) -> int:
    """Unread notifications, counted up to `cap` so a flooded inbox stays cheap."""
    return len(Notification.objects.filter(recipient=user, read_at__isnull=True).values("id")[: cap + 1])
