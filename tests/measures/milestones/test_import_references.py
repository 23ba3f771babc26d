"""Uploads match children case- and space-insensitively, enforce the council's reference format,
keep nothing of a refused file. (0008's merge of children held twice before runs on the old layout
of dates: see test_child_dates_migration.py.)"""

from datetime import date

from measures.milestones import imports
from measures.models import Child, MilestoneImport
from pace_hub.roles import Role
from tests.measures.milestones.dates import dates_of
from tests.measures.milestones.test_import_service import HEADER, TODAY, commit, pathway, upload

Status = MilestoneImport.Status
__all__ = ["pathway"]  # the fixture, shared with test_import_service


def test_a_reference_differing_only_in_case_updates_the_child_already_held(pathway, cast):
    user = cast.members["data"].user
    commit(upload(pathway, user, (HEADER + "C-77001,adoption,01/02/2024,,\n").encode()))
    second = commit(upload(pathway, user, (HEADER + "c-77001,adoption,01/02/2024,15/07/2024,\n").encode()))
    assert second.status == Status.COMMITTED and (second.new_children, second.updated_children) == (0, 1)
    assert list(Child.objects.filter(organisation=pathway).values_list("reference", flat=True)) == ["C-77001"]
    assert dates_of(pathway, "C-77001") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}
    # Rolling the second back puts back just what it changed on the one child.
    imports.milestone_import_rollback(milestone_import=second, user=user, today=TODAY)
    assert dates_of(pathway, "C-77001") == {"looked_after": date(2024, 2, 1)}


def test_the_councils_reference_format_is_enforced_on_upload(pathway, cast):
    pathway.child_reference_pattern = r"^C-\d{5}$"
    pathway.save()
    checked = upload(
        pathway, cast.members["data"].user, (HEADER + "C-77001,,01/02/2024,,\nX-9,,01/02/2024,,\n").encode()
    )
    assert checked.status == Status.INVALID
    assert [(problem["row"], problem["code"]) for problem in checked.problems] == [(3, "invalid_reference")]
    assert r"^C-\d{5}$" in checked.problems[0]["reason"]


def test_a_file_refused_for_identifying_references_is_not_kept_nor_served_back(pathway, cast, client):
    checked = upload(pathway, cast.members["data"].user, (HEADER + "JaneSmith,,01/02/2024,,\n").encode())
    assert checked.status == Status.REFUSED and "row 2 looks like a name" in checked.error_message
    assert "JaneSmith" not in checked.error_message and checked.problems == []
    checked.refresh_from_db()
    assert not checked.file
    annotated = cast.client(Role.DATA).get(f"/o/{pathway.slug}/measures/data/imports/{checked.code}/annotated.xlsx")
    assert annotated.status_code == 404
    assert not Child.objects.filter(organisation=pathway).exists()


def _held_twice(org, spellings=("C-77001", "c-77001")) -> tuple[Child, Child]:
    first, second = (Child.objects.create(organisation=org, reference=spelling, route="") for spelling in spellings)
    return first, second


def test_a_file_naming_a_child_held_twice_in_two_cases_is_refused_with_both_spellings(pathway, cast):
    _held_twice(pathway)
    checked = upload(pathway, cast.members["data"].user, (HEADER + "C-77001,,01/02/2024,,\n").encode())
    assert checked.status == Status.REFUSED
    assert "C-77001 and c-77001" in checked.error_message and "Roll back" in checked.error_message
