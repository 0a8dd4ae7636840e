"""SPEC §3: temporary → completion received → formal, each step allowed and refused where it should be."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from crm_archive.errors import ActionRefused, TransitionRefused
from crm_archive.workdays import add_working_days
from customers.models import SecrecyTier
from dossiers import services
from dossiers.models import Dossier, DossierStatus

pytestmark = pytest.mark.django_db


def test_the_clerk_opens_a_temporary_dossier_through_the_form(archive, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:open"),
        {
            "customer_name": customer.name,
            "opened_on": timezone.localdate().isoformat(),
            "retention": archive["retention"].pk,
        },
        follow=True,
    )
    dossier = Dossier.objects.get(customer=customer)
    assert dossier.status == DossierStatus.TEMPORARY
    assert "临时档案" in response.content.decode()


def test_a_customer_has_only_one_dossier(archive, open_dossier, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    open_dossier()
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:open"),
        {
            "customer_name": customer.name,
            "opened_on": timezone.localdate().isoformat(),
            "retention": archive["retention"].pk,
        },
    )
    assert "已有档案（一户一档）" in response.content.decode()
    assert Dossier.objects.filter(customer=customer).count() == 1
    with pytest.raises(ActionRefused, match="一户一档"):
        open_dossier()


def test_opening_for_an_unknown_customer_name_says_so(archive, client_for):
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:open"),
        {
            "customer_name": "不存在的公司",
            "opened_on": timezone.localdate().isoformat(),
            "retention": archive["retention"].pk,
        },
    )
    assert "没有名为“不存在的公司”的客户" in response.content.decode()
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("role", [Role.SALES, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER])
def test_only_the_archive_clerk_opens_files_and_promotes(role, archive, ready_dossier, make_user, client_for):
    dossier = ready_dossier()
    client = client_for(make_user(role))
    assert client.get(reverse("dossiers:open")).status_code == 403
    assert client.get(reverse("dossiers:document_add", args=[dossier.pk])).status_code == 403
    response = client.post(
        reverse("dossiers:promote", args=[dossier.pk]), {"cabinet": archive["cabinet"].pk, "position": 1}
    )
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.COMPLETION_RECEIVED
    with pytest.raises(ActionRefused, match="只有档案管理员"):
        services.dossier_promote(dossier, by=make_user(role), cabinet=archive["cabinet"], position=1)


def test_recording_completion_sets_the_five_day_promotion_limit(archive, open_dossier, client_for):
    dossier = open_dossier()
    received_on = timezone.localdate() - timedelta(days=1)
    client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:record_completion", args=[dossier.pk]), {"received_on": received_on.isoformat()}
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.COMPLETION_RECEIVED
    assert dossier.completion_received_on == received_on
    assert dossier.promotion_due_on == add_working_days(received_on, 5)


def test_completion_cannot_be_recorded_twice_or_in_the_future(archive, open_dossier):
    clerk = archive["people"]["clerk"]
    dossier = open_dossier()
    with pytest.raises(TransitionRefused, match="不能晚于今天"):
        services.dossier_record_completion(dossier, by=clerk, received_on=timezone.localdate() + timedelta(days=1))
    services.dossier_record_completion(dossier, by=clerk, received_on=timezone.localdate())
    with pytest.raises(TransitionRefused, match="只有临时档案可以登记竣工文档"):
        services.dossier_record_completion(dossier, by=clerk, received_on=timezone.localdate())


def test_promotion_of_a_temporary_dossier_is_refused_until_completion_is_received(archive, open_dossier, client_for):
    dossier = open_dossier()
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:promote", args=[dossier.pk]), {"cabinet": archive["cabinet"].pk, "position": 1}
    )
    assert "只有已收到竣工文档的档案可以转为正式档案" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TEMPORARY and dossier.archive_number is None


def test_promotion_names_every_missing_required_document_type(archive, open_dossier, file_document, client_for):
    clerk = archive["people"]["clerk"]
    dossier = open_dossier()
    file_document(dossier, "客户基本资料表")
    file_document(dossier, "客户销售合同（复印件）")
    services.dossier_record_completion(dossier, by=clerk, received_on=timezone.localdate())
    response = client_for(clerk).post(
        reverse("dossiers:promote", args=[dossier.pk]), {"cabinet": archive["cabinet"].pk, "position": 1}
    )
    html = response.content.decode()
    assert "此档案缺少必需文件：竣工文档、电话交换机安装参数一览表" in html
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.COMPLETION_RECEIVED and dossier.archive_number is None


def test_the_required_list_is_data_an_administrator_edits(archive, open_dossier, file_document):
    clerk = archive["people"]["clerk"]
    archive["types"]["客户信用评估报告"].required_for_promotion = True
    archive["types"]["客户信用评估报告"].save()
    dossier = open_dossier()
    for name in ["客户基本资料表", "客户销售合同（复印件）", "竣工文档", "电话交换机安装参数一览表"]:
        file_document(dossier, name)
    services.dossier_record_completion(dossier, by=clerk, received_on=timezone.localdate())
    with pytest.raises(TransitionRefused, match="客户信用评估报告"):
        services.dossier_promote(dossier, by=clerk, cabinet=archive["cabinet"], position=1)


def test_a_complete_dossier_is_numbered_shelved_and_recorded_in_history(archive, ready_dossier, client_for):
    clerk = archive["people"]["clerk"]
    dossier = ready_dossier()
    response = client_for(clerk).post(
        reverse("dossiers:promote", args=[dossier.pk]), {"cabinet": archive["cabinet"].pk, "position": 3}, follow=True
    )
    dossier.refresh_from_db()
    year = timezone.localdate().year
    assert dossier.status == DossierStatus.FORMAL
    assert dossier.archive_number == f"KH-{year}-D30-0001"
    assert (dossier.cabinet, dossier.position, dossier.promoted_by) == (archive["cabinet"], 3, clerk)
    assert f"已转为正式档案，档号 KH-{year}-D30-0001" in response.content.decode()
    assert dossier.history.filter(status=DossierStatus.FORMAL, history_user=clerk).exists()


def test_a_taken_or_missing_cabinet_position_is_refused(archive, ready_dossier):
    clerk = archive["people"]["clerk"]
    first = ready_dossier(SecrecyTier.PERSONAL)
    second = ready_dossier(SecrecyTier.COMPANY)
    services.dossier_promote(first, by=clerk, cabinet=archive["cabinet"], position=2)
    with pytest.raises(TransitionRefused, match="第 2 格已有档案"):
        services.dossier_promote(second, by=clerk, cabinet=archive["cabinet"], position=2)
    with pytest.raises(TransitionRefused, match="格位应在 1 到 10 之间"):
        services.dossier_promote(second, by=clerk, cabinet=archive["cabinet"], position=11)


def test_a_formal_dossier_cannot_be_promoted_again(archive, ready_dossier):
    clerk = archive["people"]["clerk"]
    dossier = ready_dossier()
    services.dossier_promote(dossier, by=clerk, cabinet=archive["cabinet"], position=1)
    with pytest.raises(TransitionRefused, match="当前状态为“正式档案”"):
        services.dossier_promote(dossier, by=clerk, cabinet=archive["cabinet"], position=2)


def test_numbers_run_in_sequence_and_are_never_reused(archive, ready_dossier):
    clerk = archive["people"]["clerk"]
    numbers = [
        services.dossier_promote(
            ready_dossier(tier), by=clerk, cabinet=archive["cabinet"], position=index
        ).archive_number
        for index, tier in enumerate([SecrecyTier.PERSONAL, SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT], start=1)
    ]
    year = timezone.localdate().year
    assert numbers == [f"KH-{year}-D30-000{n}" for n in (1, 2, 3)]
