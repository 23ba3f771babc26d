"""The annotated workbook: the upload with its problems beside each row, safe to open."""

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from measures.milestones.files import (
    DEFAULT_MILESTONES,
    DEFAULT_ROUTES,
    annotated_workbook,
    validate_milestone_file,
)
from measures.milestones.files.annotate import safe_text

TODAY = date(2025, 6, 30)


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annotate(content: bytes, filename: str):
    result = validate_milestone_file(content, filename, DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY)
    workbook = load_workbook(io.BytesIO(annotated_workbook(content, filename, result.problems)))
    return result, workbook


def values(sheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+441234", "'+441234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("C-1", "C-1"),
        ("a=b", "a=b"),
        ("bell\x07", "bell"),
    ],
)
def test_safe_text_disarms_formulas_and_drops_control_characters(text, expected):
    assert safe_text(text) == expected


def test_each_row_lists_its_problems_in_an_added_column():
    rows = [
        ["child_ref", "route", "looked_after", "first_review", "notes"],
        ["C-1", "home", "01/03/2031", "tbc", ""],
        ["C-2", "po", "01/03/2024", "01/02/2024", ""],
        ["C-3", "", "01/03/2024", "", ""],
    ]
    result, workbook = annotate(csv_bytes(rows), "upload.csv")
    assert workbook.sheetnames == ["Upload with problems", "All problems"]
    sheet = workbook["Upload with problems"]
    table = values(sheet)
    assert table[0] == [*rows[0], "problems"]
    assert table[1][:5] == ["C-1", "home", "01/03/2031", "tbc", None]  # blank stays blank
    assert table[1][5] == (
        "looked_after: date is in the future (01/03/2031); "
        "first_review: 'tbc' is not a date that can be read; use dd/mm/yyyy or yyyy-mm-dd"
    )
    assert table[2][5].startswith("first_review: First LAC review (first_review) is dated")
    assert table[2][5].endswith("(warning)")
    assert table[3][5] is None
    assert sheet["F2"].fill.fgColor.rgb.endswith("F8D7DA")  # error rows stand out
    assert sheet["F3"].fill.fgColor.rgb.endswith("FFF3CD")  # warnings are amber


def test_the_problem_list_has_every_problem_including_whole_file_ones():
    rows = [["child_ref", "looked_after", "notes"], ["C-1", "tbc", "x"]]
    result, workbook = annotate(csv_bytes(rows), "upload.csv")
    table = values(workbook["All problems"])
    assert table[0] == ["row", "column", "value", "severity", "problem"]
    assert table[1:] == [
        ["whole file", "notes", "notes", "warning", result.problems[0].reason],
        [2, "looked_after", "tbc", "error", result.problems[1].reason],
    ]


def test_formula_like_cells_headers_and_values_are_escaped():
    rows = [
        ["child_ref", "looked_after", "=cmd|' /C calc'!A0"],
        ["=1+1", "+2", "@SUM(1)"],
        ["C-2", "-3", "\tx"],
    ]
    result, workbook = annotate(csv_bytes(rows), "upload.csv")
    sheet = workbook["Upload with problems"]
    table = values(sheet)
    assert table[0][2] == "'=cmd|' /C calc'!A0"
    assert table[1][:3] == ["'=1+1", "'+2", "'@SUM(1)"]
    assert table[2][:3] == ["C-2", "'-3", "'\tx"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    problem_list = workbook["All problems"]
    assert all(cell.data_type != "f" for row in problem_list.iter_rows() for cell in row)
    assert problem_list["B2"].value == "'=cmd|' /C calc'!A0"
    assert problem_list["C3"].value == "'=1+1"


def test_a_workbook_upload_keeps_row_positions_dates_and_numbers():
    rows = [
        [],
        [None, "child_ref", "looked_after", "first_review"],
        [None, "C-1", date(2024, 3, 1), datetime(2031, 1, 2)],
        [None, 10234, 45354, "12/25/2024"],
    ]
    result, workbook = annotate(xlsx_bytes(rows), "upload.xlsx")
    assert [(problem.row, problem.code) for problem in result.problems] == [
        (3, "future_date"),
        (4, "us_date"),
    ]
    sheet = workbook["Upload with problems"]
    assert [cell.value for cell in sheet[1]] == [None] * 5
    assert [cell.value for cell in sheet[2]] == [
        None,
        "child_ref",
        "looked_after",
        "first_review",
        "problems",
    ]
    assert sheet["C3"].value == datetime(2024, 3, 1)
    assert sheet["C3"].number_format == "dd/mm/yyyy"
    assert sheet["E3"].value == "first_review: date is in the future (02/01/2031)"
    assert sheet["B4"].value == 10234
    assert sheet["C4"].value == 45354
    assert sheet["E4"].value.startswith("first_review: '12/25/2024' looks like a US month-first")


def test_a_clean_file_is_annotated_with_an_empty_problem_list():
    rows = [["child_ref", "looked_after"], ["C-1", "01/03/2024"]]
    result, workbook = annotate(csv_bytes(rows), "upload.csv")
    assert result.problems == []
    assert values(workbook["Upload with problems"]) == [
        ["child_ref", "looked_after", "problems"],
        ["C-1", "01/03/2024", None],
    ]
    assert values(workbook["All problems"]) == [["row", "column", "value", "severity", "problem"]]


def test_blank_lines_in_a_csv_keep_the_annotation_on_the_right_row():
    content = b"\nchild_ref,looked_after\n\nC-1,tbc\n"
    result, workbook = annotate(content, "upload.csv")
    assert [problem.row for problem in result.problems] == [4]
    assert values(workbook["Upload with problems"]) == [
        [None, None, None],
        ["child_ref", "looked_after", "problems"],
        [None, None, None],
        [
            "C-1",
            "tbc",
            "looked_after: 'tbc' is not a date that can be read; use dd/mm/yyyy or yyyy-mm-dd",
        ],
    ]


def test_the_same_file_object_can_be_validated_then_annotated():
    upload = io.BytesIO(csv_bytes([["child_ref", "looked_after"], ["C-1", "tbc"]]))
    result = validate_milestone_file(upload, "u.csv", DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY)
    workbook = load_workbook(io.BytesIO(annotated_workbook(upload, "u.csv", result.problems)))
    assert workbook.active["C2"].value.startswith("looked_after: 'tbc'")
