"""The home page (待办): what each role must act on, counted, most urgent first, then the panels.

Apps register, per role, a panel: a template and a function giving its context. A panel's context
may carry `todos`, a list of `Todo` built from the counts the panel read anyway; the home page
gathers the todos of every panel the user sees into one strip at the top, the most urgent first,
each linking to where it is acted on. A panel registered for several roles a user holds is shown
once. Panel functions take the user and return a dict; they must use a fixed number of queries
(they run on every visit to the home page)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from crm_archive.memo import remembering
from crm_archive.pagination import count_together


class Urgency(IntEnum):
    OVERDUE = 0  # past a deadline
    TODAY = 1  # due today
    WAITING = 2  # waiting for this user's decision or step
    SOON = 3  # coming up, or to keep in view


@dataclass(frozen=True)
class Todo:
    """One line of the 待办 strip: `count` (an int or a crm_archive.pagination.Bounded) things of a
    kind, at `url`."""

    key: str
    label: str
    count: object
    url: str
    urgency: Urgency = Urgency.WAITING

    @property
    def number(self) -> int:
        return int(getattr(self.count, "count", self.count) or 0)

    @property
    def overdue(self) -> bool:
        return self.urgency == Urgency.OVERDUE


def todo(key: str, label, count, url: str, urgency: Urgency = Urgency.WAITING) -> Todo:
    return Todo(key, label, count, url, urgency)


@dataclass(frozen=True)
class Panel:
    template_name: str
    context: Callable[[object], dict] = field(compare=False)


PANELS: dict[str, list[Panel]] = {}


def register(role, template_name: str, context: Callable[[object], dict], *, first: bool = False) -> None:
    """Show a panel to `role`, after those registered before it (`first`: before them)."""
    panels = PANELS.setdefault(str(role), [])
    if all(panel.template_name != template_name for panel in panels):
        panels.insert(0 if first else len(panels), Panel(template_name, context))


@dataclass
class HomePage:
    todos: list[Todo]
    sections: list[tuple[object, list[tuple[str, dict]]]]


def home_page(user) -> HomePage:
    """Every panel of every role `user` holds (a panel once, under the first role that has it), and
    the todos they carry with something to do, most urgent first, then the largest counts."""
    with remembering():  # the panels ask some things alike (whom the reader signs for)
        return _home_page(user)


def _home_page(user) -> HomePage:
    seen: set[str] = set()
    sections = []
    for role in user.roles:
        panels = []
        for panel in PANELS.get(str(role), []):
            if panel.template_name in seen:
                continue
            seen.add(panel.template_name)
            panels.append((panel.template_name, panel.context(user)))
        sections.append((role, panels))
    contexts = [context for _role, panels in sections for _name, context in panels]
    every = [item for context in contexts for item in context.get("todos", ())]
    # The counts alone (of the to-dos and of the panels) are counted in one statement, not one each.
    count_together([item.count for item in every] + [value for context in contexts for value in context.values()])
    todos: dict[str, Todo] = {}
    for item in every:
        if item.number and item.key not in todos:
            todos[item.key] = item
    ordered = sorted(todos.values(), key=lambda item: (item.urgency, -item.number, str(item.label)))
    return HomePage(ordered, sections)
