"""Barcode labels (SPEC §5, issue 13 §7): a dossier's spine label holds its archive number, a
cabinet position's label POS:<cabinet>/<position>; A4 sheets of them decode back to exactly
those codes, and a scan is read back by parse_scan."""

import base64
import html
import io
import re

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from accounts.roles import Role
from customers.models import Customer, CustomerReadLog
from dossiers import services
from dossiers.labels import (
    LABELS_PER_PAGE,
    ScannedCode,
    Symbology,
    code_image,
    label_text,
    parse_scan,
    position_code,
)
from dossiers.models import Cabinet

pytestmark = pytest.mark.django_db

LABEL = re.compile(
    r'<div class="label (?P<symbology>\w+)" data-label="(?P<kind>\w+)" data-code="(?P<code>[^"]*)">'
    r'(?P<body>.*?)(?=<div class="label |</section>)',
    re.S,
)
IMAGE = re.compile(r'<img src="data:image/png;base64,(?P<png>[^"]+)"')


def shelved_dossier(archive, ready_dossier, *, name, cabinet, position):
    """A formal dossier of a new customer `name`, shelved in `cabinet` at `position`."""
    owner = archive["people"]["owner"]
    customer = Customer.objects.create(name=name, owner=owner, department=owner.department)
    return services.dossier_promote(
        ready_dossier(customer=customer), by=archive["people"]["clerk"], cabinet=cabinet, position=position
    )


def labels_on(page_html: str) -> list[dict]:
    """Each label of a sheet: its kind, the code it says it holds, and what its image decodes to."""
    found = []
    for match in LABEL.finditer(page_html):
        png = base64.b64decode(IMAGE.search(match.group("body")).group("png"))
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        found.append(
            {
                "kind": match.group("kind"),
                "symbology": match.group("symbology"),
                "code": html.unescape(match.group("code")),
                "decoded": [result.text for result in decoded],
                "format": [result.format for result in decoded],
                "text": re.sub(r"<[^>]+>", " ", match.group("body")),
            }
        )
    return found


def sheet(client, **params):
    return client.get(reverse("dossiers:labels"), params)


# What a scan names


NUMBER = "KH-2026-D30-0001"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("KH-2026-D30-0001", ScannedCode("dossier", "KH-2026-D30-0001", archive_number="KH-2026-D30-0001")),
        ("  KH-2026-D30-0001\r", ScannedCode("dossier", "KH-2026-D30-0001", archive_number="KH-2026-D30-0001")),
        ("KH-2026-D30-0001\r\n", ScannedCode("dossier", "KH-2026-D30-0001", archive_number="KH-2026-D30-0001")),
        (
            "ＫＨ－２０２６－Ｄ３０－０００１",
            ScannedCode("dossier", "KH-2026-D30-0001", archive_number="KH-2026-D30-0001"),
        ),
        ("POS:A02/5", ScannedCode("position", "POS:A02/5", cabinet_code="A02", position=5)),
        ("pos:A02/5\r", ScannedCode("position", "pos:A02/5", cabinet_code="A02", position=5)),
        ("ＰＯＳ：Ａ０２／５", ScannedCode("position", "POS:A02/5", cabinet_code="A02", position=5)),
        ("POS:东区/3/12", ScannedCode("position", "POS:东区/3/12", cabinet_code="东区/3", position=12)),
    ],
)
def test_a_scan_is_read_as_the_dossier_or_position_its_label_holds(typed, expected):
    assert parse_scan(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   \r\n",
        None,
        "\x00\x01\x1b",
        "长" * 100_000,
        "K" * 41,
        "two words",
        "POS:A02/",
        "POS:A02/0",
        "POS:A02/1e3",
        "POS:A02/-1",
        "POS:/5",
        "POS:A02/99999999",
        "POS:A02",
    ],
)
def test_garbage_scans_name_nothing(typed):
    scanned = parse_scan(typed)
    assert scanned.kind == "unknown" and scanned.is_unknown
    assert len(scanned.text) <= 100 and "\x00" not in scanned.text


def test_control_characters_a_scanner_may_send_are_dropped():
    assert parse_scan("\x02KH-2026-Y-0007\x03\r").archive_number == "KH-2026-Y-0007"


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize("code", ["KH-2026-D30-0001", position_code("A02", 5), position_code("B-1/东", 40)])
def test_every_drawn_code_decodes_back_to_itself(code, symbology):
    image = code_image(code, symbology)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.png)))
    assert [result.text for result in decoded] == [code]
    assert parse_scan(decoded[0].text).text == code


def test_a_code_code128_cannot_hold_is_drawn_as_a_qr_code():
    assert code_image(position_code("东区", 1), Symbology.CODE128).symbology == Symbology.QR
    assert code_image(position_code("A01", 1), Symbology.CODE128).symbology == Symbology.CODE128


def test_label_text_is_one_line_without_control_characters_and_cut_with_an_ellipsis():
    assert label_text("上海\x07某某\n有限\t公司", 18) == "上海某某 有限 公司"
    assert label_text("长" * 300, 18) == "长" * 17 + "…"
    assert len(label_text("长" * 300, 18)) == 18


# Label sheets


def test_a_cabinets_label_sheet_decodes_back_to_its_archive_numbers(archive, ready_dossier, client_for):
    cabinet = archive["cabinet"]
    dossiers = [
        shelved_dossier(archive, ready_dossier, name=f"客户{number}", cabinet=cabinet, position=position)
        for number, position in ((1, 3), (2, 1), (3, 7))
    ]
    response = sheet(client_for(archive["people"]["clerk"]), source="cabinet", cabinet=cabinet.pk, symbology="code128")
    assert response.status_code == 200
    page = response.content.decode()
    assert "labels.css" in page and "print.css" in page  # the A4 print sheet
    labels = labels_on(page)
    # In position order, each image decoding to exactly the archive number it shows.
    by_position = sorted(dossiers, key=lambda dossier: dossier.position)
    assert [label["code"] for label in labels] == [dossier.archive_number for dossier in by_position]
    assert [label["decoded"] for label in labels] == [[dossier.archive_number] for dossier in by_position]
    assert all(label["format"] == [zxingcpp.BarcodeFormat.Code128] for label in labels)
    assert "客户2" in labels[0]["text"] and "A01 第 1 格" in labels[0]["text"]


def test_a_qr_sheet_of_some_archive_numbers_decodes_back_to_them(archive, ready_dossier, client_for):
    first = shelved_dossier(archive, ready_dossier, name="甲公司", cabinet=archive["cabinet"], position=2)
    second = shelved_dossier(archive, ready_dossier, name="乙公司", cabinet=archive["cabinet"], position=5)
    typed = f"{second.archive_number}\r\n {first.archive_number} , {second.archive_number}"
    page = sheet(
        client_for(archive["people"]["archive_manager"]), source="numbers", archive_numbers=typed, symbology="qr"
    )
    labels = labels_on(page.content.decode())
    assert [label["decoded"] for label in labels] == [[second.archive_number], [first.archive_number]]
    assert all(label["format"] == [zxingcpp.BarcodeFormat.QRCode] for label in labels)


def test_position_labels_decode_to_position_codes_a_scan_reads_back(archive, client_for):
    cabinet = Cabinet.objects.create(code="A02", place="二楼档案室", positions=30)
    page = sheet(
        client_for(archive["people"]["clerk"]),
        source="positions",
        cabinet=cabinet.pk,
        first_position=1,
        last_position=30,
        symbology="code128",
    ).content.decode()
    labels = labels_on(page)
    assert [label["decoded"] for label in labels] == [[f"POS:A02/{position}"] for position in range(1, 31)]
    scanned = parse_scan(labels[4]["decoded"][0] + "\r")
    assert (scanned.kind, scanned.cabinet_code, scanned.position) == ("position", "A02", 5)
    # 24 labels to an A4 page.
    assert page.count("data-label-page=") == 2 and LABELS_PER_PAGE == 24


def test_a_chinese_cabinet_code_is_printed_as_a_qr_code_and_says_so(archive, client_for):
    cabinet = Cabinet.objects.create(code="东区柜", place="东区", positions=2)
    page = sheet(client_for(archive["people"]["clerk"]), source="positions", cabinet=cabinet.pk, symbology="code128")
    labels = labels_on(page.content.decode())
    assert [label["decoded"] for label in labels] == [["POS:东区柜/1"], ["POS:东区柜/2"]]
    assert {label["symbology"] for label in labels} == {"qr"}
    assert "已改印二维码" in page.content.decode()


def test_hostile_customer_names_are_cut_and_escaped_on_the_label(archive, ready_dossier, client_for):
    name = "<script>alert(1)</script>\x07\x1b有限公司" + "长" * 150
    dossier = shelved_dossier(archive, ready_dossier, name=name, cabinet=archive["cabinet"], position=1)
    page = sheet(
        client_for(archive["people"]["clerk"]), source="cabinet", cabinet=archive["cabinet"].pk, symbology="qr"
    )
    text = page.content.decode()
    assert "<script>alert" not in text and "\x07" not in text and "\x1b" not in text
    (label,) = labels_on(text)
    assert label["decoded"] == [dossier.archive_number]
    assert "&lt;script&gt;alert(1)&lt;…" in label["text"]
    assert "长长" not in label["text"]


def test_printing_a_sheet_logs_each_customer_named_as_read(archive, ready_dossier, client_for):
    dossier = shelved_dossier(archive, ready_dossier, name="丙公司", cabinet=archive["cabinet"], position=4)
    clerk = archive["people"]["clerk"]
    sheet(client_for(clerk), source="cabinet", cabinet=archive["cabinet"].pk, symbology="code128")
    assert CustomerReadLog.objects.filter(customer=dossier.customer, user=clerk, what="labels").count() == 1


@pytest.mark.parametrize("role", [Role.SALES, Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER, Role.MARKETING_DIRECTOR])
def test_only_archive_staff_print_labels(role, archive, ready_dossier, make_user, client_for):
    shelved_dossier(archive, ready_dossier, name="丁公司", cabinet=archive["cabinet"], position=1)
    client = client_for(make_user(role))
    assert sheet(client).status_code == 403
    assert sheet(client, source="cabinet", cabinet=archive["cabinet"].pk, symbology="qr").status_code == 403
    assert not CustomerReadLog.objects.filter(what="labels").exists()


def test_the_dossier_page_and_the_cabinets_page_lead_to_the_labels(archive, ready_dossier, client_for):
    dossier = shelved_dossier(archive, ready_dossier, name="戊公司", cabinet=archive["cabinet"], position=6)
    clerk = client_for(archive["people"]["clerk"])
    detail = clerk.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    link = re.search(r'href="(/dossiers/labels/\?[^"]+)"', detail).group(1)
    labels = labels_on(clerk.get(html.unescape(link)).content.decode())
    assert [label["decoded"] for label in labels] == [[dossier.archive_number]]
    cabinets = clerk.get(reverse("dossiers:cabinets")).content.decode()
    assert "打印标签" in cabinets and "盘点" in cabinets


def test_the_owner_is_not_offered_a_label_of_their_customers_dossier(archive, formal_dossier, client_for):
    dossier = formal_dossier()
    page = client_for(archive["people"]["owner"]).get(reverse("dossiers:detail", args=[dossier.pk]))
    assert page.status_code == 200 and "/dossiers/labels/" not in page.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"source": "numbers", "archive_numbers": "KH-1999-Y-9999", "symbology": "qr"}, "没有这些档号的档案"),
        ({"source": "numbers", "archive_numbers": " \r\n ", "symbology": "qr"}, "请输入至少一个档号"),
        ({"source": "numbers", "archive_numbers": "长" * 100_000, "symbology": "qr"}, "20000"),
        ({"source": "cabinet", "symbology": "qr"}, "请选择档案柜"),
        ({"source": "cabinet", "cabinet": "1e3", "symbology": "qr"}, "选择一个有效的选项"),
        ({"source": "positions", "cabinet": "CABINET", "first_position": "1e3", "symbology": "qr"}, "整数"),
        ({"source": "positions", "cabinet": "CABINET", "first_position": "8", "last_position": "2"}, "结束格位"),
        ({"source": "positions", "cabinet": "CABINET", "first_position": "11", "symbology": "qr"}, "只有 10 个格位"),
        ({"source": "drop", "symbology": "ean"}, "选择一个有效的选项"),
        ({"source": "cabinet", "cabinet": "CABINET", "symbology": "code128"}, "没有正式档案"),
    ],
)
def test_bad_label_requests_get_a_clear_message(params, message, archive, client_for):
    params = {key: str(archive["cabinet"].pk) if value == "CABINET" else value for key, value in params.items()}
    response = sheet(client_for(archive["people"]["clerk"]), **params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "data-label=" not in response.content.decode()


def test_a_nul_byte_in_a_label_request_is_refused_before_the_view(archive, client_for):
    response = sheet(client_for(archive["people"]["clerk"]), source="numbers", archive_numbers="KH\x00")
    assert response.status_code == 400


def test_a_destroyed_or_temporary_dossier_gets_no_label(archive, ready_dossier, open_dossier, client_for):
    from dossiers.models import Dossier, DossierStatus

    dossier = shelved_dossier(archive, ready_dossier, name="己公司", cabinet=archive["cabinet"], position=8)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.DESTROYED)
    response = sheet(
        client_for(archive["people"]["clerk"]), source="numbers", archive_numbers=dossier.archive_number, symbology="qr"
    )
    assert "不打印标签" in response.content.decode() and "data-label=" not in response.content.decode()
