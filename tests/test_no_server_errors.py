"""Bad input gets a clear message, never a 500: every page (ids filled with 1), for every role,
with junk in every usual query parameter."""

import pytest

from accounts.roles import Role
from tests.accounts.test_login import every_url_path

pytestmark = pytest.mark.django_db

# No control characters: those are refused before any view (crm_archive.middleware, tested in
# tests/test_error_pages.py), and this junk must reach the views.
JUNK = {
    "page": "99999999999999999999999",
    "per_page": "-3",
    "q": "x' OR 1=1 --",
    "status": "no-such-status",
    "department": "abc",
    "borrower": "999999",
    "date_from": "2026-02-30",
    "date_to": "yesterday",
    "overdue": "maybe",
    "grade": "Z",
    "owner": "-1",
    "filing_year": "year",
    "cabinet": "x",
    "due": "someday",
    "sort": "password",
    "user": "1; DROP TABLE",
    "customer": "%_\\",
    "dossier": "abc",
    "person": "1e3",
    "kind": "nope",
    "action": "drop",
    "record": "J' OR 1=1",
}


@pytest.mark.parametrize("role", list(Role))
def test_no_page_answers_500_to_junk_parameters(role, make_user, client_for, archive):
    client = client_for(make_user(role))
    checked = 0
    for name, path in every_url_path():
        if name.startswith("admin:") or name in ("logout", "set_language"):
            continue
        response = client.get(path, JUNK)
        assert response.status_code < 500, f"{name} {path} answered {response.status_code}"
        checked += 1
    assert checked > 15
