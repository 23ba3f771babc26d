"""Milestone uploads stay pseudonymous: identifying headers in any spelling, identifying-looking
references, the council's own reference format, and references that differ only in case."""

from datetime import date

import pytest

from measures.milestones.files import DEFAULT_MILESTONES, DEFAULT_ROUTES, FileRefused, validate_milestone_file
from measures.milestones.files.validation import (
    identifying_header_kind,
    reference_key,
    reference_pattern_problem,
)
from tests.measures.milestones.test_milestone_files_validation import csv_bytes, xlsx_bytes

TODAY = date(2025, 6, 30)


def validate(rows, kind="csv", **options):
    content = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    return validate_milestone_file(content, f"upload.{kind}", DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY, **options)


def refusal(rows, kind="csv", **options) -> str:
    with pytest.raises(FileRefused) as caught:
        validate(rows, kind, **options)
    return str(caught.value)


# Headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("ChildName", "a name"),
        ("FamilyName", "a name"),
        ("childname", "a name"),
        ("Known As", "a name"),
        ("KnownAs", "a name"),
        ("Birth Dt", "a date of birth"),
        ("DoB", "a date of birth"),
        ("DATEOFBIRTH", "a date of birth"),
        ("Addr1", "an address"),
        ("CHINo", "a CHI number"),
        ("CHI_No", "a CHI number"),
        ("NHS Number", "an NHS number"),
        ("NHSNumber", "an NHS number"),
        ("\uff26\uff49\uff52\uff53\uff54\uff2e\uff41\uff4d\uff45", "a name"),  # full-width FirstName
        ("\uff24\uff2f\uff22", "a date of birth"),  # full-width DOB
        ("Post-Code", "a postcode"),
        ("Carer's name", "a name"),
    ],
)
def test_identifying_headers_in_any_spelling_refuse_the_file(header, kind):
    message = refusal([["child_ref", header, "looked_after"], ["C-1", "x", "01/03/2024"]])
    assert f"{header!r} ({kind})" in message


@pytest.mark.parametrize(
    "header",
    [
        *(milestone.name for milestone in DEFAULT_MILESTONES),
        *(milestone.code for milestone in DEFAULT_MILESTONES),
        "child_ref",
        "Child ID",
        "route",
        "Allocated team",
        "Named person review",
        "Adoption panel",
    ],
)
def test_the_headers_of_a_real_upload_are_not_taken_for_identifying_ones(header):
    assert identifying_header_kind(header) is None


def test_full_width_reference_and_milestone_headers_are_matched():
    rows = [["\uff43\uff48\uff49\uff4c\uff44\uff3f\uff52\uff45\uff46", "looked_after"], ["C-1", "01/03/2024"]]
    assert validate(rows).children["child_ref"].tolist() == ["C-1"]


# Identifying-looking references ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "hint"),
    [
        ("JaneSmith", "looks like a name"),
        ("SMITH_Jane", "looks like a name"),
        ("Jane Smith", "looks like a name"),
        ("0304161234", "looks like a CHI number"),
        ("030416-1234", "looks like a CHI number"),
        ("03/04/2016", "looks like a date"),
        ("2016-04-03", "looks like a date"),
        ("03042016", "looks like a date"),
        ("AB10 1XG", "looks like a postcode"),
        ("ab101xg", "looks like a postcode"),
    ],
)
def test_identifying_references_refuse_the_file_naming_the_row_and_what_it_looks_like(reference, hint):
    rows = [["child_ref", "looked_after"], ["C-1", "01/03/2024"], [reference, "01/03/2024"]]
    message = refusal(rows)
    assert f"row 3 {hint}" in message
    assert reference not in message  # the value itself is not repeated back or stored


def test_identifying_references_in_a_workbook_are_refused_too():
    message = refusal([["child_ref", "looked_after"], [1504161234, date(2024, 3, 1)]], "xlsx")
    assert "row 2 looks like a CHI number" in message


def test_many_identifying_references_are_summarised():
    rows = [["child_ref", "looked_after"]] + [[f"Child{'x' * n}", "01/03/2024"] for n in range(25)]
    message = refusal(rows)
    assert "row 2 looks like a name" in message and "and 15 more rows" in message


@pytest.mark.parametrize("reference", ["C-10234", "C10234", "10234", "LA-2024-117", "ABD/0042", "C-0304161"])
def test_ordinary_pseudonymous_references_pass(reference):
    result = validate([["child_ref", "looked_after"], [reference, "01/03/2024"]])
    assert result.problems == [] and result.children["child_ref"].tolist() == [reference]


# The council's own reference format ------------------------------------------------------------


def test_references_not_in_the_councils_format_are_row_errors():
    rows = [["child_ref", "looked_after"], ["C-77001", "01/03/2024"], ["X-1", "01/03/2024"], ["c-77002", "01/03/2024"]]
    result = validate(rows, reference_pattern=r"^C-\d{5}$")
    assert [(problem.row, problem.code) for problem in result.problems] == [(3, "invalid_reference")]
    assert r"format ^C-\d{5}$" in result.errors[0].reason
    assert result.children["child_ref"].tolist() == ["C-77001", "c-77002"]


def test_an_unusable_stored_format_refuses_the_file_with_the_reason():
    assert "not a valid pattern" in refusal([["child_ref", "looked_after"], ["C-1", ""]], reference_pattern="C-[")


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"^C-\d{5}$", None),
        (r"(?:LA|AB)-\d{4,6}", None),
        (r"(\d{2}-)*\d+", None),
        ("C-[", "not a valid pattern"),
        ("(a+)+$", "very slow"),
        ("(ab|a)*", "very slow"),
        (".*", "empty reference"),
        ("C" * 101, "longer than 100"),
    ],
)
def test_reference_formats_that_are_slow_or_broken_are_refused(pattern, problem):
    found = reference_pattern_problem(pattern)
    assert found is None if problem is None else problem in found


# References that differ only in case ----------------------------------------------------------


def test_references_differing_only_in_case_are_one_child_in_a_wide_file():
    rows = [["child_ref", "looked_after"], ["C-77001", "01/03/2024"], ["c-77001", "02/03/2024"]]
    result = validate(rows)
    assert [(problem.row, problem.code) for problem in result.problems] == [(3, "duplicate_reference")]
    assert "'c-77001' is already used on row 2 as 'C-77001'" in result.errors[0].reason


def test_references_differing_only_in_case_are_one_child_in_a_long_file():
    rows = [
        ["child_ref", "milestone", "date"],
        ["C-77001", "looked_after", "01/03/2024"],
        ["c-77001", "first_review", "02/04/2024"],
    ]
    result = validate(rows)
    assert result.problems == []
    assert result.children["child_ref"].tolist() == ["C-77001"]
    assert result.records["child_ref"].tolist() == ["C-77001", "C-77001"]


def test_the_reference_key_ignores_case_spaces_and_width():
    assert reference_key(" C-77001 ") == reference_key("c-77001") == reference_key("\uff43-77001")
