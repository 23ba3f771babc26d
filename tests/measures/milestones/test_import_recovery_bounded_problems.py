"""A file with very many problems costs their counts, not their number: the first
MAX_PROBLEMS_KEPT problems in reading order are kept with row, column and reason, every problem
is counted by code, and an error beyond the kept ones still stops the file being saved."""

import json
from collections import Counter
from datetime import date
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.milestones import imports
from measures.milestones.files import DEFAULT_MILESTONES, DEFAULT_ROUTES, validate_milestone_file, validation
from measures.milestones.pathway import pathway_create_defaults
from measures.models import MilestoneImport

TODAY = date(2025, 6, 30)
HEADER = "child_ref,route,looked_after,first_review,legal_advice\n"
# Each of these rows has two dates before the one it follows: two out-of-order warnings.
BACKWARDS = "C-{:05d},adoption,01/06/2024,01/05/2024,01/04/2024\n"
UNREADABLE = "C-{:05d},adoption,tbc,,\n"


def many_problems(backwards: int = 1500, unreadable: int = 5) -> bytes:
    lines = [BACKWARDS.format(number) for number in range(backwards)]
    lines += [UNREADABLE.format(backwards + number) for number in range(unreadable)]
    return (HEADER + "".join(lines)).encode()


def check(content: bytes):
    return validate_milestone_file(content, "m.csv", DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY)


def test_only_the_first_problems_are_kept_and_every_problem_is_counted() -> None:
    content = many_problems()
    parsed = check(content)
    with mock.patch.object(validation, "MAX_PROBLEMS_KEPT", 10**9):
        everything = check(content)
    assert len(everything.problems) == 3005
    assert parsed.problems == everything.problems[: validation.MAX_PROBLEMS_KEPT]
    assert [problem.row for problem in parsed.problems[:4]] == [2, 2, 3, 3]
    assert (parsed.error_count, parsed.warning_count, len(parsed.error_rows)) == (5, 3000, 5)
    assert parsed.problem_counts == {"out_of_order": 3000, "unparseable_date": 5}
    assert parsed.problems_not_kept == 2005
    assert parsed.errors == []  # none of the errors is among the kept problems: they are counted


def _cell(kind: str, day: int) -> str:
    return {"good": f"{day:02d}/03/2024", "late": "01/01/2030", "bad": "tbc", "blank": ""}[kind]


rows = st.lists(
    st.tuples(
        st.sampled_from(["C-1", "C-2", "C-3", "C-4", "", "C-9?"]),
        st.lists(
            st.tuples(st.sampled_from(["good", "late", "bad", "blank"]), st.integers(1, 28)), min_size=3, max_size=3
        ),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows, kept=st.integers(0, 9))
def test_the_kept_problems_are_always_the_first_of_all_of_them_in_reading_order(rows, kept) -> None:
    lines = "".join(
        f"{reference},po,{','.join(_cell(kind, day) for kind, day in cells)}\n" for reference, cells in rows
    )
    content = (HEADER + lines).encode()
    with mock.patch.object(validation, "MAX_PROBLEMS_KEPT", 10**9):
        everything = check(content)
    with mock.patch.object(validation, "MAX_PROBLEMS_KEPT", kept):
        parsed = check(content)
    assert parsed.problems == everything.problems[:kept]
    assert parsed.problem_counts == dict(Counter(problem.code for problem in everything.problems))
    assert parsed.error_count == len(everything.errors) and parsed.warning_count == len(everything.warnings)
    assert parsed.error_rows == everything.error_rows
    assert parsed.records.equals(everything.records)


def test_an_import_with_errors_beyond_the_kept_problems_has_errors_and_shows_every_count(cast) -> None:
    pathway_create_defaults(organisation=cast.org)
    milestone_import = imports.milestone_import_record(
        organisation=cast.org, user=cast.members["data"].user, upload=SimpleUploadedFile("m.csv", many_problems())
    )
    milestone_import = imports.milestone_import_validate(milestone_import=milestone_import, today=TODAY)
    assert milestone_import.status == MilestoneImport.Status.INVALID
    assert (milestone_import.error_count, milestone_import.warning_count) == (5, 3000)
    assert len(milestone_import.problems) == validation.MAX_PROBLEMS_KEPT
    assert milestone_import.problem_counts == {"out_of_order": 3000, "unparseable_date": 5}
    assert len(json.dumps(milestone_import.problems)) < 400_000  # what goes in the row and its history

    page = cast.client("data").get(reverse("milestone_import", args=[cast.org.slug, milestone_import.code]))
    body = page.content.decode()
    assert "5 errors and 3000 warnings" in body
    assert "This file has 3005 problems. The first 1000 are listed below" in body
    assert '<span data-problem-count="unparseable_date">5</span> dates that cannot be read' in body
    assert '<span data-problem-count="out_of_order">3000</span> dates out of pathway order (warnings)' in body
    assert "Save these changes" not in body
