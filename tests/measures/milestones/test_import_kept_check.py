"""The commit reads back the rows its check kept (issue 16), and checks the file again whenever
the file or the rules it was checked under changed since."""

from datetime import timedelta

import pandas as pd
import pytest

from measures.milestones import imports
from measures.milestones.files import validation
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, Milestone
from tests.measures.milestones.test_import_service import HEADER, TODAY, Status, commit, upload

CONTENT = (HEADER + "C-1,adoption,01/02/2024,2024-07-15,\nC-2,,45350,,\n C-3 ,po,,,\n").encode()


@pytest.fixture
def pathway(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def kept_name(milestone_import):
    return imports._checked_name(milestone_import)


def count_checks(monkeypatch) -> list:
    calls = []
    real = imports.validate_milestone_file

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "validate_milestone_file", counting)
    return calls


def test_the_kept_rows_are_the_checked_rows(pathway, cast):
    milestone_import = upload(pathway, cast.members["data"].user, CONTENT)
    parsed, key = imports._read_with_key(milestone_import, TODAY)
    kept = imports._kept_check(milestone_import, key)
    assert kept is not None and kept.error_count == 0
    pd.testing.assert_frame_equal(kept.records.reset_index(drop=True), parsed.records.reset_index(drop=True))
    pd.testing.assert_frame_equal(kept.children.reset_index(drop=True), parsed.children.reset_index(drop=True))
    assert (kept.layout, kept.rows) == (parsed.layout, parsed.rows)


def test_the_commit_uses_the_kept_rows_then_removes_them(pathway, cast, monkeypatch):
    milestone_import = upload(pathway, cast.members["data"].user, CONTENT)
    storage = milestone_import.file.storage
    assert storage.exists(kept_name(milestone_import))
    calls = count_checks(monkeypatch)
    committed = commit(milestone_import)
    assert committed.status == Status.COMMITTED
    assert calls == []  # the file was not checked again
    assert not storage.exists(kept_name(milestone_import))
    assert storage.exists(committed.file.name)  # the upload itself is kept, as before
    children = {child.reference: child for child in Child.objects.filter(organisation=pathway)}
    assert sorted(children) == ["C-1", "C-2", "C-3"]
    assert (children["C-1"].route, children["C-2"].route, children["C-3"].route) == ("adoption", "", "po")
    assert children["C-1"].dates == {"looked_after": "2024-02-01", "permanence_rec": "2024-07-15"}
    assert children["C-2"].dates == {"looked_after": "2024-02-28"}


@pytest.mark.parametrize("change", ["pathway", "day", "file", "format", "lost"])
def test_the_file_is_checked_again_when_anything_it_was_checked_under_changed(pathway, cast, monkeypatch, change):
    milestone_import = upload(pathway, cast.members["data"].user, CONTENT)
    today = TODAY
    if change == "pathway":
        Milestone.objects.filter(organisation=pathway, code="panel").update(name="Adoption panel (renamed)")
    elif change == "day":
        today = TODAY + timedelta(days=1)
    elif change == "file":
        with milestone_import.file.storage.open(milestone_import.file.name, "wb") as handle:
            handle.write(CONTENT.replace(b"2024-07-15", b"2024-07-16"))
    elif change == "format":
        monkeypatch.setattr(imports, "CHECK_FORMAT", imports.CHECK_FORMAT + 1)
    else:
        milestone_import.file.storage.delete(kept_name(milestone_import))
    calls = count_checks(monkeypatch)
    committed = commit(milestone_import, today=today)
    assert committed.status == Status.COMMITTED, committed.error_message
    assert calls == [milestone_import.original_name]
    c1 = Child.objects.get(organisation=pathway, reference="C-1")
    expected = "2024-07-16" if change == "file" else "2024-07-15"
    assert c1.dates["permanence_rec"] == expected


def test_a_rule_change_that_makes_errors_still_stops_the_commit(pathway, cast):
    milestone_import = upload(pathway, cast.members["data"].user, CONTENT)
    type(pathway).objects.filter(pk=pathway.pk).update(child_reference_pattern=r"^X-\d+$")
    milestone_import.organisation.refresh_from_db()
    committed = commit(milestone_import)
    assert committed.status == Status.FAILED
    assert "has the pathway changed since it was checked?" in committed.error_message
    assert not Child.objects.filter(organisation=pathway).exists()


def test_a_file_with_errors_keeps_no_rows_and_a_refused_file_leaves_nothing(pathway, cast):
    with_errors = upload(pathway, cast.members["data"].user, (HEADER + "C-1,adoption,not a date,,\n").encode())
    assert with_errors.status == Status.INVALID
    assert not with_errors.file.storage.exists(kept_name(with_errors))
    milestone_import = upload(pathway, cast.members["data"].user, CONTENT)
    storage, name = milestone_import.file.storage, kept_name(milestone_import)
    imports._refuse(milestone_import, "Refused for the test")
    assert not storage.exists(name)


def test_a_kept_file_that_cannot_be_read_is_ignored(pathway, cast, monkeypatch):
    milestone_import = upload(pathway, cast.members["data"].user, CONTENT)
    with milestone_import.file.storage.open(kept_name(milestone_import), "wb") as handle:
        handle.write(b"not gzip")
    calls = count_checks(monkeypatch)
    assert commit(milestone_import).status == Status.COMMITTED
    assert len(calls) == 1


def test_checker_module_is_the_one_the_import_calls():
    # The counting patch above replaces the name the import module calls.
    assert imports.validate_milestone_file is validation.validate_milestone_file
