"""Links from a customer's page to what the apps above customers keep of it (its dossier, 一户一档),
each shown only to those who may open it (issue 15 §4: the customer page links to its dossier).
Those apps register a source from their AppConfig.ready(); customers never imports them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerLink:
    """One line of the customer's page: `label` (客户档案) and a link `text` to `url`; `kind` names
    it for the page (data-link)."""

    kind: str
    label: str
    text: str
    url: str


# Each source takes (user, customer) and returns a list of CustomerLink, in a fixed number of queries.
CUSTOMER_LINK_SOURCES: list[Callable] = []


def customer_links_register(source: Callable) -> None:
    """Add an app's links to customer_links (idempotent)."""
    if source not in CUSTOMER_LINK_SOURCES:
        CUSTOMER_LINK_SOURCES.append(source)


def customer_links(user, customer) -> list[CustomerLink]:
    return [link for source in CUSTOMER_LINK_SOURCES for link in source(user, customer)]
