"""Exporting customer data needs a right (seed 004 part 4 §3): a managing role, or an approved
export request; every export is recorded with its row count and the right it used."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from approvals.models import TaskStatus
from customers.models import CustomerExport, ExportPermit
from dossiers.models import ExportRequest, ReadRequestStatus
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_user):
    sales = DepartmentFactory(code="sales")
    return {
        "sales": make_user(Role.SALES, department=sales, username="seller"),
        "manager": make_user(Role.DEPARTMENT_MANAGER, department=sales, username="boss"),
        "other_manager": make_user(Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="east"), username="east"),
    }


def test_export_is_refused_without_the_right_and_sends_the_person_to_ask_for_it(office, client_for):
    client = client_for(office["sales"])
    response = client.get(reverse("customers:export"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:export_request_create")
    assert not CustomerExport.objects.exists()
    listing = client.get(reverse("customers:list")).content.decode()
    assert 'data-action="export-request"' in listing and 'data-action="export"' not in listing


def test_a_manager_exports_on_their_role_and_the_export_is_recorded(office, client_for):
    response = client_for(office["manager"]).get(reverse("customers:export"), {"grade": "A"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    export = CustomerExport.objects.get()
    assert (export.user, export.through, export.filters) == (office["manager"], "", "grade=A")


def test_an_export_request_approved_by_the_department_manager_opens_the_export(office, client_for):
    seller = client_for(office["sales"])
    response = seller.post(reverse("dossiers:export_request_create"), {"purpose": "季度客户回访名单"})
    request = ExportRequest.objects.get()
    assert response["Location"] == reverse("dossiers:export_request", args=[request.pk])

    # Another department's manager has no say; the requester's own manager signs.
    refused = client_for(office["other_manager"]).post(
        reverse("dossiers:export_request_decide", args=[request.pk]), {"decision": "approve"}
    )
    assert refused.status_code == 404
    client_for(office["manager"]).post(
        reverse("dossiers:export_request_decide", args=[request.pk]), {"decision": "approve", "comment": "同意"}
    )
    request.refresh_from_db()
    assert request.status == ReadRequestStatus.APPROVED
    page = client_for(office["manager"]).get(reverse("dossiers:export_request", args=[request.pk])).content.decode()
    assert f'data-step-status="{TaskStatus.APPROVED}"' in page

    response = client_for(office["sales"]).get(reverse("customers:export"))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    export = CustomerExport.objects.get()
    assert (export.user, export.through, export.rows) == (office["sales"], request.number, 0)


def test_a_refused_export_request_opens_nothing(office, client_for):
    client_for(office["sales"]).post(reverse("dossiers:export_request_create"), {"purpose": "名单"})
    request = ExportRequest.objects.get()
    manager = client_for(office["manager"])
    manager.post(reverse("dossiers:export_request_decide", args=[request.pk]), {"decision": "reject"})
    request.refresh_from_db()
    assert request.status == ReadRequestStatus.REQUESTED  # a refusal needs a reason
    manager.post(
        reverse("dossiers:export_request_decide", args=[request.pk]), {"decision": "reject", "comment": "无必要"}
    )
    request.refresh_from_db()
    assert request.status == ReadRequestStatus.REJECTED
    assert not ExportPermit.objects.exists()
    assert client_for(office["sales"]).get(reverse("customers:export")).status_code == 302


def test_a_manager_is_told_they_need_no_export_request(office, client_for):
    response = client_for(office["manager"]).post(reverse("dossiers:export_request_create"), {"purpose": "名单"})
    assert response.status_code == 200
    assert "无需申请" in response.content.decode()
    assert not ExportRequest.objects.exists()
