"""Our own error pages, in the reader's language: 400 (also for control characters in an address),
403, 404, 413 (a form post too large) and 500."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse
from django.utils import translation

from accounts.roles import Role
from crm_archive.urls import handler400  # noqa: F401 (the handlers of this test URLconf)
from crm_archive.urls import urlpatterns as project_urlpatterns
from customers.models import Customer, SecrecyTier

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("a bug in a view")


def refusing_view(request):
    raise PermissionDenied


# This module is also the URLconf of the tests marked `urls(__name__)`: the project's pages plus
# one view that fails and one that refuses.
urlpatterns = [path("broken/", broken_view), path("refused/", refusing_view), *project_urlpatterns]


def english(message: str) -> str:
    with translation.override("en"):
        return translation.gettext(message)


def both_languages(message: str):
    return [pytest.param("zh-hans", message, id="zh-hans"), pytest.param("en", message, id="en")]


def test_every_error_page_message_has_its_english():
    messages = ["请求无效", "没有权限", "页面已过期", "页面不存在", "提交的文字太长", "系统出错", "返回上一页"]
    assert [message for message in messages if english(message) == message] == []


def reader(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_page(response, status: int, language: str, message: str):
    html = response.content.decode()
    assert response.status_code == status
    assert f'lang="{"en" if language == "en" else "zh-hans"}"' in html
    with translation.override(language):
        assert translation.gettext(message) in html
    if language == "en":
        assert english(message) != message


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


# 400 and control characters


@pytest.mark.parametrize(("language", "message"), both_languages("请求无效"))
def test_a_nul_byte_in_a_list_filter_answers_the_400_page(language, message, make_user, client_for):
    client = reader(client_for(make_user(Role.SALES)), language)
    assert_page(client.get(reverse("customers:list"), {"q": "a\x00b"}), 400, language, message)


def test_a_nul_byte_in_an_admin_list_filter_answers_400_not_500(superuser, client_for):
    response = client_for(superuser).get("/admin/customers/customer/?name__contains=%00")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


@pytest.mark.parametrize("query", ["?q=%01", "?%1Bkey=1", "?q=a&q=%7F%1F", "?page=%0B"])
def test_other_control_characters_in_the_query_answer_400(query, make_user, client_for):
    response = client_for(make_user(Role.SALES)).get(reverse("customers:list") + query)
    assert response.status_code == 400


def test_a_control_character_in_the_path_answers_400(make_user, client_for, client):
    assert client_for(make_user(Role.SALES)).get("/customers/%00/").status_code == 400
    client.logout()
    assert client.get("/customers/%07").status_code == 400  # before any login redirect


def test_tab_and_line_breaks_in_the_query_are_ordinary_text(make_user, client_for):
    response = client_for(make_user(Role.SALES)).get(reverse("customers:list"), {"q": "a\tb\r\nc"})
    assert response.status_code == 200


# 403


@pytest.mark.parametrize(("language", "message"), both_languages("没有权限"))
def test_a_refused_action_answers_the_403_page(language, message, make_user, client_for):
    client = reader(client_for(make_user(Role.ARCHIVE_CLERK)), language)
    assert_page(client.get(reverse("customers:create")), 403, language, message)


@pytest.mark.parametrize(("language", "message"), both_languages("页面已过期"))
def test_a_form_without_its_security_token_answers_the_expired_page(language, message):
    client = reader(Client(enforce_csrf_checks=True), language)
    assert_page(client.post(reverse("login"), {"username": "x", "password": "y"}), 403, language, message)


# 404


@pytest.mark.parametrize(("language", "message"), both_languages("页面不存在"))
def test_an_unknown_address_answers_the_404_page(language, message, make_user, client_for):
    client = reader(client_for(make_user(Role.SALES)), language)
    assert_page(client.get("/no-such-page/"), 404, language, message)


def test_a_customer_out_of_reach_answers_the_404_page(archive, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    response = client_for(archive["people"]["colleague"]).get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert customer.name not in response.content.decode()


# 413: a form post larger than DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize(("language", "message"), both_languages("提交的文字太长"))
def test_a_huge_paste_into_a_customer_form_answers_the_too_long_page(language, message, archive, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    edit_url = reverse("customers:update", args=[customer.pk])
    client = reader(client_for(archive["people"]["owner"]), language)
    paste = "经营范围" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 12 + 1)  # 3 bytes a character, 9 encoded
    response = client.post(
        edit_url,
        urlencode({"name": customer.name, "business_scope": paste}),
        content_type="application/x-www-form-urlencoded",
        HTTP_REFERER="http://testserver" + edit_url,
    )
    assert_page(response, 413, language, message)
    assert f'href="http://testserver{edit_url}" data-history-back' in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).business_scope == ""


def test_the_too_long_page_never_links_back_to_another_site(archive, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    response = client_for(archive["people"]["owner"]).post(
        reverse("customers:update", args=[customer.pk]),
        "business_scope=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/x-www-form-urlencoded",
        HTTP_REFERER="https://evil.example.com/",
    )
    assert response.status_code == 413
    assert "evil.example.com" not in response.content.decode()


# 500 (self-contained: rendered without a request)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("language", "message"), both_languages("系统出错"))
def test_a_bug_answers_the_500_page(language, message, make_user, client_for):
    client = reader(client_for(make_user(Role.SALES)), language)
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert_page(response, 500, language, message)
    assert "/static/css/app.css" in response.content.decode()
    assert "<script" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_view_refusing_with_permission_denied_answers_the_403_page(make_user, client_for):
    response = client_for(make_user(Role.SALES)).get("/refused/")
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
