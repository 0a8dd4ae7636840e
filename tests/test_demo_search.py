"""What a newcomer meets after `make run`: on the demo data, searches answer results on whichever
database the suite runs (PostgreSQL, and SQLite — the embedded default)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from customers.models import Contact
from customers.secrecy import customers_readable_by
from dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    return get_user_model().objects


def found(client, url_name, query) -> str:
    response = client.get(reverse(url_name), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_sales1_finds_a_customer_by_a_name_fragment_a_contact_and_a_phone(demo, client_for):
    sales1 = demo.get(username="sales1")
    client = client_for(sales1)
    contact = Contact.objects.filter(customer__in=customers_readable_by(sales1)).exclude(mobile="").first()
    customer = contact.customer
    assert customer.phone, "the demo customers have phone numbers"
    assert customer.name in found(client, "customers:list", customer.name[1:3])
    assert customer.name in found(client, "customers:list", contact.name)
    assert customer.name in found(client, "customers:list", contact.mobile[-5:])
    assert customer.name in found(client, "customers:list", customer.phone[-4:])


def test_the_clerk_finds_a_dossier_by_its_archive_number_or_a_part_of_it(demo, client_for):
    dossier = Dossier.objects.exclude(archive_number="").first()
    client = client_for(demo.get(username="clerk"))
    assert dossier.archive_number in found(client, "dossiers:list", dossier.archive_number)
    assert dossier.archive_number in found(client, "dossiers:list", dossier.archive_number[-6:])
