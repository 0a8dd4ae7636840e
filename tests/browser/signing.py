"""Signing in through the login page, as a person does; shared by the browser tests."""

from tests.factories import PASSWORD


def sign_in(page, live_server, username, *, ready="[data-role]"):
    """Sign `username` in on `page` and wait for the home page (`ready` shows it is there)."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector(ready)


def signed_in_page(browser, live_server, username, *, width=1366, height=900, language=None):
    """A new browser context (Chinese locale, or the site `language` by its cookie) and a tab in it
    with `username` signed in: (context, page); the caller closes the context."""
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    if language:
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, username)
    return context, page
