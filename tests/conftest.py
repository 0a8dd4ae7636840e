import pytest

from accounts.roles import Role

from .factories import UserFactory


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last: once Playwright runs, the other transactional tests would start in its
    context (see tests/browser/conftest.py)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def make_user(db):
    """make_user(Role.SALES, department=d, username="x") → a saved user holding those roles."""

    def make(*roles: Role, **fields):
        return UserFactory(roles=list(roles), **fields)

    return make


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client signed in as `user` (bypasses axes, which is fine
    for tests that are not about login)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def real_celery_worker(settings):
    """A Celery worker thread consuming from the real Redis broker of the test settings.

    The worker has its own database connection and sees only committed rows, so tests using
    it need `@pytest.mark.django_db(transaction=True, serialized_rollback=True)`. A missing broker fails the test."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from crm_archive.celery import app

    broker_url = settings.CELERY_BROKER_URL
    assert broker_url.startswith("redis://"), f"the worker tests need a Redis broker, not {broker_url}"
    try:
        redis.Redis.from_url(broker_url, socket_timeout=3).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis broker {broker_url} is not reachable: {error}")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, *, timeout=20.0, interval=0.1):
    """Poll `condition()` until it is truthy; returns its last value."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
