"""What the apps above dossiers have to say on a dossier's page, shown above its facts (issue 15
§4: state where a decision is made). Destruction says a dossier is on a 销毁清册 — held apart,
waiting for destruction, not lent — naming the list. Those apps register a source from their
AppConfig.ready(); dossiers never imports them (STYLE.md, "Imports run downhill only")."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DossierNotice:
    """One banner: `kind` names it for the page (data-notice), `blocking` marks a state that stops
    a step (a dossier held apart is not lent), `url` leads to the record that says why, shown
    only to those who may open it."""

    kind: str
    text: str
    blocking: bool = False
    url: str = ""
    link_text: str = ""


# Each source takes (user, dossier) and returns a list of DossierNotice, in a fixed number of queries.
DOSSIER_NOTICE_SOURCES: list[Callable] = []


def dossier_notices_register(source: Callable) -> None:
    """Add an app's notices to dossier_notices (idempotent)."""
    if source not in DOSSIER_NOTICE_SOURCES:
        DOSSIER_NOTICE_SOURCES.append(source)


def dossier_notices(user, dossier) -> list[DossierNotice]:
    """The banners of `dossier`'s page for `user`, the blocking ones first."""
    notices = [notice for source in DOSSIER_NOTICE_SOURCES for notice in source(user, dossier)]
    return sorted(notices, key=lambda notice: not notice.blocking)
