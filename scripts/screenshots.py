"""Take the documentation's screenshots from a running demo server (make run), with Debian's
Chromium: every main page in Chinese (docs/screenshots/zh/) and in English (docs/screenshots/en/),
and a few pages at phone width (docs/screenshots/phone/).

.venv/bin/python scripts/screenshots.py http://127.0.0.1:8000
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# (user, page, file, follow): `follow` is a link to click first (the first row of a list).
PAGES = [
    ("gm", "/", "dashboard-general-manager.png", None),
    ("clerk", "/", "dashboard-clerk.png", None),
    ("sales1", "/", "dashboard-sales.png", None),
    ("deptmgr1", "/customers/", "customer-list.png", None),
    ("deptmgr1", "/customers/", "customer-detail.png", "table.list tbody tr:first-child a"),
    ("clerk", "/dossiers/", "dossier-list.png", None),
    ("clerk", "/dossiers/?status=formal", "dossier-detail.png", "table.list tbody tr:first-child a"),
    ("clerk", "/lending/desk/", "desk.png", None),
    ("clerk", "/lending/register/borrow/", "borrow-register.png", None),
    ("gm", "/lending/reports/", "monthly-report.png", "table.list tbody tr:first-child a"),
    ("gm", "/dossiers/statistics/", "statistics.png", None),
    ("deptmgr2", "/approvals/", "approvals-inbox.png", None),
    ("csmgr", "/destruction/", "destruction-list.png", "table.list tbody tr:first-child a"),
    ("sales1", "/customers/follow-ups/", "follow-ups.png", None),
    ("gm", "/audit/", "audit.png", None),
]
PHONE_PAGES = [
    ("sales1", "/", "dashboard.png"),
    ("deptmgr1", "/customers/", "customer-list.png"),
]


def sign_in(page, username):
    page.goto(BASE + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-2026")
    page.click("button.primary")
    page.wait_for_load_state()


def shoot(browser, *, language, viewport, username, path, target, follow=None, full_page=False):
    context = browser.new_context(viewport=viewport, locale="zh-CN" if language == "zh-hans" else "en-US")
    context.add_cookies([{"name": "django_language", "value": language, "url": BASE}])
    page = context.new_page()
    sign_in(page, username)
    page.goto(BASE + path)
    if follow:
        page.click(follow)
        page.wait_for_load_state()
    page.wait_for_timeout(300)  # charts are drawn after DOMContentLoaded
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=full_page)
    context.close()


def main():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for language, folder in (("zh-hans", "zh"), ("en", "en")):
            for username, path, filename, follow in PAGES:
                shoot(
                    browser,
                    language=language,
                    viewport={"width": 1366, "height": 900},
                    username=username,
                    path=path,
                    target=OUT / folder / filename,
                    follow=follow,
                )
        for username, path, filename in PHONE_PAGES:
            shoot(
                browser,
                language="zh-hans",
                viewport={"width": 390, "height": 844},
                username=username,
                path=path,
                target=OUT / "phone" / filename,
                full_page=True,
            )
        browser.close()


if __name__ == "__main__":
    main()
