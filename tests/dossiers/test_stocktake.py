"""盘点 (SPEC §5, seed 002 §22–23, issue 13 §8): the clerk scans a cabinet's position labels and the
dossiers on its shelf; finishing lists the missing, misplaced and unexpected dossiers, records the
check as an inspection, and changes no dossier."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.roles import Role
from crm_archive.errors import ActionRefused, TransitionRefused
from dossiers import services
from dossiers.models import (
    Cabinet,
    Dossier,
    DossierCustody,
    FindingGroup,
    Inspection,
    InspectionReason,
    ScanKind,
    Stocktake,
    StocktakeScan,
    StocktakeStatus,
)

from .test_labels import shelved_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(archive, ready_dossier):
    """Cabinet A01 holds 甲 at 1, 乙 at 2, 丙 at 3; cabinet B01 holds 丁 at 1."""
    other = Cabinet.objects.create(code="B01", place="档案室", positions=10)
    cabinet = archive["cabinet"]
    return {
        "cabinet": cabinet,
        "other": other,
        "甲": shelved_dossier(archive, ready_dossier, name="甲公司", cabinet=cabinet, position=1),
        "乙": shelved_dossier(archive, ready_dossier, name="乙公司", cabinet=cabinet, position=2),
        "丙": shelved_dossier(archive, ready_dossier, name="丙公司", cabinet=cabinet, position=3),
        "丁": shelved_dossier(archive, ready_dossier, name="丁公司", cabinet=other, position=1),
    }


def scan_at_the_desk(client, stocktake, code):
    """What a USB scanner does: type the code into the focused field and press Enter."""
    return client.post(reverse("dossiers:stocktake", args=[stocktake.pk]), {"code": code + "\r"}, follow=True)


def section(page: str, group: str) -> str:
    return re.search(rf'data-findings="{group}">(.*?)</table>', page, re.S).group(1)


def test_a_stocktake_finds_one_missing_and_one_misplaced_dossier(archive, shelf, client_for):
    clerk = archive["people"]["clerk"]
    client = client_for(clerk)
    start = client.post(reverse("dossiers:stocktake_start", args=[shelf["cabinet"].pk]))
    stocktake = Stocktake.objects.get(cabinet=shelf["cabinet"])
    assert start.url == reverse("dossiers:stocktake", args=[stocktake.pk])
    page = client.get(start.url).content.decode()
    assert 'name="code"' in page and "autofocus" in page

    scan_at_the_desk(client, stocktake, "POS:A01/1")
    scan_at_the_desk(client, stocktake, shelf["甲"].archive_number)  # in place
    scan_at_the_desk(client, stocktake, "POS:A01/2")
    answer = scan_at_the_desk(client, stocktake, shelf["丙"].archive_number).content.decode()  # 丙 belongs at 3
    assert "发现于第 2 格" in answer and "当前格位：第 2 格" in answer
    # 乙 (position 2) is nowhere: missing.

    finished = client.post(
        reverse("dossiers:stocktake_finish", args=[stocktake.pk]),
        {"doors_windows_ok": "on", "fire_protection_ok": "on", "damp_protection_ok": "on", "notes": "柜门锁略松"},
        follow=True,
    )
    page = finished.content.decode()
    assert finished.status_code == 200 and "盘点已完成" in page
    assert shelf["乙"].archive_number in section(page, "missing")
    misplaced = section(page, "misplaced")
    assert shelf["丙"].archive_number in misplaced and "在柜 A01/3" in misplaced and "第 2 格" in misplaced
    assert shelf["甲"].archive_number not in page.split("data-stocktake-result")[1]
    assert "无。" in section(page, "unexpected")

    stocktake.refresh_from_db()
    assert stocktake.status == StocktakeStatus.FINISHED
    assert (stocktake.found_count, stocktake.missing_count, stocktake.misplaced_count) == (1, 1, 1)
    inspection = stocktake.inspection
    assert inspection.reason == InspectionReason.STOCKTAKE and inspection.cabinet == shelf["cabinet"]
    assert inspection.inspector == clerk and not inspection.damage_found
    assert "柜门锁略松" in inspection.notes
    assert f"缺失 1 份：{shelf['乙'].archive_number}" in inspection.notes
    assert f"错位 1 份：{shelf['丙'].archive_number}（记录：在柜 A01/3，发现于第 2 格）" in inspection.notes
    inspections = client.get(reverse("dossiers:inspections")).content.decode()
    assert "盘点结果" in inspections and "盘点" in inspections


def test_a_dossier_of_another_cabinet_found_here_is_misplaced(archive, shelf):
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    for code in ("POS:A01/1", shelf["甲"].archive_number, shelf["丁"].archive_number):
        services.stocktake_scan(stocktake, code, by=clerk)
    services.stocktake_scan(stocktake, "pos:a01/2", by=clerk)
    services.stocktake_scan(stocktake, shelf["乙"].archive_number, by=clerk)
    services.stocktake_scan(stocktake, "POS:A01/3", by=clerk)
    services.stocktake_scan(stocktake, shelf["丙"].archive_number, by=clerk)
    stocktake = services.stocktake_finish(stocktake, by=clerk)
    (finding,) = stocktake.findings.all()
    assert (finding.group, finding.dossier, finding.recorded, finding.found_position) == (
        FindingGroup.MISPLACED,
        shelf["丁"],
        "在柜 B01/1",
        1,
    )
    assert "未发现" not in stocktake.inspection.notes and "错位 1 份" in stocktake.inspection.notes


def test_dossiers_out_as_recorded_are_not_missing_but_one_on_the_shelf_while_lent_is_unexpected(archive, shelf):
    clerk, colleague = archive["people"]["clerk"], archive["people"]["colleague"]
    with transaction.atomic():
        for name in ("乙", "丙"):
            locked = services.dossiers_lock([shelf[name].pk])[shelf[name].pk]
            services.dossier_custody_move(locked, DossierCustody.ON_LOAN, by=clerk, holder=colleague)
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    for code in ("POS:A01/1", shelf["甲"].archive_number, "POS:A01/3", shelf["丙"].archive_number, "1e3"):
        services.stocktake_scan(stocktake, code, by=clerk)
    report_before = services.selectors.stocktake_report(stocktake)
    assert [row.dossier for row in report_before.away] == [shelf["乙"]]  # out as recorded: no finding
    stocktake = services.stocktake_finish(stocktake, by=clerk)
    findings = {(finding.group, finding.code): finding for finding in stocktake.findings.all()}
    assert set(findings) == {(FindingGroup.UNEXPECTED, shelf["丙"].archive_number), (FindingGroup.UNEXPECTED, "1e3")}
    assert findings[(FindingGroup.UNEXPECTED, shelf["丙"].archive_number)].recorded == f"借出给 {colleague}"
    assert findings[(FindingGroup.UNEXPECTED, "1e3")].recorded == "无此档案"
    assert stocktake.missing_count == 0 and stocktake.unexpected_count == 2


def test_the_last_scan_of_a_dossier_counts(archive, shelf):
    """A clerk who scanned a dossier under the wrong position label scans the right label and the
    dossier again."""
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    for code in ("POS:A01/1", shelf["甲"].archive_number, shelf["乙"].archive_number, "POS:A01/2"):
        services.stocktake_scan(stocktake, code, by=clerk)
    services.stocktake_scan(stocktake, shelf["乙"].archive_number, by=clerk)
    report = services.selectors.stocktake_report(stocktake)
    assert [row.dossier for row in report.found] == [shelf["甲"], shelf["乙"]]
    assert report.misplaced == [] and [row.dossier for row in report.missing] == [shelf["丙"]]


def test_a_stocktake_changes_no_dossier(archive, shelf):
    clerk = archive["people"]["clerk"]
    before = {pk: (cabinet, position, custody) for pk, cabinet, position, custody in _places()}
    history = Dossier.history.count()
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    for code in ("POS:A01/5", shelf["甲"].archive_number, shelf["丁"].archive_number):
        services.stocktake_scan(stocktake, code, by=clerk)
    services.stocktake_finish(stocktake, by=clerk)
    assert {pk: (cabinet, position, custody) for pk, cabinet, position, custody in _places()} == before
    assert Dossier.history.count() == history


def _places():
    return Dossier.objects.values_list("pk", "cabinet_id", "position", "custody")


def test_a_dossier_scan_needs_a_position_label_first(archive, shelf, client_for):
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    with pytest.raises(ActionRefused, match="请先扫描格位标签"):
        services.stocktake_scan(stocktake, shelf["甲"].archive_number, by=clerk)
    page = scan_at_the_desk(client_for(clerk), stocktake, shelf["甲"].archive_number).content.decode()
    assert "请先扫描格位标签" in page
    assert not StocktakeScan.objects.exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("POS:B01/1", "这是档案柜 B01 的格位标签"),
        ("POS:A01/11", "只有 10 个格位"),
        ("", "请扫描标签"),
        ("   ", "请扫描标签"),
        ("\x00\x01\x1b", "请扫描标签"),
        ("长" * 100_000, "扫描内容过长"),
        ("K" * 101, "扫描内容过长"),
    ],
)
def test_a_bad_scan_gets_a_clear_message_and_is_not_recorded(code, message, archive, shelf, client_for):
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    response = client_for(clerk).post(reverse("dossiers:stocktake", args=[stocktake.pk]), {"code": code}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StocktakeScan.objects.exists()


@pytest.mark.parametrize("code", ["1e3", "x' OR 1=1 --", "<b>KH</b>", "POS:A01/1e3", "KH-2026-D30-9999"])
def test_a_code_naming_no_dossier_is_recorded_as_unexpected(code, archive, shelf, client_for):
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    client = client_for(clerk)
    scan_at_the_desk(client, stocktake, "POS:A01/7")
    page = scan_at_the_desk(client, stocktake, code).content.decode()
    assert "不是本系统的档号" in page and "<b>KH" not in page
    scan = StocktakeScan.objects.latest("pk")
    assert (scan.kind, scan.position, scan.dossier) == (ScanKind.UNKNOWN, 7, None)


def test_a_finished_stocktake_takes_no_more_scans(archive, shelf, client_for):
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    services.stocktake_scan(stocktake, "POS:A01/1", by=clerk)
    services.stocktake_finish(stocktake, by=clerk)
    with pytest.raises(TransitionRefused):
        services.stocktake_scan(stocktake, "POS:A01/2", by=clerk)
    with pytest.raises(TransitionRefused):
        services.stocktake_finish(stocktake, by=clerk)
    client = client_for(clerk)
    assert client.post(reverse("dossiers:stocktake", args=[stocktake.pk]), {"code": "POS:A01/2"}).status_code == 403
    page = client.get(reverse("dossiers:stocktake_finish", args=[stocktake.pk]), follow=True).content.decode()
    assert "此盘点已结束" in page
    assert StocktakeScan.objects.count() == 1 and Inspection.objects.count() == 1


def test_a_stocktake_without_scans_cannot_be_finished_but_can_be_given_up(archive, shelf, client_for):
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    client = client_for(clerk)
    page = client.post(reverse("dossiers:stocktake_finish", args=[stocktake.pk]), {}).content.decode()
    assert "尚未扫描任何标签" in page
    client.post(reverse("dossiers:stocktake_cancel", args=[stocktake.pk]))
    stocktake.refresh_from_db()
    assert stocktake.status == StocktakeStatus.CANCELLED and stocktake.inspection is None
    assert not Inspection.objects.exists()
    # The cabinet can be taken stock of again.
    assert services.stocktake_start(shelf["cabinet"], by=clerk).pk != stocktake.pk


def test_one_stocktake_at_a_time_per_cabinet(archive, shelf, client_for):
    clerk, checker = archive["people"]["clerk"], archive["people"]["checker"]
    first = services.stocktake_start(shelf["cabinet"], by=clerk)
    assert services.stocktake_start(shelf["cabinet"], by=checker) == first
    response = client_for(checker).get(reverse("dossiers:stocktake_start", args=[shelf["cabinet"].pk]))
    assert response.url == reverse("dossiers:stocktake", args=[first.pk])
    assert "继续盘点" in client_for(clerk).get(reverse("dossiers:cabinets")).content.decode()


@pytest.mark.parametrize("role", [Role.SALES, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER])
def test_only_the_clerk_takes_stock(role, archive, shelf, make_user, client_for):
    stocktake = services.stocktake_start(shelf["cabinet"], by=archive["people"]["clerk"])
    user = make_user(role)
    with pytest.raises(ActionRefused):
        services.stocktake_scan(stocktake, "POS:A01/1", by=user)
    client = client_for(user)
    assert client.post(reverse("dossiers:stocktake_start", args=[shelf["cabinet"].pk])).status_code == 403
    assert client.post(reverse("dossiers:stocktake", args=[stocktake.pk]), {"code": "POS:A01/1"}).status_code == 403
    assert client.post(reverse("dossiers:stocktake_finish", args=[stocktake.pk]), {}).status_code == 403
    assert client.post(reverse("dossiers:stocktake_cancel", args=[stocktake.pk])).status_code == 403
    # The archive manager and the general manager see it; nobody else does.
    expected = 403 if role == Role.SALES else 200
    assert client.get(reverse("dossiers:stocktake", args=[stocktake.pk])).status_code == expected
    assert not StocktakeScan.objects.exists()


def test_the_stocktake_pages_answer_404_to_unknown_ids(archive, client_for):
    client = client_for(archive["people"]["clerk"])
    assert client.get("/dossiers/stocktakes/999999/").status_code == 404
    assert client.get("/dossiers/stocktakes/1e3/").status_code == 404
    assert client.get("/dossiers/cabinets/99999999999999999999/stocktake/").status_code == 404


def test_a_scanner_typing_with_caps_lock_on_still_finds_the_dossier(archive, shelf):
    clerk = archive["people"]["clerk"]
    stocktake = services.stocktake_start(shelf["cabinet"], by=clerk)
    services.stocktake_scan(stocktake, "pos:a01/1", by=clerk)
    scan = services.stocktake_scan(stocktake, shelf["甲"].archive_number.lower() + "\r", by=clerk)
    assert (scan.kind, scan.dossier, scan.code) == (ScanKind.DOSSIER, shelf["甲"], shelf["甲"].archive_number)
