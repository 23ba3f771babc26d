"""Spreadsheet exports are safe from formula injection (pace_hub/exports.py)."""

import io

import pytest
from openpyxl import load_workbook

from pace_hub.exports import csv_response, safe_cell, xlsx_response


@pytest.mark.parametrize("text", ["=1+1", "+44 1224", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_prefixed(text) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Jan 2025", "", None, -3, 2.5, "a=b"])
def test_other_values_pass_through(value) -> None:
    assert safe_cell(value) == value


def test_csv_response_guards_every_cell_and_names_the_file() -> None:
    response = csv_response('bad "name".csv', ["=Header"], [["=cmd|' /C calc'!A0"], [None]])

    assert response["Content-Disposition"] == 'attachment; filename="badname.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == ["'=Header", "'=cmd|' /C calc'!A0", '""']


def test_xlsx_response_keeps_numbers_and_guards_text() -> None:
    response = xlsx_response("x.xlsx", ["Value", "Note"], [[-5, '=HYPERLINK("http://evil")']])

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == [-5, '\'=HYPERLINK("http://evil")']
    assert sheet["A1"].font.bold
