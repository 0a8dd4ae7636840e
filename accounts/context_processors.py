from .navigation import navigation_for
from .selectors import notifications_unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "navigation": navigation_for(user),
        "unread_notifications": notifications_unread_count(user),
    }
