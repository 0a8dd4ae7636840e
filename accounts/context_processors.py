from .navigation import menu_for
from .selectors import notifications_unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    main_row, more = menu_for(user)
    # A session's user comes with its unread count (accounts.backends); one signed in another way
    # (an API key) is counted here.
    unread = getattr(user, "unread_notifications", None)
    return {
        "navigation_main": main_row,
        "navigation_more": more,
        "unread_notifications": notifications_unread_count(user) if unread is None else unread,
    }
