"""Labels end in the reader's language's colon (issue 15 §7): 客户名称： in Chinese, "Name:" in English,
on the product's forms and on Django's own (the password change)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from crm_archive.forms import Form, label_suffix

pytestmark = pytest.mark.django_db


def labels(page: str) -> list[str]:
    return re.findall(r"<label[^>]*>([^<]*)</label>", page)


def test_a_product_form_ends_its_labels_in_a_full_width_colon_in_chinese(archive, client_for):
    page = client_for(archive["people"]["owner"]).get(reverse("lending:request")).content.decode()
    assert "档号：" in labels(page)
    assert not [label for label in labels(page) if label.endswith(":")]


def test_the_same_form_ends_its_labels_in_a_colon_in_english(archive, client_for):
    client = client_for(archive["people"]["owner"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("lending:request")).content.decode()
    assert "Archive number:" in labels(page)
    assert not [label for label in labels(page) if label.endswith("：")]


def test_djangos_own_password_form_follows_the_language_too(archive, client_for):
    client = client_for(archive["people"]["owner"])
    assert "旧密码：" in labels(client.get(reverse("password_change")).content.decode())
    client.cookies["django_language"] = "en"
    assert "Old password:" in labels(client.get(reverse("password_change")).content.decode())


def test_the_suffix_is_chosen_when_the_form_is_made():
    with translation.override("zh-hans"):
        assert label_suffix() == "：" and Form().label_suffix == "："
    with translation.override("en"):
        assert label_suffix() == ":" and Form().label_suffix == ":"
