"""Bad input gets a clear message on the form (or is made harmless), never a 500, and nothing
already stored changes: control characters, year 1, overlong text, damaged files."""

import importlib
import inspect
import io
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.roles import Role
from crm_archive.excel import safe_cell
from crm_archive.forms import TEXT_MAX_LENGTH, CleanInputMixin
from customers.models import Customer, Interaction, SecrecyTier
from dossiers.models import BackupKeyUse
from lending.models import Loan
from tests.customers.factories import CustomerFactory, profile_form_data
from tests.customers.html import errors
from tests.excel import table_of
from tests.factories import export_permit_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)
CONTROL = "\x01\x07\x0b\x0c\x1b\x1f"
OUR_APPS = ["accounts", "customers", "dossiers", "lending", "destruction", "crm_archive"]


@pytest.fixture(autouse=True)
def noon():
    with time_machine.travel(NOON, tick=False):
        yield


def test_every_form_of_the_product_cleans_its_input():
    """A new form that forgets the mixin would let control characters and year 1 back in."""
    unguarded = []
    for app in OUR_APPS:
        for module_name in ("forms", "views"):
            try:
                module = importlib.import_module(f"{app}.{module_name}")
            except ModuleNotFoundError:
                continue
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, django_forms.BaseForm)
                    and value.__module__.split(".")[0] in OUR_APPS
                    and not issubclass(value, CleanInputMixin)
                ):
                    unguarded.append(f"{value.__module__}.{name}")
    assert unguarded == []


def test_control_characters_are_dropped_from_a_profile_and_the_export_still_opens(make_user, client_for):
    owner = make_user(Role.SALES, username="owner")
    customer = CustomerFactory(name="甲公司", owner=owner, secrecy_tier=SecrecyTier.PERSONAL)
    client = client_for(owner)
    response = client.post(
        reverse("customers:update", args=[customer.pk]),
        profile_form_data(
            customer, name=f"甲{CONTROL}公司", address=f'=HYPERLINK("x"){CONTROL}', business_scope="a\tb\nc"
        ),
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "甲公司"
    assert customer.address == '=HYPERLINK("x")'
    assert customer.business_scope == "a\tb\nc"  # tab and line breaks are text, kept

    export_permit_for(owner)
    export = client.get(reverse("customers:export"))
    assert export.status_code == 200
    rows = table_of(export)
    address_column = rows[0].index(str(Customer._meta.get_field("address").verbose_name))
    assert rows[1][0] == "甲公司"
    assert rows[1][address_column] == '\'=HYPERLINK("x")'  # shown as text, never run as a formula


def test_the_excel_writer_is_safe_on_its_own_whatever_is_stored():
    assert safe_cell("a\x00b\x01c\x1fd") == "abcd"
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert len(safe_cell("长" * 40000)) == 32767


def test_a_row_with_control_characters_already_stored_still_exports(make_user, client_for):
    manager = make_user(Role.GENERAL_MANAGER, username="gm")
    CustomerFactory(name="乙\x02公司", owner=manager, secrecy_tier=SecrecyTier.PERSONAL)
    export = client_for(manager).get(reverse("customers:export"))
    assert export.status_code == 200
    assert table_of(export)[1][0] == "乙公司"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "1899-12-31T23:59", "2100-01-01T00:00", "9999-12-31T23:59"])
def test_an_interaction_outside_the_sane_range_is_refused_and_the_pages_still_work(make_user, client_for, moment):
    owner = make_user(Role.SALES, username="owner")
    customer = CustomerFactory(name="甲公司", owner=owner, secrecy_tier=SecrecyTier.PERSONAL)
    client = client_for(owner)
    response = client.post(
        reverse("customers:record_add", args=[customer.pk, "interactions"]),
        {"topic": "拜访", "occurred_at": moment, "channel": "visit", "next_action_on": "0001-01-01"},
    )
    assert response.status_code == 200
    assert "请输入 1900-01-01 至 2099-12-31 之间的日期。" in errors(response.content.decode())
    assert not Interaction.objects.exists()
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_a_date_input_tells_the_browser_the_sane_range(make_user, client_for):
    owner = make_user(Role.SALES, username="owner")
    customer = CustomerFactory(name="甲公司", owner=owner, secrecy_tier=SecrecyTier.PERSONAL)
    page = client_for(owner).get(reverse("customers:record_add", args=[customer.pk, "interactions"])).content.decode()
    assert re.search(r'<input type="datetime-local" name="occurred_at"[^>]*min="1900-01-01T00:00"', page)
    assert re.search(r'name="next_action_on"[^>]*max="2099-12-31"', page)


def test_a_backup_key_use_in_year_one_is_refused_and_the_cabinets_page_still_works(archive, client_for):
    clerk = archive["people"]["clerk"]
    client = client_for(clerk)
    response = client.post(
        reverse("dossiers:backup_key_use", args=[archive["cabinet"].pk]),
        {"used_by": clerk.pk, "used_at": "0001-01-01T00:00", "reason": "取件"},
    )
    assert response.status_code == 200
    assert "请输入 1900-01-01 至 2099-12-31 之间的日期。" in response.content.decode()
    assert not BackupKeyUse.objects.exists()
    assert client.get(reverse("dossiers:cabinets")).status_code == 200


def test_every_text_input_of_a_profile_carries_a_maxlength(make_user, client_for):
    owner = make_user(Role.SALES, username="owner")
    page = client_for(owner).get(reverse("customers:create")).content.decode()
    inputs = re.findall(r"<(?:input|textarea)\b[^>]*>", page)
    text_inputs = [
        tag
        for tag in inputs
        if 'type="hidden"' not in tag and not re.search(r'type="(checkbox|date|number|datetime-local)"', tag)
    ]
    assert text_inputs, "the profile form shows text inputs"
    assert [tag for tag in text_inputs if "maxlength=" not in tag] == []
    assert f'maxlength="{TEXT_MAX_LENGTH}"' in page  # the business scope, a TextField


def test_a_text_longer_than_its_cap_is_refused_with_a_message(make_user, client_for):
    owner = make_user(Role.SALES, username="owner")
    customer = CustomerFactory(name="甲公司", owner=owner, secrecy_tier=SecrecyTier.PERSONAL)
    response = client_for(owner).post(
        reverse("customers:update", args=[customer.pk]),
        profile_form_data(customer, business_scope="长" * (TEXT_MAX_LENGTH + 1)),
    )
    assert response.status_code == 200
    assert any(str(TEXT_MAX_LENGTH) in error for error in errors(response.content.decode()))
    customer.refresh_from_db()
    assert customer.business_scope == ""


def test_control_characters_in_a_loan_request_are_dropped(archive, formal_dossier, client_for):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    response = client_for(archive["people"]["owner"]).post(
        reverse("lending:request"),
        {
            "archive_number": dossier.archive_number,
            "kind": "borrow",
            "content": f"参数表{CONTROL}",
            "purpose": "维修\x00",
        },
    )
    assert response.status_code == 302
    loan = Loan.objects.get()
    assert (loan.content, loan.purpose) == ("参数表", "维修")


def damaged_workbook(part: str, content: bytes) -> bytes:
    """A real workbook with one of its parts replaced by `content`."""
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["客户名称", "负责业务员（用户名）"])
    workbook.active.append(["甲公司", "owner"])
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == part else source.read(item.filename))
    return damaged.getvalue()


@pytest.mark.parametrize(
    "payload",
    [
        damaged_workbook("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c r='A1'"),
        damaged_workbook("xl/workbook.xml", b"not xml at all"),
        damaged_workbook("[Content_Types].xml", b"<Types"),
        damaged_workbook("xl/styles.xml", b"<styleSheet><<"),
        b"PK\x03\x04" + b"\x00" * 200,
    ],
    ids=["sheet-xml", "workbook-xml", "content-types", "styles", "truncated-zip"],
)
def test_a_damaged_spreadsheet_upload_gets_a_message_and_imports_nothing(make_user, client_for, payload):
    manager = make_user(Role.GENERAL_MANAGER, username="gm")
    make_user(Role.SALES, username="owner")
    response = client_for(manager).post(
        reverse("customers:import"),
        {"file": SimpleUploadedFile("customers.xlsx", payload)},
    )
    assert response.status_code == 200
    assert "无法读取该文件，请使用导入模板另存为 .xlsx 后再上传。" in response.content.decode()
    assert not Customer.objects.exists()
