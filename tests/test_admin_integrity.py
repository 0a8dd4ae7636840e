"""The admin is no side door: destroyed records stay destroyed, evidence is only read, history is
never reverted, nothing is deleted, and a malformed id is a 404 — never a 500."""

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from crm_archive.errors import ActionRefused
from customers.models import Customer, CustomerReadLog, Handover
from customers.services import customer_read_log
from destruction.models import DestructionList, Hold
from dossiers import services as dossier_services
from dossiers.models import BackupKeyUse, Document, Dossier, DossierStatus, VolumeRemarks
from lending.models import Loan, MonthlyReport

pytestmark = pytest.mark.django_db

MALFORMED_IDS = ["abc", "1e3", "99999999999999999999", "-"]


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(superuser, client_for):
    return client_for(superuser)


@pytest.fixture
def destroyed_dossier(archive, formal_dossier):
    """A formal dossier then destroyed, its history holding both versions."""
    dossier = formal_dossier()
    dossier.status, dossier.destroyed_at = DossierStatus.DESTROYED, timezone.now()
    dossier._history_user = archive["people"]["clerk"]
    dossier.save()
    Document.objects.filter(dossier=dossier).update(destroyed_at=dossier.destroyed_at)
    return Dossier.objects.get(pk=dossier.pk)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def admin_form_data(model, instance, superuser):
    """What the admin's form for `instance` would post: its fields, as they are on `instance`."""
    request = RequestFactory().get("/")
    request.user = superuser
    fields = admin.site.get_model_admin(model).get_form(request, instance).base_fields
    data = model_to_dict(instance, fields=list(fields))
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.parametrize("object_id", MALFORMED_IDS)
def test_every_admin_object_page_answers_404_to_a_malformed_id(root_client, object_id):
    for model, model_admin in admin.site._registry.items():
        for view in ("change", "delete", "history"):
            response = root_client.get(url(model, view, object_id))
            assert response.status_code == 404, (model, view, object_id, response.status_code)
        if isinstance(model_admin, SimpleHistoryAdmin):
            for args in ((object_id, 1), (1, object_id)):
                response = root_client.get(url(model, "simple_history", *args))
                assert response.status_code == 404, (model, args, response.status_code)


def test_a_history_page_still_opens_for_a_real_id(root_client, destroyed_dossier):
    assert root_client.get(url(Dossier, "history", destroyed_dossier.pk)).status_code == 200
    version = destroyed_dossier.history.earliest()
    page = root_client.get(url(Dossier, "simple_history", destroyed_dossier.pk, version.history_id))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # nothing to revert with


def test_a_destroyed_dossier_cannot_be_reverted_to_formal_from_its_history(root_client, superuser, destroyed_dossier):
    formal_version = destroyed_dossier.history.filter(status=DossierStatus.FORMAL).latest("history_date")
    response = root_client.post(
        url(Dossier, "simple_history", destroyed_dossier.pk, formal_version.history_id),
        admin_form_data(Dossier, formal_version.instance, superuser),
    )
    assert response.status_code == 403
    assert Dossier.objects.get(pk=destroyed_dossier.pk).status == DossierStatus.DESTROYED


def test_no_record_is_reverted_from_its_history_not_even_a_customer(root_client, superuser, archive):
    customer = archive["customers"]["personal"]
    customer.name, customer._history_user = "改过的名字", superuser
    customer.save()
    first = customer.history.earliest()
    response = root_client.post(
        url(Customer, "simple_history", customer.pk, first.history_id),
        admin_form_data(Customer, first.instance, superuser),
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).name == "改过的名字"


def test_a_destroyed_dossier_is_read_only_in_the_admin(root_client, superuser, destroyed_dossier):
    page = root_client.get(url(Dossier, "change", destroyed_dossier.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = admin_form_data(Dossier, destroyed_dossier, superuser) | {"filing_year": 1999}
    assert root_client.post(url(Dossier, "change", destroyed_dossier.pk), data).status_code == 403
    assert Dossier.objects.get(pk=destroyed_dossier.pk).filing_year != 1999


def test_a_destroyed_document_is_read_only_in_the_admin(root_client, superuser, destroyed_dossier):
    document = destroyed_dossier.documents.first()
    page = root_client.get(url(Document, "change", document.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = admin_form_data(Document, document, superuser) | {"title": "改过的题名"}
    assert root_client.post(url(Document, "change", document.pk), data).status_code == 403
    assert Document.objects.get(pk=document.pk).title != "改过的题名"


def test_the_admin_files_no_document_into_a_destroyed_dossier(root_client, superuser, destroyed_dossier):
    template = destroyed_dossier.documents.first()
    data = admin_form_data(Document, template, superuser) | {"title": "新文件"}
    response = root_client.post(url(Document, "add"), data)
    assert response.status_code == 200
    assert "已销毁的档案不能再归档文件" in response.content.decode()
    assert not Document.objects.filter(title="新文件").exists()


@pytest.fixture
def evidence_rows(archive, formal_dossier):
    people = archive["people"]
    dossier = formal_dossier()
    return {
        CustomerReadLog: customer_read_log(dossier.customer, user=people["owner"]),
        Handover: Handover.objects.create(
            from_user=people["owner"],
            to_user=people["colleague"],
            performed_by=people["manager"],
            customer_count=1,
            reason="调岗",
        ),
        BackupKeyUse: BackupKeyUse.objects.create(
            cabinet=archive["cabinet"],
            used_by=people["general_manager"],
            reason="钥匙遗失",
            recorded_by=people["clerk"],
        ),
        Hold: Hold.objects.create(dossier=dossier, reason="审计", placed_by=people["archive_manager"]),
    }


def test_evidence_is_read_but_never_added_changed_or_deleted_in_the_admin(root_client, superuser, evidence_rows):
    for model, row in evidence_rows.items():
        page = root_client.get(url(model, "change", row.pk))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode(), model
        assert root_client.post(url(model, "change", row.pk), admin_form_data(model, row, superuser)).status_code == 403
        assert root_client.get(url(model, "add")).status_code == 403, model
        assert root_client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403, model
        changelist = root_client.get(url(model, "changelist")).content.decode()
        assert "delete_selected" not in changelist, model
        assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", [Loan, DestructionList, MonthlyReport, Hold])
def test_workflow_records_are_not_created_in_the_admin(root_client, model):
    assert root_client.get(url(model, "add")).status_code == 403
    assert root_client.post(url(model, "add"), {}).status_code == 403


def test_people_are_deactivated_not_deleted_in_the_admin(root_client, archive):
    clerk = archive["people"]["clerk"]
    assert root_client.post(url(type(clerk), "delete", clerk.pk), {"post": "yes"}).status_code == 403
    assert type(clerk).objects.filter(pk=clerk.pk).exists()


# Outside the admin, the services refuse the same edits.


def test_the_archive_services_change_no_destroyed_document(archive, formal_dossier):
    dossier = formal_dossier()
    document = dossier.documents.first()
    Document.objects.filter(pk=document.pk).update(destroyed_at=timezone.now())  # destroyed on its own
    document = Document.objects.get(pk=document.pk)
    document.title = "改过的题名"
    with pytest.raises(ActionRefused, match="此文件已销毁，不能修改"):
        dossier_services.document_save(document, by=archive["people"]["clerk"])
    assert Document.objects.get(pk=document.pk).title != "改过的题名"


def test_the_archive_services_change_nothing_in_a_destroyed_dossier(archive, destroyed_dossier):
    clerk = archive["people"]["clerk"]
    document = destroyed_dossier.documents.first()
    with pytest.raises(ActionRefused, match="已销毁的档案不能再修改"):
        dossier_services.volume_remarks_save(
            dossier=destroyed_dossier, filing_year=document.filing_year, top_secret=False, by=clerk, notes="补记"
        )
    assert not VolumeRemarks.objects.filter(dossier=destroyed_dossier).exists()
    document.title = "改过的题名"
    with pytest.raises(ActionRefused, match="已销毁的档案不能再归档文件"):
        dossier_services.document_save(document, by=clerk)
    assert Document.objects.get(pk=document.pk).title != "改过的题名"


def test_every_admin_form_of_ours_cleans_its_input_like_the_pages(rf, superuser):
    """Control characters, overlong text and year 1 are refused in the admin as on every page."""
    from django.contrib import admin as django_admin

    from crm_archive.forms import CleanInputMixin

    request = rf.get("/admin/")
    request.user = superuser
    ours = ("accounts", "customers", "approvals", "dossiers", "lending", "destruction")
    unguarded = [
        model.__name__
        for model, model_admin in django_admin.site._registry.items()
        if model._meta.app_label in ours
        and model_admin.has_add_permission(request)
        and not issubclass(model_admin.get_form(request), CleanInputMixin)
    ]
    assert unguarded == []


def test_a_department_added_in_the_admin_loses_its_control_characters(root_client):
    from accounts.models import Department

    response = root_client.post("/admin/accounts/department/add/", {"code": "qa", "name": "质检\x07部\x1b"})
    assert response.status_code == 302
    assert Department.objects.get(code="qa").name == "质检部"


def test_custody_is_not_edited_in_the_admin(root_client, archive, formal_dossier):
    dossier = formal_dossier()
    page = root_client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/").content.decode()
    assert 'name="custody"' not in page
