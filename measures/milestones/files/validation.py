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
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from pace_hub.exports import FORMULA_STARTS
from pace_hub.identifying import CHI_NUMBER, DATE, NAME, POSTCODE, identifying_value_kind

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

# Problems kept with their row, column, value and reason: the first ones in reading order. Every
# problem is counted by code however many there are, but a file where millions of cells are wrong
# must not cost millions of objects (the audit's 630,000-row file had 3.9 million problems).
MAX_PROBLEMS_KEPT = 1000

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

# Header words that mean the file holds identifying data. Headers are normalised first (Unicode
# NFKC, so full-width letters count; camelCase and letter-digit boundaries split, so "ChildName",
# "CHINo" and "Addr1" give their words; case and separators ignored), then these are looked for
# as whole words or word sequences ("Known As", "Birth Dt").
IDENTIFYING_TERMS = {
    **dict.fromkeys(
        (
            "name", "names", "forename", "forenames", "surname", "surnames", "firstname",
            "lastname", "fullname", "familyname", "givenname", "middlename", "nickname",
            "maiden", "known as", "aka", "alias", "preferred name",
        ),
        "a name",
    ),
    **dict.fromkeys(
        ("dob", "date of birth", "dateofbirth", "birth date", "birth dt", "birthdate", "birthday", "born"),
        "a date of birth",
    ),
    **dict.fromkeys(("address", "addresses", "addr", "street", "house number"), "an address"),
    **dict.fromkeys(("postcode", "postcodes", "post code", "zip", "zipcode"), "a postcode"),
    **dict.fromkeys(("chi", "chinumber", "chino", "chi no", "chi number"), "a CHI number"),
    **dict.fromkeys(("nhs", "nhsno", "nhsnumber"), "an NHS number"),
    **dict.fromkeys(("ni number", "national insurance", "nino"), "a National Insurance number"),
    **dict.fromkeys(("scn", "upn", "candidate number", "pupil number"), "a pupil number"),
    **dict.fromkeys(("phone", "telephone", "mobile", "email", "e mail"), "contact details"),
    **dict.fromkeys(
        ("case number", "case no", "case id", "carefirst", "mosaic", "swift id", "liquidlogic"),
        "a case-system id",
    ),
}  # fmt: skip
# Run-together spellings found anywhere inside the header's letters ("childsurname",
# "DATEOFBIRTH"); only long, unambiguous ones, so that "Named person" or "adoption" pass.
IDENTIFYING_COMPOUNDS = {
    "dateofbirth": "a date of birth",
    "birthdate": "a date of birth",
    "birthday": "a date of birth",
    "firstname": "a name",
    "lastname": "a name",
    "surname": "a name",
    "forename": "a name",
    "fullname": "a name",
    "familyname": "a name",
    "givenname": "a name",
    "middlename": "a name",
    "knownas": "a name",
    "postcode": "a postcode",
    "address": "an address",
    "chinumber": "a CHI number",
    "nhsnumber": "an NHS number",
}
_WORD_BOUNDARIES = re.compile(
    r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])"  # Addr1, 2ndName
    r"|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"  # ChildName, CHINo
)

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

    ``problems`` are the first ``MAX_PROBLEMS_KEPT`` problems in reading order (whole-file ones
    first); ``error_count``, ``warning_count`` and ``problem_counts`` (by code) count them all.
    """

    layout: str
    rows: int
    records: pd.DataFrame
    children: pd.DataFrame
    problems: list[Problem]
    error_rows: set[int]
    matched_columns: dict[str, str] = field(default_factory=dict)
    error_count: int = 0
    warning_count: int = 0
    problem_counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """The errors among the kept problems (``error_count`` says how many there are)."""
        return [problem for problem in self.problems if problem.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The warnings among the kept problems (``warning_count`` says how many there are)."""
        return [problem for problem in self.problems if problem.severity == WARNING]

    @property
    def problems_not_kept(self) -> int:
        return self.error_count + self.warning_count - len(self.problems)


def validate_milestone_file(
    data: bytes | BinaryIO | str | Path,
    filename: str,
    milestones: Sequence[MilestoneSpec],
    routes: Sequence[str],
    today: date,
    max_bytes: int = MAX_UPLOAD_BYTES,
    reference_pattern: str = "",
) -> ParsedMilestoneFile:
    """Read and check a milestone upload (CSV or XLSX, wide or long).

    ``reference_pattern`` is the organisation's own format for child references (a regular
    expression the whole reference must match, case ignored), or "" for none.

    Raises ``FileRefused`` when the whole file cannot be used: wrong type, too big, unsafe,
    empty, identifying columns or references, or no child reference column.
    """
    problem = reference_pattern_problem(reference_pattern)
    if problem:
        raise FileRefused(
            f"The council's child reference format cannot be used ({problem}); fix it in the pathway settings."
        )
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
    check = _Check(sheet, milestones, routes, today, reference_column, route_column, reference_pattern)
    milestone_column = _single_column(sheet.headers, keys, {"milestone"}, "milestone")
    date_column = _single_column(sheet.headers, keys, {"date"}, "date")
    if milestone_column is not None and date_column is not None:
        return check.long(milestone_column, date_column)
    return check.wide()


def header_key(text: str) -> str:
    """Normalise a header or milestone text for matching: Unicode compatibility forms (full-width
    letters), case, spaces, _ and - do not count."""
    text = unicodedata.normalize("NFKC", str(text)).replace("\u2019", "'")
    # The apostrophe the safe-cell rule puts before a formula-like header (see templates.py).
    text = text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
    return re.sub(r"[\s_\-]+", "", text).casefold()


def header_words(text: str) -> list[str]:
    """The words of a header, normalised: "ChildName" → child, name; "CHINo" → chi, no;
    "Addr1" → addr; "Ｄ.Ｏ.Ｂ." → d, o, b."""
    text = _WORD_BOUNDARIES.sub(" ", unicodedata.normalize("NFKC", str(text)))
    return re.findall(r"[^\W\d_]+", text.casefold())


def identifying_header_kind(text: str) -> str | None:
    """What identifying information a header (or a milestone name) names, or None."""
    words = header_words(text)
    if not words:
        return None
    spaced, compact = f" {' '.join(words)} ", "".join(words)
    for term, kind in IDENTIFYING_TERMS.items():
        if f" {term} " in spaced or compact == term.replace(" ", ""):
            return kind
    for compound, kind in IDENTIFYING_COMPOUNDS.items():
        if compound in compact:
            return kind
    if compact.endswith(("name", "names")) and len(compact) > 5:  # ChildName, carersname
        return "a name"
    return None


def refuse_identifying_headers(headers: Sequence[str]) -> None:
    """Raise ``FileRefused`` if any header looks like a name, DOB, address, postcode, CHI or
    another identifier of a person."""
    found = []
    for header in headers:
        kind = identifying_header_kind(header)
        if kind is not None:
            found.append(f"{header!r} ({kind})")
    if found:
        raise FileRefused(
            "This file was not uploaded because it has columns that look like identifying "
            f"information: {', '.join(found)}. Remove names, dates of birth, addresses, "
            "postcodes and CHI numbers: only the pseudonymous child reference (e.g. C-10234), "
            "the route and milestone dates may be uploaded."
        )


def reference_key(reference: str) -> str:
    """How child references are compared: C-77001, c-77001 and "C-77001 " are one child."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(reference))).casefold()


def reference_keys(references: pd.Series) -> pd.Series:
    """``reference_key`` of every reference in a column (vectorised)."""
    return references.astype(str).str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.casefold()


_REFERENCE_HINTS = {
    NAME: "looks like a name (letters only, no number)",
    CHI_NUMBER: "looks like a CHI number",
    DATE: "looks like a date (a date of birth?)",
    POSTCODE: "looks like a postcode",
}
# Only references of these shapes can look identifying; the rest are not looked at one by one.
_MAYBE_IDENTIFYING = r"[^\d]+|[\d\s./\-]+|[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}"
REFUSED_ROWS_SHOWN = 10


def refuse_identifying_references(references: pd.Series, row_numbers: np.ndarray) -> None:
    """Raise ``FileRefused`` if any child reference looks like a name, CHI number, date or
    postcode, naming the rows and what each looks like (never the values: the file is not
    kept, and neither is what it held)."""
    candidates = np.flatnonzero(
        (references.str.fullmatch(_MAYBE_IDENTIFYING) & (references != "")).to_numpy(dtype=bool)
    )
    found = []
    for position in candidates.tolist():
        kind = identifying_value_kind(references.iat[position])
        if kind is not None:
            found.append((int(row_numbers[position]), kind))
    if not found:
        return
    shown = "; ".join(f"row {row} {_REFERENCE_HINTS[kind]}" for row, kind in found[:REFUSED_ROWS_SHOWN])
    more = len(found) - REFUSED_ROWS_SHOWN
    raise FileRefused(
        "This file was not uploaded because some child references look like identifying "
        f"information rather than the council's pseudonymous reference: {shown}"
        + (f"; and {more:,} more rows" if more > 0 else "")
        + ". Use only pseudonymous references (e.g. C-10234): never names, CHI numbers, dates of "
        "birth or postcodes. The file was not kept."
    )


MAX_PATTERN_LENGTH = 100


def reference_pattern_problem(pattern: str) -> str | None:
    """Why an organisation's reference format cannot be used, or None if it can.

    The format is a Python regular expression. Repetition inside repetition (``(a+)+``) is
    refused: on a file of 100,000 references it can take hours to check.
    """
    if not pattern:
        return None
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"it is longer than {MAX_PATTERN_LENGTH} characters"
    try:
        parsed = re._parser.parse(pattern)  # noqa: SLF001 - the standard library's own parse tree
    except re.error as error:
        return f"it is not a valid pattern: {error}"
    if _nested_repeat(parsed, inside=False):
        return "a repeated part contains another repeat or a choice, which can make checking very slow"
    if re.fullmatch(pattern, "", flags=re.IGNORECASE):
        return "it accepts an empty reference"
    return None


def _nested_repeat(parsed, inside: bool) -> bool:
    """Whether a parsed pattern has a variable repeat or a choice inside a repeat."""
    from re import _constants as constants  # noqa: PLC0415

    repeats = {constants.MAX_REPEAT, constants.MIN_REPEAT, getattr(constants, "POSSESSIVE_REPEAT", None)}
    for op, value in parsed:
        if op in repeats:
            low, high, body = value
            if inside and low != high:  # a fixed count such as \d{2} is harmless
                return True
            if _nested_repeat(body, inside or high is constants.MAXREPEAT or high > 1):
                return True
        elif op is constants.BRANCH:
            if inside or any(_nested_repeat(branch, inside) for branch in value[1]):
                return True
        elif op in (constants.SUBPATTERN, constants.ASSERT, constants.ASSERT_NOT) and _nested_repeat(value[-1], inside):
            return True
    return False


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
        reference_pattern: str = "",
    ) -> None:
        self.sheet = sheet
        self.reference_pattern = reference_pattern
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
        # The kept cell problems, in reading order, with their sort keys (row and column in one
        # number, then the order found, so that one cell's problems keep their order).
        self.kept: list[Problem] = []
        self.kept_keys = np.empty(0, dtype=np.int64)
        self.kept_found = np.empty(0, dtype=np.int64)
        self.found = 0
        self.key_width = len(sheet.headers) + 1
        self.counts: Counter[tuple[str, str]] = Counter()

    # Reporting -------------------------------------------------------------------------------

    def add_file_problem(self, column: int, reason: str, code: str, severity: str) -> None:
        header = self.sheet.headers[column]
        self.file_problems.append(Problem(None, header, header, reason, severity, code))
        self.counts[code, severity] += 1

    def add_cell_problems(
        self,
        positions: np.ndarray,
        column: int,
        reasons: Sequence[str] | Callable[[np.ndarray], Sequence[str]],
        code: str | Sequence[str],
        severity: str = ERROR,
    ) -> None:
        """Add one problem per position (0-based data row) in ``column``.

        Every problem is counted and marks its row; only those among the first
        ``MAX_PROBLEMS_KEPT`` in reading order become ``Problem`` objects. ``reasons`` is one per
        position, or a function that gives the reasons of the positions at the given indices (so
        that the text of problems that are not kept is never written).
        """
        positions = np.asarray(positions, dtype=np.intp)
        if not positions.size:
            return
        if severity == ERROR:
            self.errors[positions] = True
        codes = np.full(positions.size, code, dtype=object) if isinstance(code, str) else np.asarray(code, object)
        kinds, counts = np.unique(codes.astype(str), return_counts=True)
        for kind, count in zip(kinds.tolist(), counts.tolist(), strict=True):
            self.counts[kind, severity] += count
        keys = self.row_numbers[positions].astype(np.int64) * self.key_width + column
        found = self.found + np.arange(positions.size, dtype=np.int64)
        self.found += positions.size
        chosen, order = self._first_in_reading_order(keys, found)
        if not chosen.size:
            return
        header = self.sheet.headers[column]
        texts = reasons(chosen) if callable(reasons) else [reasons[index] for index in chosen.tolist()]
        rows = self.row_numbers[positions[chosen]].tolist()
        new = [
            Problem(row, header, value, reason, severity, problem_code)
            for row, value, reason, problem_code in zip(
                rows, self.values_at(column, positions[chosen]), texts, codes[chosen].tolist(), strict=True
            )
        ]
        # ``order`` indexes the kept problems followed by the chosen new ones.
        merged = self.kept + new
        self.kept = [merged[index] for index in order.tolist()]
        self.kept_keys = np.concatenate([self.kept_keys, keys[chosen]])[order]
        self.kept_found = np.concatenate([self.kept_found, found[chosen]])[order]

    def _first_in_reading_order(self, keys: np.ndarray, found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which new problems (indices into ``keys``) are among the first kept, and the order of
        the kept problems followed by the chosen ones that keeps the first MAX_PROBLEMS_KEPT."""
        candidates = np.arange(keys.size)
        if len(self.kept) >= MAX_PROBLEMS_KEPT:  # full: only problems read before the last kept
            if not self.kept:
                return candidates[:0], np.empty(0, dtype=np.int64)
            candidates = np.flatnonzero(keys < self.kept_keys[-1])
        all_keys = np.concatenate([self.kept_keys, keys[candidates]])
        all_found = np.concatenate([self.kept_found, found[candidates]])
        order = np.lexsort((all_found, all_keys))[:MAX_PROBLEMS_KEPT]
        kept_before = len(self.kept)
        new_in_order = order >= kept_before
        chosen = candidates[np.sort(order[new_in_order] - kept_before)]
        # Renumber the new ones to their place after the kept problems in ``kept + new``.
        rank = np.empty(candidates.size, dtype=np.int64)
        rank[np.searchsorted(candidates, chosen)] = kept_before + np.arange(chosen.size)
        order[new_in_order] = rank[order[new_in_order] - kept_before]
        return chosen, order

    def values_at(self, column: int, positions: np.ndarray) -> list[str]:
        """The cells as the user wrote them (XLSX date cells without a midnight time)."""
        cells = self.cells[column].iloc[positions].to_numpy(dtype=object)
        return [_display(str(value).strip()) for value in cells]

    def result(
        self,
        layout: str,
        records: pd.DataFrame,
        children: pd.DataFrame,
        matched: dict[str, str],
    ) -> ParsedMilestoneFile:
        problems = (self.file_problems + self.kept)[:MAX_PROBLEMS_KEPT]
        by_code: Counter[str] = Counter()
        for (code, _), count in self.counts.items():
            by_code[code] += count
        return ParsedMilestoneFile(
            layout=layout,
            rows=len(self.cells),
            records=records.reset_index(drop=True),
            children=children.reset_index(drop=True),
            problems=problems,
            error_rows=set(self.row_numbers[self.errors].tolist()),
            matched_columns=matched,
            error_count=sum(count for (_, severity), count in self.counts.items() if severity == ERROR),
            warning_count=sum(count for (_, severity), count in self.counts.items() if severity == WARNING),
            problem_counts=dict(sorted(by_code.items())),
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

    def read_references(self) -> tuple[pd.Series, pd.Series]:
        """The child references as written (NFKC-normalised, so full-width letters become plain
        ones) and as matched: references differing only in case or spaces are one child, written
        as the file first spells it. Identifying-looking references refuse the whole file."""
        written = self.text(self.reference_column).str.normalize("NFKC").str.strip()
        refuse_identifying_references(written, self.row_numbers)
        self.check_references(written)
        canonical = written.groupby(reference_keys(written).to_numpy(), sort=False).transform("first")
        return written, canonical

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
        if not self.reference_pattern:
            return
        own_ok = references.str.fullmatch(self.reference_pattern, case=False).to_numpy(dtype=bool)
        positions = np.flatnonzero(~missing & pattern_ok & length_ok & ~own_ok)
        reason = (
            f"the child reference does not have the council's reference format {self.reference_pattern} "
            "(set in the pathway settings)"
        )
        self.add_cell_problems(positions, column, [reason] * positions.size, "invalid_reference")

    def check_duplicate_references(self, written: pd.Series, canonical: pd.Series) -> None:
        repeated = (canonical.duplicated(keep="first") & (canonical != "")).to_numpy()
        if not repeated.any():
            return
        first_rows = pd.Series(self.row_numbers, index=canonical.to_numpy())
        first_rows = first_rows[~first_rows.index.duplicated(keep="first")]
        positions = np.flatnonzero(repeated)
        repeats = canonical.to_numpy(dtype=object)[positions]
        spelled = written.to_numpy(dtype=object)[positions]
        reasons = [
            f"child reference {value!r} is already used on row {row}"
            + (f" as {first!r} (references that differ only in case are the same child)" if value != first else "")
            for value, first, row in zip(spelled, repeats, first_rows[repeats].tolist(), strict=True)
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
        statuses = parsed.status[positions]

        def reasons(chosen: np.ndarray) -> list[str]:
            # The reason depends only on the text, so each distinct bad text is explained once.
            explained: dict[tuple[str, int], str] = {}
            texts = []
            for value, status, read_as in zip(
                self.values_at(column, positions[chosen]),
                statuses[chosen].tolist(),
                parsed.read_as[positions[chosen]],
                strict=True,
            ):
                reason = explained.get((value, status))
                if reason is None:
                    reason = explained[value, status] = date_reason(status, value, read_as)
                texts.append(reason)
            return texts

        codes = np.array([DATE_CODES.get(status, "") for status in range(max(DATE_CODES) + 1)], dtype=object)
        self.add_cell_problems(positions, column, reasons, codes[statuses])

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
        labels = [self.labels[code] for code in codes]

        def reasons_of(found: np.ndarray) -> Callable[[np.ndarray], list[str]]:
            """The reasons of the chosen ones among the found cells (indices into ``rows``)."""

            def reasons(chosen: np.ndarray) -> list[str]:
                picked = found[chosen]
                later_dates = uk_dates(dates[rows[picked], later[picked]])
                earlier_dates = uk_dates(dates[rows[picked], earlier[picked]])
                return [
                    f"{labels[j]} is dated {later_date}, before {labels[k]} on {earlier_date}"
                    for j, k, later_date, earlier_date in zip(
                        later[picked].tolist(), earlier[picked].tolist(), later_dates, earlier_dates, strict=True
                    )
                ]

            return reasons

        cell_positions, cell_columns = positions[rows, later], columns[rows, later]
        for column in np.unique(cell_columns).tolist():
            here = np.flatnonzero(cell_columns == column)
            self.add_cell_problems(cell_positions[here], column, reasons_of(here), "out_of_order", WARNING)

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

        written, references = self.read_references()
        self.check_duplicate_references(written, references)
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
        _, references = self.read_references()
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
