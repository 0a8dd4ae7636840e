"""A filter left open says 全部 (All), on every list with filters, in both languages."""

import pytest
from django.urls import reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db

LISTS = [
    reverse("customers:list"),
    reverse("dossiers:list"),
    reverse("lending:register", kwargs={"kind": "borrow"}),
]


@pytest.mark.parametrize("url", LISTS)
def test_an_open_filter_reads_all_not_dashes(url, client_for, make_user):
    client = client_for(make_user(Role.GENERAL_MANAGER))
    page = client.get(url).content.decode()
    assert '<option value="" selected>全部</option>' in page
    assert "---------" not in page
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert '<option value="" selected>All</option>' in page
