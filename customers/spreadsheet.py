"""Customer spreadsheets: the columns of the export and the import, and reading an upload."""

from itertools import chain

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from crm_archive.errors import ActionRefused

from .forms import CustomerImportRowForm

MAX_IMPORT_ROWS = 5000
UNREADABLE = gettext_lazy("无法读取该文件，请使用导入模板另存为 .xlsx 后再上传。")

EXPORT_COLUMNS = [
    ("name", lambda c: c.name),
    ("category", lambda c: c.get_category_display()),
    ("kind", lambda c: c.get_kind_display()),
    ("grade", lambda c: c.grade),
    ("secrecy_tier", lambda c: c.get_secrecy_tier_display()),
    ("owner", lambda c: str(c.owner)),
    ("department", lambda c: str(c.department)),
    ("region", lambda c: c.region),
    ("industry", lambda c: c.industry),
    ("legal_representative", lambda c: c.legal_representative),
    ("phone", lambda c: c.phone),
    ("email", lambda c: c.email),
    ("address", lambda c: c.address),
    ("credit_status", lambda c: c.get_credit_status_display()),
    ("updated_at", lambda c: c.updated_at),
]


def export_headers() -> list[str]:
    from .models import Customer

    return [str(Customer._meta.get_field(name).verbose_name) for name, _getter in EXPORT_COLUMNS]


def export_rows(customers):
    for customer in customers:
        yield [getter(customer) for _name, getter in EXPORT_COLUMNS]


def import_columns() -> list[tuple[str, str]]:
    """(field name, header in the current language) for the import template, in order."""
    form = CustomerImportRowForm()
    return [(name, str(form.fields[name].label)) for name in form.fields]


def _header_aliases() -> dict[str, str]:
    """Header text → field name; a column may be headed by its code or its label in either language."""
    aliases = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for name, label in import_columns():
                aliases[label.strip().lower()] = name
                aliases[name] = name
    return aliases


def read_import_rows(upload) -> list[tuple[int, dict]]:
    """The data rows of the first sheet as (spreadsheet row number, {field: value}).

    Refused with a readable message when the file is not a workbook, a column is unknown,
    the name column is missing, or there are more than MAX_IMPORT_ROWS rows."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # a damaged upload can fail anywhere inside openpyxl (see _rows_of)
        raise ActionRefused(UNREADABLE) from None
    aliases = _header_aliases()
    try:
        header, rows = _rows_of(workbook, aliases)
    finally:
        workbook.close()
    if not header:
        raise ActionRefused(_("文件是空的。"))
    fields = []
    for index, title in enumerate(header, start=1):
        title = "" if title is None else str(title).strip()
        if not title:
            fields.append(None)
            continue
        if title.lower() not in aliases:
            raise ActionRefused(
                _("第 %(column)d 列的标题“%(title)s”无法识别。") % {"column": index, "title": title[:50]}
            )
        fields.append(aliases[title.lower()])
    if "name" not in fields or "owner" not in fields:
        raise ActionRefused(_("文件必须包含“客户名称”和“负责业务员（用户名）”两列。"))
    return [
        (row_number, {field: value for field, value in zip(fields, values, strict=False) if field is not None})
        for row_number, values in rows
    ]


# The import template, like every file the product writes (crm_archive/excel.py), opens with a
# title and a line of filters above its header row: the header is looked for in the first rows.
HEADER_SEARCH_ROWS = 10


def _is_header(values, aliases: dict[str, str]) -> bool:
    """A row naming at least one known column is the header (a title or a note above it names none)."""
    return any(value is not None and str(value).strip().lower() in aliases for value in values)


def _rows_of(workbook, aliases: dict[str, str]) -> tuple[tuple | None, list[tuple[int, tuple]]]:
    """The first sheet's header and its non-empty rows below it, read to the end (at most
    MAX_IMPORT_ROWS). The header is the first row, among the first HEADER_SEARCH_ROWS, that names a
    known column — or else the first non-empty row, whose unknown titles are then reported.

    A read-only workbook parses its XML lazily, so a damaged file fails while rows are read, and
    openpyxl can fail there in many ways (bad XML, a missing part, a wrong type in a cell): every
    failure means the same thing to the person uploading it, who gets one readable message."""
    try:
        lines = enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
        top = []
        for row_number, values in lines:
            if values is not None and any(value not in (None, "") for value in values):
                top.append((row_number, values))
            if len(top) == HEADER_SEARCH_ROWS or (top and _is_header(top[-1][1], aliases)):
                break
        if not top:
            return None, []
        found = next((index for index, (_number, values) in enumerate(top) if _is_header(values, aliases)), 0)
        header = top[found][1]
        result = []
        for row_number, values in chain(top[found + 1 :], lines):
            if values is None or all(value in (None, "") for value in values):
                continue
            if len(result) >= MAX_IMPORT_ROWS:
                raise ActionRefused(_("一次最多导入 %(max)d 行。") % {"max": MAX_IMPORT_ROWS})
            result.append((row_number, values))
    except ActionRefused:
        raise
    except Exception:  # a damaged upload can fail anywhere inside openpyxl
        raise ActionRefused(UNREADABLE) from None
    return header, result
