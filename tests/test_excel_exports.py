"""Issue 15 §3: every Excel file is one an office can hand on — a title row, a line naming the
filters and who made the file when, a bold frozen header, columns wide enough for their dates and
archive numbers, dates as dates, borders, and A4 landscape print setup with the header repeated.
Each export is opened with openpyxl as Excel would show it."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from crm_archive.excel import HEADER_ROW, text_width
from customers.models import Customer, SecrecyTier
from customers.services import customer_read_log
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.excel import XLSX, Export, export_of

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lending_world(clock, archive, formal_dossier):
    """An original out and photocopies out, each with an archive number."""
    people = archive["people"]

    def issued(tier, kind):
        loan = lending_services.loan_request(
            borrower=people["owner"], dossier=formal_dossier(tier), kind=kind, content="合同", purpose="售后核对"
        )
        return lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])

    borrow = issued(SecrecyTier.PERSONAL, LoanKind.BORROW)
    copies = lending_services.photocopy_register(
        issued(SecrecyTier.DEPARTMENT, LoanKind.PHOTOCOPY),
        by=people["clerk"],
        copied_content="合同复印件",
        pages=3,
        copies=1,
        copies_due_on=timezone.localdate() + timedelta(days=3),
        original_complete=True,
    )
    return {"borrow": borrow, "copies": copies}


def column(export: Export, heading: str) -> int:
    """The 1-based column number of `heading`."""
    return export.headers.index(heading) + 1


def cell(export: Export, row: int, heading: str) -> Cell:
    """The cell of data row `row` (1 = the first under the header) in the column `heading`."""
    return export.sheet.cell(row=HEADER_ROW + row, column=column(export, heading))


def width(export: Export, heading: str) -> float:
    letter = export.sheet.cell(row=HEADER_ROW, column=column(export, heading)).column_letter
    return export.sheet.column_dimensions[letter].width


def assert_laid_out_for_the_office(export: Export, *, title: str, made_by, filters: list[str] = ()) -> None:
    """The layout every export shares (crm_archive/excel.py)."""
    sheet = export.sheet
    assert title in export.title
    title_cell = sheet.cell(row=1, column=1)
    assert title_cell.font.b and title_cell.font.sz >= 14
    assert "生成时间：2026-03-10 10:00" in export.filters
    assert f"生成人：{made_by}" in export.filters
    for words in filters:
        assert words in export.filters
    header = [sheet.cell(row=HEADER_ROW, column=index) for index in range(1, len(export.headers) + 1)]
    assert all(item.font.b for item in header)
    assert all(item.fill.fgColor.rgb.endswith("DDEBF7") for item in header)
    assert all(item.border.bottom.style == "thin" and item.border.left.style == "thin" for item in header)
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    # Every header fits its column (Chinese characters are twice as wide).
    for heading in export.headers:
        assert width(export, heading) >= text_width(heading)
    for row in range(1, len(export.rows) + 1):
        assert sheet.cell(row=HEADER_ROW + row, column=1).border.top.style == "thin"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def assert_moments(export: Export, heading: str) -> None:
    """The column holds real dates with a time, shown in full (never ###)."""
    moments = [cell(export, row, heading) for row in range(1, len(export.rows) + 1)]
    moments = [item for item in moments if item.value not in (None, "")]
    assert moments, f"no dates in {heading}"
    for item in moments:
        assert item.is_date and isinstance(item.value, datetime)
        assert item.number_format == "yyyy-mm-dd hh:mm"
    assert width(export, heading) >= len("2026-03-10 10:00") + 1


def assert_fits(export: Export, heading: str) -> None:
    """Every value of the column is shown whole (archive numbers are never cut)."""
    longest = max(text_width(str(row[column(export, heading) - 1] or "")) for row in export.rows)
    assert longest and width(export, heading) >= longest + 1


def test_the_customer_export(clock, archive, client_for):
    manager = archive["people"]["general_manager"]
    Customer.objects.filter(pk=archive["customers"][SecrecyTier.PERSONAL].pk).update(updated_at=NOW)
    export = export_of(client_for(manager).get(reverse("customers:export"), {"secrecy_tier": "personal", "q": "客户"}))
    assert_laid_out_for_the_office(export, title="客户名单", made_by=manager, filters=["搜索：客户", "密级：个人级"])
    assert [row[0] for row in export.rows] == ["客户-personal"]
    updated = cell(export, 1, str(Customer._meta.get_field("updated_at").verbose_name))
    assert updated.is_date and updated.value == datetime(2026, 3, 10, 10, 0)


def test_the_borrow_register(lending_world, archive, client_for):
    clerk = archive["people"]["clerk"]
    response = client_for(clerk).get(reverse("lending:register_export", args=["borrow"]), {"status": "issued"})
    export = export_of(response)
    assert_laid_out_for_the_office(export, title="借阅登记簿", made_by=clerk, filters=["状态：原件已借出"])
    assert [row[0] for row in export.rows] == [lending_world["borrow"].register_number]
    assert cell(export, 1, "档号").value == lending_world["borrow"].dossier.archive_number
    assert_fits(export, "档号")
    assert_moments(export, "借出日期")
    assert_moments(export, "应还时间")


def test_the_photocopy_register(lending_world, archive, client_for):
    clerk = archive["people"]["clerk"]
    export = export_of(client_for(clerk).get(reverse("lending:register_export", args=["photocopy"])))
    assert_laid_out_for_the_office(export, title="影印登记簿", made_by=clerk, filters=["筛选：全部"])
    assert [row[0] for row in export.rows] == [lending_world["copies"].register_number]
    assert_fits(export, "档号")
    assert_moments(export, "借出日期")


def test_the_monthly_report(lending_world, archive, client_for):
    manager = archive["people"]["general_manager"]
    report = lending_services.monthly_report_snapshot_take(by=manager)
    export = export_of(client_for(manager).get(reverse("lending:report_export", args=[report.pk])))
    assert_laid_out_for_the_office(
        export, title="借阅未还即时快照", made_by=manager, filters=["统计时间：2026-03-10 10:00", "类型：即时快照"]
    )
    assert sorted(row[0] for row in export.rows) == sorted(
        [lending_world["borrow"].register_number, lending_world["copies"].register_number]
    )
    assert_fits(export, "档号")
    assert_moments(export, "借出日期")
    assert_moments(export, "应还时间")


def test_the_statistics(clock, archive, formal_dossier, client_for):
    formal_dossier(SecrecyTier.DEPARTMENT)
    manager = archive["people"]["archive_manager"]
    response = client_for(manager).get(
        reverse("dossiers:statistics_export"), {"date_from": "2026-01-01", "date_to": "2026-03-31"}
    )
    export = export_of(response)
    assert_laid_out_for_the_office(
        export,
        title="档案统计（2026-01-01 至 2026-03-31）",
        made_by=manager,
        filters=["日期自：2026-01-01", "至：2026-03-31"],
    )
    assert export.headers == ("统计项", "分组", "指标", "数值", "占比")
    assert ("按密级", "部门级", "档案数", 1, 1.0) in export.rows
    assert ("按密级", "合计", "档案数", 1, 1.0) in export.rows
    share = next(row for row in range(1, len(export.rows) + 1) if export.rows[row - 1][:2] == ("按密级", "部门级"))
    assert cell(export, share, "占比").number_format == "0.0%"


def test_the_audit_trail(clock, archive, client_for):
    manager = archive["people"]["general_manager"]
    customer_read_log(archive["customers"][SecrecyTier.PERSONAL], user=archive["people"]["owner"])
    response = client_for(manager).get(reverse("audit:export"), {"kind": "customer", "date_to": "2026-03-31"})
    export = export_of(response)
    assert_laid_out_for_the_office(
        export, title="审计记录", made_by=manager, filters=["记录类型：客户", "至：2026-03-31"]
    )
    assert_moments(export, "时间")


def test_the_read_log(clock, archive, formal_dossier, client_for):
    manager = archive["people"]["archive_manager"]
    dossier = formal_dossier()
    customer_read_log(dossier.customer, user=archive["people"]["owner"], what=f"dossier:{dossier.pk}")
    export = export_of(client_for(manager).get(reverse("customers:read_log_export"), {"date_from": "2026-03-10"}))
    assert_laid_out_for_the_office(export, title="查阅日志", made_by=manager, filters=["日期自：2026-03-10"])
    assert cell(export, 1, "查阅内容").value == f"档案页：{dossier.archive_number}"
    assert_moments(export, "查阅时间")


def test_a_date_column_is_written_as_dates_wide_enough(clock, archive, client_for):
    """A date without a time (an import template has none: the helper on its own)."""
    from django.test import RequestFactory

    from crm_archive.excel import workbook_response

    request = RequestFactory().get("/")
    response = workbook_response(
        filename="x.xlsx",
        title="日期",
        headers=["日", "档号"],
        rows=[[date(2026, 3, 1), "KH-2026-D30-0001"]],
        user=archive["people"]["clerk"],
    )
    assert request  # the helper needs no request: the user names who made the file
    export = export_of(response)
    day = cell(export, 1, "日")
    assert day.is_date and day.number_format == "yyyy-mm-dd"
    assert width(export, "日") >= len("2026-03-01") + 1
    assert_fits(export, "档号")


def test_the_import_template_with_its_title_rows_is_read_back(archive, client_for, make_user):
    """The import template opens with the title lines too; a filled-in template imports."""
    from accounts.roles import Role

    director = client_for(make_user(Role.MARKETING_DIRECTOR))
    response = director.get(reverse("customers:import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    headers = [sheet.cell(row=HEADER_ROW, column=index).value for index in range(1, sheet.max_column + 1)]
    row = [""] * len(headers)
    row[headers.index("客户名称")] = "模板导入公司"
    row[headers.index("负责业务员（用户名）")] = archive["people"]["owner"].username
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("template.xlsx", buffer.getvalue(), content_type=XLSX)
    director.post(reverse("customers:import"), {"file": upload}, follow=True)
    assert Customer.objects.filter(name="模板导入公司").exists()
