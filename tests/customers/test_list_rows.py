"""Issue 16: the rows of the longest lists are written by Jinja2 (crm_archive/jinja.py) inside
pages that are Django templates. They must read as the Django templates did: escaped, in the
reader's language, on Shanghai's clock, a missing value written as nothing, forms that post."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.template import engines
from django.urls import reverse

from customers import followups
from customers.models import Customer, SecrecyTier

from .factories import CustomerFactory, DealFactory, InteractionFactory
from .html import body_rows, section

pytestmark = pytest.mark.django_db

# 2 March 2026, 09:30 in Shanghai (01:30 UTC).
MORNING = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def customer_rows(client, **params) -> list[str]:
    page = client.get(reverse("customers:list"), params).content.decode()
    return body_rows(re.search(r'<table class="list" data-list="customers">.*?</table>', page, re.S).group(0))


def test_a_customer_name_holding_markup_is_written_as_text(people, client_for):
    CustomerFactory(name='<img src=x onerror="alert(1)"> & 甲', owner=people["owner"])
    page = client_for(people["owner"]).get(reverse("customers:list")).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=" in page and "&gt; &amp; 甲" in page
    assert customer_rows(client_for(people["owner"]))[0].startswith('<img src=x onerror="alert(1)"> & 甲 ')


def test_a_rows_date_is_the_day_in_shanghai(people, client_for, clock):
    clock.move_to(datetime(2026, 3, 1, 17, 30, tzinfo=UTC))  # 2 March, 01:30 in Shanghai
    CustomerFactory(name="甲公司", owner=people["owner"])
    (row,) = customer_rows(client_for(people["owner"]))
    assert row.endswith(" 2026-03-02")


def test_the_rows_speak_the_readers_language(people, client_for):
    client = client_for(people["owner"])
    client.cookies["django_language"] = "en"
    assert customer_rows(client) == ["No customer matches."]

    customer = CustomerFactory(name="甲公司", owner=people["owner"], secrecy_tier=SecrecyTier.PERSONAL)
    deal = DealFactory(customer=customer, signed_on=date(2026, 2, 27))  # first follow-up due 2 March
    followups.on_record_saved(deal, by=people["owner"], created=True)
    page = client.get(reverse("customers:follow_ups"), {"list": "due"}).content.decode()
    (row,) = body_rows(section(page, "due"))
    assert "甲公司" in row and ", step 1" in row and row.endswith("Record follow-up")
    assert "登记回访" not in page and "第 1 次" not in page


def test_a_next_action_marked_done_from_its_list_posts_with_the_pages_csrf_token(people, client_for):
    customer = CustomerFactory(name="甲公司", owner=people["owner"], secrecy_tier=SecrecyTier.PERSONAL)
    interaction = InteractionFactory(
        customer=customer, next_action="寄送样品", next_action_on=date(2026, 3, 1), occurred_at=MORNING - timedelta(1)
    )
    client = client_for(people["owner"])
    client.handler.enforce_csrf_checks = True
    page = client.get(reverse("customers:follow_ups"), {"list": "next-actions"}).content.decode()
    rows = section(page, "next-actions")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', rows).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', rows).group(1)
    assert action == reverse("customers:next_action_done", args=[customer.pk, interaction.pk])

    refused = client.post(action, {"next": "/"})
    assert refused.status_code == 403
    done = client.post(action, {"next": "/", "csrfmiddlewaretoken": token})
    assert done.status_code == 302
    interaction.refresh_from_db()
    assert interaction.next_action_done_at is not None


def test_a_missing_value_in_a_rows_template_is_written_as_nothing():
    rows = engines["jinja2"].from_string("[{{ row.owner.name }}|{{ absent.anything }}|{{ row.name }}]")
    assert rows.render({"row": Customer(name="<甲>")}) == "[||&lt;甲&gt;]"


def test_a_dossier_row_is_escaped_and_an_unnumbered_one_says_so_in_the_readers_language(
    archive, open_dossier, client_for
):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    customer.name = "<乙> & 丙"
    customer.save()
    dossier = open_dossier()
    client = client_for(archive["people"]["clerk"])
    page = client.get(reverse("dossiers:list")).content.decode()
    row = re.search(rf'<tr data-dossier="{dossier.pk}".*?</tr>', page, re.S).group(0)
    assert "（未编号）" in row and "&lt;乙&gt; &amp; 丙" in row and "<乙>" not in row

    client.cookies["django_language"] = "en"
    page = client.get(reverse("dossiers:list")).content.decode()
    row = re.search(rf'<tr data-dossier="{dossier.pk}".*?</tr>', page, re.S).group(0)
    assert "(unnumbered)" in row and "未编号" not in row


def test_the_read_log_writes_a_dash_for_no_department_and_no_grant(archive, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    reader = archive["people"]["owner"]
    reader.department = None
    reader.save()
    client_for(reader).get(reverse("customers:detail", args=[customer.pk]))  # logged as read
    page = client_for(archive["people"]["general_manager"]).get(reverse("customers:read_log")).content.decode()
    rows = body_rows(re.search(r'<table class="list" data-list="read-log">.*?</table>', page, re.S).group(0))
    assert any(row.startswith("2026-03-02 09:30:00 ") and f" — {customer.name} " in row for row in rows), rows
    assert rows[0].endswith(" —")
