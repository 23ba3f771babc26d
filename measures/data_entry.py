"""Turning pasted or uploaded data into data points, with row-level errors.

Every row is checked before anything is written (pretix style): a problem reads
"row 4, column value: 'abc' is not a number". Periods are read as ISO dates ("2025-01",
"2025-01-01"), UK dates ("01/01/2025", never US month-first), month names ("Jan 2025",
"January 2025", "Jan-25") or quarters ("Q1 2025"), and moved to the first day of their week,
month or quarter.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass, field

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MAX_ROWS = 5000
MAX_NOTE = 500

HEADER_NAMES = {
    "period": {"period", "month", "date", "week", "quarter"},
    "value": {"value", "result", "count"},
    "numerator": {"numerator", "top"},
    "denominator": {"denominator", "bottom", "out of"},
    "note": {"note", "notes", "comment", "comments"},
}


class EntryError(ValueError):
    """A value that cannot be read; the message says why, for the person who typed it."""


@dataclass
class EntryRow:
    row: int
    period: datetime.date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None  # None: leave any stored note as it is


@dataclass
class EntryResult:
    rows: list[EntryRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def period_start(day: datetime.date, frequency: str) -> datetime.date:
    if frequency == "week":
        return day - datetime.timedelta(days=day.weekday())
    if frequency == "quarter":
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def next_period(period: datetime.date, frequency: str) -> datetime.date:
    """The start of the period after `period`."""
    if frequency == "week":
        return period + datetime.timedelta(days=7)
    months = 3 if frequency == "quarter" else 1
    month = period.month - 1 + months
    return datetime.date(period.year + month // 12, month % 12 + 1, 1)


def _year(text: str) -> int:
    year = int(text)
    if len(text) != 2:
        return year
    # Two-digit years as Excel reads them: 00–29 are 2000–2029, 30–99 are 1930–1999.
    return 2000 + year if year < 30 else 1900 + year


def parse_period(raw: object, frequency: str = "month") -> datetime.date:
    """The start of the period that `raw` names, or EntryError."""
    if isinstance(raw, datetime.datetime):
        return period_start(raw.date(), frequency)
    if isinstance(raw, datetime.date):
        return period_start(raw, frequency)
    text = str(raw or "").strip()
    if not text:
        raise EntryError("the period is missing")
    lowered = text.lower()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]00:00(?::00)?)?", lowered):
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        elif match := re.fullmatch(r"(\d{4})-(\d{1,2})", lowered):
            day = datetime.date(int(match[1]), int(match[2]), 1)
        elif match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", lowered):
            # UK order: day first. A US month-first date fails here or lands on another day.
            day = datetime.date(_year(match[3]), int(match[2]), int(match[1]))
        elif match := re.fullmatch(r"(\d{1,2})/(\d{4})", lowered):
            day = datetime.date(int(match[2]), int(match[1]), 1)
        elif match := re.fullmatch(r"([a-z]+)[\s\-/.,']*(\d{4}|\d{2})", lowered):
            if match[1] not in MONTHS:
                raise EntryError(f"'{text}' is not a period (try 2025-01, Jan 2025 or 01/01/2025)")
            day = datetime.date(_year(match[2]), MONTHS[match[1]], 1)
        elif match := re.fullmatch(r"q([1-4])[\s\-/]*(\d{4})|(\d{4})[\s\-/]*q([1-4])", lowered):
            quarter = int(match[1] or match[4])
            day = datetime.date(int(match[2] or match[3]), quarter * 3 - 2, 1)
        else:
            raise EntryError(f"'{text}' is not a period (try 2025-01, Jan 2025 or 01/01/2025)")
    except ValueError as error:
        if isinstance(error, EntryError):
            raise
        raise EntryError(f"'{text}' is not a real date") from None
    if not 1990 <= day.year <= 2100:
        raise EntryError(f"'{text}' is outside the years 1990–2100")
    return period_start(day, frequency)


def parse_number(raw: object) -> float | None:
    """A number from a cell: "1,234", "45%" and "12.5" are fine; blank is None."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise EntryError(f"'{raw}' is not a number")
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = str(raw).strip()
        if not text:
            return None
        cleaned = text.replace(",", "").replace("%", "").strip()
        try:
            number = float(cleaned)
        except ValueError:
            raise EntryError(f"'{text}' is not a number") from None
    if not math.isfinite(number):
        raise EntryError(f"'{raw}' is not a number")
    return number


def _check_row(row: EntryRow, proportions: bool, today: datetime.date, frequency: str) -> list[str]:
    errors = []
    if row.period > period_start(today, frequency):
        errors.append(f"row {row.row}, column period: {row.period:%d/%m/%Y} is in the future")
    if proportions:
        if row.numerator is None:
            errors.append(f"row {row.row}, column numerator: a number is needed")
        if row.denominator is None:
            errors.append(f"row {row.row}, column denominator: a number is needed")
        if row.numerator is not None and row.numerator < 0:
            errors.append(f"row {row.row}, column numerator: it cannot be negative")
        if row.denominator is not None and row.denominator <= 0:
            errors.append(f"row {row.row}, column denominator: it must be more than 0")
        if (
            row.numerator is not None
            and row.denominator is not None
            and row.denominator > 0
            and row.numerator > row.denominator
        ):
            errors.append(
                f"row {row.row}, column numerator: {row.numerator:g} is more than the denominator {row.denominator:g}"
            )
    elif row.value is None:
        errors.append(f"row {row.row}, column value: a number is needed")
    if row.note is not None and len(row.note) > MAX_NOTE:
        errors.append(f"row {row.row}, column note: keep notes under {MAX_NOTE} characters")
    return errors


def read_rows(
    table: list[list[object]],
    *,
    columns: list[str],
    proportions: bool,
    frequency: str = "month",
    first_row: int = 1,
    today: datetime.date | None = None,
) -> EntryResult:
    """Check every row of `table`, whose cells are in `columns` order (see HEADER_NAMES)."""
    today = today or datetime.date.today()
    result = EntryResult()
    seen: dict[datetime.date, int] = {}
    if len(table) > MAX_ROWS:
        result.errors.append(f"{len(table)} rows is too many: enter at most {MAX_ROWS} at a time")
        return result
    for offset, cells in enumerate(table):
        number = first_row + offset
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        cell = dict(zip(columns, cells, strict=False))
        errors = []
        values: dict[str, float | None] = {}
        try:
            period = parse_period(cell.get("period"), frequency)
        except EntryError as error:
            errors.append(f"row {number}, column period: {error}")
            period = None
        for name in ("numerator", "denominator") if proportions else ("value",):
            try:
                values[name] = parse_number(cell.get(name))
            except EntryError as error:
                errors.append(f"row {number}, column {name}: {error}")
                values[name] = 0.0  # checked: keeps the row's other checks quiet
        note = cell.get("note") if "note" in columns else None
        if errors or period is None:
            result.errors.extend(errors)
            continue
        row = EntryRow(row=number, period=period, note=None if note is None else str(note).strip(), **values)
        if proportions:
            row.value = None if not row.denominator else 100 * row.numerator / row.denominator
        if period in seen:
            result.errors.append(f"row {number}, column period: the same period as row {seen[period]}")
            continue
        seen[period] = number
        problems = _check_row(row, proportions, today, frequency)
        if problems:
            result.errors.extend(problems)
            continue
        result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append("There are no rows of data.")
    return result


def expected_columns(proportions: bool) -> list[str]:
    return ["period", "numerator", "denominator", "note"] if proportions else ["period", "value", "note"]


def parse_paste(text: str, *, proportions: bool, frequency: str = "month", today: datetime.date | None = None):
    """Rows pasted from a spreadsheet: tab-separated period, value (or numerator and
    denominator) and an optional note. A first line that is a header is skipped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    table = [line.split("\t") for line in lines]
    first_row = 1
    if table and table[0] and _looks_like_header(table[0][0]):
        table, first_row = table[1:], 2
    return read_rows(
        table,
        columns=expected_columns(proportions),
        proportions=proportions,
        frequency=frequency,
        first_row=first_row,
        today=today,
    )


def _looks_like_header(cell: object) -> bool:
    text = str(cell or "").strip().lower()
    return any(text in names for names in HEADER_NAMES.values())


def read_upload(name: str, content: bytes) -> list[list[object]]:
    """The cells of an uploaded CSV or XLSX file (first sheet), or EntryError."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        return [list(row) for row in csv.reader(io.StringIO(text))]
    if lowered.endswith((".xlsx", ".xls", ".ods")):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            return [list(row) for row in workbook.get_sheet_by_index(0).to_python()]
        except Exception as error:  # calamine raises its own types for damaged files
            raise EntryError(f"The file could not be read as a spreadsheet ({error}).") from None
    raise EntryError("Upload a .csv or .xlsx file.")


def parse_upload(
    name: str, content: bytes, *, proportions: bool, frequency: str = "month", today: datetime.date | None = None
) -> EntryResult:
    """An uploaded file with a header row naming its columns (period, value or numerator and
    denominator, optional note), in any order."""
    try:
        table = read_upload(name, content)
    except EntryError as error:
        return EntryResult(errors=[str(error)])
    while table and all(cell is None or str(cell).strip() == "" for cell in table[0]):
        table = table[1:]
    if not table:
        return EntryResult(errors=["The file is empty."])
    columns = []
    for cell in table[0]:
        header = str(cell or "").strip().lower()
        columns.append(next((key for key, names in HEADER_NAMES.items() if header in names), f"ignored:{header}"))
    needed = ["period", "numerator", "denominator"] if proportions else ["period", "value"]
    missing = [name for name in needed if name not in columns]
    if missing:
        found = ", ".join(str(cell) for cell in table[0])
        wanted = ", ".join(missing)
        return EntryResult(errors=[f"The first row must name the columns; missing: {wanted} (found: {found})."])
    return read_rows(table[1:], columns=columns, proportions=proportions, frequency=frequency, first_row=2, today=today)
