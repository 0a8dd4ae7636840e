"""Excel export helpers (openpyxl), shared by every register and list."""

import re
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
INVALID_SHEET_TITLE_CHARACTERS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# Excel keeps at most this many characters in a cell.
CELL_MAX_LENGTH = 32767


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


def workbook_response(*, filename: str, sheet_title: str, headers: list[str], rows: Iterable[list]) -> FileResponse:
    """Stream a write-only workbook (constant memory however many rows) as a download."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=INVALID_SHEET_TITLE_CHARACTERS.sub("", str(sheet_title))[:31] or "Sheet")
    sheet.append([safe_cell(str(header)) for header in headers])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
