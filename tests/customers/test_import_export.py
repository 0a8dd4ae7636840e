"""Customer spreadsheets: an import that stores all rows or none, and an export of exactly what the list shows."""

import io
import re
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from customers.models import Customer, CustomerCategory, CustomerGrade, SecrecyTier
from customers.spreadsheet import export_headers, import_columns
from tests.excel import export_of, table_of
from tests.factories import export_permit_for

from .factories import CustomerFactory
from .html import errors, listed_customer_ids, messages, text

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def labels(language="zh-hans") -> dict[str, str]:
    with translation.override(language):
        return dict(import_columns())


def xlsx(rows: list[dict], *, fields=None, headers=None, language="zh-hans") -> SimpleUploadedFile:
    """An .xlsx upload: a header row of the columns' labels, then one row per dict (field → value)."""
    fields = fields or list(dict.fromkeys(field for row in rows for field in row))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or [labels(language)[field] for field in fields])
    for row in rows:
        sheet.append([row.get(field) for field in fields])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("客户.xlsx", buffer.getvalue(), content_type=XLSX)


def upload(client, file):
    return client.post(reverse("customers:import"), {"file": file}, follow=True)


def report(page: str) -> dict[int, str]:
    """Row number → the problems reported for it."""
    found: dict[int, str] = {}
    for row, cells in re.findall(r'<tr data-row="(\d+)">(.*?)</tr>', page, re.S):
        found[int(row)] = (found.get(int(row), "") + " " + text(cells)).strip()
    return found


def row(name, owner, **fields):
    return {"name": name, "owner": owner, **fields}


@pytest.fixture
def director(people, client_for):
    return client_for(people["marketing_director"])


# Full rows for the tests of other rules; a file may also leave these columns out (defaults apply).
REQUIRED_CHOICES = {
    "category": "潜在客户",
    "kind": "终端客户",
    "grade": "C 级",
    "credit_status": "未评估",
    "secrecy_tier": "个人级",
}


def full_row(name, owner, **fields):
    return {**REQUIRED_CHOICES, **row(name, owner, **fields)}


def test_a_good_file_creates_every_row(people, director):
    rows = [
        full_row("甲公司", "zhangsan", category="签约客户", grade="A 级", postcode="100080", region="北京"),
        full_row("乙公司", "sunliu", category="intent", grade="B", founded_on=date(2001, 5, 4), registered_capital=500),
        full_row("丙公司", "lisi", secrecy_tier="部门级", phone="021-61234567", employees=120),
    ]
    response = upload(director, xlsx(rows))
    assert report(response.content.decode()) == {}
    assert messages(response.content.decode()) == ["已导入 3 位客户。"]
    assert response.redirect_chain[-1][0] == reverse("customers:list")
    first, second, third = (Customer.objects.get(name=name) for name in ("甲公司", "乙公司", "丙公司"))
    assert (first.owner, first.department, first.category, first.grade, first.postcode) == (
        people["owner"],
        people["owner"].department,
        CustomerCategory.SIGNED,
        CustomerGrade.A,
        "100080",
    )
    assert (second.owner, second.department, second.founded_on, second.registered_capital) == (
        people["west_sales"],
        people["west_sales"].department,
        date(2001, 5, 4),
        500,
    )
    assert (third.secrecy_tier, third.phone, third.employees) == (SecrecyTier.DEPARTMENT, "021-61234567", 120)


def test_imported_customers_have_their_creation_in_the_history(people, director):
    upload(director, xlsx([full_row("甲公司", "zhangsan"), full_row("乙公司", "lisi")]))
    assert Customer.objects.count() == 2
    for customer in Customer.objects.all():
        history = list(customer.history.all())
        assert len(history) == 1
        assert (history[0].history_type, history[0].history_change_reason, history[0].history_user) == (
            "+",
            "Excel 导入",
            people["marketing_director"],
        )


def test_a_file_with_only_name_and_owner_columns_imports(people, director):
    response = upload(director, xlsx([row("甲公司", "zhangsan"), row("乙公司", "lisi")]))
    assert report(response.content.decode()) == {}
    assert Customer.objects.count() == 2
    assert Customer.objects.get(name="甲公司").grade == CustomerGrade.C


def test_a_file_with_bad_rows_reports_each_of_them_and_stores_nothing(people, director):
    CustomerFactory(name="老客户", owner=people["owner"])
    before = Customer.objects.count()
    rows = [
        full_row("甲公司", "zhangsan"),
        full_row("乙公司", "zhangsan", postcode="1234"),
        full_row("丙公司", "nobody"),
        full_row("甲公司", "lisi"),
        full_row("老客户", "lisi"),
        full_row("丁公司", "lisi", grade="S 级"),
        full_row("戊公司", "lisi"),
    ]
    response = upload(director, xlsx(rows))
    assert response.status_code == 200
    page = response.content.decode()
    problems = report(page)
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "邮编应为 6 位数字。" in problems[3]
    assert "没有名为“nobody”的在职用户。" in problems[4]
    assert "客户名称“甲公司”与第 2 行重复。" in problems[5]
    assert "客户名称" in problems[6] and "已存在" in problems[6]
    assert "客户等级" in problems[7] and "S 级" in problems[7]
    assert "发现 5 处错误，未导入任何客户。" in text(page)
    assert Customer.objects.count() == before


def test_a_department_manager_cannot_import_customers_for_another_department(people, client_for):
    rows = [full_row("甲公司", "zhangsan"), full_row("乙公司", "sunliu")]
    response = upload(client_for(people["east_manager"]), xlsx(rows))
    assert report(response.content.decode()) == {3: "3 您不能为 孙六 建立客户资料。"}
    assert not Customer.objects.exists()


def test_an_english_reader_imports_a_file_with_english_headers_and_choices(people, director, settings):
    director.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = {"category": "Signed", "kind": "End customer", "grade": "Grade A", "credit_status": "Good"}
    rows = [{**full_row(name, "lisi"), **english, "secrecy_tier": "personal"} for name in ("甲公司", "乙公司")]
    response = upload(director, xlsx(rows, language="en"))
    assert report(response.content.decode()) == {}
    assert sorted(Customer.objects.values_list("name", "category", "grade")) == [
        ("乙公司", CustomerCategory.SIGNED, CustomerGrade.A),
        ("甲公司", CustomerCategory.SIGNED, CustomerGrade.A),
    ]


def test_a_text_file_named_xlsx_is_refused(people, director):
    fake = SimpleUploadedFile("客户.xlsx", "客户名称,负责业务员\n甲公司,zhangsan\n".encode(), content_type=XLSX)
    response = upload(director, fake)
    assert "请上传 Excel（.xlsx）文件。" in errors(response.content.decode())
    assert not Customer.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(people, director):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    response = upload(director, SimpleUploadedFile("客户.xlsx", buffer.getvalue(), content_type=XLSX))
    assert "无法读取该文件，请使用导入模板另存为 .xlsx 后再上传。" in errors(response.content.decode())


def test_an_unknown_column_is_named_in_the_message(people, director):
    headers = [labels()["name"], labels()["owner"], "备注"]
    response = upload(
        director, xlsx([row("甲公司", "zhangsan", note="x")], fields=["name", "owner", "note"], headers=headers)
    )
    assert "第 3 列的标题“备注”无法识别。" in errors(response.content.decode())
    assert not Customer.objects.exists()


def test_a_file_without_the_owner_column_is_refused(people, director):
    response = upload(director, xlsx([{"name": "甲公司"}]))
    assert "文件必须包含“客户名称”和“负责业务员（用户名）”两列。" in errors(response.content.decode())


@pytest.mark.parametrize("url", ["customers:import", "customers:import_template"])
def test_a_sales_person_is_refused_the_import(url, people, client_for):
    client = client_for(people["owner"])
    assert client.get(reverse(url)).status_code == 403
    assert client.post(reverse(url), {"file": xlsx([full_row("甲公司", "zhangsan")])}).status_code == 403
    assert not Customer.objects.exists()


def test_the_import_template_has_every_import_column(people, director):
    template = export_of(director.get(reverse("customers:import_template")))
    assert template.title == "客户导入模板"
    assert list(template.headers) == [label for _name, label in import_columns()]


# Export


def exported(client, **params) -> list[tuple]:
    """The header row, then the customers (under the file's title and filters lines)."""
    return table_of(client.get(reverse("customers:export"), params))


def listed(client, **params) -> set[str]:
    response = client.get(reverse("customers:list"), {"per_page": 100, **params})
    assert response.status_code == 200
    ids = listed_customer_ids(response.content.decode())
    return set(Customer.objects.filter(pk__in=ids).values_list("name", flat=True))


@pytest.fixture
def book(people):
    owner, colleague = people["owner"], people["colleague"]
    return [
        CustomerFactory(name="甲公司", owner=owner, grade=CustomerGrade.A),
        CustomerFactory(name="乙公司", owner=owner, grade=CustomerGrade.B, secrecy_tier=SecrecyTier.DEPARTMENT),
        CustomerFactory(name="丙公司", owner=colleague, grade=CustomerGrade.A),
        CustomerFactory(name="丁公司", owner=colleague, grade=CustomerGrade.A, secrecy_tier=SecrecyTier.DEPARTMENT),
        CustomerFactory(name="戊公司", owner=people["west_sales"], grade=CustomerGrade.A),
    ]


@pytest.fixture(autouse=True)
def sales_may_export(request):
    """The sales people here hold an approved export request (the right itself is tested in
    tests/customers/test_export_right.py)."""
    if "people" in request.fixturenames:
        people = request.getfixturevalue("people")
        for person in ("owner", "colleague"):
            if person in people:
                export_permit_for(people[person])


def test_the_export_opens_with_a_header_row(people, book, client_for):
    rows = exported(client_for(people["owner"]))
    assert rows[0] == tuple(export_headers())
    assert rows[0][:2] == ("客户名称", "客户类别")


@pytest.mark.parametrize(
    ("persona", "params"),
    [
        ("owner", {}),
        ("owner", {"grade": "A"}),
        ("east_manager", {}),
        ("east_manager", {"grade": "A"}),
        ("east_manager", {"owner": "colleague"}),
        ("general_manager", {"grade": "A", "q": "公司"}),
    ],
)
def test_the_export_holds_exactly_the_rows_the_list_shows(persona, params, people, book, client_for):
    if params.get("owner"):
        params = {**params, "owner": people[params["owner"]].pk}
    client = client_for(people[persona])
    names = {values[0] for values in exported(client, **params)[1:]}
    assert names == listed(client, **params)
    assert names  # the comparison is about something


def test_a_sales_persons_export_leaves_out_a_colleagues_personal_customer(people, book, client_for):
    names = [values[0] for values in exported(client_for(people["owner"]))[1:]]
    assert sorted(names) == sorted(["甲公司", "乙公司"])


def test_the_department_managers_export_is_filtered_by_grade(people, book, client_for):
    names = {values[0] for values in exported(client_for(people["east_manager"]), grade="A")[1:]}
    assert names == {"甲公司", "丙公司", "丁公司"}


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","点我")', "+1+2", "@SUM(A1)", "-3"])
def test_a_name_excel_would_run_as_a_formula_is_exported_as_text(name, people, client_for):
    CustomerFactory(name=name, owner=people["owner"], legal_representative="=1+1")
    rows = exported(client_for(people["owner"]))
    assert rows[1][0] == "'" + name
    assert rows[1][9] == "'=1+1"


def test_choice_cells_may_be_written_in_english(people, client_for):
    owner = people["owner"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户名称", "负责业务员（用户名）", "客户类别", "客户等级"])
    sheet.append(["English Labels Ltd", owner.username, "Signed", "Grade A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("customers.xlsx", buffer.getvalue())
    client_for(people["marketing_director"]).post(reverse("customers:import"), {"file": upload})
    customer = Customer.objects.get(name="English Labels Ltd")
    assert (customer.category, customer.grade) == ("signed", "A")


def test_every_exported_customer_is_logged_as_read(archive, client_for):
    from customers.models import CustomerReadLog

    owner = archive["people"]["owner"]
    export_permit_for(owner)
    response = client_for(owner).get(reverse("customers:export"))
    b"".join(response.streaming_content)
    logged = set(CustomerReadLog.objects.filter(user=owner, what="export").values_list("customer__name", flat=True))
    assert logged == {"客户-company", "客户-department", "客户-personal"}
