"""Excel files an office can hand on: one helper writes every export (customers, registers, the
monthly report, statistics, the audit trail, the read log) the same way.

Each sheet opens with a title row (what the file is), a line naming the filters applied, when the
file was made (Asia/Shanghai) and by whom, then a bold header row frozen above the data. Columns
are as wide as their contents (estimated from the first rows; Chinese characters count double),
dates are real Excel dates, every cell of the table has a thin border, and the sheet prints on A4
landscape, fitted to the page width, with the header repeated on each page.

The workbook is write-only and streamed row by row: memory stays constant however many rows;
only the first SAMPLE_ROWS rows are held to measure the columns."""

import re
import tempfile
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice

from django import forms
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.page import PageMargins

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
INVALID_SHEET_TITLE_CHARACTERS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# Excel keeps at most this many characters in a cell.
CELL_MAX_LENGTH = 32767

# The layout every export shares: row 1 the title, row 2 the filters and who made the file when,
# row 3 the column headers; the data starts on row 4.
TITLE_ROW, FILTERS_ROW, HEADER_ROW = 1, 2, 3
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "#,##0.00"
# Columns are measured on the header and this many first rows (held in memory, the rest streams).
SAMPLE_ROWS = 300
MIN_WIDTH, MAX_WIDTH = 6, 60
# How many characters a date or moment takes as shown by the formats above.
DATE_WIDTH, DATETIME_WIDTH = len("2026-01-01"), len("2026-01-01 00:00")

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Percent(float):
    """A share written as a percentage cell: Percent(0.25) shows 25.0% and stays a number."""


def safe_cell(value):
    """A value as written to a cell, whatever the text holds. Control characters an .xlsx cannot
    store are dropped (forms refuse them, but older rows or other writers may have them); user text
    that Excel would run as a formula is prefixed with a quote; text is cut at Excel's cell limit;
    aware datetimes are written in local time without tzinfo (Excel has none)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, Decimal, date)) and not isinstance(value, bool):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text[:CELL_MAX_LENGTH]


def form_filters(form) -> list[tuple[str, object]]:
    """(label, value) for each field of a submitted filter form that holds a value — what the
    export's filters line names. Choices are given by their label, people and records by name; an
    unbound or partly invalid form gives only its valid fields (the export filtered on those)."""
    cleaned = getattr(form, "cleaned_data", None) or {}
    pairs = []
    for name, field in form.fields.items():
        value = cleaned.get(name)
        if value in (None, "", False) or (isinstance(value, (list, tuple, set)) and not value):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            value = pgettext("list separator", "、").join(str(item) for item in value)
        elif isinstance(field, forms.ModelChoiceField):
            value = str(value)
        elif isinstance(field, forms.ChoiceField):
            value = dict(field.choices).get(value, value)
        elif value is True:
            value = _("是")
        pairs.append((str(field.label or name), value))
    return pairs


def workbook_response(
    *, filename: str, title: str, headers: list, rows: Iterable, user, filters: Iterable[tuple[str, object]] = ()
) -> FileResponse:
    """Stream `rows` under `headers` as an .xlsx download laid out as the module docstring says.

    `title` says what the file is; `filters` are (label, value) pairs of the filters applied (those
    without a value are left out); `user` made the file. Rows hold plain values: dates and
    datetimes (aware ones are written in local time), numbers, Percent, text."""
    workbook = Workbook(write_only=True)
    sheet = _StyledSheet(parent=workbook, title=INVALID_SHEET_TITLE_CHARACTERS.sub("", str(title))[:31] or "Sheet")
    workbook._add_sheet(sheet)
    headers = [safe_cell(str(header)) for header in headers]
    rows = iter(rows)
    sample = [[safe_cell(value) for value in row] for row in islice(rows, SAMPLE_ROWS)]
    widths, wrapped = _measure(headers, sample)
    # A write-only sheet writes its columns, panes and page setup before the first row.
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    _print_setup(sheet)

    styles = sheet.styles = _Styles(sheet, wrapped=wrapped)
    _append(sheet, [safe_cell(str(title))], styles.title)
    _append(sheet, [_filters_line(filters, user)], styles.filters)
    _append(sheet, headers, styles.header)
    styles.fixed = None
    for row in chain(sample, ([safe_cell(value) for value in row] for row in rows)):
        sheet.append(row)

    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)


def _print_setup(sheet) -> None:
    """A4 landscape, fitted to the page width (as many pages down as it takes), the header row on
    every page, page numbers in the footer."""
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.oddFooter.center.text = "&P / &N"


def _filters_line(filters: Iterable[tuple[str, object]], user) -> str:
    applied = [
        _("%(label)s：%(value)s") % {"label": label, "value": _shown(value)}
        for label, value in filters
        if value not in (None, "", False)
    ]
    made = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    return safe_cell(
        _("%(filters)s　　生成时间：%(when)s（北京时间）　　生成人：%(who)s")
        % {
            "filters": pgettext("clause separator", "；").join(applied) if applied else _("筛选：全部"),
            "when": made,
            "who": _person(user),
        }
    )


def _person(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "—"
    return str(user.get_full_name() or user.get_username())


def _shown(value) -> str:
    if isinstance(value, datetime):
        return f"{safe_cell(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text_width(text: str) -> int:
    """How many narrow characters `text` takes on screen: Chinese and other wide characters count
    double; of several lines, the longest."""
    return max(
        (sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line) for line in text.split("\n")),
        default=0,
    )


def _value_width(value) -> int:
    if isinstance(value, datetime):
        return DATETIME_WIDTH
    if isinstance(value, date):
        return DATE_WIDTH
    if isinstance(value, Percent):
        return len("100.0%")
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, (int, float)):
        return len(str(value))
    return text_width(value)


def _measure(headers: list, sample: list[list]) -> tuple[list[float], list[bool]]:
    """Each column's width and whether its text wraps: the widest value among the header (bold, so
    a little wider) and the sampled rows, plus a margin, at least MIN_WIDTH; text wider than
    MAX_WIDTH, or of several lines, wraps in a column MAX_WIDTH wide."""
    count = max([len(headers), *(len(row) for row in sample)])
    widths = [text_width(str(header)) * 1.1 for header in headers] + [0] * (count - len(headers))
    wrapped = [False] * count
    for row in sample:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _value_width(value))
            if isinstance(value, str) and "\n" in value:
                wrapped[index] = True
    widths = [round(width + 2.5, 1) for width in widths]
    wrapped = [wrap or width > MAX_WIDTH for wrap, width in zip(wrapped, widths, strict=True)]
    return [min(MAX_WIDTH, max(MIN_WIDTH, width)) for width in widths], wrapped


class _StyledCell(Cell):
    """A cell of one fixed style, reused for every value written in that style: the write-only
    writer serialises each cell before it asks for the next, so one object per style serves the
    whole sheet. Its style id is looked up once, not once per cell."""

    def __init__(self, sheet, style):
        super().__init__(sheet, style_array=style)
        self._style_id = sheet.parent._cell_styles.add(style)

    @property
    def style_id(self):
        return self._style_id

    @property
    def has_style(self):
        return True


class _StyledSheet(WriteOnlyWorksheet):
    """A write-only sheet that writes each value through the cell of its style (_Styles.cell_for)
    instead of making a cell per value: cells are most of the time of a large export, and 10 000
    rows must be out in well under a second and a half."""

    styles = None

    def _values_to_row(self, values, row_idx):
        for column, value in enumerate(values, start=1):
            cell = self.styles.cell_for(column - 1, value)
            cell.value = value
            cell.column, cell.row = column, row_idx
            yield cell


class _Styles:
    """The cell styles of an export, built once; see _StyledCell."""

    def __init__(self, sheet, *, wrapped: list[bool]):
        thin = Side(style="thin", color="808080")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        top = Alignment(vertical="top")

        def styled(**attributes) -> _StyledCell:
            template = Cell(sheet)
            for name, value in attributes.items():
                setattr(template, name, value)
            return _StyledCell(sheet, template._style)

        self.title = styled(font=Font(bold=True, size=14))
        self.filters = styled(font=Font(size=9, color="555555"))
        self.header = styled(
            font=Font(bold=True),
            fill=PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7"),
            border=border,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
        self.text = styled(border=border, alignment=top)
        wrapped_text = styled(border=border, alignment=Alignment(vertical="top", wrap_text=True))
        self.by_type = {
            datetime: styled(border=border, alignment=top, number_format=DATETIME_FORMAT),
            date: styled(border=border, alignment=top, number_format=DATE_FORMAT),
            Percent: styled(border=border, alignment=top, number_format=PERCENT_FORMAT),
            Decimal: styled(border=border, alignment=top, number_format=DECIMAL_FORMAT),
        }
        self.column_text = [wrapped_text if wrap else self.text for wrap in wrapped]
        self.fixed = None

    def cell_for(self, index: int, value) -> _StyledCell:
        if self.fixed is not None:
            return self.fixed
        if type(value) is str:
            return self.column_text[index] if index < len(self.column_text) else self.text
        return self.by_type.get(type(value), self.text)


def _append(sheet, values, fixed: _StyledCell | None = None) -> None:
    """Append a row, every cell styled `fixed` if given (title, filters, header), else by its value."""
    sheet.styles.fixed = fixed
    sheet.append(values)
