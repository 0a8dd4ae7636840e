"""The main navigation: which entries each role sees.

Apps add their entries here; an entry with no roles is for everyone signed in.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: frozenset = field(default_factory=frozenset)
    staff_only: bool = False

    def is_visible_to(self, user) -> bool:
        if self.staff_only:
            return user.is_staff
        if not self.roles:
            return True
        return user.is_superuser or user.has_role(*self.roles)


NAVIGATION: list[NavItem] = [
    NavItem("home", _("首页"), "home"),
    NavItem("notifications", _("通知"), "notifications"),
    NavItem("admin", _("系统管理"), "admin:index", staff_only=True),
]


def navigation_for(user) -> list[NavItem]:
    return [item for item in NAVIGATION if item.is_visible_to(user)]
