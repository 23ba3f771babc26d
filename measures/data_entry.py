"""Turning pasted or uploaded data into data points, with row-level errors.

Every row is checked before anything is written (pretix style): a problem reads
"row 4, column value: 'abc' is not a number". Periods are read as ISO dates ("2025-01",
"2025-01-01"), UK dates ("01/01/2025", never US month-first), month names ("Jan 2025",
"January 2025", "Jan-25") or quarters ("Q1 2025"), and moved to the first day of their week,
month or quarter; a point per event (frequency "event") keeps its full date.

What a row holds depends on the measure's chart (`Measure.data_kind`):
- "value": a number (run and XmR charts);
- "count": a whole number of 0 or more (C chart);
- "proportion": a numerator out of a denominator above 0 (P and P′ charts);
- "rate": a count of events and an exposure above 0 (U and U′ charts);
- "event": the days or cases since the event before, 0 or more (G and T charts). For times
  (`fill_days`), a blank value is worked out from the event dates.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from bisect import bisect_left
from collections.abc import Sequence
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
# Rates: the count is the top of the fraction and the exposure its bottom.
RATE_HEADER_NAMES = {
    **HEADER_NAMES,
    "value": set(),
    "numerator": {"numerator", "count", "events", "top"},
    "denominator": {"denominator", "exposure", "bottom", "out of"},
}
EVENT_HEADER_NAMES = {
    **HEADER_NAMES,
    "period": {"period", "date", "event date", "date of event", "event"},
    "value": {"value", "days", "cases", "days between", "cases between", "days since", "cases since", "gap"},
}
KINDS = ("value", "count", "proportion", "rate", "event")
PAIRED_KINDS = ("proportion", "rate")


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
    if frequency == "event":
        return day
    if frequency == "week":
        return day - datetime.timedelta(days=day.weekday())
    if frequency == "quarter":
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def next_period(period: datetime.date, frequency: str) -> datetime.date | None:
    """The start of the period after `period` (None for a point per event: nobody knows when
    the next one will be)."""
    if frequency == "event":
        return None
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
        raise EntryError("the date of the event is missing" if frequency == "event" else "the period is missing")
    lowered = text.lower()
    full_date = re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]00:00(?::00)?)?|(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", lowered
    )
    if frequency == "event" and not full_date:
        raise EntryError(f"'{text}' is not the full date of an event (try 03/02/2025 or 2025-02-03)")
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


def _check_row(row: EntryRow, kind: str, today: datetime.date, frequency: str) -> list[str]:
    errors = []
    if row.period > period_start(today, frequency):
        errors.append(f"row {row.row}, column period: {row.period:%d/%m/%Y} is in the future")
    if kind in PAIRED_KINDS:
        top, bottom = ("numerator", "denominator") if kind == "proportion" else ("count", "exposure")
        if row.numerator is None:
            errors.append(f"row {row.row}, column {top}: a number is needed")
        if row.denominator is None:
            errors.append(f"row {row.row}, column {bottom}: a number is needed")
        if row.numerator is not None and row.numerator < 0:
            errors.append(f"row {row.row}, column {top}: it cannot be negative")
        elif kind == "rate" and row.numerator is not None and not float(row.numerator).is_integer():
            errors.append(f"row {row.row}, column count: a count is a whole number ({row.numerator:g})")
        if row.denominator is not None and row.denominator <= 0:
            errors.append(f"row {row.row}, column {bottom}: it must be more than 0")
        if (
            kind == "proportion"
            and row.numerator is not None
            and row.denominator is not None
            and row.denominator > 0
            and row.numerator > row.denominator
        ):
            errors.append(
                f"row {row.row}, column numerator: {row.numerator:g} is more than the denominator {row.denominator:g}"
            )
    elif row.value is None:
        errors.append(f"row {row.row}, column value: a number is needed")
    elif kind == "count" and (row.value < 0 or not float(row.value).is_integer()):
        errors.append(f"row {row.row}, column value: a count is a whole number of 0 or more ({row.value:g})")
    elif kind == "event" and row.value < 0:
        errors.append(f"row {row.row}, column value: the days or cases between events cannot be negative")
    if row.note is not None and len(row.note) > MAX_NOTE:
        errors.append(f"row {row.row}, column note: keep notes under {MAX_NOTE} characters")
    return errors


def _fill_days(rows: list[EntryRow], known_events: Sequence[datetime.date]) -> list[str]:
    """Give each row without a value the days since the event before it (among the rows and
    the events already stored); an error for a row with no earlier event to count from."""
    errors = []
    dates = sorted({*known_events, *(row.period for row in rows)})
    for row in rows:
        if row.value is not None:
            continue
        earlier = bisect_left(dates, row.period)
        if earlier == 0:
            errors.append(
                f"row {row.row}, column value: enter the days since the event before "
                "(there is no earlier event to count from)"
            )
            continue
        row.value = float((row.period - dates[earlier - 1]).days)
    return errors


def read_rows(
    table: list[list[object]],
    *,
    columns: list[str],
    kind: str = "value",
    frequency: str = "month",
    first_row: int = 1,
    today: datetime.date | None = None,
    fill_days: bool = False,
    known_events: Sequence[datetime.date] = (),
    rate_per: int = 1,
) -> EntryResult:
    """Check every row of `table`, whose cells are in `columns` order (see HEADER_NAMES).

    `kind` says what each row holds (see the module's docstring). With `fill_days` (a T
    chart's times between events), a blank value is the days since the event before, counting
    `known_events` (the dates already stored) too.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    today = today or datetime.date.today()
    result = EntryResult()
    seen: dict[datetime.date, int] = {}
    if len(table) > MAX_ROWS:
        result.errors.append(f"{len(table)} rows is too many: enter at most {MAX_ROWS} at a time")
        return result
    paired = kind in PAIRED_KINDS
    names = ("count", "exposure") if kind == "rate" else ("numerator", "denominator")
    blank_allowed = fill_days and kind == "event"
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
        for name, label in zip(("numerator", "denominator"), names, strict=True) if paired else [("value", "value")]:
            try:
                values[name] = parse_number(cell.get(name))
            except EntryError as error:
                errors.append(f"row {number}, column {label}: {error}")
                values[name] = 0.0  # checked: keeps the row's other checks quiet
        note = cell.get("note") if "note" in columns else None
        if errors or period is None:
            result.errors.extend(errors)
            continue
        row = EntryRow(row=number, period=period, note=None if note is None else str(note).strip(), **values)
        if kind in PAIRED_KINDS and row.denominator:
            # The value kept beside the pair: a percentage, or the rate per `rate_per`.
            row.value = (100 if kind == "proportion" else rate_per) * row.numerator / row.denominator
        if period in seen:
            same = "date" if frequency == "event" else "period"
            result.errors.append(f"row {number}, column period: the same {same} as row {seen[period]}")
            continue
        seen[period] = number
        problems = _check_row(row, kind, today, frequency)
        if blank_allowed and row.value is None:
            problems = [problem for problem in problems if "column value: a number is needed" not in problem]
        if problems:
            result.errors.extend(problems)
            continue
        result.rows.append(row)
    if blank_allowed:
        result.errors.extend(_fill_days(result.rows, known_events))
    if not result.rows and not result.errors:
        result.errors.append("There are no rows of data.")
    return result


def expected_columns(kind: str) -> list[str]:
    return ["period", "numerator", "denominator", "note"] if kind in PAIRED_KINDS else ["period", "value", "note"]


def header_names(kind: str) -> dict[str, set[str]]:
    """The column names an upload may use for each field, for this kind of data."""
    if kind == "rate":
        return RATE_HEADER_NAMES
    if kind == "event":
        return EVENT_HEADER_NAMES
    return HEADER_NAMES


def parse_paste(
    text: str,
    *,
    kind: str = "value",
    frequency: str = "month",
    today: datetime.date | None = None,
    fill_days: bool = False,
    known_events: Sequence[datetime.date] = (),
    rate_per: int = 1,
) -> EntryResult:
    """Rows pasted from a spreadsheet: tab-separated period, value (or numerator and
    denominator, or count and exposure) and an optional note. A first line that is a header
    is skipped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    table = [line.split("\t") for line in lines]
    first_row = 1
    if table and table[0] and _looks_like_header(table[0][0], kind):
        table, first_row = table[1:], 2
    return read_rows(
        table,
        columns=expected_columns(kind),
        kind=kind,
        frequency=frequency,
        first_row=first_row,
        today=today,
        fill_days=fill_days,
        known_events=known_events,
        rate_per=rate_per,
    )


def _looks_like_header(cell: object, kind: str = "value") -> bool:
    text = str(cell or "").strip().lower()
    return any(text in names for names in header_names(kind).values())


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
    name: str,
    content: bytes,
    *,
    kind: str = "value",
    frequency: str = "month",
    today: datetime.date | None = None,
    fill_days: bool = False,
    known_events: Sequence[datetime.date] = (),
    rate_per: int = 1,
) -> EntryResult:
    """An uploaded file with a header row naming its columns (period, value — or numerator and
    denominator, or count and exposure —, optional note), in any order."""
    try:
        table = read_upload(name, content)
    except EntryError as error:
        return EntryResult(errors=[str(error)])
    while table and all(cell is None or str(cell).strip() == "" for cell in table[0]):
        table = table[1:]
    if not table:
        return EntryResult(errors=["The file is empty."])
    names = header_names(kind)
    columns = []
    for cell in table[0]:
        header = str(cell or "").strip().lower()
        columns.append(next((key for key, known in names.items() if header in known), f"ignored:{header}"))
    needed = ["period", "numerator", "denominator"] if kind in PAIRED_KINDS else ["period", "value"]
    missing = [name for name in needed if name not in columns]
    if fill_days and kind == "event" and missing == ["value"]:
        missing = []  # times between events can be worked out from the dates alone
    if missing:
        found = ", ".join(str(cell) for cell in table[0])
        shown = {"numerator": "count", "denominator": "exposure"} if kind == "rate" else {}
        wanted = ", ".join(shown.get(name, name) for name in missing)
        return EntryResult(errors=[f"The first row must name the columns; missing: {wanted} (found: {found})."])
    return read_rows(
        table[1:],
        columns=columns,
        kind=kind,
        frequency=frequency,
        first_row=2,
        today=today,
        fill_days=fill_days,
        known_events=known_events,
        rate_per=rate_per,
    )
