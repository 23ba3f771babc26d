"""Checking milestone uploads cell by cell: headers, layouts, references, routes, problems."""

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from measures.milestones.files import (
    DEFAULT_MILESTONES,
    DEFAULT_ROUTES,
    FileRefused,
    MilestoneSpec,
    Problem,
    validate_milestone_file,
)

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


def validate(rows: list[list[object]], kind: str = "csv", routes=DEFAULT_ROUTES, **options):
    content = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    return validate_milestone_file(content, f"upload.{kind}", DEFAULT_MILESTONES, routes, TODAY, **options)


def records(result) -> list[tuple]:
    return [(row.child_ref, row.route, row.milestone, row.date.date()) for row in result.records.itertuples()]


def codes(result) -> list[tuple]:
    return [(problem.row, problem.code) for problem in result.problems]


# Headers and layout -------------------------------------------------------------------------


def test_milestone_headers_match_codes_and_names_with_odd_spacing_and_case():
    headers = [
        " Child_Ref ",
        "  LOOKED_AFTER ",
        "first lac REVIEW",
        "Legal advice  /  permanence planning meeting",
        "Permanence-Rec",
        "panel",
        "agency_decision_maker_decision",
        "Children\u2019s hearing advice to the court",
    ]
    dates = ["01/01/2024", "02/01/2024", "03/01/2024", "04/01/2024"]
    dates += ["05/01/2024", "06/01/2024", "07/01/2024"]
    result = validate([headers, ["C-1", *dates]])
    assert result.matched_columns == {
        "LOOKED_AFTER": "looked_after",
        "first lac REVIEW": "first_review",
        "Legal advice  /  permanence planning meeting": "legal_advice",
        "Permanence-Rec": "permanence_rec",
        "panel": "panel",
        "agency_decision_maker_decision": "adm_decision",
        "Children\u2019s hearing advice to the court": "hearing_advice",
    }
    assert result.problems == []
    assert [milestone for *_, milestone, _ in records(result)] == [
        "looked_after",
        "first_review",
        "legal_advice",
        "permanence_rec",
        "panel",
        "adm_decision",
        "hearing_advice",
    ]


@pytest.mark.parametrize("header", ["child_ref", "Child Reference", "REFERENCE", "child id", " Child_ID ", "ChildRef"])
def test_reference_header_alternatives_are_accepted(header):
    result = validate([[header, "looked_after"], ["C-1", "01/03/2024"]])
    assert records(result) == [("C-1", None, "looked_after", date(2024, 3, 1))]


def test_a_custom_pathway_matches_its_own_milestones_in_its_order():
    pathway = [MilestoneSpec("referral", "Referral received"), MilestoneSpec("plan", "Plan agreed")]
    content = csv_bytes([["child_ref", "Plan agreed", "REFERRAL"], ["C-1", "01/02/2024", ""]])
    result = validate_milestone_file(content, "u.csv", pathway, ["home"], TODAY)
    assert result.matched_columns == {"Plan agreed": "plan", "REFERRAL": "referral"}
    assert records(result) == [("C-1", None, "plan", date(2024, 2, 1))]


def test_unknown_columns_are_warned_about_once_and_ignored():
    rows = [
        ["child_ref", "looked_after", "Notes", "paenl", ""],
        ["C-1", "01/03/2024", "x", "y", ""],
    ]
    result = validate(rows)
    assert result.problems == [
        Problem(
            None,
            "Notes",
            "Notes",
            "'Notes' is not a milestone, child_ref or route; it was ignored",
            "warning",
            "unknown_column",
        ),
        Problem(
            None,
            "paenl",
            "paenl",
            "'paenl' is not a milestone, child_ref or route; it was ignored (did you mean 'panel'?)",
            "warning",
            "unknown_column",
        ),
    ]
    assert result.error_rows == set()
    assert len(result.records) == 1


def test_a_column_without_a_header_but_with_data_is_warned_about():
    result = validate([["child_ref", "looked_after", ""], ["C-1", "01/03/2024", "stray"]])
    assert [(problem.code, problem.reason) for problem in result.warnings] == [
        ("unknown_column", "column C has no header; it was ignored")
    ]


def test_two_columns_for_the_same_milestone_refuse_the_file():
    rows = [["child_ref", "looked_after", "Child became looked after and accommodated"]]
    with pytest.raises(FileRefused, match="same milestone"):
        validate([*rows, ["C-1", "01/03/2024", "01/03/2024"]])


def test_a_wide_file_without_milestone_columns_is_refused():
    with pytest.raises(FileRefused, match="No milestone columns"):
        validate([["child_ref", "route", "comments"], ["C-1", "home", "x"]])


def test_long_layout_is_detected_from_milestone_and_date_headers():
    rows = [
        ["Child Reference", " Milestone ", "DATE", "Route"],
        ["C-1", "looked_after", "01/03/2024", "home"],
        ["C-1", "Final order granted", "2025-01-31", ""],
    ]
    result = validate(rows)
    assert result.layout == "long"
    assert records(result) == [
        ("C-1", "home", "looked_after", date(2024, 3, 1)),
        ("C-1", "home", "order_granted", date(2025, 1, 31)),
    ]
    assert result.children.to_dict("records") == [{"child_ref": "C-1", "route": "home"}]


def test_a_date_column_without_a_milestone_column_is_wide_and_unknown():
    result = validate([["child_ref", "looked_after", "date"], ["C-1", "01/03/2024", "x"]])
    assert result.layout == "wide"
    assert [problem.column for problem in result.warnings] == ["date"]


# References -----------------------------------------------------------------------------------


def test_a_row_with_data_but_no_reference_is_an_error():
    result = validate([["child_ref", "looked_after"], ["  ", "01/03/2024"], ["C-2", "02/03/2024"]])
    assert codes(result) == [(2, "missing_reference")]
    assert result.error_rows == {2}
    assert result.children["child_ref"].tolist() == ["C-2"]


def test_blank_rows_are_not_data_rows():
    result = validate([["child_ref", "looked_after"], ["", ""], ["C-2", ""], [" ", " "]])
    assert result.rows == 1
    assert result.problems == []
    assert result.children["child_ref"].tolist() == ["C-2"]
    assert result.records.empty


def test_references_are_stripped():
    result = validate([["child_ref", "looked_after"], ["  C-1 ", "01/03/2024"]])
    assert result.children["child_ref"].tolist() == ["C-1"]


def test_every_repeat_of_a_reference_is_an_error_naming_the_first_row():
    rows = [["child_ref", "looked_after"], ["C-1", "01/03/2024"], ["C-2", ""], ["C-1", ""]]
    rows.append(["C-1", "02/03/2024"])
    result = validate(rows)
    assert codes(result) == [(4, "duplicate_reference"), (5, "duplicate_reference")]
    assert all("already used on row 2" in problem.reason for problem in result.errors)
    assert result.children["child_ref"].tolist() == ["C-1", "C-2"]
    assert records(result) == [("C-1", None, "looked_after", date(2024, 3, 1))]


@pytest.mark.parametrize(
    ("reference", "reason_part"),
    [
        ("C 10234", "only letters, digits"),
        ("C-1;drop", "only letters, digits"),
        ("C\u00e91", "only letters, digits"),
        ("C-" + "1" * 39, "longer than 40 characters"),
    ],
)
def test_references_that_do_not_look_pseudonymous_are_errors(reference, reason_part):
    result = validate([["child_ref", "looked_after"], [reference, "01/03/2024"]])
    assert codes(result) == [(2, "invalid_reference")]
    assert reason_part in result.errors[0].reason
    assert result.records.empty


def test_a_reference_of_words_with_digits_asks_not_to_upload_names():
    result = validate([["child_ref", "looked_after"], ["Jane Doe 2", ""]])
    assert "names must not be uploaded" in result.errors[0].reason


@pytest.mark.parametrize("reference", ["C-10234", "abc_12/3.4", "X" + "1" * 39, "007"])
def test_pseudonymous_references_are_accepted(reference):
    result = validate([["child_ref", "looked_after"], [reference, "01/03/2024"]])
    assert result.problems == []
    assert result.children["child_ref"].tolist() == [reference]


def test_a_numeric_reference_in_a_workbook_keeps_its_digits():
    result = validate([["child_ref", "looked_after"], [10234, date(2024, 3, 1)]], "xlsx")
    assert result.children["child_ref"].tolist() == ["10234"]


# Routes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("home", "home"),
        ("Return home", "home"),
        ("KINSHIP", "kinship"),
        ("kinship care order", "kinship"),
        ("S11", "kinship"),
        ("po", "po"),
        ("Permanence Order", "po"),
        ("POA", "poa"),
        ("Permanence order with authority to adopt", "poa"),
        ("adoption", "adoption"),
        ("  Adoption ", "adoption"),
    ],
)
def test_routes_are_matched_to_codes(written, code):
    result = validate([["child_ref", "route", "looked_after"], ["C-1", written, "01/03/2024"]])
    assert result.problems == []
    assert result.children["route"].tolist() == [code]
    assert result.records["route"].tolist() == [code]


def test_a_blank_route_is_none():
    result = validate([["child_ref", "route", "looked_after"], ["C-1", "", "01/03/2024"]])
    assert result.children["route"].tolist() == [None]
    assert result.records["route"].tolist() == [None]


def test_an_unknown_route_is_an_error_listing_the_routes():
    result = validate([["child_ref", "route", "looked_after"], ["C-1", "foster", "01/03/2024"]])
    assert codes(result) == [(2, "unknown_route")]
    assert result.errors[0].reason == "route 'foster' is not one of: home, kinship, po, poa, adoption"
    assert result.children.empty


def test_a_route_label_for_a_route_the_organisation_does_not_use_is_unknown():
    rows = [["child_ref", "route", "looked_after"], ["C-1", "permanence order", "01/03/2024"]]
    result = validate(rows, routes=["home", "adoption"])
    assert codes(result) == [(2, "unknown_route")]


# Problems and records -------------------------------------------------------------------------


def test_each_date_problem_is_reported_with_row_column_value_and_code():
    rows = [
        ["child_ref", "looked_after", "first_review", "panel"],
        ["C-1", "tbc", "12/25/2024", "01/03/2031"],
    ]
    result = validate(rows)
    assert [(p.row, p.column, p.value, p.code, p.severity) for p in result.problems] == [
        (2, "looked_after", "tbc", "unparseable_date", "error"),
        (2, "first_review", "12/25/2024", "us_date", "error"),
        (2, "panel", "01/03/2031", "future_date", "error"),
    ]
    assert result.problems[2].reason == "date is in the future (01/03/2031)"
    assert "US month-first" in result.problems[1].reason
    assert result.error_rows == {2}
    assert result.records.empty
    assert result.children.empty


def test_dates_out_of_pathway_order_are_a_warning_naming_both_milestones():
    rows = [
        ["child_ref", "panel", "looked_after", "permanence_rec"],
        ["C-1", "01/02/2024", "01/03/2024", "15/03/2024"],
    ]
    result = validate(rows)
    assert codes(result) == [(2, "out_of_order")]
    warning = result.warnings[0]
    assert warning.severity == "warning"
    assert warning.column == "panel"
    assert warning.value == "01/02/2024"
    assert "panel" in warning.reason and "01/02/2024" in warning.reason
    assert "permanence_rec" in warning.reason and "15/03/2024" in warning.reason
    assert result.error_rows == set()
    assert len(result.records) == 3  # a warning does not exclude the row


def test_a_milestone_before_the_latest_earlier_one_names_that_one():
    rows = [
        ["child_ref", "looked_after", "first_review", "legal_advice"],
        ["C-1", "01/03/2024", "01/06/2024", "01/05/2024"],
    ]
    warning = validate(rows).warnings[0]
    assert warning.reason == (
        "Legal advice / permanence planning meeting (legal_advice) is dated 01/05/2024, "
        "before First LAC review (first_review) on 01/06/2024"
    )


def test_rows_with_errors_are_left_out_and_the_rest_kept_in_file_order():
    rows = [
        ["child_ref", "route", "looked_after", "first_review"],
        ["C-3", "po", "01/03/2024", ""],
        ["C-1", "home", "nonsense", "01/04/2024"],
        ["C-2", "", "2024-01-05", "20/01/2024"],
    ]
    result = validate(rows)
    assert result.layout == "wide"
    assert result.rows == 3
    assert result.error_rows == {3}
    assert records(result) == [
        ("C-3", "po", "looked_after", date(2024, 3, 1)),
        ("C-2", None, "looked_after", date(2024, 1, 5)),
        ("C-2", None, "first_review", date(2024, 1, 20)),
    ]
    assert result.children.to_dict("records") == [
        {"child_ref": "C-3", "route": "po"},
        {"child_ref": "C-2", "route": None},
    ]
    assert list(result.records.columns) == ["child_ref", "route", "milestone", "date"]
    assert str(result.records["date"].dtype) == "datetime64[ns]"


def test_blank_cells_are_simply_absent():
    rows = [["child_ref", "looked_after", "first_review", "panel"], ["C-1", "", " ", "01/02/2024"]]
    result = validate(rows)
    assert result.problems == []
    assert records(result) == [("C-1", None, "panel", date(2024, 2, 1))]


def test_problems_are_in_row_order_and_split_into_errors_and_warnings():
    rows = [
        ["child_ref", "looked_after", "first_review", "extra"],
        ["C-1", "01/03/2024", "tbc", ""],
        ["", "01/03/2024", "01/01/2024", ""],
        ["C-3", "01/03/2024", "01/01/2024", ""],
    ]
    result = validate(rows)
    assert codes(result) == [
        (None, "unknown_column"),
        (2, "unparseable_date"),
        (3, "missing_reference"),
        (3, "out_of_order"),
        (4, "out_of_order"),
    ]
    assert [problem.code for problem in result.errors] == ["unparseable_date", "missing_reference"]
    assert len(result.warnings) == 3
    assert result.error_rows == {2, 3}


def test_a_problem_reads_as_row_column_and_reason():
    problem = Problem(7, "Looked after", "tbc", "not a date", "error", "unparseable_date")
    assert str(problem) == "Row 7, column 'Looked after': not a date"
    assert str(Problem(None, None, "", "odd file", "warning", "x")) == "File: odd file"


# Workbooks with real cells -----------------------------------------------------------------


def test_workbook_date_cells_serials_and_text_dates_are_all_read():
    rows = [
        ["child_ref", "looked_after", "first_review", "legal_advice", "permanence_rec", "panel"],
        ["C-1", date(2024, 3, 1), datetime(2024, 3, 2, 0, 0), 45354, 45355.0, "06/03/2024"],
        ["C-2", datetime(2024, 3, 1, 14, 30), "2024-03-02", "3/3/24", None, ""],
    ]
    result = validate(rows, "xlsx")
    assert result.problems == []
    assert [(reference, milestone, day) for reference, _, milestone, day in records(result)] == [
        ("C-1", "looked_after", date(2024, 3, 1)),
        ("C-1", "first_review", date(2024, 3, 2)),
        ("C-1", "legal_advice", date(2024, 3, 3)),
        ("C-1", "permanence_rec", date(2024, 3, 4)),
        ("C-1", "panel", date(2024, 3, 6)),
        ("C-2", "looked_after", date(2024, 3, 1)),
        ("C-2", "first_review", date(2024, 3, 2)),
        ("C-2", "legal_advice", date(2024, 3, 3)),
    ]


def test_workbook_date_problems_show_the_cell_as_a_date():
    rows = [["child_ref", "looked_after", "panel"], ["C-1", date(2031, 3, 12), 12.5]]
    result = validate(rows, "xlsx")
    assert [(p.value, p.code) for p in result.problems] == [
        ("2031-03-12", "future_date"),
        ("12.5", "unparseable_date"),
    ]
    assert result.problems[0].reason == "date is in the future (12/03/2031)"


# Long layout ----------------------------------------------------------------------------


LONG_HEADERS = ["child_ref", "milestone", "date", "route"]


def test_an_unknown_milestone_in_a_long_file_is_an_error_on_that_row():
    rows = [
        LONG_HEADERS,
        ["C-1", "looked_after", "01/03/2024", ""],
        ["C-1", "visit", "02/03/2024", ""],
    ]
    result = validate(rows)
    assert codes(result) == [(3, "unknown_milestone")]
    assert "'visit'" in result.errors[0].reason
    assert records(result) == [("C-1", None, "looked_after", date(2024, 3, 1))]


def test_a_blank_milestone_with_a_date_is_an_error_and_without_one_just_a_child():
    rows = [LONG_HEADERS, ["C-1", "", "01/03/2024", ""], ["C-2", "", "", "home"]]
    result = validate(rows)
    assert codes(result) == [(2, "unknown_milestone")]
    assert result.children.to_dict("records") == [{"child_ref": "C-2", "route": "home"}]
    assert result.records.empty


def test_the_same_milestone_twice_with_different_dates_is_a_duplicate_error():
    rows = [
        LONG_HEADERS,
        ["C-1", "looked_after", "01/03/2024", ""],
        ["C-1", "Child became looked after and accommodated", "01/03/2024", ""],
        ["C-1", "looked_after", "05/03/2024", ""],
    ]
    result = validate(rows)
    assert codes(result) == [(4, "duplicate_reference")]
    assert "row 2" in result.errors[0].reason and "01/03/2024" in result.errors[0].reason
    assert records(result) == [("C-1", None, "looked_after", date(2024, 3, 1))]


def test_a_child_route_given_once_applies_to_all_its_records_and_conflicts_are_errors():
    rows = [
        LONG_HEADERS,
        ["C-1", "looked_after", "01/03/2024", ""],
        ["C-1", "panel", "01/05/2024", "adoption"],
        ["C-1", "adm_decision", "10/05/2024", "po"],
    ]
    result = validate(rows)
    assert codes(result) == [(4, "conflicting_route")]
    assert records(result) == [
        ("C-1", "adoption", "looked_after", date(2024, 3, 1)),
        ("C-1", "adoption", "panel", date(2024, 5, 1)),
    ]


def test_long_dates_out_of_order_across_rows_warn_on_the_later_milestone_row():
    rows = [
        LONG_HEADERS,
        ["C-1", "panel", "01/02/2024", ""],
        ["C-1", "looked_after", "01/03/2024", ""],
    ]
    result = validate(rows)
    assert codes(result) == [(2, "out_of_order")]
    assert result.warnings[0].column == "date"
    assert len(result.records) == 2


def test_long_date_problems_use_the_date_column():
    rows = [LONG_HEADERS, ["C-1", "panel", "31/02/2024", ""], ["", "panel", "01/02/2024", ""]]
    result = validate(rows, "xlsx")
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "date", "unparseable_date"),
        (3, "child_ref", "missing_reference"),
    ]
    assert result.records.empty
