"""Validate a permanence-milestone spreadsheet and turn it into milestone records.

``validate_milestone_file`` reads an upload (see ``reading``), decides whether it is *wide* (one
row per child, one column per milestone) or *long* (child, milestone, date), and checks every
cell. Whole-file problems raise ``FileRefused``; everything else becomes a ``Problem`` with the
row and column the user sees, and rows with an error are left out of the records.

The work is done column by column with pandas. Dates are parsed once per distinct text in a
column (a column of 100,000 dates holds a few thousand distinct values), and Python-level work
is done only for the cells that have a problem.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from .dates import (
    DATE_BLANK,
    DATE_CODES,
    DATE_OK,
    DateColumn,
    date_reason,
    parse_date_column,
    parse_date_columns,
    uk_dates,
)
from .reading import MAX_UPLOAD_BYTES, FileRefused, Sheet, blank_mask, read_upload

ERROR = "error"
WARNING = "warning"

MAX_REFERENCE_LENGTH = 40


@dataclass(frozen=True)
class MilestoneSpec:
    """One milestone of the organisation's pathway; a sequence of them is in pathway order."""

    code: str
    name: str


DEFAULT_MILESTONES = (
    MilestoneSpec("looked_after", "Child became looked after and accommodated"),
    MilestoneSpec("first_review", "First LAC review"),
    MilestoneSpec("legal_advice", "Legal advice / permanence planning meeting"),
    MilestoneSpec("permanence_rec", "LAC review recommends permanence"),
    MilestoneSpec("panel", "Permanence / adoption panel recommendation"),
    MilestoneSpec("adm_decision", "Agency decision maker decision"),
    MilestoneSpec("hearing_advice", "Children's hearing advice to the court"),
    MilestoneSpec("court_lodged", "Application lodged in court"),
    MilestoneSpec("order_granted", "Final order granted"),
)
DEFAULT_ROUTES = ("home", "kinship", "po", "poa", "adoption")

# Labels people write for the route codes; only those whose code the organisation uses count.
ROUTE_LABELS = {
    "return home": "home",
    "stay home": "home",
    "home": "home",
    "kinship": "kinship",
    "kinship care": "kinship",
    "kinship care order": "kinship",
    "s11": "kinship",
    "s 11": "kinship",
    "section 11": "kinship",
    "po": "po",
    "permanence order": "po",
    "poa": "poa",
    "po with authority to adopt": "poa",
    "permanence order with authority to adopt": "poa",
    "adoption": "adoption",
    "adoption order": "adoption",
}

REFERENCE_HEADERS = {"childref", "childreference", "reference", "childid"}
REFERENCE_HEADER_TEXT = "child_ref (also accepted: child reference, reference, child id)"

# Header words that mean the file holds identifying data. Matched against the header's words
# (and the words run together, so "DateOfBirth" and "D.O.B." are caught too).
IDENTIFYING_TERMS = {
    "name": "a name",
    "names": "a name",
    "forename": "a name",
    "forenames": "a name",
    "surname": "a name",
    "surnames": "a name",
    "firstname": "a name",
    "lastname": "a name",
    "fullname": "a name",
    "dob": "a date of birth",
    "date of birth": "a date of birth",
    "dateofbirth": "a date of birth",
    "birth date": "a date of birth",
    "birthdate": "a date of birth",
    "birthday": "a date of birth",
    "address": "an address",
    "addresses": "an address",
    "postcode": "a postcode",
    "postcodes": "a postcode",
    "post code": "a postcode",
    "chi": "a CHI number",
    "chinumber": "a CHI number",
}

_REFERENCE_PATTERN = r"[A-Za-z0-9_./-]+"
_TWO_WORDS = re.compile(r"[^\W\d_]+\s+[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in the file, as the user should read it.

    ``row`` is the spreadsheet row number (header row 1, first data row 2) or None for the
    whole file; ``column`` is the header as written; ``value`` the cell as text.
    """

    row: int | None
    column: str | None
    value: str
    reason: str
    severity: str
    code: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        place = ", ".join(where) or "file"
        return f"{place[0].upper()}{place[1:]}: {self.reason}"


@dataclass
class ParsedMilestoneFile:
    """The result of validating one upload.

    ``records`` has columns child_ref (str), route (str or None), milestone (code) and date
    (datetime64[ns]): one row per child and milestone with a valid date, from rows without
    errors, in file order. ``children`` has child_ref and route (str or None), one row per valid
    child. ``error_rows`` holds the spreadsheet row numbers with at least one error.
    """

    layout: str
    rows: int
    records: pd.DataFrame
    children: pd.DataFrame
    problems: list[Problem]
    error_rows: set[int]
    matched_columns: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == WARNING]


def validate_milestone_file(
    data: bytes | BinaryIO | str | Path,
    filename: str,
    milestones: Sequence[MilestoneSpec],
    routes: Sequence[str],
    today: date,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> ParsedMilestoneFile:
    """Read and check a milestone upload (CSV or XLSX, wide or long).

    Raises ``FileRefused`` when the whole file cannot be used: wrong type, too big, unsafe,
    empty, identifying columns, or no child reference column.
    """
    sheet = read_upload(data, filename, max_bytes)
    refuse_identifying_headers(sheet.headers)
    keys = [header_key(header) for header in sheet.headers]
    reference_column = _single_column(sheet.headers, keys, REFERENCE_HEADERS, "child reference")
    if reference_column is None:
        found = ", ".join(repr(header) for header in sheet.headers if header) or "none"
        raise FileRefused(
            f"No child reference column was found. Name it {REFERENCE_HEADER_TEXT}. Headers found: {found}."
        )
    if sheet.cells.empty:
        raise FileRefused("The file has a header row but no data rows.")
    route_column = _single_column(sheet.headers, keys, {"route"}, "route")
    check = _Check(sheet, milestones, routes, today, reference_column, route_column)
    milestone_column = _single_column(sheet.headers, keys, {"milestone"}, "milestone")
    date_column = _single_column(sheet.headers, keys, {"date"}, "date")
    if milestone_column is not None and date_column is not None:
        return check.long(milestone_column, date_column)
    return check.wide()


def header_key(text: str) -> str:
    """Normalise a header or milestone text for matching: case, spaces, _ and - do not count."""
    return re.sub(r"[\s_\-]+", "", str(text).replace("\u2019", "'")).casefold()


def refuse_identifying_headers(headers: Sequence[str]) -> None:
    """Raise ``FileRefused`` if any header looks like a name, DOB, address, postcode or CHI."""
    found = []
    for header in headers:
        words = re.findall(r"[a-z]+", str(header).casefold())
        spaced = f" {' '.join(words)} "
        compact = "".join(words)
        for term, kind in IDENTIFYING_TERMS.items():
            if f" {term} " in spaced or compact == term.replace(" ", ""):
                found.append(f"{header!r} ({kind})")
                break
    if found:
        raise FileRefused(
            "This file was not uploaded because it has columns that look like identifying "
            f"information: {', '.join(found)}. Remove names, dates of birth, addresses, "
            "postcodes and CHI numbers: only the pseudonymous child reference (e.g. C-10234), "
            "the route and milestone dates may be uploaded."
        )


def milestone_lookup(milestones: Sequence[MilestoneSpec]) -> dict[str, str]:
    """Map normalised codes and names to milestone codes."""
    lookup = {}
    for milestone in milestones:
        lookup.setdefault(header_key(milestone.name), milestone.code)
    for milestone in milestones:  # a code wins over another milestone's name
        lookup[header_key(milestone.code)] = milestone.code
    return lookup


def route_lookup(routes: Sequence[str]) -> dict[str, str]:
    """Map normalised route texts (codes and the usual labels) to the organisation's codes."""
    codes = {_route_key(route): route for route in routes}
    lookup = {label: codes[code] for label, code in ROUTE_LABELS.items() if _route_key(code) in codes}
    lookup.update(codes)
    return lookup


class _Check:
    """The checks of one sheet; collects problems and the rows with errors.

    Problems are added in bulk, a column at a time, and put into reading order (row, then
    column) at the end, so that even a file where every cell is wrong stays quick to check.
    """

    def __init__(
        self,
        sheet: Sheet,
        milestones: Sequence[MilestoneSpec],
        routes: Sequence[str],
        today: date,
        reference_column: int,
        route_column: int | None,
    ) -> None:
        self.sheet = sheet
        self.cells = sheet.cells
        self.row_numbers = sheet.cells.index.to_numpy()
        self.milestones = list(milestones)
        self.labels = {milestone.code: f"{milestone.name} ({milestone.code})" for milestone in milestones}
        self.milestone_lookup = milestone_lookup(milestones)
        self.routes = list(routes)
        self.route_lookup = route_lookup(routes)
        self.today = today
        self.reference_column = reference_column
        self.route_column = route_column
        self.errors = np.zeros(len(self.cells), dtype=bool)
        self.file_problems: list[Problem] = []
        self.cell_problems: list[Problem] = []
        self.sort_keys: list[tuple[np.ndarray, np.ndarray]] = []  # (rows, columns) per batch

    # Reporting -------------------------------------------------------------------------------

    def add_file_problem(self, column: int, reason: str, code: str, severity: str) -> None:
        header = self.sheet.headers[column]
        self.file_problems.append(Problem(None, header, header, reason, severity, code))

    def add_cell_problems(
        self,
        positions: np.ndarray,
        column: int,
        reasons: Sequence[str],
        code: str | Sequence[str],
        severity: str = ERROR,
    ) -> None:
        """Add one problem per position (0-based data row) in ``column``."""
        positions = np.asarray(positions, dtype=np.intp)
        if not positions.size:
            return
        header = self.sheet.headers[column]
        codes = [code] * positions.size if isinstance(code, str) else code
        rows = self.row_numbers[positions]
        self.cell_problems.extend(
            Problem(row, header, value, reason, severity, problem_code)
            for row, value, reason, problem_code in zip(
                rows.tolist(), self.values_at(column, positions), reasons, codes, strict=True
            )
        )
        self.sort_keys.append((rows, np.full(positions.size, column)))
        if severity == ERROR:
            self.errors[positions] = True

    def values_at(self, column: int, positions: np.ndarray) -> list[str]:
        """The cells as the user wrote them (XLSX date cells without a midnight time)."""
        cells = np.asarray(self.cells[column], dtype=object)[positions]
        return [_display(str(value).strip()) for value in cells]

    def result(
        self,
        layout: str,
        records: pd.DataFrame,
        children: pd.DataFrame,
        matched: dict[str, str],
    ) -> ParsedMilestoneFile:
        problems = list(self.file_problems)
        if self.sort_keys:
            rows = np.concatenate([rows for rows, _ in self.sort_keys])
            columns = np.concatenate([columns for _, columns in self.sort_keys])
            order = np.lexsort((columns, rows))  # stable: same cell keeps the order found
            problems.extend(self.cell_problems[index] for index in order.tolist())
        return ParsedMilestoneFile(
            layout=layout,
            rows=len(self.cells),
            records=records.reset_index(drop=True),
            children=children.reset_index(drop=True),
            problems=problems,
            error_rows=set(self.row_numbers[self.errors].tolist()),
            matched_columns=matched,
        )

    # Shared column checks --------------------------------------------------------------------

    def text(self, column: int) -> pd.Series:
        return self.cells[column].str.strip()

    def check_unknown_columns(self, known: set[int | None]) -> None:
        candidates = [m.name for m in self.milestones] + [m.code for m in self.milestones]
        for column, header in enumerate(self.sheet.headers):
            if column in known:
                continue
            if not header:
                if blank_mask(self.cells[column]).all():
                    continue
                reason = f"column {_column_letter(column)} has no header; it was ignored"
            else:
                reason = f"{header!r} is not a milestone, child_ref or route; it was ignored"
                close = difflib.get_close_matches(header, candidates, n=1, cutoff=0.75)
                if close:
                    reason += f" (did you mean {close[0]!r}?)"
            self.add_file_problem(column, reason, "unknown_column", WARNING)

    def check_references(self, references: pd.Series) -> None:
        column = self.reference_column
        missing = (references == "").to_numpy()
        positions = np.flatnonzero(missing)
        reasons = ["the child reference is missing"] * positions.size
        self.add_cell_problems(positions, column, reasons, "missing_reference")
        pattern_ok = references.str.fullmatch(_REFERENCE_PATTERN).to_numpy(dtype=bool)
        length_ok = (references.str.len() <= MAX_REFERENCE_LENGTH).to_numpy(dtype=bool)
        positions = np.flatnonzero(~missing & ~(pattern_ok & length_ok))
        reasons = [_reference_reason(references.iat[position]) for position in positions]
        self.add_cell_problems(positions, column, reasons, "invalid_reference")

    def check_duplicate_references(self, references: pd.Series) -> None:
        repeated = (references.duplicated(keep="first") & (references != "")).to_numpy()
        if not repeated.any():
            return
        first_rows = pd.Series(self.row_numbers, index=references.to_numpy())
        first_rows = first_rows[~first_rows.index.duplicated(keep="first")]
        positions = np.flatnonzero(repeated)
        repeats = references.to_numpy(dtype=object)[positions]
        reasons = [
            f"child reference {value!r} is already used on row {row}"
            for value, row in zip(repeats, first_rows[repeats].tolist(), strict=True)
        ]
        self.add_cell_problems(positions, self.reference_column, reasons, "duplicate_reference")

    def route_codes(self) -> pd.Series:
        """The route code of each row (None when blank); unknown routes are errors."""
        if self.route_column is None:
            return pd.Series([None] * len(self.cells), dtype=object)
        # Few distinct routes: look each distinct text up once.
        codes, uniques = pd.factorize(self.cells[self.route_column], sort=False)
        texts = [str(value).strip() for value in uniques]
        mapped = np.array([self.route_lookup.get(_route_key(text)) for text in texts], object)
        unknown = np.array(
            [bool(text) and code is None for text, code in zip(texts, mapped, strict=True)],
            dtype=bool,
        )
        allowed = ", ".join(self.routes)
        positions = np.flatnonzero(unknown[codes])
        reasons = [f"route {texts[code]!r} is not one of: {allowed}" for code in codes[positions]]
        self.add_cell_problems(positions, self.route_column, reasons, "unknown_route")
        return pd.Series(mapped[codes], dtype=object)

    def report_dates(self, column: int, parsed: DateColumn) -> None:
        positions = np.flatnonzero((parsed.status != DATE_OK) & (parsed.status != DATE_BLANK))
        if not positions.size:
            return
        statuses = parsed.status[positions].tolist()
        # The reason depends only on the text, so each distinct bad text is explained once.
        explained: dict[tuple[str, int], str] = {}
        reasons = []
        for value, status, read_as in zip(
            self.values_at(column, positions), statuses, parsed.read_as[positions], strict=True
        ):
            reason = explained.get((value, status))
            if reason is None:
                reason = explained[value, status] = date_reason(status, value, read_as)
            reasons.append(reason)
        codes = [DATE_CODES[status] for status in statuses]
        self.add_cell_problems(positions, column, reasons, codes)

    def report_out_of_order(
        self, dates: np.ndarray, codes: list[str], positions: np.ndarray, columns: np.ndarray
    ) -> None:
        """Warn where a milestone is dated before an earlier milestone of the pathway.

        ``dates`` is a (rows × milestones) datetime64 matrix in pathway order; ``positions``
        and ``columns`` say where each of its cells came from in the sheet.
        """
        rows, later, earlier = _out_of_order(dates)
        if not rows.size:
            return
        later_dates = uk_dates(dates[rows, later])
        earlier_dates = uk_dates(dates[rows, earlier])
        labels = [self.labels[code] for code in codes]
        reasons = np.array(
            [
                f"{labels[j]} is dated {later_date}, before {labels[k]} on {earlier_date}"
                for j, k, later_date, earlier_date in zip(
                    later.tolist(), earlier.tolist(), later_dates, earlier_dates, strict=True
                )
            ],
            dtype=object,
        )
        cell_positions, cell_columns = positions[rows, later], columns[rows, later]
        for column in np.unique(cell_columns).tolist():
            here = cell_columns == column
            self.add_cell_problems(cell_positions[here], column, reasons[here].tolist(), "out_of_order", WARNING)

    # Layouts ---------------------------------------------------------------------------------

    def wide(self) -> ParsedMilestoneFile:
        headers = self.sheet.headers
        matched: dict[str, str] = {}
        by_code: dict[str, int] = {}
        for column, header in enumerate(headers):
            if column in (self.reference_column, self.route_column):
                continue
            code = self.milestone_lookup.get(header_key(header)) if header else None
            if code is None:
                continue
            if code in by_code:
                raise FileRefused(
                    f"Two columns are for the same milestone ({code}): "
                    f"{headers[by_code[code]]!r} and {header!r}. Keep only one of them."
                )
            by_code[code] = column
            matched[header] = code
        if not matched:
            expected = ", ".join(milestone.code for milestone in self.milestones)
            raise FileRefused(
                "No milestone columns were found. Name each date column after a milestone, "
                f"by its code or its name (codes: {expected}), or download the template."
            )
        self.check_unknown_columns({self.reference_column, self.route_column, *by_code.values()})

        references = self.text(self.reference_column)
        self.check_references(references)
        self.check_duplicate_references(references)
        routes = self.route_codes()

        order = [milestone.code for milestone in self.milestones if milestone.code in by_code]
        row_count = len(self.cells)
        dates = np.empty((row_count, len(order)), dtype="datetime64[ns]")
        parsed_columns = parse_date_columns([self.cells[by_code[code]] for code in order], self.today)
        for j, (code, parsed) in enumerate(zip(order, parsed_columns, strict=True)):
            self.report_dates(by_code[code], parsed)
            dates[:, j] = parsed.dates
        positions = np.broadcast_to(np.arange(row_count)[:, None], dates.shape)
        columns = np.broadcast_to(np.array([by_code[code] for code in order]), dates.shape)
        self.report_out_of_order(dates, order, positions, columns)

        valid = ~self.errors
        take = valid[:, None] & ~np.isnat(dates)
        rows_taken, milestones_taken = np.nonzero(take)  # row-major: file order, then pathway
        references_array = references.to_numpy(dtype=object)
        routes_array = routes.to_numpy(dtype=object)
        records = pd.DataFrame(
            {
                "child_ref": pd.Series(references_array[rows_taken], dtype=str),
                "route": pd.Series(routes_array[rows_taken], dtype=object),
                "milestone": pd.Series(np.array(order, dtype=object)[milestones_taken], dtype=str),
                "date": dates[rows_taken, milestones_taken],
            }
        )
        children = pd.DataFrame(
            {
                "child_ref": pd.Series(references_array[valid], dtype=str),
                "route": pd.Series(routes_array[valid], dtype=object),
            }
        )
        return self.result("wide", records, children, matched)

    def long(self, milestone_column: int, date_column: int) -> ParsedMilestoneFile:
        used = {self.reference_column, self.route_column, milestone_column, date_column}
        self.check_unknown_columns(used)
        references = self.text(self.reference_column)
        self.check_references(references)
        routes = self.route_codes()

        codes, uniques = pd.factorize(self.cells[milestone_column], sort=False)
        texts = [str(value).strip() for value in uniques]
        mapped = np.array(
            [self.milestone_lookup.get(header_key(text)) if text else None for text in texts],
            dtype=object,
        )
        milestone_codes = mapped[codes]
        known = np.array([code is not None for code in mapped], dtype=bool)[codes]
        blank_milestone = np.array([not text for text in texts], dtype=bool)[codes]
        parsed = parse_date_column(self.cells[date_column], self.today)
        unknown = ~known & ((parsed.status != DATE_BLANK) | ~blank_milestone)
        positions = np.flatnonzero(unknown)
        reasons = [
            f"milestone {texts[code]!r} is not one of this pathway's milestones"
            if texts[code]
            else "the milestone is blank but a date is given"
            for code in codes[positions]
        ]
        self.add_cell_problems(positions, milestone_column, reasons, "unknown_milestone")
        self.report_dates(date_column, parsed)

        frame = pd.DataFrame(
            {
                "position": np.arange(len(self.cells)),
                "child_ref": references.to_numpy(dtype=object),
                "route": pd.Series(routes.to_numpy(dtype=object), dtype=object),
                "milestone": pd.Series(milestone_codes, dtype=object),
                "date": parsed.dates,
            }
        )
        dated = frame[~np.isnat(parsed.dates) & ~unknown & (frame["child_ref"] != "").to_numpy()]
        keep_dated = self.check_long_duplicates(dated, date_column)
        self.check_conflicting_routes(frame)

        valid = ~self.errors
        records = frame.iloc[keep_dated[valid[keep_dated]]]
        self.report_long_out_of_order(records, date_column)
        # A child's route may be given on any of its rows: the first one given applies to all.
        valid_frame = frame[valid]
        with_route = valid_frame[valid_frame["route"].notna()]
        first_route = with_route.groupby("child_ref", sort=False)["route"].first()
        references_seen = valid_frame["child_ref"].drop_duplicates()
        children = pd.DataFrame(
            {
                "child_ref": pd.Series(references_seen.to_numpy(), dtype=str),
                "route": _none_for_missing(references_seen.map(first_route)),
            }
        )
        records = pd.DataFrame(
            {
                "child_ref": pd.Series(records["child_ref"].to_numpy(), dtype=str),
                "route": _none_for_missing(records["child_ref"].map(first_route)),
                "milestone": pd.Series(records["milestone"].to_numpy(), dtype=str),
                "date": records["date"].to_numpy(dtype="datetime64[ns]"),
            }
        )
        return self.result("long", records, children, {})

    def check_long_duplicates(self, dated: pd.DataFrame, date_column: int) -> np.ndarray:
        """Report the same child and milestone given twice with different dates.

        Returns the positions of the dated rows to record: later rows repeating the same date
        are dropped quietly.
        """
        groups = dated.groupby(["child_ref", "milestone"], sort=False)
        first_date = groups["date"].transform("first").to_numpy()
        first_position = groups["position"].transform("first").to_numpy()
        dated_positions = dated["position"].to_numpy()
        later = dated_positions != first_position
        different = np.flatnonzero(later & (dated["date"].to_numpy() != first_date))
        first_dates = uk_dates(first_date[different])
        first_rows = self.row_numbers[first_position[different]].tolist()
        reasons = [
            f"{reference!r} already has {self.labels[code]} dated {day} on row {row}"
            for reference, code, day, row in zip(
                dated["child_ref"].to_numpy()[different],
                dated["milestone"].to_numpy()[different],
                first_dates,
                first_rows,
                strict=True,
            )
        ]
        self.add_cell_problems(dated_positions[different], date_column, reasons, "duplicate_reference")
        return dated_positions[~later]

    def check_conflicting_routes(self, frame: pd.DataFrame) -> None:
        with_route = frame[frame["route"].notna() & (frame["child_ref"] != "")]
        if with_route.empty:
            return
        groups = with_route.groupby("child_ref", sort=False)
        first = groups["route"].transform("first").to_numpy()
        first_position = groups["position"].transform("first").to_numpy()
        conflicts = np.flatnonzero(with_route["route"].to_numpy() != first)
        positions = with_route["position"].to_numpy()[conflicts]
        reasons = [
            f"route {value!r} differs from {route!r} given for this child on row {row}"
            for value, route, row in zip(
                self.values_at(self.route_column, positions),
                first[conflicts],
                self.row_numbers[first_position[conflicts]].tolist(),
                strict=True,
            )
        ]
        self.add_cell_problems(positions, self.route_column, reasons, "conflicting_route")

    def report_long_out_of_order(self, records: pd.DataFrame, date_column: int) -> None:
        if records.empty:
            return
        order = [milestone.code for milestone in self.milestones]
        wide = records.pivot(index="child_ref", columns="milestone", values=["date", "position"])
        present = [code for code in order if code in set(records["milestone"])]
        dates = wide["date"].reindex(columns=present).to_numpy(dtype="datetime64[ns]")
        positions = wide["position"].reindex(columns=present).fillna(-1).to_numpy(dtype=int)
        columns = np.full(dates.shape, date_column)
        self.report_out_of_order(dates, present, positions, columns)


def _single_column(headers: Sequence[str], keys: Sequence[str], accepted: set[str], what: str) -> int | None:
    found = [column for column, key in enumerate(keys) if key in accepted]
    if len(found) > 1:
        shown = " and ".join(repr(headers[column]) for column in found)
        raise FileRefused(f"The file has more than one {what} column ({shown}); keep only one.")
    return found[0] if found else None


def _out_of_order(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where a date is before the latest date of an earlier milestone of the same row.

    Returns three arrays: the row, the milestone (column of ``dates``) and the earlier
    milestone holding that latest date.
    """
    values = dates.astype("datetime64[ns]").astype(np.int64)
    missing = np.isnat(dates)
    latest = np.full(dates.shape[0], np.iinfo(np.int64).min)
    latest_at = np.full(dates.shape[0], -1)
    rows, later, earlier = [], [], []
    for j in range(dates.shape[1]):
        present = ~missing[:, j]
        before = np.flatnonzero(present & (values[:, j] < latest))
        rows.append(before)
        later.append(np.full(before.size, j))
        earlier.append(latest_at[before])
        newer = present & (values[:, j] > latest)
        latest = np.where(newer, values[:, j], latest)
        latest_at = np.where(newer, j, latest_at)
    empty = [np.array([], dtype=np.intp)]
    return tuple(np.concatenate(parts + empty).astype(np.intp) for parts in (rows, later, earlier))


def _none_for_missing(values: pd.Series) -> pd.Series:
    """An object column holding None (not NaN) where a value is missing."""
    array = values.to_numpy(dtype=object)
    return pd.Series(np.where(pd.isna(array), None, array), dtype=object)


def _route_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", str(text)).strip().casefold()


def _reference_reason(value: str) -> str:
    if len(value) > MAX_REFERENCE_LENGTH:
        return f"the child reference is longer than {MAX_REFERENCE_LENGTH} characters"
    if _TWO_WORDS.search(value):
        return (
            "the child reference contains words separated by a space, which looks like a name; "
            "names must not be uploaded: use the council's pseudonymous reference (e.g. C-10234)"
        )
    return "the child reference may contain only letters, digits and - _ / . (no spaces)"


def _display(value: str) -> str:
    """The cell as the user wrote it; XLSX date cells come through as 'yyyy-mm-dd 00:00:00'."""
    return value[:-9] if value.endswith(" 00:00:00") else value


def _column_letter(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
