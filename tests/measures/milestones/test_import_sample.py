"""docs/sample_milestones_messy.csv shows every kind of problem a real spreadsheet has."""

from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from measures.milestones import imports
from measures.milestones.demo import CHILDREN, demo_rows

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "sample_milestones_messy.csv"


def test_the_messy_sample_reports_each_problem_by_row_and_column(cast):
    milestone_import = imports.milestone_import_record(
        organisation=cast.org, user=None, upload=SimpleUploadedFile("sample.csv", SAMPLE.read_bytes())
    )
    milestone_import = imports.milestone_import_validate(milestone_import=milestone_import, today=date(2026, 11, 26))
    found = {(problem["row"], problem["column"], problem["code"]) for problem in milestone_import.problems}
    assert found == {
        (None, "Allocated team", "unknown_column"),
        (6, "legal_advice", "unparseable_date"),
        (7, "first_review", "us_date"),
        (9, "child_ref", "duplicate_reference"),
        (10, "legal_advice", "future_date"),
        (11, "permanence_rec", "out_of_order"),
        (12, "Child became looked after and accommodated", "unparseable_date"),
    }
    # Excel date numbers, two-digit years and ISO dates are read; blanks are not problems.
    assert milestone_import.rows == 12 and milestone_import.error_rows == 5
    assert milestone_import.new_children == 7


def test_the_messy_sample_uses_references_the_demo_does_not_hold() -> None:
    # Trying the sample on the demo must add children, never overwrite the demo's own.
    sample = {line.split(",")[0] for line in SAMPLE.read_text().splitlines()[1:]}
    demo = {row[0] for row in demo_rows(seed=1, today=date(2026, 11, 26), children=CHILDREN)}
    assert len(demo) == CHILDREN and sample and not sample & demo
