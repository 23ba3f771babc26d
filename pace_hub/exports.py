"""Spreadsheet exports that are safe to open: CSV and XLSX responses with every text cell
guarded against formula injection (a cell starting with = + - @ tab or CR would otherwise run
as a formula in Excel or LibreOffice)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> object:
    """The value, with a leading ' on strings a spreadsheet would read as a formula.

    Numbers, dates and None pass through unchanged, so a negative number stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in row]


def _disposition(filename: str) -> str:
    cleaned = "".join(c for c in filename if c.isalnum() or c in "-_.") or "export"
    return f'attachment; filename="{cleaned}"'


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row("" if value is None else value for value in row))
    # A byte-order mark so that Excel reads UTF-8 (ø in Anhøj, en dashes) correctly.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]], *, sheet: str = "Data"
) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    worksheet = workbook.active
    worksheet.title = sheet[:31]
    worksheet.append(safe_row(header))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        worksheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response
