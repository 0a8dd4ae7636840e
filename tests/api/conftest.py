"""Integration accounts and their keys for the API tests (SPEC §10)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.models import ApiKey
from tests.customers.test_access import world  # noqa: F401  (the pages' people and one customer per tier)


@pytest.fixture
def api_key_for():
    """api_key_for(user, days=365) → the key (the string a system sends)."""

    def issue(user, *, days=365, name="ERP"):
        _api_key, key = ApiKey.issue(user=user, name=name, expires_at=timezone.now() + timedelta(days=days))
        return key

    return issue


@pytest.fixture
def api_as(api_key_for):
    """api_as(user) → a test client that sends `user`'s API key with every request, as JSON."""

    def client_for(user, *, language="zh-hans"):
        return Client(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}", HTTP_ACCEPT_LANGUAGE=language)

    return client_for


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    """Rate limits and bad-key counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
