"""The approvals inbox (待我审批) and the deputies page (审批代理), as their users see them."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from approvals.models import Deputy, RequestKind
from approvals.services import deputy_appoint, subject_for_customer
from customers.models import SecrecyTier

from .conftest import open_request, shanghai, sign

pytestmark = pytest.mark.django_db

INBOX = reverse("approvals:inbox")
DEPUTIES = reverse("approvals:deputies")
TRIP = {"starts_on": date(2026, 6, 8), "ends_on": date(2026, 6, 12), "reason": "出差"}


@pytest.fixture
def outsiders_read(archive, people):
    open_request(RequestKind.READ, subject_for_customer(people["outsider"], archive["customers"][SecrecyTier.PERSONAL]))
    return people


def test_the_inbox_lists_a_waiting_step_for_its_approver(outsiders_read, client_for):
    response = client_for(outsiders_read["outsider_manager"]).get(INBOX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "T-1" in html
    assert 'href="/requests/read/1/"' in html


def test_the_inbox_does_not_list_a_step_not_yet_due(outsiders_read, client_for):
    response = client_for(outsiders_read["general_manager"]).get(INBOX)

    assert response.status_code == 200
    assert "T-1" not in response.content.decode()
    assert "没有待您审批的申请。" in response.content.decode()


def test_the_inbox_moves_on_with_the_chain(outsiders_read, client_for):
    sign(RequestKind.READ, outsiders_read["outsider_manager"])

    assert "T-1" not in client_for(outsiders_read["outsider_manager"]).get(INBOX).content.decode()
    assert "T-1" in client_for(outsiders_read["manager"]).get(INBOX).content.decode()


def test_the_inbox_is_refused_to_a_sales_person_with_no_approver_role(outsiders_read, client_for):
    assert client_for(outsiders_read["owner"]).get(INBOX).status_code == 403


def test_a_deputy_without_an_approver_role_of_their_own_sees_the_inbox_while_deputising(
    outsiders_read, client_for, make_user
):
    people = outsiders_read
    assistant = make_user(Role.SALES, department=people["outsider"].department, username="assistant")
    deputy_appoint(principal=people["outsider_manager"], deputy=assistant, **TRIP)

    response = client_for(assistant).get(INBOX)
    assert response.status_code == 200
    assert "T-1" in response.content.decode()
    with time_machine.travel(shanghai(2026, 6, 13), tick=False):
        assert client_for(assistant).get(INBOX).status_code == 403


def test_a_manager_appoints_a_deputy_through_the_form(people, client_for):
    client = client_for(people["manager"])
    assert client.get(DEPUTIES).status_code == 200

    response = client.post(
        DEPUTIES,
        {"deputy": people["colleague"].pk, "starts_on": "2026-06-15", "ends_on": "2026-06-19", "reason": "休假"},
        follow=True,
    )

    assert response.redirect_chain == [(DEPUTIES, 302)]
    appointment = Deputy.objects.get()
    assert (appointment.principal, appointment.deputy, appointment.starts_on, appointment.ends_on) == (
        people["manager"],
        people["colleague"],
        date(2026, 6, 15),
        date(2026, 6, 19),
    )
    assert "2026-06-15 – 2026-06-19" in response.content.decode()


def test_a_delegation_ending_before_it_starts_is_shown_as_a_form_error(people, client_for):
    response = client_for(people["manager"]).post(
        DEPUTIES,
        {"deputy": people["colleague"].pk, "starts_on": "2026-06-19", "ends_on": "2026-06-15", "reason": "休假"},
    )

    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert not Deputy.objects.exists()


def test_a_delegation_already_over_is_refused_with_the_services_message(people, client_for):
    response = client_for(people["manager"]).post(
        DEPUTIES,
        {"deputy": people["colleague"].pk, "starts_on": "2026-06-01", "ends_on": "2026-06-09", "reason": "休假"},
    )

    assert response.status_code == 200
    assert "代理期间已经结束。" in response.content.decode()
    assert not Deputy.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"deputy": "self"}, id="oneself"),
        pytest.param({"deputy": "999999"}, id="nobody"),
        pytest.param({"starts_on": "2026-13-40"}, id="no_such_date"),
        pytest.param({"reason": ""}, id="no_reason"),
    ],
)
def test_a_bad_delegation_form_is_shown_again_without_an_error_page(people, client_for, fields):
    manager = people["manager"]
    data = {"deputy": people["colleague"].pk, "starts_on": "2026-06-15", "ends_on": "2026-06-19", "reason": "休假"}
    data.update(fields)
    if data["deputy"] == "self":
        data["deputy"] = manager.pk

    response = client_for(manager).post(DEPUTIES, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Deputy.objects.exists()


def test_the_deputies_page_is_refused_to_a_sales_person(people, client_for):
    client = client_for(people["owner"])

    assert client.get(DEPUTIES).status_code == 403
    assert client.post(DEPUTIES, {"deputy": people["colleague"].pk, **TRIP}).status_code == 403
    assert not Deputy.objects.exists()


def test_a_manager_cancels_their_own_delegation_and_no_one_elses(people, client_for):
    appointment = deputy_appoint(principal=people["manager"], deputy=people["colleague"], **TRIP)
    cancel = reverse("approvals:deputy_cancel", args=[appointment.pk])

    assert client_for(people["outsider_manager"]).post(cancel).status_code == 404
    assert Deputy.objects.get().cancelled_at is None

    response = client_for(people["manager"]).post(cancel, follow=True)
    assert response.redirect_chain == [(DEPUTIES, 302)]
    assert "代理已撤销。" in response.content.decode()
    assert Deputy.objects.get().cancelled_at is not None
