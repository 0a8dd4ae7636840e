"""Hostile form posts: every page that accepts a POST, for every role, gets junk in every field it
shows (and a few it does not) — NUL and control characters, 100k-character pastes, `1e3`, year 1,
huge numbers — and answers a page or a redirect, never a 500."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from customers.models import SecrecyTier
from lending import services as lending_services
from lending.models import LoanKind
from tests.accounts.test_login import every_url_path
from tests.approving import approve_loan_fully

# The sample ids of every_url_path are 1: with the sequences reset, the first row of each table.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True, serialized_rollback=True)

JUNK_VALUES = [
    "\x00\x01\x1b",
    "长" * 100_000,
    "1e3",
    "0001-01-01T00:00",
    "-99999999999999999999999999",
]
# Fields some views read without showing them on the GET page.
EXTRA_FIELDS = ["keep_1", "reason_1", "complete", "damaged_documents", "next", "kind", "month"]
SKIPPED = {"logout", "set_language", "login", "password_change"}


def field_names(html: str) -> set[str]:
    names = set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', html))
    return names - {"csrfmiddlewaretoken"}


@pytest.fixture
def archive_in_every_state(archive, formal_dossier, open_dossier):
    """Row 1 of the main tables exists: a formal dossier with its documents, a loan out."""
    people = archive["people"]
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    open_dossier(SecrecyTier.DEPARTMENT)
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="参数表", purpose="维修"
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    return archive


# The superuser and the roles whose pages hold most forms (the others' are covered by theirs).
ROLES = [None, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER, Role.SALES, Role.GENERAL_MANAGER]


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "superuser")
def test_no_form_answers_500_to_hostile_posts(role, make_user, client_for, archive_in_every_state):
    user = (
        make_user(username="root", is_staff=True, is_superuser=True)
        if role is None
        else make_user(role, department=archive_in_every_state["people"]["owner"].department)
    )
    client = client_for(user)
    posted = 0
    for name, path in every_url_path():
        if name.startswith("admin:") or name in SKIPPED:
            continue
        page = client.get(path)
        shows_a_page = page.status_code == 200 and not page.streaming
        names = field_names(page.content.decode()) if shows_a_page else set()
        for value in JUNK_VALUES:
            response = client.post(path, dict.fromkeys([*names, *EXTRA_FIELDS], value))
            assert response.status_code < 500, f"{name} {path} answered {response.status_code} to {value[:20]!r}"
            if response.status_code == 405:
                break
            posted += 1
        client_for(user)  # a post may have signed nobody out, but start each page fresh
    assert posted > 20
    assert client.get(reverse("home")).status_code == 200
