"""Reading the product's Excel files as a person opening them would (layout: crm_archive/excel.py):
the title row, the line of filters, the bold header row, then the rows."""

import io
from dataclasses import dataclass

from openpyxl import load_workbook

from crm_archive.excel import FILTERS_ROW, HEADER_ROW, TITLE_ROW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Export:
    title: str
    filters: str
    headers: tuple
    rows: list[tuple]
    sheet: object


def export_of(response) -> Export:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    width = sheet.max_column
    return Export(
        title=values[TITLE_ROW - 1][0],
        filters=values[FILTERS_ROW - 1][0],
        headers=tuple(value for value in values[HEADER_ROW - 1] if value is not None),
        rows=[row[:width] for row in values[HEADER_ROW:]],
        sheet=sheet,
    )


def table_of(response) -> list[tuple]:
    """The header row then the data rows: the table under the title lines."""
    export = export_of(response)
    return [export.headers, *export.rows]
