import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def serialized_database(django_db_setup, django_db_blocker):
    """Django's copy of the migrated data (role groups, retention periods…) kept on the
    connection object; taken before Playwright starts (see `page`)."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def browser(serialized_database):
    """Debian's Chromium driven by Playwright (no browser download is possible here)."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the test command installs it with apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        # From here on the tests run in Playwright's greenlet context, where Django's connection
        # object is a new one, without the serialized copy `serialized_rollback` restores the
        # migrated data from (roles, retention periods…): hand it over.
        from django.db import connection

        if serialized_database is not None and not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = serialized_database
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
