"""Whole-file refusals and safe reading of milestone uploads (no database needed)."""

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from measures.milestones.files import (
    DEFAULT_MILESTONES,
    DEFAULT_ROUTES,
    FileRefused,
    reading,
    validate_milestone_file,
)

TODAY = date(2025, 6, 30)
GOOD_ROWS = [["child_ref", "route", "looked_after"], ["C-1", "home", "01/03/2024"]]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def validate(data: object, filename: str = "upload.csv", **options: object):
    return validate_milestone_file(
        data, filename, DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY, **options
    )


def refusal(data: object, filename: str = "upload.csv", **options: object) -> str:
    with pytest.raises(FileRefused) as caught:
        validate(data, filename, **options)
    return str(caught.value)


def fake_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# Size and type -----------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_whatever_the_input_kind(tmp_path):
    content = csv_bytes(GOOD_ROWS * 50)
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    limit = len(content) - 1
    for data in (content, io.BytesIO(content), path, str(path)):
        assert "larger than" in refusal(data, "big.csv", max_bytes=limit)


def test_a_file_at_the_size_limit_is_read(tmp_path):
    content = csv_bytes(GOOD_ROWS)
    path = tmp_path / "ok.csv"
    path.write_bytes(content)
    for data in (content, io.BytesIO(content), path):
        assert validate(data, "ok.csv", max_bytes=len(content)).rows == 1


@pytest.mark.parametrize("filename", ["upload.xls", "upload.pdf", "upload.txt", "upload", ""])
def test_other_extensions_are_refused(filename):
    message = refusal(csv_bytes(GOOD_ROWS), filename)
    assert "Only .csv and .xlsx" in message


@pytest.mark.parametrize("filename", ["UPLOAD.CSV", "upload.Csv"])
def test_extensions_are_case_insensitive_for_csv(filename):
    assert validate(csv_bytes(GOOD_ROWS), filename).rows == 1


def test_extensions_are_case_insensitive_for_xlsx():
    assert validate(xlsx_bytes(GOOD_ROWS), "Upload.XLSX").rows == 1


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Excel 97-2003 (.xls)"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "JPEG"),
    ],
)
@pytest.mark.parametrize("filename", ["renamed.csv", "renamed.xlsx"])
def test_renamed_binary_files_are_refused_and_named(content, what, filename):
    assert what in refusal(content, filename)


def test_a_zip_that_is_not_a_workbook_is_refused():
    word_document = fake_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert "not an Excel .xlsx workbook" in refusal(word_document, "report.xlsx")


def test_a_csv_named_xlsx_is_refused():
    assert "not one" in refusal(csv_bytes(GOOD_ROWS), "upload.xlsx")


def test_a_workbook_named_csv_is_refused():
    assert "zip archive" in refusal(xlsx_bytes(GOOD_ROWS), "upload.csv")


def test_a_csv_with_nul_bytes_is_refused():
    utf16 = "child_ref,looked_after\nC-1,01/03/2024\n".encode("utf-16")
    assert "binary data" in refusal(utf16, "upload.csv")


def test_a_damaged_workbook_is_refused():
    damaged = fake_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"this is not xml",
            "xl/worksheets/sheet1.xml": b"<nope",
        }
    )
    assert "could not be read" in refusal(damaged, "upload.xlsx")


# Zip bombs ------------------------------------------------------------------------------------


def test_a_highly_compressed_workbook_member_is_refused_before_parsing(monkeypatch):
    bomb = fake_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (3 * 1024 * 1024),  # compresses ~1000 times
        }
    )

    class NeverOpened:
        @staticmethod
        def from_filelike(_):
            raise AssertionError("the workbook was parsed before its sizes were checked")

    monkeypatch.setattr(reading, "CalamineWorkbook", NeverOpened)
    message = refusal(bomb, "bomb.xlsx")
    assert "zip bomb" in message
    assert "xl/worksheets/sheet1.xml" in message


def test_a_workbook_expanding_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", 2000)
    content = xlsx_bytes(GOOD_ROWS)  # a few kB uncompressed
    assert "would expand to" in refusal(content, "upload.xlsx")


def test_a_normal_workbook_passes_the_container_check():
    reading.check_xlsx_container(xlsx_bytes(GOOD_ROWS))  # no exception


# Empty files and missing headers -----------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf", b",,,\n,,\n"])
def test_an_empty_csv_is_refused(content):
    assert "empty" in refusal(content, "upload.csv")


def test_an_empty_workbook_is_refused():
    assert "empty" in refusal(xlsx_bytes([]), "upload.xlsx")


@pytest.mark.parametrize("filename", ["upload.csv", "upload.xlsx"])
def test_headers_without_data_rows_are_refused(filename):
    rows = [["child_ref", "looked_after"], ["", ""]]
    content = csv_bytes(rows) if filename.endswith("csv") else xlsx_bytes(rows)
    assert "no data rows" in refusal(content, filename)


def test_a_file_without_a_reference_column_is_refused_and_lists_its_headers():
    message = refusal(csv_bytes([["case", "looked_after"], ["C-1", "01/03/2024"]]))
    assert "No child reference column" in message
    assert "'case'" in message
    assert "child_ref" in message


def test_two_reference_columns_are_refused():
    rows = [["child_ref", "Child ID", "looked_after"], ["C-1", "C-1", "01/03/2024"]]
    assert "more than one child reference column" in refusal(csv_bytes(rows))


# Identifying data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Name", "a name"),
        ("Child name", "a name"),
        ("First Name", "a name"),
        ("forename", "a name"),
        ("SURNAME", "a name"),
        ("last_name", "a name"),
        ("Full name", "a name"),
        ("FullName", "a name"),
        ("Date of Birth", "a date of birth"),
        ("date_of_birth", "a date of birth"),
        ("DateOfBirth", "a date of birth"),
        ("DOB", "a date of birth"),
        ("D.O.B.", "a date of birth"),
        ("birth date", "a date of birth"),
        ("Address", "an address"),
        ("Address line 1", "an address"),
        ("Postcode", "a postcode"),
        ("Post Code", "a postcode"),
        ("CHI", "a CHI number"),
        ("CHI number", "a CHI number"),
        ("chi_no", "a CHI number"),
    ],
)
def test_identifying_headers_refuse_the_whole_file(header, kind):
    rows = [["child_ref", header, "looked_after"], ["C-1", "x", "01/03/2024"]]
    message = refusal(csv_bytes(rows))
    assert f"{header!r} ({kind})" in message
    assert "pseudonymous" in message


def test_identifying_headers_are_refused_in_workbooks_and_long_files():
    rows = [["child_ref", "milestone", "date", "Surname"], ["C-1", "panel", "01/03/2024", "x"]]
    assert "'Surname' (a name)" in refusal(xlsx_bytes(rows), "upload.xlsx")


@pytest.mark.parametrize(
    "header", ["Named person review", "Children's hearing", "Chief officer note"]
)
def test_harmless_headers_that_contain_the_words_are_not_refused(header):
    rows = [["child_ref", header, "looked_after"], ["C-1", "x", "01/03/2024"]]
    assert validate(csv_bytes(rows)).rows == 1


# Encodings, delimiters and row numbers -------------------------------------------------------


def test_a_csv_with_a_byte_order_mark_is_read():
    result = validate(b"\xef\xbb\xbf" + csv_bytes(GOOD_ROWS))
    assert result.records["child_ref"].tolist() == ["C-1"]


def test_a_windows_1252_csv_is_read():
    rows = [
        ["child_ref", "looked_after", "Notes \u2013 r\u00e9sum\u00e9"],
        ["C-1", "01/03/2024", ""],
    ]
    result = validate(csv_bytes(rows, encoding="cp1252"))
    assert [problem.column for problem in result.warnings] == ["Notes \u2013 r\u00e9sum\u00e9"]


def test_a_file_that_is_neither_utf8_nor_windows_1252_is_refused():
    assert "could not be read" in refusal(b"child_ref\n\x81\x8d\x8f\x90\x9d\n")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(delimiter):
    text = f"child_ref{delimiter}looked_after\nC-1{delimiter}01/03/2024\n"
    result = validate(text.encode())
    assert result.records["date"].dt.date.tolist() == [date(2024, 3, 1)]


def test_a_ragged_csv_is_refused_with_the_line():
    content = b"child_ref,looked_after\nC-1,01/03/2024\nC-2,01/03/2024,extra,cells\n"
    message = refusal(content)
    assert "line 3" in message


def test_blank_rows_keep_the_spreadsheet_row_numbers_in_a_csv():
    content = b"\n\nchild_ref,looked_after\n\nC-1,tbc\n,\nC-2,01/03/2024\n"
    result = validate(content)
    assert result.rows == 2
    assert [(problem.row, problem.value) for problem in result.problems] == [(5, "tbc")]


def test_blank_rows_and_columns_keep_the_spreadsheet_row_numbers_in_a_workbook():
    rows = [
        [],
        [None, "child_ref", "looked_after"],
        [None, "C-1", "tbc"],
        [],
        [None, "C-2", date(2024, 3, 1)],
    ]
    result = validate(xlsx_bytes(rows), "upload.xlsx")
    assert result.rows == 2
    assert [(problem.row, problem.column) for problem in result.problems] == [(3, "looked_after")]
    assert result.records["child_ref"].tolist() == ["C-2"]


def test_the_sheet_read_keeps_headers_and_text_cells():
    sheet = reading.read_upload(xlsx_bytes([["child_ref", "n"], [10234, 1.5]]), "u.xlsx")
    assert sheet.kind == "xlsx"
    assert sheet.header_row == 1
    assert sheet.headers == ["child_ref", "n"]
    assert sheet.cells.loc[2].tolist() == ["10234", "1.5"]
