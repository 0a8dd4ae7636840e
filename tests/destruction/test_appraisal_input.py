"""鉴定: keep-back reasons are validated like every other input; a bad one changes nothing."""

import re

import pytest
from django.urls import reverse

from destruction import services as destruction_services
from destruction.models import DestructionItem, ItemStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_list(archive, destruction_people, expired_dossier):
    dossier = expired_dossier()
    destruction_list = destruction_services.destruction_list_draft(
        by=archive["people"]["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    return destruction_services.destruction_list_submit(destruction_list, by=archive["people"]["clerk"])


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("长" * 301, "300"),
        ("\x00", "保留条目时请写明原因。"),
        ("", "保留条目时请写明原因。"),
    ],
    ids=["too-long", "only-a-nul", "empty"],
)
def test_a_bad_keep_back_reason_is_refused_and_the_list_is_unchanged(
    destruction_people, submitted_list, client_for, reason, message
):
    item = submitted_list.items.get()
    client = client_for(destruction_people["cs_manager"])
    response = client.post(
        reverse("destruction:appraise", args=[submitted_list.pk]),
        {f"keep_{item.pk}": "on", f"reason_{item.pk}": reason},
        follow=True,
    )
    assert response.status_code == 200
    assert any(message in text for text in re.findall(r"<li[^>]*>(.*?)</li>", response.content.decode(), re.S))
    item.refresh_from_db()
    submitted_list.refresh_from_db()
    assert item.status == ItemStatus.PROPOSED and submitted_list.cs_appraised_by is None


def test_a_keep_back_of_an_item_id_beyond_any_integer_is_ignored(destruction_people, submitted_list, client_for):
    client = client_for(destruction_people["cs_manager"])
    response = client.post(
        reverse("destruction:appraise", args=[submitted_list.pk]),
        {"keep_99999999999999999999999": "on", "reason_99999999999999999999999": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert DestructionItem.objects.get().status == ItemStatus.PROPOSED


def test_keep_back_with_a_reason_still_works(destruction_people, submitted_list, client_for):
    item = submitted_list.items.get()
    client_for(destruction_people["cs_manager"]).post(
        reverse("destruction:appraise", args=[submitted_list.pk]),
        {f"keep_{item.pk}": "on", f"reason_{item.pk}": "仍有\x07诉讼"},
    )
    item.refresh_from_db()
    assert (item.status, item.reason) == (ItemStatus.KEPT_BACK, "仍有诉讼")
