"""What apps above lending tell it about a dossier, without lending importing them (imports run
downhill only: STYLE.md).

destruction registers, from its AppConfig.ready(), why a dossier approved for destruction and held
apart (单独存放) cannot be lent. The lending services ask here, on the dossier row they have
locked, before a loan is requested, approved, issued or extended.
"""

from collections.abc import Callable

# Each check takes a dossier and returns why it cannot be lent now, or None.
LENDING_REFUSALS: list[Callable] = []


def lending_refusal_register(check: Callable) -> None:
    """Add a check (idempotent)."""
    if check not in LENDING_REFUSALS:
        LENDING_REFUSALS.append(check)


def dossier_lending_refusal(dossier) -> str | None:
    """The first reason a registered check gives why `dossier` cannot be lent now, or None."""
    for check in LENDING_REFUSALS:
        reason = check(dossier)
        if reason:
            return reason
    return None
