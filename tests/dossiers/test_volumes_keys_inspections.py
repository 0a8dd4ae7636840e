"""Printable volumes, backup keys, inspections and repairs (SPEC §3)."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from crm_archive.errors import ActionRefused, TransitionRefused
from customers.models import SecrecyTier
from dossiers import services
from dossiers.models import BackupKeyUse, Inspection, Repair, VolumeRemarks

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(archive, open_dossier, file_document):
    """Two years of documents and a top-secret one, filed out of order."""
    dossier = open_dossier()
    file_document(
        dossier, "竣工文档", title="竣工报告", position=2, pages=7, made_on=date(2025, 6, 1), document_number="GC-2"
    )
    file_document(dossier, "客户基本资料表", title="基本资料表", position=1, pages=3, made_on=date(2025, 3, 1))
    file_document(dossier, "其他", title="2024年度走访记录", position=1, pages=5, made_on=date(2024, 12, 1))
    file_document(
        dossier,
        "其他",
        title="绝密协议",
        position=1,
        pages=2,
        made_on=date(2025, 8, 1),
        secrecy_tier=SecrecyTier.TOP_SECRET,
    )
    return dossier


def catalogue_titles(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.sub(r"\s+", " ", cells[3]).strip() for cells in re.findall(r"<tr>" + r"<td[^>]*>(.*?)</td>" * 7, body)]


def test_the_catalogue_lists_the_volume_in_order_with_its_counts(archive, filed, client_for):
    html = (
        client_for(archive["people"]["clerk"])
        .get(reverse("dossiers:volume_catalogue", args=[filed.pk, 2025, "regular"]))
        .content.decode()
    )
    assert catalogue_titles(html) == ["基本资料表", "竣工报告"]
    assert "共 2 件" in html
    assert "data-total-pages>10<" in html
    assert "绝密协议" not in html and "2024年度走访记录" not in html
    assert "print.css" in html  # the A4 print sheet


def test_top_secret_documents_form_their_own_volume(archive, filed, client_for):
    client = client_for(archive["people"]["clerk"])
    detail = client.get(reverse("dossiers:detail", args=[filed.pk])).content.decode()
    assert 'data-volume="2025-top-secret"' in detail and 'data-volume="2025-regular"' in detail
    assert 'data-volume="2024-regular"' in detail
    html = client.get(reverse("dossiers:volume_catalogue", args=[filed.pk, 2025, "top-secret"])).content.decode()
    assert catalogue_titles(html) == ["绝密协议"]


def test_the_top_secret_catalogue_is_closed_to_readers_of_the_dossier(archive, filed, client_for):
    client = client_for(archive["people"]["owner"])
    assert client.get(reverse("dossiers:volume_catalogue", args=[filed.pk, 2025, "regular"])).status_code == 200
    assert client.get(reverse("dossiers:volume_catalogue", args=[filed.pk, 2025, "top-secret"])).status_code == 404
    assert (
        client_for(archive["people"]["colleague"])
        .get(reverse("dossiers:volume_catalogue", args=[filed.pk, 2025, "regular"]))
        .status_code
        == 404
    )


def test_the_remarks_sheet_counts_the_volume_and_carries_the_signatures(archive, filed, client_for):
    clerk, checker = archive["people"]["clerk"], archive["people"]["checker"]
    url = reverse("dossiers:volume_remarks", args=[filed.pk, 2025, "regular"])
    response = client_for(clerk).post(
        url, {"notes": "竣工报告第3页有折痕。", "checked_by": checker.pk, "compiled_on": "2025-09-01"}, follow=True
    )
    html = response.content.decode()
    assert "本卷共有文件 2 件，共 10 页。" in html
    assert "竣工报告第3页有折痕。" in html
    assert str(clerk) in html and str(checker) in html
    assert "2025年9月1日" in html
    assert VolumeRemarks.objects.get().compiled_by == clerk


def test_the_compiler_cannot_check_their_own_volume(archive, filed):
    clerk = archive["people"]["clerk"]
    with pytest.raises(ActionRefused, match="检查人不能是立卷人本人"):
        services.volume_remarks_save(
            dossier=filed, filing_year=2025, top_secret=False, by=clerk, notes="", checked_by=clerk
        )


def test_only_the_clerk_fills_in_the_remarks_sheet(archive, filed, client_for):
    url = reverse("dossiers:volume_remarks", args=[filed.pk, 2025, "regular"])
    response = client_for(archive["people"]["owner"]).post(url, {"notes": "x", "compiled_on": "2025-09-01"})
    assert response.status_code == 403
    assert not VolumeRemarks.objects.exists()


def test_using_the_backup_key_is_logged_and_notifies_the_archive_manager(
    archive, client_for, django_capture_on_commit_callbacks
):
    general_manager = archive["people"]["general_manager"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(general_manager).post(
            reverse("dossiers:backup_key_use", args=[archive["cabinet"].pk]),
            {
                "used_by": general_manager.pk,
                "used_at": (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
                "reason": "档案管理员休假，紧急调阅",
            },
        )
    assert response.status_code == 302
    use = BackupKeyUse.objects.get()
    assert (use.cabinet, use.used_by, use.recorded_by) == (archive["cabinet"], general_manager, general_manager)
    notification = Notification.objects.get(recipient=archive["people"]["archive_manager"])
    assert "A01" in notification.message and "紧急调阅" in notification.message
    assert [message.to for message in mail.outbox] == [["am@example.com"]]
    page = client_for(archive["people"]["archive_manager"]).get(reverse("dossiers:cabinets")).content.decode()
    assert "档案管理员休假，紧急调阅" in page


def test_a_sales_person_cannot_record_a_key_use(archive, client_for):
    response = client_for(archive["people"]["owner"]).post(
        reverse("dossiers:backup_key_use", args=[archive["cabinet"].pk]),
        {"used_by": archive["people"]["owner"].pk, "used_at": "2026-01-01T10:00", "reason": "x"},
    )
    assert response.status_code == 403
    assert not BackupKeyUse.objects.exists()


def test_an_inspection_is_recorded_with_its_findings(archive, client_for):
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:inspection_add"),
        {
            "inspected_on": timezone.localdate().isoformat(),
            "reason": "periodic",
            "cabinet": archive["cabinet"].pk,
            "doors_windows_ok": "on",
            "fire_protection_ok": "on",
            "insects_found": "on",
            "notes": "西墙柜底层发现虫蛀痕迹",
        },
        follow=True,
    )
    inspection = Inspection.objects.get()
    assert inspection.insects_found and not inspection.damp_protection_ok
    assert "西墙柜底层发现虫蛀痕迹" in response.content.decode()


def test_a_repair_stays_open_on_the_clerks_dashboard_until_repaired(archive, filed, client_for):
    clerk = archive["people"]["clerk"]
    document = filed.documents.get(title="竣工报告")
    client = client_for(clerk)
    client.post(reverse("dossiers:repair_open", args=[document.pk]), {"damage": "封面撕裂"})
    repair = Repair.objects.get()
    assert repair.is_open
    assert "封面撕裂" in client.get(reverse("home")).content.decode()
    assert "待修复" in client.get(reverse("dossiers:detail", args=[filed.pk])).content.decode()
    with pytest.raises(TransitionRefused, match="修复日期不能早于发现日期"):
        services.repair_close(repair, by=clerk, repaired_on=repair.reported_on - timedelta(days=1))
    client.post(
        reverse("dossiers:repair_close", args=[repair.pk]),
        {"repaired_on": timezone.localdate().isoformat(), "repair_notes": "已裱糊"},
    )
    repair.refresh_from_db()
    assert not repair.is_open and repair.repaired_by == clerk
    assert "封面撕裂" not in client.get(reverse("home")).content.decode()


def test_the_print_sheets_are_laid_out_for_a4():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/print.css"), encoding="utf-8").read()
    assert "size: A4" in css and "@media print" in css


def test_the_cabinet_page_and_key_log_are_for_the_archive_and_the_general_manager(archive, client_for):
    assert client_for(archive["people"]["owner"]).get(reverse("dossiers:cabinets")).status_code == 403
    assert client_for(archive["people"]["general_manager"]).get(reverse("dossiers:cabinets")).status_code == 200


def test_a_later_note_is_a_new_signed_entry_and_the_first_filing_is_never_overwritten(archive, filed, client_for):
    """Seed 002 §18: the 卷内备考表 records what happens to the volume after filing; each note is
    signed and dated, and the 立卷人 and 检查人 of the first filing stay."""
    clerk, checker = archive["people"]["clerk"], archive["people"]["checker"]
    url = reverse("dossiers:volume_remarks", args=[filed.pk, 2025, "regular"])
    client_for(clerk).post(url, {"notes": "初次立卷，完整。", "checked_by": checker.pk, "compiled_on": "2025-09-01"})
    later = client_for(checker)
    assert "补充备考说明" in later.get(url).content.decode()
    response = later.post(
        url, {"notes": "竣工报告第3页修复。", "checked_by": clerk.pk, "compiled_on": "2026-02-03"}, follow=True
    )
    html = response.content.decode()
    sheet = VolumeRemarks.objects.get()
    assert (sheet.notes, sheet.compiled_by, sheet.checked_by) == ("初次立卷，完整。", clerk, checker)
    assert sheet.compiled_on == date(2025, 9, 1)
    assert "初次立卷，完整。" in html and "竣工报告第3页修复。" in html
    entry = html[html.index("data-entry") :]
    assert str(checker) in entry and "2026年2月3日" in entry  # signed by whoever wrote it
    # A blank later note is refused on the form; nothing changes.
    response = later.post(url, {"notes": "  ", "compiled_on": "2026-02-04"})
    assert response.status_code == 200 and "请写明要补充的情况说明" in response.content.decode()
    assert sheet.entries.count() == 1
