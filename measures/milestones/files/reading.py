"""Read an uploaded spreadsheet safely into a frame of text cells.

Nothing here knows about milestones. This module refuses files that are too big, are not what
their name claims, or would expand into something huge (zip bombs), and returns the first sheet
as text, keeping the row numbers the user sees in their spreadsheet so that every problem can be
reported as "row N, column X".
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An XLSX is a zip of XML; a real 100,000-row sheet expands to a few tens of MB.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Tiny members (styles, an empty sheet) can compress very well without being dangerous, so the
# ratio is only checked on members big enough to matter.
RATIO_CHECK_MIN_BYTES = 1024 * 1024

EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}

# Signatures of files people rename to .csv or .xlsx by mistake, so the refusal can say what
# the file really is.
_SIGNATURES = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel 97-2003 (.xls) file or a password-protected workbook",
    ),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"{\\rtf", "an RTF document"),
)
_DELIMITERS = (",", ";", "\t")


class FileRefused(Exception):
    """The whole file is refused; ``str(exc)`` is a message to show the user as it is."""


@dataclass
class Sheet:
    """The first sheet of an upload, as text.

    ``cells`` has one column per header position (0, 1, 2, ...) holding the cells as strings:
    "" for blank, XLSX date cells as "yyyy-mm-dd" ("yyyy-mm-dd hh:mm:ss" for date-times), whole
    numbers without ".0". Its index is the row number the user sees (the header is on row
    ``header_row``). Rows that are entirely blank are dropped, so the index can have gaps.
    """

    kind: str
    header_row: int
    headers: list[str]
    cells: pd.DataFrame


def load_bytes(data: bytes | BinaryIO | str | Path, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """Return the upload's content, refusing it once it is known to exceed ``max_bytes``.

    ``data`` is the content, a path, or a binary file object (such as Django's UploadedFile),
    which is read from its start so that the same object can be validated and then annotated.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        content = bytes(data)
    elif isinstance(data, (str, Path)):
        path = Path(data)
        if path.stat().st_size > max_bytes:
            raise FileRefused(_too_big_message(max_bytes))
        content = path.read_bytes()
    else:
        if data.seekable():
            data.seek(0)
        # Read one byte more than allowed: enough to know it is too big without reading it all.
        content = data.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FileRefused(_too_big_message(max_bytes))
    return content


def read_upload(data: bytes | BinaryIO | str | Path, filename: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Sheet:
    """Check an upload and read its first sheet; raise ``FileRefused`` for any unsafe file."""
    kind = kind_from_filename(filename)
    content = load_bytes(data, max_bytes)
    if not content or content.isspace():
        raise FileRefused("The file is empty.")
    if kind == "xlsx":
        check_xlsx_container(content)
        return _to_sheet(kind, _read_xlsx(content), first_row=1)
    text = decode_csv(content)
    # pandas cannot start on a blank line; skip leading ones but keep counting rows.
    body = text.lstrip("\r\n")
    skipped = text[: len(text) - len(body)].count("\n")
    return _to_sheet(kind, _read_csv(body), first_row=1 + skipped)


def kind_from_filename(filename: str) -> str:
    """Return "csv" or "xlsx" from the file name, refusing any other extension."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in EXTENSIONS:
        shown = suffix or "no extension"
        raise FileRefused(
            f"Only .csv and .xlsx files can be uploaded (this file has {shown}). "
            "In Excel, use Save As and choose 'Excel Workbook (.xlsx)' or 'CSV UTF-8'."
        )
    return EXTENSIONS[suffix]


def check_xlsx_container(content: bytes) -> None:
    """Refuse content that is not an XLSX workbook, or that would expand to a dangerous size.

    Only the zip directory is read here: nothing is decompressed before the sizes are known.
    """
    if not content.startswith(b"PK"):
        raise FileRefused(_not_really("an Excel .xlsx workbook", content))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused("The file is named .xlsx but is not a readable Excel workbook.") from None
    names = {member.filename for member in members}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise FileRefused(
            "The file is a zip archive but not an Excel .xlsx workbook "
            "(it may be a Word or OpenDocument file, or an .xlsb binary workbook)."
        )
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(
            f"The workbook would expand to {total // (1024 * 1024)} MB, more than the "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB allowed. Upload only the milestone "
            "sheet, or save it as CSV."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise FileRefused(
                f"The workbook part {member.filename} is compressed {ratio:.0f} times, which is "
                "typical of a malicious file (a 'zip bomb'), not a spreadsheet. It was not opened."
            )


def decode_csv(content: bytes) -> str:
    """Decode CSV bytes as UTF-8 (with or without BOM) or Windows-1252, refusing binary files."""
    for signature, what in _SIGNATURES:
        if content.startswith(signature):
            raise FileRefused(f"The file is named .csv but is really {what}.")
    if b"\x00" in content:
        raise FileRefused(
            "The file is named .csv but contains binary data (or is saved as UTF-16). "
            "In Excel, use Save As and choose 'CSV UTF-8'."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused("The CSV file's text could not be read: save it as 'CSV UTF-8' and upload it again.")


def _read_csv(text: str) -> pd.DataFrame:
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise FileRefused("The file is empty.") from None
    except pd.errors.ParserError as exc:
        raise FileRefused(_csv_error_message(str(exc))) from None
    return frame.fillna("")


def _read_xlsx(content: bytes) -> pd.DataFrame:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        # Keep blank leading rows and columns so that row numbers stay true.
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise FileRefused(
            f"The Excel workbook could not be read; it may be damaged or password-protected ({type(exc).__name__})."
        ) from None
    frame = pd.DataFrame(rows, dtype=object)
    del rows
    return pd.DataFrame({column: _as_text(frame[column]) for column in frame.columns})


def _as_text(column: pd.Series) -> pd.Series:
    """XLSX cell values (str, float, bool, date, datetime, time) as categorical text.

    Each distinct value is converted once: a column of dates holds a few thousand distinct
    values among 100,000 cells. The categorical also lets later steps work per distinct text.
    """
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    # Different values can give the same text (1.0 and 1), so the texts are factorised again.
    text_codes, texts = pd.factorize(np.array([_cell_text(value) for value in uniques], object))
    categories = pd.Index(texts, dtype=str)
    return pd.Series(pd.Categorical.from_codes(text_codes[codes], categories=categories))


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _to_sheet(kind: str, frame: pd.DataFrame, first_row: int) -> Sheet:
    frame.columns = range(frame.shape[1])
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))  # spreadsheet row numbers
    blank = pd.DataFrame({column: blank_mask(frame[column]) for column in frame.columns})
    non_blank_rows = ~blank.all(axis=1)
    if frame.empty or not non_blank_rows.any():
        raise FileRefused("The file is empty.")
    # The header is the first row with anything in it; blank rows above it keep the numbering.
    header_row = int(non_blank_rows.idxmax())
    headers = [str(value).strip() for value in frame.loc[header_row]]
    below = non_blank_rows & (frame.index > header_row)
    # Drop trailing columns with no header and nothing in them (Excel often reports a few).
    while headers and not headers[-1] and blank.loc[below, len(headers) - 1].all():
        headers.pop()
    body = frame.loc[below, list(range(len(headers)))]
    return Sheet(kind=kind, header_row=header_row, headers=headers, cells=body)


def blank_mask(column: pd.Series) -> pd.Series:
    """True where a text cell is empty or only whitespace (checked once per distinct text)."""
    codes, uniques = pd.factorize(column)
    blank = (pd.Series(uniques, dtype=str).str.strip() == "").to_numpy()
    return pd.Series(blank[codes], index=column.index)


def _not_really(expected: str, content: bytes) -> str:
    for signature, what in _SIGNATURES:
        if content.startswith(signature):
            return f"The file is named as {expected} but is really {what}."
    return f"The file is named as {expected} but its content is not one (it may be a CSV or text)."


def _too_big_message(max_bytes: int) -> str:
    return (
        f"The file is larger than {max_bytes / (1024 * 1024):g} MB. Remove other sheets or "
        "columns, or split it into smaller files."
    )


def _csv_error_message(pandas_message: str) -> str:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", pandas_message)
    if match:
        expected, line, saw = match.groups()
        return (
            f"The CSV file could not be read: line {line} has {saw} cells but the lines before "
            f"it have {expected}. Check for stray commas or an unclosed quote."
        )
    return "The CSV file could not be read; check it opens correctly in Excel and save it again."
