"""Details of issue 15 (§4, §7): retention names read in the reader's language, the customer page and
its dossier link to each other where the reader may open the other, a bad month keeps what was
typed, and the forms that stood apart (备考表, the appraisal's reasons) look like the others."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from customers.models import Customer, SecrecyTier
from destruction import services as destruction_services
from destruction.models import DestructionItem
from dossiers import models as dossier_models
from dossiers.models import Document, Dossier, RetentionPeriod, retention_label
from tests.customers.html import element, errors, text

pytestmark = pytest.mark.django_db


# Retention names ---------------------------------------------------------------------------


def test_retention_names_are_built_from_translatable_strings(monkeypatch):
    """The seeded names are data in Chinese; what a reader sees is gettext's 永久 or ngettext's
    定期%(years)d年 (the English text is the lead's to add to locale/, so a stand-in catalogue
    shows here that it is used)."""
    english = {"永久": "Permanent", "定期%(years)d年": "%(years)d years"}
    monkeypatch.setattr(dossier_models, "gettext", lambda message: english.get(message, message))
    monkeypatch.setattr(
        dossier_models, "ngettext", lambda singular, plural, number: english.get(plural if number != 1 else singular)
    )
    assert {period.code: str(period) for period in RetentionPeriod.objects.all()} == {
        "D10": "10 years",
        "D30": "30 years",
        "Y": "Permanent",
    }
    assert retention_label("长期（内部规定）") == "长期（内部规定）"  # a name an administrator wrote stays as written


def test_retention_names_read_as_before_in_chinese():
    with translation.override("zh-hans"):
        assert str(RetentionPeriod.objects.get(code="D30")) == "定期30年"
        assert str(RetentionPeriod.objects.get(code="Y")) == "永久"


def test_a_destruction_item_shows_its_copied_retention_through_the_same_label(monkeypatch):
    monkeypatch.setattr(dossier_models, "ngettext", lambda singular, plural, number: f"{number} years")
    assert DestructionItem(retention="定期10年").retention_display == "10 years"


# Customer <-> dossier ----------------------------------------------------------------------


def customer_page(client, customer):
    return client.get(reverse("customers:detail", args=[customer.pk]))


def test_the_customer_page_links_to_its_dossier_and_the_dossier_back(archive, formal_dossier, client_for):
    people = archive["people"]
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    client = client_for(people["owner"])
    page = customer_page(client, dossier.customer).content.decode()
    link = element(page, "data-link", "dossier", tag="dd")
    assert f'href="{reverse("dossiers:detail", args=[dossier.pk])}"' in link
    assert dossier.archive_number in text(link)
    back = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert f'href="{reverse("customers:detail", args=[dossier.customer_id])}"' in back


def test_the_dossier_page_names_a_customer_the_reader_may_not_open_without_a_link(archive, formal_dossier, client_for):
    people = archive["people"]
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    clerk = client_for(people["clerk"])  # sees every dossier's metadata, not a personal customer
    assert customer_page(clerk, dossier.customer).status_code == 404
    page = clerk.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert dossier.customer.name in page
    assert reverse("customers:detail", args=[dossier.customer_id]) not in page


def test_a_temporary_dossier_is_linked_too_and_a_customer_without_one_links_nothing(archive, open_dossier, client_for):
    people = archive["people"]
    dossier = open_dossier(SecrecyTier.PERSONAL)
    client = client_for(people["owner"])
    link = element(customer_page(client, dossier.customer).content.decode(), "data-link", "dossier", tag="dd")
    assert "临时档案" in text(link)
    owner = people["owner"]
    bare = Customer.objects.create(
        name="无档案客户", owner=owner, department=owner.department, secrecy_tier=SecrecyTier.PERSONAL
    )
    assert 'data-link="dossier"' not in customer_page(client, bare).content.decode()


# A bad month -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2026-13", "26-11"])
def test_a_bad_month_comes_back_as_typed_text_beside_its_message(make_user, client_for, typed):
    """A month picker (type=month) would empty a value it cannot read: the page gives it back as
    plain text, so what was typed stays in the box with the message."""
    manager = make_user(Role.DEPARTMENT_MANAGER, username="mgr")
    page = client_for(manager).get(reverse("customers:late_entries"), {"month": typed}).content.decode()
    assert errors(page)
    assert f'type="text" name="month" value="{typed}"' in page


def test_a_good_month_keeps_the_month_picker(make_user, client_for):
    manager = make_user(Role.DEPARTMENT_MANAGER, username="mgr")
    page = client_for(manager).get(reverse("customers:late_entries"), {"month": "2026-11"}).content.decode()
    assert 'type="month" name="month" value="2026-11"' in page


# Forms that look like the others -----------------------------------------------------------


def test_the_remarks_sheet_form_is_laid_out_like_the_other_forms(archive, formal_dossier, client_for):
    dossier = formal_dossier()
    year = dossier.documents.first().filing_year
    page = (
        client_for(archive["people"]["clerk"])
        .get(reverse("dossiers:volume_remarks", args=[dossier.pk, year, "regular"]))
        .content.decode()
    )
    form = element(page, "data-form", "volume-remarks", tag="form")
    assert 'class="no-print edit-remarks card form-grid"' in page
    assert '<div class="field">' in form and 'class="form-actions"' in form


@pytest.fixture
def appraised_list(archive, formal_dossier, make_user):
    people = archive["people"]
    people["cs_manager"] = make_user(Role.CS_MANAGER, department=people["clerk"].department, username="csmgr")
    people["director"] = make_user(Role.CUSTOMER_DIRECTOR, department=people["clerk"].department, username="custdir")
    dossier = formal_dossier()
    retention = RetentionPeriod.objects.get(code="D10")
    Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=retention)
    Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=retention)
    destruction_list = destruction_services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    destruction_services.destruction_list_submit(destruction_list, by=people["clerk"])
    return destruction_list


def test_the_appraisal_reasons_are_labelled_fields(archive, appraised_list, client_for):
    people = archive["people"]
    detail = reverse("destruction:detail", args=[appraised_list.pk])
    page = client_for(people["cs_manager"]).get(detail).content.decode()
    item = appraised_list.items.get()
    assert f'<label for="reason_{item.pk}">保留原因</label>' in page
    assert f'<label for="withdraw_{item.pk}">撤出原因</label>' in page
    assert 'data-action="appraise"' in page


def test_the_approver_refuses_a_list_with_a_labelled_reason_field(archive, appraised_list, client_for):
    people = archive["people"]
    destruction_services.destruction_list_appraise(appraised_list, by=people["cs_manager"])
    destruction_services.destruction_list_appraise(appraised_list, by=people["manager"])
    page = client_for(people["director"]).get(reverse("destruction:detail", args=[appraised_list.pk])).content.decode()
    form = element(page, "data-form", "reject", tag="form")
    assert 'class="form-grid"' in page and "不批准的原因" in text(form)
    assert "下一步审批" in text(element(page, "data-timeline", "approvals"))
