"""Dashboard panels: apps register, per role, a template and a function giving its context.

The home page shows one card per role the user holds; within it, every panel registered for
that role. Panel functions take the user and return a dict; they must use a fixed number of
queries (they run on every visit to the home page)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template_name: str
    context: Callable[[object], dict]


PANELS: dict[str, list[Panel]] = {}


def register(role, template_name: str, context: Callable[[object], dict]) -> None:
    panels = PANELS.setdefault(str(role), [])
    if all(panel.template_name != template_name for panel in panels):
        panels.append(Panel(template_name, context))


def panels_for(user, role) -> list[tuple[str, dict]]:
    return [(panel.template_name, panel.context(user)) for panel in PANELS.get(str(role), [])]
