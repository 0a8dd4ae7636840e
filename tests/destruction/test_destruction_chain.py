"""SPEC §6: the destruction chain end to end, and every step refused for the wrong role or state."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from crm_archive.errors import ActionRefused, TransitionRefused
from crm_archive.workdays import add_months
from customers.models import Customer, SecrecyTier
from destruction import selectors, services
from destruction.models import DestructionItem, DestructionList, ItemStatus, ListStatus
from destruction.tasks import notify_hold_ended
from dossiers.models import Document, Dossier, DossierStatus, RetentionPeriod
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at_shanghai(day: date, hour: int = 0, minute: int = 0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def approved_list(destruction_people, expired_dossier):
    """A list of two dossiers, appraised by both and approved by the director."""
    people = destruction_people

    def make():
        dossiers = [expired_dossier(SecrecyTier.PERSONAL), expired_dossier(SecrecyTier.COMPANY)]
        destruction_list = services.destruction_list_draft(
            by=people["clerk"], department=dossiers[0].customer.department, dossiers=dossiers
        )
        services.destruction_list_submit(destruction_list, by=people["clerk"])
        services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
        services.destruction_list_appraise(destruction_list, by=people["manager"])
        return services.destruction_list_approve(destruction_list, by=people["director"]), dossiers

    return make


def test_the_retention_is_counted_from_the_year_after_filing():
    assert selectors.retention_due_on(2015, 10) == date(2026, 1, 1)
    assert selectors.retention_due_on(2015, None) is None


def test_the_clerk_sees_what_has_expired_and_permanent_records_never(archive, expired_dossier, client_for):
    old = expired_dossier(SecrecyTier.PERSONAL)
    permanent = expired_dossier(SecrecyTier.COMPANY, code="Y")
    recent = expired_dossier(SecrecyTier.DEPARTMENT, filing_year=timezone.localdate().year - 5)
    html = client_for(archive["people"]["clerk"]).get(reverse("destruction:expired")).content.decode()
    assert old.archive_number in html
    assert permanent.archive_number not in html
    assert recent.archive_number not in html


def test_the_whole_chain_through_the_pages(
    destruction_people, expired_dossier, client_for, media_root, django_capture_on_commit_callbacks
):
    people = destruction_people
    dossier = expired_dossier()
    scan_path = media_root / "scans" / dossier.documents.exclude(scan="").get().scan.name
    assert scan_path.exists()
    clerk = client_for(people["clerk"])
    response = clerk.post(
        reverse("destruction:expired"), {"department": dossier.customer.department_id, "dossiers": [dossier.pk]}
    )
    destruction_list = DestructionList.objects.get()
    assert response.status_code == 302
    assert dossier.archive_number not in clerk.get(reverse("destruction:expired")).content.decode()  # on a list now
    clerk.post(reverse("destruction:submit", args=[destruction_list.pk]))
    client_for(people["cs_manager"]).post(reverse("destruction:appraise", args=[destruction_list.pk]))
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.SUBMITTED  # one appraiser alone does not advance it
    client_for(people["manager"]).post(reverse("destruction:appraise", args=[destruction_list.pk]))
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.APPRAISED
    client_for(people["director"]).post(reverse("destruction:approve", args=[destruction_list.pk]))
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.HELD
    assert destruction_list.hold_until == add_months(timezone.localdate(), 6)
    page = (
        client_for(people["director"]).get(reverse("destruction:detail", args=[destruction_list.pk])).content.decode()
    )
    assert destruction_list.hold_until.strftime("%Y-%m-%d") in page

    later = at_shanghai(destruction_list.hold_until, 9)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client_for(people["archive_manager"]).post(reverse("destruction:verify", args=[destruction_list.pk]))
        destruction_list.refresh_from_db()
        assert destruction_list.status == ListStatus.VERIFIED
        with django_capture_on_commit_callbacks(execute=True):
            client_for(people["archive_manager"]).post(
                reverse("destruction:destroy", args=[destruction_list.pk]),
                {
                    "place": "档案室碎纸间",
                    "method": "碎纸机粉碎",
                    "destroyed_on": destruction_list.hold_until.isoformat(),
                },
            )
    destruction_list.refresh_from_db()
    dossier.refresh_from_db()
    assert destruction_list.status == ListStatus.DESTROYED
    assert destruction_list.supervisor == people["archive_manager"] and destruction_list.supervisor_signed_at
    assert dossier.status == DossierStatus.DESTROYED
    assert not scan_path.exists()  # the scanned file is gone from storage
    assert Document.objects.filter(dossier=dossier).exists()  # the metadata stays
    assert all(document.destroyed_at for document in Document.objects.filter(dossier=dossier))
    register = (
        client_for(people["clerk"]).get(reverse("destruction:register", args=[destruction_list.pk])).content.decode()
    )
    for text in (
        "档案室碎纸间",
        "碎纸机粉碎",
        dossier.archive_number,
        str(people["archive_manager"]),
        str(people["director"]),
    ):
        assert text in register


def test_one_appraiser_cannot_sign_twice_or_for_both_sides(destruction_people, expired_dossier, make_user):
    from accounts.roles import Role

    people = destruction_people
    dossier = expired_dossier()
    both = make_user(Role.CS_MANAGER, Role.DEPARTMENT_MANAGER, department=dossier.customer.department, username="both")
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    services.destruction_list_appraise(destruction_list, by=both)
    with pytest.raises(ActionRefused, match="同一人不能签署两次"):
        services.destruction_list_appraise(destruction_list, by=both)
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.SUBMITTED


def test_the_database_refuses_one_person_as_both_appraisers(destruction_people, expired_dossier):
    people = destruction_people
    dossier = expired_dossier()
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DestructionList.objects.filter(pk=destruction_list.pk).update(
            cs_appraised_by=people["cs_manager"], department_appraised_by=people["cs_manager"]
        )


@pytest.mark.parametrize("person", ["owner", "clerk", "director", "colleague"])
def test_appraisal_is_refused_to_anyone_but_the_two_appraisers(person, destruction_people, expired_dossier):
    people = destruction_people
    dossier = expired_dossier()
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    with pytest.raises(ActionRefused):
        services.destruction_list_appraise(destruction_list, by=people[person])


def test_the_head_of_another_department_cannot_appraise(destruction_people, expired_dossier, make_user):
    from accounts.roles import Role
    from tests.factories import DepartmentFactory

    people = destruction_people
    dossier = expired_dossier()
    other_head = make_user(Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="elsewhere"))
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    with pytest.raises(ActionRefused):
        services.destruction_list_appraise(destruction_list, by=other_head)


def test_nobody_appraises_or_approves_a_list_they_drafted(destruction_people, expired_dossier, make_user):
    from accounts.roles import Role

    people = destruction_people
    dossier = expired_dossier()
    drafter = make_user(Role.ARCHIVE_CLERK, Role.CS_MANAGER, Role.CUSTOMER_DIRECTOR, username="drafter")
    destruction_list = services.destruction_list_draft(
        by=drafter, department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=drafter)
    with pytest.raises(ActionRefused, match="造册人不能"):
        services.destruction_list_appraise(destruction_list, by=drafter)
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    with pytest.raises(ActionRefused, match="造册人不能"):
        services.destruction_list_approve(destruction_list, by=drafter)


@pytest.mark.parametrize("person", ["clerk", "cs_manager", "manager", "general_manager", "archive_manager"])
def test_only_the_customer_director_approves(person, destruction_people, expired_dossier):
    people = destruction_people
    dossier = expired_dossier()
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    with pytest.raises(ActionRefused, match="造册人不能" if person == "clerk" else "不需要您审批|同一人不能签署两次"):
        services.destruction_list_approve(destruction_list, by=people[person])


def test_steps_are_refused_in_the_wrong_state(destruction_people, expired_dossier):
    people = destruction_people
    dossier = expired_dossier()
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    with pytest.raises(TransitionRefused, match="草拟中"):
        services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    with pytest.raises(TransitionRefused):
        services.destruction_list_approve(destruction_list, by=people["director"])
    with pytest.raises(TransitionRefused):
        services.destruction_list_verify(destruction_list, by=people["archive_manager"])
    with pytest.raises(TransitionRefused):
        services.destruction_list_destroy(
            destruction_list, by=people["archive_manager"], place="x", method="y", destroyed_on=timezone.localdate()
        )


def test_kept_back_and_withdrawn_items_are_not_destroyed(destruction_people, expired_dossier):
    people = destruction_people
    kept, withdrawn, destroyed = (
        expired_dossier(tier) for tier in (SecrecyTier.PERSONAL, SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT)
    )
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=kept.customer.department, dossiers=[kept, withdrawn, destroyed]
    )
    items = {item.dossier_id: item for item in destruction_list.items.all()}
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    with pytest.raises(ActionRefused, match="保留条目时请写明原因"):
        services.destruction_list_appraise(destruction_list, by=people["cs_manager"], keep_back={items[kept.pk].pk: ""})
    services.destruction_list_appraise(
        destruction_list, by=people["cs_manager"], keep_back={items[kept.pk].pk: "仍有诉讼价值"}
    )
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    destruction_list = services.destruction_list_approve(destruction_list, by=people["director"])
    services.destruction_item_withdraw(items[withdrawn.pk], by=people["clerk"], reason="客户重新合作")
    with mock.patch("django.utils.timezone.now", return_value=at_shanghai(destruction_list.hold_until, 10)):
        services.destruction_list_verify(destruction_list, by=people["cs_manager"])
        services.destruction_list_destroy(
            destruction_list,
            by=people["archive_manager"],
            place="碎纸间",
            method="粉碎",
            destroyed_on=destruction_list.hold_until,
        )
    statuses = {dossier.pk: Dossier.objects.get(pk=dossier.pk).status for dossier in (kept, withdrawn, destroyed)}
    assert statuses == {
        kept.pk: DossierStatus.FORMAL,
        withdrawn.pk: DossierStatus.FORMAL,
        destroyed.pk: DossierStatus.DESTROYED,
    }
    assert set(DestructionItem.objects.values_list("status", flat=True)) == {
        ItemStatus.KEPT_BACK,
        ItemStatus.WITHDRAWN,
        ItemStatus.DESTROYED,
    }


def test_a_dossier_with_an_open_loan_is_refused_on_a_list_with_the_reason(destruction_people, expired_dossier):
    people = destruction_people
    dossier = expired_dossier()
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="x", purpose="y"
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    with pytest.raises(ActionRefused, match="有未结的借阅"):
        services.destruction_list_draft(by=people["clerk"], department=dossier.customer.department, dossiers=[dossier])
    assert not DestructionList.objects.exists()


def test_a_hold_blocks_listing_and_destruction_until_lifted(destruction_people, expired_dossier, client_for):
    people = destruction_people
    dossier = expired_dossier()
    client_for(people["archive_manager"]).post(
        reverse("destruction:holds"), {"archive_number": dossier.archive_number, "reason": "合同纠纷诉讼中"}
    )
    with pytest.raises(ActionRefused, match="保留冻结中：合同纠纷诉讼中"):
        services.destruction_list_draft(by=people["clerk"], department=dossier.customer.department, dossiers=[dossier])
    hold = dossier.holds.get()
    services.hold_lift(hold, by=people["archive_manager"], reason="诉讼结束")
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    destruction_list = services.destruction_list_approve(destruction_list, by=people["director"])
    services.hold_place(dossier, by=people["archive_manager"], reason="审计调阅")
    with mock.patch("django.utils.timezone.now", return_value=at_shanghai(destruction_list.hold_until, 10)):
        services.destruction_list_verify(destruction_list, by=people["cs_manager"])
        with pytest.raises(ActionRefused, match="保留冻结中：审计调阅"):
            services.destruction_list_destroy(
                destruction_list,
                by=people["archive_manager"],
                place="x",
                method="y",
                destroyed_on=destruction_list.hold_until,
            )
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.FORMAL


def test_only_the_archive_manager_places_holds(destruction_people, expired_dossier, client_for):
    dossier = expired_dossier()
    response = client_for(destruction_people["clerk"]).post(
        reverse("destruction:holds"), {"archive_number": dossier.archive_number, "reason": "x"}
    )
    assert response.status_code == 403
    assert not dossier.holds.exists()


def test_permanent_records_cannot_be_proposed(destruction_people, expired_dossier):
    dossier = expired_dossier(code="Y")
    with pytest.raises(ActionRefused, match="永久保存"):
        services.destruction_list_draft(
            by=destruction_people["clerk"], department=dossier.customer.department, dossiers=[dossier]
        )


def test_records_not_yet_due_cannot_be_proposed(destruction_people, expired_dossier):
    dossier = expired_dossier(filing_year=timezone.localdate().year - 10)  # due next 1 January
    with pytest.raises(ActionRefused, match="才届满"):
        services.destruction_list_draft(
            by=destruction_people["clerk"], department=dossier.customer.department, dossiers=[dossier]
        )


@pytest.mark.parametrize(("offset_minutes", "allowed"), [(-1, False), (0, True)])
def test_verification_waits_for_the_end_of_the_six_months_in_shanghai_time(
    offset_minutes, allowed, destruction_people, approved_list
):
    destruction_list, _dossiers = approved_list()
    midnight = at_shanghai(destruction_list.hold_until) + timedelta(minutes=offset_minutes)
    # 23:59 the evening before, Shanghai time, is still the day before: refused. 00:00: allowed.
    with mock.patch("django.utils.timezone.now", return_value=midnight):
        if allowed:
            assert (
                services.destruction_list_verify(destruction_list, by=destruction_people["cs_manager"]).status
                == ListStatus.VERIFIED
            )
        else:
            with pytest.raises(TransitionRefused, match="单独存放半年"):
                services.destruction_list_verify(destruction_list, by=destruction_people["cs_manager"])


def test_dossiers_held_apart_cannot_be_lent(destruction_people, approved_list, client_for):
    _list, dossiers = approved_list()
    with pytest.raises(ActionRefused, match="正单独存放，不能借阅"):
        lending_services.loan_request(
            borrower=destruction_people["owner"], dossier=dossiers[0], kind=LoanKind.BORROW, content="x", purpose="y"
        )


def test_a_rejected_list_frees_its_items(destruction_people, expired_dossier):
    people = destruction_people
    dossier = expired_dossier()
    destruction_list = services.destruction_list_draft(
        by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
    )
    services.destruction_list_submit(destruction_list, by=people["clerk"])
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    services.destruction_list_reject(destruction_list, by=people["director"], reason="尚需保留")
    assert selectors.expired_dossiers().filter(pk=dossier.pk).exists()


def test_the_clerk_is_told_once_when_the_six_months_are_over(destruction_people, approved_list):
    from accounts.models import Notification

    destruction_list, _dossiers = approved_list()
    with mock.patch("django.utils.timezone.now", return_value=at_shanghai(destruction_list.hold_until, 8)):
        assert notify_hold_ended.delay().get() == 1
        assert notify_hold_ended.delay().get() == 0
    assert (
        Notification.objects.filter(recipient=destruction_people["clerk"], message__contains="已单独存放满半年").count()
        == 1
    )


def test_the_six_months_end_on_the_same_day_or_the_month_end():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 22), 6) == date(2027, 5, 22)


def test_no_url_deletes_and_the_database_refuses_deleting_records(destruction_people, expired_dossier):
    from django.urls import get_resolver

    names = [str(name) for name in get_resolver().reverse_dict if isinstance(name, str)]
    assert not [name for name in names if "delete" in name and not name.startswith("admin")]
    dossier = expired_dossier()
    for queryset in (
        Document.objects.filter(dossier=dossier),
        Dossier.objects.filter(pk=dossier.pk),
        Customer.objects.filter(pk=dossier.customer_id),
    ):
        with pytest.raises(Exception, match="never deleted|protected"), transaction.atomic():
            queryset.delete()
    assert Dossier.objects.filter(pk=dossier.pk).exists()


def test_the_admin_deletes_no_dossier_or_document(destruction_people, expired_dossier, make_user, client_for):
    dossier = expired_dossier()
    document = dossier.documents.first()
    superuser = make_user(is_staff=True, is_superuser=True)
    client = client_for(superuser)
    assert client.get(reverse("admin:dossiers_dossier_delete", args=[dossier.pk])).status_code == 403
    assert (
        client.post(reverse("admin:dossiers_document_delete", args=[document.pk]), {"post": "yes"}).status_code == 403
    )
    changelist = client.get(reverse("admin:dossiers_dossier_changelist")).content.decode()
    assert "delete_selected" not in changelist
    assert Dossier.objects.filter(pk=dossier.pk).exists() and Document.objects.filter(pk=document.pk).exists()


def test_a_department_manager_sees_only_their_departments_lists_and_no_holds(
    archive, drafted_list, make_user, client_for
):
    destruction_list = drafted_list()
    other_head = make_user(Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="elsewhere"))
    client = client_for(other_head)
    assert client.get(reverse("destruction:detail", args=[destruction_list.pk])).status_code == 404
    assert client.get(reverse("destruction:register", args=[destruction_list.pk])).status_code == 404
    assert destruction_list.number not in client.get(reverse("destruction:index")).content.decode()
    assert client.get(reverse("destruction:holds")).status_code == 403
    own_head = archive["people"]["manager"]
    assert client_for(own_head).get(reverse("destruction:detail", args=[destruction_list.pk])).status_code == 200


def test_a_dossier_holding_documents_still_under_retention_is_not_destroyed_whole(
    archive, formal_dossier, file_document
):
    dossier = formal_dossier()
    retention = RetentionPeriod.objects.get(code="D10")
    Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=retention)
    Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=retention)
    file_document(
        dossier,
        "其他",
        retention=RetentionPeriod.objects.get(code="D30"),
        made_on=timezone.localdate() - timedelta(days=400),
    )
    dossier.refresh_from_db()
    with pytest.raises(ActionRefused, match="保管期限未满的文件"):
        services.destruction_list_draft(
            by=archive["people"]["clerk"], department=dossier.customer.department, dossiers=[dossier]
        )


def test_no_destruction_is_recorded_for_a_list_whose_items_were_all_withdrawn(destruction_people, approved_list):
    people = destruction_people
    destruction_list, _dossiers = approved_list()
    later = at_shanghai(destruction_list.hold_until, 10)
    with time_machine.travel(later, tick=False):
        services.destruction_list_verify(destruction_list, by=people["archive_manager"])
        for item in destruction_list.items.all():
            services.destruction_item_withdraw(item, by=people["clerk"], reason="仍在使用")
        with pytest.raises(ActionRefused, match="没有拟销毁的条目"):
            services.destruction_list_destroy(
                destruction_list, by=people["cs_manager"], place="档案室", method="粉碎", destroyed_on=later.date()
            )
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.VERIFIED and destruction_list.supervisor is None
