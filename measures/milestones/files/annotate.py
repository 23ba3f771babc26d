"""The uploaded sheet returned as XLSX with each row's problems written beside it.

Rows keep their original row numbers, so "row 12" in the problem list is row 12 here too. The
first sheet is the upload plus a "problems" column; a second sheet lists every problem. Every
text cell is made safe from spreadsheet formula injection.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from python_calamine import CalamineWorkbook

from pace_hub.exports import safe_cell

from .reading import (
    MAX_UPLOAD_BYTES,
    check_xlsx_container,
    decode_csv,
    kind_from_filename,
    load_bytes,
)
from .validation import ERROR, Problem

_ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
_WARNING_FILL = PatternFill("solid", fgColor="FFF3CD")


def safe_text(value: str) -> str:
    """Text that a spreadsheet will show as text, never run as a formula."""
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))


def annotated_workbook(
    data: bytes | BinaryIO | str | Path,
    filename: str,
    problems: Sequence[Problem],
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> bytes:
    """Return an XLSX of the upload's first sheet with a "problems" column added.

    Each row's cell lists its problems as "column: reason" joined by "; " (warnings marked);
    problems about the whole file appear on the "All problems" sheet with every other problem.
    """
    kind = kind_from_filename(filename)
    content = load_bytes(data, max_bytes)
    if kind == "xlsx":
        check_xlsx_container(content)
        width, rows = _xlsx_rows(content)
    else:
        width, rows = _csv_rows(decode_csv(content))

    by_row: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.row is not None:
            by_row[problem.row].append(problem)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Upload with problems")
    header_written = False
    for row_number, cells in rows:
        values: list[Any] = [_cell(sheet, value) for value in cells]
        values.extend([None] * (width - len(values)))
        if by_row.get(row_number):
            values.append(_problems_cell(sheet, by_row[row_number]))
        elif not header_written and any(value not in ("", None) for value in cells):
            values.append(WriteOnlyCell(sheet, "problems"))
            values[-1].font = Font(bold=True)
            header_written = True
        sheet.append(values)

    _write_problem_list(workbook.create_sheet("All problems"), problems)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_rows(content: bytes) -> tuple[int, Iterator[tuple[int, list[Any]]]]:
    worksheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    if worksheet.start is None:
        return 0, iter(())
    # calamine's rows start at row 1 but leave out blank leading columns: put them back so
    # that every cell stays in its column.
    first_column = worksheet.start[1]
    rows = ((number, [""] * first_column + list(cells)) for number, cells in enumerate(worksheet.iter_rows(), start=1))
    return first_column + worksheet.width, rows


def _csv_rows(text: str) -> tuple[int, Iterable[tuple[int, list[Any]]]]:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    lengths = (len(cells) for cells in csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max(lengths, default=0)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return width, ((number, cells) for number, cells in enumerate(reader, start=1))


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value) if value else None
    if isinstance(value, (datetime, date)):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "dd/mm/yyyy" if _is_midnight(value) else "dd/mm/yyyy hh:mm"
        return cell
    if isinstance(value, (time, timedelta)):
        return str(value)
    return value


def _is_midnight(value: date) -> bool:
    return not isinstance(value, datetime) or value.time() == time()


def _problems_cell(sheet: WriteOnlyWorksheet, problems: list[Problem]) -> WriteOnlyCell:
    text = "; ".join(_describe(problem) for problem in problems)
    cell = WriteOnlyCell(sheet, safe_text(text))
    has_error = any(problem.severity == ERROR for problem in problems)
    cell.fill = _ERROR_FILL if has_error else _WARNING_FILL
    return cell


def _describe(problem: Problem) -> str:
    text = f"{problem.column}: {problem.reason}" if problem.column else problem.reason
    return text if problem.severity == ERROR else f"{text} (warning)"


def _write_problem_list(sheet: WriteOnlyWorksheet, problems: Sequence[Problem]) -> None:
    headers = ["row", "column", "value", "severity", "problem"]
    sheet.append([_bold(sheet, header) for header in headers])
    for problem in problems:
        sheet.append(
            [
                problem.row if problem.row is not None else "whole file",
                safe_text(problem.column or ""),
                safe_text(problem.value),
                problem.severity,
                safe_text(problem.reason),
            ]
        )


def _bold(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True)
    return cell
