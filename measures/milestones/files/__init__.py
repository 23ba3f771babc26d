"""Reading and checking permanence-milestone spreadsheet uploads (no database; the one shared piece is
pace_hub.exports.safe_cell, the formula-injection rule every export uses).

Typical use by the import service::

    try:
        parsed = validate_milestone_file(
            upload, upload.name, milestones=specs, routes=route_codes, today=timezone.localdate()
        )
    except FileRefused as refusal:
        ...  # show str(refusal) to the user; nothing was read
    parsed.records    # child_ref, route, milestone (code), date: rows without errors only
    parsed.children   # child_ref, route
    parsed.problems   # Problem(row, column, value, reason, severity, code), in row order
    annotated_workbook(upload, upload.name, parsed.problems)  # XLSX to download

What is decided here:

- Only .csv and .xlsx, sniffed by content; XLSX zip sizes are checked before parsing. CSV is
  UTF-8 (with or without BOM) or Windows-1252, comma, semicolon or tab separated.
- The header is the first non-blank row; row numbers are the spreadsheet's (blank rows keep
  their place, entirely blank rows are skipped and are not data rows).
- Headers for names, dates of birth, addresses, postcodes or CHI numbers refuse the file.
- Dates: yyyy-mm-dd (a time after it is ignored), day-first d/m/yyyy with / - or . and 2- or
  4-digit years (2-digit = 20yy), Excel serial numbers (1900 system) and real date cells.
  Month-first dates are never guessed. Dates before 1990 or after ``today`` are errors.
- A row with any error is left out of ``records`` and ``children``; warnings (unknown columns,
  dates out of pathway order) leave rows in. Every problem is listed, however many there are.
- Problem codes: unparseable_date, us_date, future_date, missing_reference, invalid_reference,
  duplicate_reference, unknown_column, out_of_order, unknown_route, unknown_milestone and, in
  long files, conflicting_route (one child given two different routes).
"""

from .annotate import annotated_workbook
from .reading import FileRefused
from .templates import wide_template_csv, wide_template_xlsx
from .validation import (
    DEFAULT_MILESTONES,
    DEFAULT_ROUTES,
    MilestoneSpec,
    ParsedMilestoneFile,
    Problem,
    validate_milestone_file,
)

__all__ = [
    "DEFAULT_MILESTONES",
    "DEFAULT_ROUTES",
    "FileRefused",
    "MilestoneSpec",
    "ParsedMilestoneFile",
    "Problem",
    "annotated_workbook",
    "validate_milestone_file",
    "wide_template_csv",
    "wide_template_xlsx",
]
