"""The milestone import services: check, preview, commit, blank cells, roll-back and refusals."""

import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from measures.milestones import imports
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, DataPoint, ImportChange, Measure, MilestoneImport
from tests.measures.milestones.dates import date_count, dates_of

TODAY = date(2025, 6, 30)
HEADER = "child_ref,route,looked_after,permanence_rec,panel\n"
Status = MilestoneImport.Status


@pytest.fixture
def pathway(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def upload(org, user, content: bytes, name: str = "milestones.csv", today: date = TODAY) -> MilestoneImport:
    """Store an upload and check it as the worker would."""
    milestone_import = imports.milestone_import_create(
        organisation=org, user=user, upload=SimpleUploadedFile(name, content)
    )
    return imports.milestone_import_validate(milestone_import=milestone_import, today=today)


def commit(milestone_import: MilestoneImport, today: date = TODAY) -> MilestoneImport:
    imports.milestone_import_request_commit(milestone_import=milestone_import)
    milestone_import.refresh_from_db()
    return imports.milestone_import_commit(milestone_import=milestone_import, today=today)


def test_checking_a_valid_file_previews_the_changes_and_writes_nothing(pathway, cast):
    content = (HEADER + "C-1,adoption,01/02/2024,2024-07-15,\nC-2,po,45350,,\n").encode()
    milestone_import = upload(pathway, cast.members["data"].user, content)
    assert milestone_import.status == Status.VALIDATED
    assert (milestone_import.rows, milestone_import.new_children, milestone_import.error_rows) == (2, 2, 0)
    assert milestone_import.preview["dates_added"] == 3
    assert milestone_import.preview["examples"][0] == {
        "reference": "C-1",
        "milestone": "Child became looked after and accommodated",
        "old": "",
        "new": "1 Feb 2024",
    }
    assert not Child.objects.filter(organisation=pathway).exists()


def test_commit_writes_children_dates_changes_and_derived_measures(pathway, cast):
    content = (HEADER + "C-1,adoption,01/02/2024,2024-07-15,\nC-2,po,45350,,\n").encode()
    milestone_import = commit(upload(pathway, cast.members["data"].user, content))
    assert milestone_import.status == Status.COMMITTED
    assert milestone_import.progress == 100
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}
    assert dates_of(pathway, "C-2") == {"looked_after": date(2024, 2, 28)}  # Excel serial 45350
    assert Child.objects.get(organisation=pathway, reference="C-2").route == "po"
    # Children the import created are rolled back by deleting them, dates and all: each records
    # the import that created it, and there is no change row for them, nor anything per date.
    assert Child.objects.filter(organisation=pathway, created_by_import=milestone_import).count() == 2
    assert not ImportChange.objects.filter(milestone_import=milestone_import).exists()
    median = Measure.objects.get(
        organisation=pathway, derivation="median_days", timescale__to_milestone__code="permanence_rec"
    )
    assert list(median.points.values_list("period", "value")) == [(date(2024, 7, 1), 165.0)]


def test_a_blank_cell_never_erases_a_stored_date_and_changes_are_counted(pathway, cast):
    user = cast.members["data"].user
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\nC-2,po,01/03/2024,,\n").encode()))
    second = upload(pathway, user, (HEADER + "C-1,adoption,,20/07/2024,\nC-2,po,01/03/2024,,\nC-3,,,,\n").encode())
    assert (second.new_children, second.updated_children, second.unchanged_children) == (1, 1, 1)
    assert second.preview["dates_changed"] == 1 and second.preview["dates_added"] == 0
    commit(second)
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 20)}


def test_a_blank_route_keeps_the_stored_route_and_a_new_route_replaces_it(pathway, cast):
    user = cast.members["data"].user
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,,\nC-2,po,01/03/2024,,\n").encode()))
    commit(upload(pathway, user, (HEADER + "C-1,,01/02/2024,,\nC-2,kinship,01/03/2024,,\n").encode()))
    routes = dict(Child.objects.filter(organisation=pathway).values_list("reference", "route"))
    assert routes == {"C-1": "adoption", "C-2": "kinship"}


def test_rollback_restores_earlier_values_and_is_blocked_by_a_later_import(pathway, cast):
    user = cast.members["data"].user
    first = commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\n").encode()))
    second = commit(
        upload(pathway, user, (HEADER + "C-1,kinship,01/02/2024,20/07/2024,01/09/2024\nC-9,,01/01/2025,,\n").encode()),
    )
    with pytest.raises(ValidationError, match="later import “milestones.csv” saved on"):
        imports.milestone_import_rollback(milestone_import=first, user=user, today=TODAY)

    imports.milestone_import_rollback(milestone_import=second, user=user, today=TODAY)
    second.refresh_from_db()
    assert second.status == Status.ROLLED_BACK and second.rolled_back_by == user
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}
    assert Child.objects.get(organisation=pathway, reference="C-1").route == "adoption"
    assert not Child.objects.filter(organisation=pathway, reference="C-9").exists()

    imports.milestone_import_rollback(milestone_import=first, user=user, today=TODAY)
    assert not Child.objects.filter(organisation=pathway).exists()
    # The children it created went with the change rows of the later import rolled back before.
    assert not ImportChange.objects.filter(organisation=pathway).exists()
    with pytest.raises(ValidationError, match="Only a saved import"):
        imports.milestone_import_rollback(milestone_import=first, user=user, today=TODAY)


def test_rollback_is_not_blocked_by_a_later_import_of_other_children(pathway, cast):
    user = cast.members["data"].user
    first = commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,,\n").encode()))
    commit(upload(pathway, user, (HEADER + "C-2,adoption,01/03/2024,,\n").encode()))
    assert imports.rollback_blocker(first) is None
    imports.milestone_import_rollback(milestone_import=first, user=user, today=TODAY)
    assert list(Child.objects.filter(organisation=pathway).values_list("reference", flat=True)) == ["C-2"]


def test_rollback_recomputes_the_derived_measures(pathway, cast):
    user = cast.members["data"].user
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\n").encode()))
    second = commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,01/03/2024,\n").encode()))
    median = Measure.objects.get(
        organisation=pathway, derivation="median_days", timescale__to_milestone__code="permanence_rec"
    )
    assert list(median.points.values_list("period", "value")) == [(date(2024, 3, 1), 29.0)]
    imports.milestone_import_rollback(milestone_import=second, user=user, today=TODAY)
    # The recompute runs on commit of the roll-back's transaction: here, the test's own.
    from measures.milestones.derived import derived_measures_recompute

    derived_measures_recompute(organisation=pathway, today=TODAY)
    assert list(median.points.values_list("period", "value")) == [(date(2024, 7, 1), 165.0)]


def test_a_file_with_errors_cannot_be_committed(pathway, cast):
    milestone_import = upload(pathway, cast.members["data"].user, (HEADER + "C-1,adoption,31/02/2024,,\n").encode())
    assert milestone_import.status == Status.INVALID
    with pytest.raises(ValidationError, match="has errors"):
        imports.milestone_import_request_commit(milestone_import=milestone_import)
    assert not Child.objects.exists()


def test_a_double_commit_request_is_refused(pathway, cast):
    milestone_import = upload(pathway, cast.members["data"].user, (HEADER + "C-1,adoption,01/02/2024,,\n").encode())
    imports.milestone_import_request_commit(milestone_import=milestone_import)
    with pytest.raises(ValidationError, match="cannot be saved"):
        imports.milestone_import_request_commit(milestone_import=milestone_import)


# Every problem kind, through the service, with row, column, value and reason ------------------


PROBLEM_CASES = [
    ("unparseable_date", "C-1,adoption,tbc,,", 2, "looked_after", "tbc", "is not a date that can be read"),
    ("unparseable_date", "C-1,adoption,31/02/2024,,", 2, "looked_after", "31/02/2024", "is not a real date"),
    ("us_date", "C-1,adoption,12/25/2024,,", 2, "looked_after", "12/25/2024", "looks like a US month-first date"),
    ("future_date", "C-1,adoption,01/01/2031,,", 2, "looked_after", "01/01/2031", "date is in the future"),
    ("missing_reference", ",adoption,01/02/2024,,", 2, "child_ref", "", "the child reference is missing"),
    ("invalid_reference", "C 1,adoption,01/02/2024,,", 2, "child_ref", "C 1", "only letters, digits"),
    ("unknown_route", "C-1,fostering,01/02/2024,,", 2, "route", "fostering", "route 'fostering' is not one of"),
]


@pytest.mark.parametrize(("code", "line", "row", "column", "value", "reason"), PROBLEM_CASES)
def test_each_error_is_stored_with_row_column_value_and_reason(pathway, cast, code, line, row, column, value, reason):
    milestone_import = upload(pathway, cast.members["data"].user, (HEADER + line + "\n").encode())
    assert milestone_import.status == Status.INVALID
    [problem] = [p for p in milestone_import.problems if p["code"] == code]
    assert (problem["row"], problem["column"], problem["value"], problem["severity"]) == (row, column, value, "error")
    assert reason in problem["reason"]
    assert milestone_import.error_rows == 1


def test_duplicate_reference_is_an_error_on_the_second_row(pathway, cast):
    content = (HEADER + "C-1,adoption,01/02/2024,,\nC-1,adoption,01/03/2024,,\n").encode()
    milestone_import = upload(pathway, cast.members["data"].user, content)
    [problem] = milestone_import.problems
    assert (problem["row"], problem["column"], problem["code"]) == (3, "child_ref", "duplicate_reference")
    assert "already used on row 2" in problem["reason"]


def test_warnings_do_not_stop_a_commit(pathway, cast):
    content = b"child_ref,route,looked_after,permanence_rec,notes\nC-1,adoption,01/08/2024,01/02/2024,x\n"
    milestone_import = upload(pathway, cast.members["data"].user, content)
    codes = sorted(problem["code"] for problem in milestone_import.problems)
    assert codes == ["out_of_order", "unknown_column"]
    assert milestone_import.status == Status.VALIDATED and milestone_import.warning_count == 2
    assert commit(milestone_import).status == Status.COMMITTED


def test_long_layout_problems_unknown_milestone_and_conflicting_route(pathway, cast):
    content = (
        b"child_ref,route,milestone,date\n"
        b"C-1,adoption,looked_after,01/02/2024\n"
        b"C-1,po,permanence_rec,01/06/2024\n"
        b"C-2,adoption,sibling assessment,01/06/2024\n"
    )
    milestone_import = upload(pathway, cast.members["data"].user, content)
    codes = {problem["code"]: problem for problem in milestone_import.problems}
    assert codes["conflicting_route"]["row"] == 3
    assert codes["unknown_milestone"]["value"] == "sibling assessment"
    assert milestone_import.layout == "long"


# Refusals: a clear message, and nothing stored --------------------------------------------------


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return buffer.getvalue()


REFUSALS = [
    ("identifying", b"child_ref,Surname,DOB,looked_after\nC-1,Smith,01/01/2015,01/02/2024\n", "x.csv", "identifying"),
    ("postcode", b"child_ref,Postcode,looked_after\nC-1,AB1 2CD,01/02/2024\n", "x.csv", "a postcode"),
    ("compound header", b"child_ref,ChildName,looked_after\nC-1,Jo,01/02/2024\n", "x.csv", "'ChildName' (a name)"),
    ("name as reference", b"child_ref,looked_after\nJaneSmith,01/02/2024\n", "x.csv", "row 2 looks like a name"),
    ("CHI as reference", b"child_ref,looked_after\n0304161234,01/02/2024\n", "x.csv", "row 2 looks like a CHI"),
    ("not csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "x.csv", "a PNG image"),
    ("not xlsx", b"child_ref,looked_after\nC-1,01/02/2024\n", "x.xlsx", ".xlsx"),
    ("empty", b"", "x.csv", "empty"),
    ("header only", b"child_ref,route,looked_after\n", "x.csv", "no data rows"),
    ("no reference", b"id,route,looked_after\n1,adoption,01/02/2024\n", "x.csv", "No child reference column"),
    ("no milestones", b"child_ref,route\nC-1,adoption\n", "x.csv", "No milestone columns"),
]


@pytest.mark.parametrize(("case", "content", "name", "message"), REFUSALS, ids=[case[0] for case in REFUSALS])
def test_refused_files_keep_only_the_reason(pathway, cast, case, content, name, message):
    milestone_import = upload(pathway, cast.members["data"].user, content, name)
    assert milestone_import.status == Status.REFUSED
    assert message in milestone_import.error_message
    assert not milestone_import.file
    milestone_import.refresh_from_db()
    assert milestone_import.file.name == "" and milestone_import.problems == []
    assert not Child.objects.exists() and date_count() == 0


def test_a_zip_bomb_is_refused(pathway, cast):
    milestone_import = upload(pathway, cast.members["data"].user, zip_bomb(), "bomb.xlsx")
    assert milestone_import.status == Status.REFUSED
    assert "zip bomb" in milestone_import.error_message


def test_an_xlsx_file_with_excel_dates_is_read(pathway, cast):
    content = xlsx_bytes([["child_ref", "route", "looked_after"], ["C-1", "adoption", date(2024, 2, 1)]])
    milestone_import = commit(upload(pathway, cast.members["data"].user, content, "m.xlsx"))
    assert milestone_import.status == Status.COMMITTED
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1)}


def test_a_file_over_the_size_limit_is_refused_by_the_service(pathway, cast, settings):
    settings.UPLOAD_MAX_BYTES = 100
    content = (HEADER + "C-1,adoption,01/02/2024,,\n" * 10).encode()
    milestone_import = upload(pathway, cast.members["data"].user, content)
    assert milestone_import.status == Status.REFUSED
    assert "too big" in milestone_import.error_message or "larger" in milestone_import.error_message


def test_derived_points_are_replaced_not_added(pathway, cast):
    user = cast.members["data"].user
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\n").encode()))
    before = DataPoint.objects.filter(organisation=pathway).count()
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\n").encode()))
    assert DataPoint.objects.filter(organisation=pathway).count() == before


def test_an_unexpected_failure_while_checking_is_reported_not_left_running(pathway, cast, caplog):
    milestone_import = MilestoneImport.objects.create(organisation=pathway, original_name="m.csv", file="gone.csv")
    imports.milestone_import_validate(milestone_import=milestone_import, today=TODAY)
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.FAILED and "failed unexpectedly" in milestone_import.error_message


def test_an_unexpected_failure_while_saving_rolls_everything_back(pathway, cast, monkeypatch):
    milestone_import = upload(pathway, cast.members["data"].user, (HEADER + "C-1,adoption,01/02/2024,,\n").encode())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_apply_changes", broken)  # after the children and changes are written
    assert commit(milestone_import).status == Status.FAILED
    assert not Child.objects.exists() and not ImportChange.objects.exists()


def test_a_long_layout_file_is_committed(pathway, cast):
    content = (
        b"child_ref,route,milestone,date\n"
        b"C-1,adoption,looked_after,01/02/2024\n"
        b"C-1,,LAC review recommends permanence,15/07/2024\n"
        b"C-2,po,Looked After,01/03/2024\n"
    )
    milestone_import = commit(upload(pathway, cast.members["data"].user, content))
    assert milestone_import.status == Status.COMMITTED and milestone_import.layout == "long"
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}
    assert Child.objects.get(organisation=pathway, reference="C-1").route == "adoption"


# Roll-back on the worker ------------------------------------------------------------------------


def request_rollback(milestone_import: MilestoneImport, user, capture) -> MilestoneImport:
    """Ask for a roll-back as the page does; the (eager) worker runs when the request's
    transaction commits."""
    with capture(execute=True):
        imports.milestone_import_request_rollback(milestone_import=milestone_import, user=user)
        milestone_import.refresh_from_db()
        assert milestone_import.status == Status.ROLLING_BACK
    milestone_import.refresh_from_db()
    return milestone_import


def test_rollback_of_an_import_that_created_children_and_changed_others(
    pathway, cast, django_capture_on_commit_callbacks
):
    user = cast.members["data"].user
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\nC-2,po,01/03/2024,,\n").encode()))
    second = commit(
        upload(
            pathway,
            user,
            (
                HEADER + "C-1,kinship,01/02/2024,20/07/2024,01/09/2024\nC-2,po,01/03/2024,,\nC-3,home,01/01/2025,,\n"
                "C-4,,02/01/2025,01/04/2025,\n"
            ).encode(),
        )
    )
    assert (second.new_children, second.updated_children, second.unchanged_children) == (2, 1, 1)
    # The children created (C-3, C-4) record it, however many dates they have; one change row
    # for C-1 (changed) with its route and the dates set, before and after; none for C-2
    # (unchanged) nor for the children created.
    created = Child.objects.filter(organisation=pathway, created_by_import=second)
    assert sorted(created.values_list("reference", flat=True)) == ["C-3", "C-4"]
    changed = ImportChange.objects.get(milestone_import=second)
    assert changed.child.reference == "C-1"
    assert (changed.old_route, changed.new_route) == ("adoption", "kinship")
    assert changed.old_dates == {"permanence_rec": "2024-07-15", "panel": None}
    assert changed.new_dates == {"permanence_rec": "2024-07-20", "panel": "2024-09-01"}

    second = request_rollback(second, user, django_capture_on_commit_callbacks)
    assert second.status == Status.ROLLED_BACK and second.rolled_back_by == user
    assert (second.progress, second.progress_message) == (100, "Rolled back")
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}
    assert dates_of(pathway, "C-2") == {"looked_after": date(2024, 3, 1)}
    assert Child.objects.get(organisation=pathway, reference="C-1").route == "adoption"
    assert sorted(Child.objects.filter(organisation=pathway).values_list("reference", flat=True)) == ["C-1", "C-2"]
    assert dates_of(pathway, "C-3") == dates_of(pathway, "C-4") == {}
    # The report keeps what the import did.
    assert (second.new_children, second.updated_children, second.preview["dates_added"]) == (2, 1, 4)


def test_a_blocked_rollback_is_refused_when_asked_and_changes_nothing(
    pathway, cast, django_capture_on_commit_callbacks
):
    user = cast.members["data"].user
    first = commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,,\n").encode()))
    # The later import changes only a date of a child the first one created (no per-date row in
    # the first import): the child's created row is enough to block.
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\n").encode()))
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError, match="Roll that one"):
        imports.milestone_import_request_rollback(milestone_import=first, user=user)
    assert callbacks == []
    first.refresh_from_db()
    assert first.status == Status.COMMITTED and first.rolled_back_by is None
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}


def test_a_rollback_blocked_after_it_was_asked_for_leaves_the_import_saved(
    pathway, cast, django_capture_on_commit_callbacks
):
    user = cast.members["data"].user
    first = commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,,\n").encode()))
    with django_capture_on_commit_callbacks() as callbacks:
        imports.milestone_import_request_rollback(milestone_import=first, user=user)
    # Before the worker gets to it, a later import of the same child is saved.
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,15/07/2024,\n").encode()))
    for callback in callbacks:
        callback()
    first.refresh_from_db()
    assert first.status == Status.COMMITTED and first.rolled_back_by is None
    assert first.progress_message == "Not rolled back" and "Roll that one back first" in first.error_message
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}


def test_a_double_rollback_request_is_refused(pathway, cast, django_capture_on_commit_callbacks):
    user = cast.members["data"].user
    first = commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,,\n").encode()))
    with django_capture_on_commit_callbacks() as callbacks:
        imports.milestone_import_request_rollback(milestone_import=first, user=user)
        with pytest.raises(ValidationError, match="this one is rolling back"):
            imports.milestone_import_request_rollback(milestone_import=first, user=user)
    assert len(callbacks) == 1


def test_an_unexpected_failure_while_rolling_back_changes_nothing(
    pathway, cast, monkeypatch, django_capture_on_commit_callbacks
):
    user = cast.members["data"].user
    commit(upload(pathway, user, (HEADER + "C-1,adoption,01/02/2024,,\n").encode()))
    second = commit(upload(pathway, user, (HEADER + "C-1,po,01/03/2024,,\nC-2,po,01/03/2024,,\n").encode()))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_delete_children", broken)
    second = request_rollback(second, user, django_capture_on_commit_callbacks)
    assert second.status == Status.COMMITTED and "failed unexpectedly" in second.error_message
    assert dates_of(pathway, "C-1") == {"looked_after": date(2024, 3, 1)}
    assert Child.objects.get(organisation=pathway, reference="C-1").route == "po"
    assert Child.objects.filter(organisation=pathway, reference="C-2").exists()
