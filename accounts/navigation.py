"""The main navigation: which entries each person sees.

Each app registers its entries from its AppConfig.ready(), with the same predicate its views
use to allow the page (e.g. customers.permissions.can_hand_over), so the menu never offers a page
that would refuse the user. An entry without a predicate is for everyone signed in.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, eq=False)
class NavItem:
    key: str
    label: str
    url_name: str
    order: int
    allowed: Callable | None = None
    kwargs: dict | None = None

    def is_visible_to(self, user) -> bool:
        return self.allowed is None or bool(self.allowed(user))

    @property
    def url(self) -> str:
        # Reversed once per script prefix (a site served under a path has its own), not on every
        # page: the menu's twenty-odd entries were 1 ms of each request.
        prefix = get_script_prefix()
        found = _URLS.get((self.key, prefix))
        if found is None:
            found = _URLS[(self.key, prefix)] = reverse(self.url_name, kwargs=self.kwargs)
        return found


_URLS: dict[tuple[str, str], str] = {}


NAVIGATION: list[NavItem] = []


def register(*items: NavItem) -> None:
    """Add entries (idempotent by key), kept sorted by `order`."""
    known = {item.key for item in NAVIGATION}
    NAVIGATION.extend(item for item in items if item.key not in known)
    NAVIGATION.sort(key=lambda item: item.order)


def navigation_for(user) -> list[NavItem]:
    return [item for item in NAVIGATION if item.is_visible_to(user)]


# The entries people open every day stay in the menu's row; every other one, and any entry an app
# registers later, goes under 更多 (More). The row must hold on one line at 1366 px in Chinese and
# in English for whoever sees the most entries: tests/browser/test_layout.py measures it.
MAIN_ROW = frozenset(
    {
        "home",
        "customers",
        "follow_ups",
        "dossiers",
        "approvals",
        "desk",
        "read_requests",
        "loan_request",
        "notifications",
    }
)


def menu_for(user) -> tuple[list[NavItem], list[NavItem]]:
    """The entries `user` sees: those of the menu's row, and those under 更多."""
    items = navigation_for(user)
    return [item for item in items if item.key in MAIN_ROW], [item for item in items if item.key not in MAIN_ROW]


register(
    NavItem("home", _("首页"), "home", order=0),
    NavItem("notifications", _("通知"), "notifications", order=90),
    NavItem("admin", _("系统管理"), "admin:index", order=100, allowed=lambda user: user.is_staff),
)
