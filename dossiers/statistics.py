"""Sections that apps above `dossiers` add to the statistics page (档案统计, SPEC §7).

The page belongs to the archive, but some of its figures are another app's (loans per month are
lending's). Such an app registers a section from its AppConfig.ready() — a template and a
function of the user giving its context, with a fixed number of queries — so `dossiers` never
imports the app above it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template_name: str
    context: Callable[[object], dict]


SECTIONS: list[Section] = []


def register(template_name: str, context: Callable[[object], dict]) -> None:
    if all(section.template_name != template_name for section in SECTIONS):
        SECTIONS.append(Section(template_name, context))


def sections_for(user) -> list[tuple[str, dict]]:
    return [(section.template_name, section.context(user)) for section in SECTIONS]
