import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SAMPLE_ARGUMENTS = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}
# Pages that must be reachable without signing in.
# The health check answers a monitor, which never signs in (tests/test_health.py).
# The API's description and its documentation page hold no data (the API itself answers 401 without
# a key or a session: tests/api/test_api.py).
PUBLIC_URL_NAMES = {"login", "set_language", "admin:login", "healthz", "api:schema", "api:docs"}


def every_url_path(patterns=None, prefix="", namespace=""):
    """Yield (url name, sample path) for every path() route of the project, with sample arguments."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner_namespace = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            route = getattr(pattern.pattern, "_route", None)
            if route is None:
                continue  # a regex include: none in this project but admin's app index
            yield from every_url_path(pattern.url_patterns, prefix + route, inner_namespace)
        elif isinstance(pattern, URLPattern):
            route = getattr(pattern.pattern, "_route", None)
            if route is None:
                continue
            path = prefix + route
            for name, converter in pattern.pattern.converters.items():
                converter_name = type(converter).__name__.replace("Converter", "").lower()
                path = path.replace(f"<{converter_name}:{name}>", SAMPLE_ARGUMENTS.get(converter_name, "1"))
                path = path.replace(f"<{name}>", "x")
            yield f"{namespace}{pattern.name}", "/" + path


def test_every_url_sends_anonymous_visitors_to_a_login_page(client):
    checked = 0
    for name, path in every_url_path():
        if name in PUBLIC_URL_NAMES:
            continue
        response = client.get(path)
        if name.startswith("api:"):  # the API answers in JSON, without a redirect and without data
            assert response.json()["code"] in ("not_authenticated", "not_found"), f"{name} {path}"
            continue
        assert response.status_code == 302, f"{name} {path} answered {response.status_code}"
        assert "/login/" in response["Location"], f"{name} {path} redirected to {response['Location']}"
        checked += 1
    assert checked > 10  # the walk really found the project's pages


def test_login_page_is_served_to_anonymous_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_a_user_signs_in_and_reaches_the_dashboard(client, make_user):
    make_user(Role.SALES, username="lin")
    response = client.post(reverse("login"), {"username": "lin", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "销售/业务人员" in response.content.decode()


def test_wrong_password_shows_a_message_on_the_form(client, make_user):
    make_user(username="lin")
    response = client.post(reverse("login"), {"username": "lin", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_even_for_the_right_password(client, make_user, settings):
    make_user(username="lin")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lin", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "lin", "password": PASSWORD})
    assert response.status_code == 429
    assert "账户已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_user_does_not_lock_another_at_another_address(client, make_user, settings):
    make_user(username="lin")
    make_user(username="wang")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lin", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302


def test_failures_for_one_username_from_many_addresses_lock_that_username(client, make_user, settings):
    make_user(username="lin")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lin", "password": "wrong"}, REMOTE_ADDR=f"10.0.1.{attempt}")
    response = client.post(reverse("login"), {"username": "lin", "password": PASSWORD}, REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_for_many_usernames_from_one_address_lock_that_address(client, make_user, settings):
    make_user(username="wang")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess{attempt}", "password": "wrong"}, REMOTE_ADDR="10.0.3.1")
    locked = client.post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.0.3.1")
    assert locked.status_code == 429
    elsewhere = client.post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.0.3.2")
    assert elsewhere.status_code == 302


def test_fewer_failures_than_the_limit_lock_nobody(client, make_user, settings):
    make_user(username="lin")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "lin", "password": "wrong"}, REMOTE_ADDR=f"10.0.4.{attempt}")
    response = client.post(reverse("login"), {"username": "lin", "password": PASSWORD}, REMOTE_ADDR="10.0.4.1")
    assert response.status_code == 302


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_an_overlong_username_is_an_error_on_the_form_not_a_500(url_name, client, make_user):
    make_user(username="lin")
    response = client.post(reverse(url_name), {"username": "l" * 300, "password": "wrong"})
    assert response.status_code == 200
    [error] = response.context["form"].errors["username"]
    assert "150" in error  # Django's "at most 150 characters", in Chinese


def test_logout_ends_the_session(client_for, make_user):
    client = client_for(make_user())
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_change_requires_the_old_password_and_takes_effect(client_for, make_user, client):
    user = make_user(username="lin")
    signed_in = client_for(user)
    refused = signed_in.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Another-Pass-2026", "new_password2": "Another-Pass-2026"},
    )
    assert refused.status_code == 200
    assert "旧密码" in refused.content.decode()
    accepted = signed_in.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-Pass-2026", "new_password2": "Another-Pass-2026"},
    )
    assert accepted.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Pass-2026")
