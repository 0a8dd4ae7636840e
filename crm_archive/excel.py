"""Excel export helpers (openpyxl), shared by every register and list."""

import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value as written to a cell. User text that Excel would run as a formula is prefixed
    with a quote; aware datetimes are written in local time without tzinfo (Excel has none)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, Decimal, date)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def workbook_response(*, filename: str, sheet_title: str, headers: list[str], rows: Iterable[list]) -> FileResponse:
    """Stream a write-only workbook (constant memory however many rows) as a download."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([str(header) for header in headers])
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
