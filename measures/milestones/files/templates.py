"""Blank upload templates: a CSV header row and a ready-to-fill XLSX workbook.

Both use the milestone *names* as headers, which ``validate_milestone_file`` matches back to the
codes; in the XLSX each milestone header also carries its code in a cell comment, so a data lead
can see which milestone a column feeds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pace_hub.exports import safe_cell

from .validation import MAX_REFERENCE_LENGTH, MilestoneSpec

TEMPLATE_ROWS = 500
DATE_FORMAT = "dd/mm/yyyy"
_AUTHOR = "PACE Hub"

INSTRUCTIONS = (
    "How to fill in this template",
    "",
    "One row per child. Fill in the 'Milestones' sheet only; keep its header row as it is.",
    "child_ref: the council's pseudonymous reference for the child (e.g. C-10234). Letters, "
    f"digits and - _ / . only, at most {MAX_REFERENCE_LENGTH} characters, each child once.",
    "route: choose from the list (or leave blank if the route is not yet known).",
    "Milestone columns: the date the milestone was reached, as dd/mm/yyyy (e.g. 25/03/2025). "
    "Never month first. Leave a cell blank if the milestone has not happened yet or is not "
    "known; a blank never removes a date already held.",
    "Dates cannot be in the future or before 1990.",
    "",
    "Do NOT enter",
    "- names (first name, surname, full name, initials that identify a child or family)",
    "- dates of birth",
    "- addresses or postcodes",
    "- CHI numbers or case-management system ids",
    "- notes or free text about the child or family",
    "Files with columns for names, dates of birth, addresses, postcodes or CHI numbers are "
    "refused without being stored.",
    "",
    "When you upload, every problem is listed by row and column before anything is saved.",
)


def wide_template_csv(milestones: Sequence[MilestoneSpec]) -> bytes:
    """A CSV with just the header row (UTF-8 with BOM so Excel opens it correctly)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(_headers(milestones))
    return buffer.getvalue().encode("utf-8-sig")


def wide_template_xlsx(milestones: Sequence[MilestoneSpec], routes: Sequence[str]) -> bytes:
    """An XLSX template: a 'Milestones' sheet ready for dates and an 'Instructions' sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Milestones"
    headers = _headers(milestones)
    sheet.append(headers)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for column in range(1, len(headers) + 1):
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = 14 if column <= 2 else 20
    sheet.cell(row=1, column=1).comment = Comment(
        "The council's pseudonymous child reference, e.g. C-10234. Never a name or CHI number.",
        _AUTHOR,
    )
    sheet.cell(row=1, column=2).comment = Comment(f"One of: {', '.join(routes)}", _AUTHOR)
    for column, milestone in enumerate(milestones, start=3):
        sheet.cell(row=1, column=column).comment = Comment(
            f"Milestone code: {milestone.code}\nDate reached, as dd/mm/yyyy.", _AUTHOR
        )
    last_row = TEMPLATE_ROWS + 1
    for row in range(2, last_row + 1):
        sheet.cell(row=row, column=1).number_format = "@"  # keep references like 007 as text
        for column in range(3, len(headers) + 1):
            sheet.cell(row=row, column=column).number_format = DATE_FORMAT
    sheet.freeze_panes = "B2"

    if routes:
        route_list = DataValidation(
            type="list",
            formula1='"' + ",".join(routes) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Route",
            error=f"Choose one of: {', '.join(routes)}",
        )
        sheet.add_data_validation(route_list)
        route_list.add(f"B2:B{last_row}")
    if milestones:
        date_check = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1990,1,1)",
            formula2="TODAY()",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Date",
            error="Enter a date as dd/mm/yyyy, not in the future and not before 1990.",
        )
        sheet.add_data_validation(date_check)
        date_check.add(f"C2:{get_column_letter(len(headers))}{last_row}")

    instructions = workbook.create_sheet("Instructions")
    instructions.column_dimensions["A"].width = 110
    for line in INSTRUCTIONS:
        instructions.append([line])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions[f"A{INSTRUCTIONS.index('Do NOT enter') + 1}"].font = Font(bold=True)
    for row in instructions.iter_rows():
        row[0].alignment = Alignment(wrap_text=True)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _headers(milestones: Sequence[MilestoneSpec]) -> list[str]:
    """The header row, each name through the one safe-cell rule: a milestone renamed to
    "=HYPERLINK(...)" is written as text, never as a live formula (uploads still match it)."""
    return [safe_cell(header) for header in ("child_ref", "route", *(milestone.name for milestone in milestones))]
