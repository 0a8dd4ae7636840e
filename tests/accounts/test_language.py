import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_in_simplified_chinese_by_default(client_for, make_user):
    html = client_for(make_user()).get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "首页" in html and "退出" in html


def test_switching_to_english_changes_the_page_language(client_for, make_user):
    client = client_for(make_user())
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Home" in html and "Sign out" in html
    assert "退出" not in html


def test_the_language_can_be_switched_before_signing_in(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()


def test_the_language_menu_names_each_language_in_itself(client_for, make_user):
    client = client_for(make_user())
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert ">简体中文</option>" in page and ">English</option>" in page
