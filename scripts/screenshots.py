"""Take the README's screenshots from a running server (make run), with Debian's Chromium.

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

PAGES = [
    ("sales1", "/", "dashboard.png"),
    ("deptmgr1", "/customers/", "customer-list.png"),
    ("clerk", "/lending/register/borrow/", "borrow-register.png"),
    ("gm", "/audit/", "audit.png"),
    ("clerk", "/lending/desk/", "desk.png"),
]
# (user, list page, link to follow, file): the first row's page of a list.
FIRST_ROW_PAGES = [
    ("deptmgr1", "/customers/", "customer-detail.png"),
    ("clerk", "/dossiers/?status=formal", "dossier-detail.png"),
]


def sign_in(page, username):
    page.goto(BASE + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-2026")
    page.click("button.primary")
    page.wait_for_load_state()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for username, path, filename in PAGES:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page = context.new_page()
            sign_in(page, username)
            page.goto(BASE + path)
            page.screenshot(path=str(OUT / filename), full_page=False)
            context.close()
        for username, path, filename in FIRST_ROW_PAGES:
            context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
            page = context.new_page()
            sign_in(page, username)
            page.goto(BASE + path)
            page.click("table.list tbody tr:first-child a")
            page.wait_for_load_state()
            page.screenshot(path=str(OUT / filename), full_page=False)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
