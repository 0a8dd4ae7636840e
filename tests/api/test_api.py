"""SPEC §10: the REST API under the pages' rules — the same visibility per role and tier, writes in
the history with the integration account as actor, reads in the read log, keys revoked and
expired, throttling, one error shape in the caller's language."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiKey
from customers.models import Customer, CustomerReadLog, Deal
from customers.services import customer_access_grant
from tests.customers.test_access import READS, TIERS  # the role × tier table of the pages

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"


def customer_url(customer) -> str:
    return f"{CUSTOMERS}{customer.pk}/"


@pytest.mark.parametrize("persona", sorted(READS))
def test_the_api_shows_each_role_the_customers_its_pages_show(persona, world, api_as, client_for):
    people, customers = world
    api = api_as(people[persona])
    page = client_for(people[persona])
    listed = {row["name"] for row in api.get(CUSTOMERS).json()["results"]}
    assert listed == {customers[tier].name for tier in READS[persona]}
    for tier in TIERS:
        customer = customers[tier]
        page_status = page.get(reverse("customers:detail", args=[customer.pk])).status_code
        api_status = api.get(customer_url(customer)).status_code
        assert (page_status, api_status) == ((200, 200) if tier in READS[persona] else (404, 404)), tier


def test_a_record_the_caller_may_not_read_is_a_404_in_the_one_error_shape(world, api_as):
    people, customers = world
    response = api_as(people["colleague"]).get(customer_url(customers["personal"]))
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "message": response.json()["message"]}
    assert response.json()["message"]


def test_reads_are_logged_with_the_integration_account(world, api_as):
    people, customers = world
    erp = people["general_manager"]
    api = api_as(erp)
    customer = customers["company"]
    assert api.get(customer_url(customer)).status_code == 200
    assert CustomerReadLog.objects.filter(user=erp, customer=customer, what="api:customer").count() == 1
    api.get(CUSTOMERS)
    assert CustomerReadLog.objects.filter(user=erp, what="api:customers").count() == len(TIERS)
    api.get(f"{customer_url(customer)}contacts/")
    assert CustomerReadLog.objects.filter(user=erp, customer=customer, what="api:contacts").exists()


def test_writes_are_in_the_history_with_the_integration_account_as_actor(world, api_as):
    people, _customers = world
    erp = people["owner"]
    api = api_as(erp)
    response = api.post(
        CUSTOMERS,
        {"name": "华东机电有限公司", "owner": erp.pk, "secrecy_tier": "company", "phone": "021-12345678"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(name="华东机电有限公司")
    assert customer.history.get().history_user == erp
    response = api.patch(customer_url(customer), {"industry": "机械"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["industry"] == "机械"
    assert response.json()["phone"] == "021-12345678"  # what was not sent stays
    latest = customer.history.order_by("-history_id").first()
    assert latest.industry == "机械" and latest.history_user == erp
    response = api.post(
        f"{customer_url(customer)}deals/",
        {"contract_number": "HT-2026-001", "signed_on": "2026-03-01", "amount": "125000.00"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    deal = Deal.objects.get(contract_number="HT-2026-001")
    assert deal.customer == customer
    if hasattr(deal, "history"):
        assert deal.history.get().history_user == erp


def test_a_write_the_page_would_refuse_is_refused_naming_the_field(world, api_as):
    people, customers = world
    api = api_as(people["owner"], language="en")
    response = api.patch(
        customer_url(customers["personal"]),
        {"postcode": "12", "founded_on": False, "name": {"x": 1}},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    # A non-scalar value, or true/false for a date, is refused before the form.
    assert set(body["fields"]) == {"name", "founded_on"}
    response = api.patch(
        customer_url(customers["personal"]),
        {"postcode": "12", "founded_on": "0001-01-01"},
        content_type="application/json",
    )
    body = response.json()
    assert set(body["fields"]) == {"postcode", "founded_on"}
    assert "postcode" in body["message"] and "founded_on" in body["message"]
    assert all(message.isascii() for messages in body["fields"].values() for message in messages)  # English
    assert Customer.objects.get(pk=customers["personal"].pk).postcode == ""  # nothing stored


def test_someone_who_reads_but_does_not_keep_a_profile_may_not_change_it(world, api_as):
    people, customers = world
    api = api_as(people["marketing_director"])
    response = api.patch(customer_url(customers["department"]), {"industry": "x"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_errors_speak_the_callers_language(world, api_as):
    people, customers = world
    chinese = api_as(people["colleague"]).get(customer_url(customers["personal"])).json()["message"]
    english = api_as(people["colleague"], language="en").get(customer_url(customers["personal"])).json()["message"]
    assert chinese != english and english.isascii() and not chinese.isascii()


def test_a_revoked_or_expired_key_is_refused(world):
    people, customers = world
    revoked, revoked_key = ApiKey.issue(user=people["owner"], name="ERP", expires_at=timezone.now() + timedelta(days=1))
    assert Client(HTTP_AUTHORIZATION=f"Token {revoked_key}").get(CUSTOMERS).status_code == 200
    revoked.revoke()
    response = Client(HTTP_AUTHORIZATION=f"Token {revoked_key}").get(CUSTOMERS)
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    _expired, expired_key = ApiKey.issue(
        user=people["owner"], name="ERP", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client(HTTP_AUTHORIZATION=f"Token {expired_key}").get(CUSTOMERS).status_code == 401
    assert Client().get(CUSTOMERS).status_code == 401  # no key at all, and no redirect to the login page


def test_each_key_is_throttled_with_429(world, api_as, settings):
    people, _customers = world
    settings.API_RATE = "3/min"
    api = api_as(people["owner"])
    assert [api.get(CUSTOMERS).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(CUSTOMERS)
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert api_as(people["colleague"]).get(CUSTOMERS).status_code == 200  # another key has its own rate


def test_an_address_guessing_keys_is_throttled_like_a_login(world, settings):
    people, _customers = world
    settings.AXES_FAILURE_LIMIT = 3
    _api_key, good = ApiKey.issue(user=people["owner"], name="ERP", expires_at=timezone.now() + timedelta(days=1))
    guesses = [Client(HTTP_AUTHORIZATION=f"Token guess{n}").get(CUSTOMERS).status_code for n in range(3)]
    assert guesses == [401, 401, 401]
    assert Client(HTTP_AUTHORIZATION=f"Token {good}").get(CUSTOMERS).status_code == 429


@pytest.mark.parametrize("bad_id", ["1e3", "99999999999999999999", "-1", "0x10"])
def test_an_id_that_is_not_one_is_a_404_in_json(bad_id, world, api_as):
    people, _customers = world
    response = api_as(people["general_manager"]).get(f"{CUSTOMERS}{bad_id}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_control_characters_in_a_query_are_a_400_in_json(world, api_as):
    people, _customers = world
    response = api_as(people["general_manager"]).get(CUSTOMERS, {"q": "a\x00b"})
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_a_list_asks_the_same_number_of_queries_whatever_its_size(
    world,
    api_as,
    django_assert_max_num_queries,
):
    people, _customers = world
    api = api_as(people["general_manager"])
    for number in range(60):
        Customer.objects.create(
            name=f"批量客户{number}",
            owner=people["owner"],
            department=people["owner"].department,
            secrecy_tier="company",
        )
    with django_assert_max_num_queries(12):
        response = api.get(CUSTOMERS, {"page_size": 200})
    assert len(response.json()["results"]) == 64
    assert response.json()["next"] is None


def test_the_schema_and_its_documentation_page_are_served():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/v1/customers/" in schema.json()["paths"]
    assert Client().get("/api/docs/").status_code == 200


def test_a_list_read_through_a_request_is_logged_against_it(world, api_as):
    people, customers = world
    colleague, customer = people["colleague"], customers["personal"]
    customer_access_grant(
        customer, user=colleague, until=timezone.now() + timedelta(days=1), reference="CY000042", reason="查阅"
    )
    listed = api_as(colleague).get(CUSTOMERS).json()["results"]
    assert [row["id"] for row in listed] == [customer.pk]
    log = CustomerReadLog.objects.get(user=colleague, what="api:customers")
    assert (log.customer, log.through) == (customer, "CY000042")
    owner_log_count = CustomerReadLog.objects.filter(user=people["owner"]).count()
    api_as(people["owner"]).get(CUSTOMERS)
    assert (
        set(CustomerReadLog.objects.filter(user=people["owner"]).values_list("through", flat=True)) == {""}
        and CustomerReadLog.objects.filter(user=people["owner"]).count() == owner_log_count + 3
    )
