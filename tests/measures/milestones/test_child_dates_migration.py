"""The migrations that move milestone dates onto the child row (0010–0012), run both ways on a
copy of the schema with data in the old layout; and 0008's merge of children held twice, which
can only run on the old layout (it is tested there, then carried forward by 0011).

These run the real migrations, so they need a test database built by migrating (the default);
under ``--nomigrations`` they are skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

BEFORE = [("measures", "0009_measure_data_version")]
AFTER = [("measures", "0012_remove_milestonedate")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    """Migrate the test database to ``targets``; return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def old_layout():
    """The apps at 0009 (a row per date), with the database there; put back to the latest
    migrations afterwards."""
    if not MigrationRecorder(connection).applied_migrations():
        pytest.skip("the test database was not built by migrating (--nomigrations)")
    old = _migrate(BEFORE)
    yield old
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _pathway(apps, slug="mig"):
    Organisation = apps.get_model("pace_hub", "Organisation")
    Milestone = apps.get_model("measures", "Milestone")
    org = Organisation.objects.create(name=f"Council {slug}", slug=slug)
    milestones = {
        code: Milestone.objects.create(organisation=org, code=code, name=code.title(), order=10 * number)
        for number, code in enumerate(["looked_after", "permanence_rec", "panel"], start=1)
    }
    return org, milestones


def _old_rows(apps):
    """The old layout's rows, as comparable tuples."""
    MilestoneDate = apps.get_model("measures", "MilestoneDate")
    ImportChange = apps.get_model("measures", "ImportChange")
    dates = sorted(MilestoneDate.objects.values_list("child__reference", "milestone__code", "date"))
    changes = sorted(
        ImportChange.objects.values_list(
            "milestone_import__original_name",
            "child__reference",
            "created_child",
            "milestone__code",
            "old_date",
            "new_date",
            "old_route",
            "new_route",
        ),
        key=repr,
    )
    return dates, changes


def test_dates_move_onto_the_child_row_and_back(old_layout):
    apps = old_layout
    Child = apps.get_model("measures", "Child")
    MilestoneDate = apps.get_model("measures", "MilestoneDate")
    MilestoneImport = apps.get_model("measures", "MilestoneImport")
    ImportChange = apps.get_model("measures", "ImportChange")
    org, milestones = _pathway(apps)
    first = MilestoneImport.objects.create(
        organisation=org, original_name="first.csv", file="a.csv", status="committed",
        committed_at=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    second = MilestoneImport.objects.create(
        organisation=org, original_name="second.csv", file="b.csv", status="committed",
        committed_at=datetime(2025, 2, 1, tzinfo=UTC),
    )  # fmt: skip
    c1 = Child.objects.create(organisation=org, reference="C-1", route="kinship")
    c2 = Child.objects.create(organisation=org, reference="C-2", route="po")
    Child.objects.create(organisation=org, reference="C-3", route="")  # no dates at all
    for child, code, day in [
        (c1, "looked_after", date(2024, 2, 1)),
        (c1, "permanence_rec", date(2024, 7, 20)),
        (c1, "panel", date(2024, 9, 1)),
        (c2, "looked_after", date(2024, 3, 1)),
    ]:
        MilestoneDate.objects.create(organisation=org, child=child, milestone=milestones[code], date=day)
    # The first import created both; the second changed C-1's route, one date, and added one.
    for child in (c1, c2):
        ImportChange.objects.create(organisation=org, milestone_import=first, child=child, created_child=True)
    common = {"organisation": org, "milestone_import": second, "child": c1}
    ImportChange.objects.create(**common, old_route="adoption", new_route="kinship")
    ImportChange.objects.create(
        **common, milestone=milestones["permanence_rec"], old_date=date(2024, 7, 15), new_date=date(2024, 7, 20)
    )
    ImportChange.objects.create(**common, milestone=milestones["panel"], old_date=None, new_date=date(2024, 9, 1))
    before = _old_rows(apps)

    new = _migrate(AFTER)
    Child = new.get_model("measures", "Child")
    ImportChange = new.get_model("measures", "ImportChange")
    assert dict(Child.objects.values_list("reference", "dates")) == {
        "C-1": {"looked_after": "2024-02-01", "permanence_rec": "2024-07-20", "panel": "2024-09-01"},
        "C-2": {"looked_after": "2024-03-01"},
        "C-3": {},
    }
    # One change row per child per import: the second import's three rows for C-1 are one.
    changed = ImportChange.objects.get(milestone_import__original_name="second.csv")
    assert (changed.child.reference, changed.created_child) == ("C-1", False)
    assert (changed.old_route, changed.new_route) == ("adoption", "kinship")
    assert changed.old_dates == {"permanence_rec": "2024-07-15", "panel": None}
    assert changed.new_dates == {"permanence_rec": "2024-07-20", "panel": "2024-09-01"}
    assert ImportChange.objects.filter(milestone_import__original_name="first.csv", created_child=True).count() == 2

    back = _migrate(BEFORE)
    assert _old_rows(back) == before  # every date and change row as it was


def _merge(apps) -> int:
    module = import_module("measures.migrations.0008_pathway_summary_and_one_child_per_reference")
    return module.merge_case_duplicates(apps)


def _held_twice(apps, org, spellings=("C-77001", "c-77001")):
    Child = apps.get_model("measures", "Child")
    return [Child.objects.create(organisation=org, reference=spelling, route="") for spelling in spellings]


def test_children_held_twice_are_merged_when_nothing_is_lost_and_stay_undoable(old_layout):
    from measures.milestones import imports
    from measures.models import MilestoneImport as LiveImport
    from tests.measures.milestones.dates import dates_of

    apps = old_layout
    Child = apps.get_model("measures", "Child")
    MilestoneDate = apps.get_model("measures", "MilestoneDate")
    MilestoneImport = apps.get_model("measures", "MilestoneImport")
    ImportChange = apps.get_model("measures", "ImportChange")
    org, milestones = _pathway(apps)
    first, twin = _held_twice(apps, org)
    first.route = "adoption"
    first.save()
    MilestoneDate.objects.create(
        organisation=org, child=first, milestone=milestones["looked_after"], date=date(2024, 2, 1)
    )
    # As an upload before references were compared case-insensitively would have done:
    later = MilestoneImport.objects.create(
        organisation=org, original_name="old.csv", file="x.csv", status="committed",
        committed_at=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    ImportChange.objects.create(organisation=org, milestone_import=later, child=twin, created_child=True)
    MilestoneDate.objects.create(
        organisation=org, child=twin, milestone=milestones["looked_after"], date=date(2024, 2, 1)
    )
    MilestoneDate.objects.create(
        organisation=org, child=twin, milestone=milestones["permanence_rec"], date=date(2024, 7, 15)
    )
    assert _merge(apps) == 1
    assert list(Child.objects.filter(organisation=org).values_list("reference", "route")) == [("C-77001", "adoption")]

    # Carried onto the child row, and on to the latest migrations: the live service below uses
    # today's tables (the summary refresh keeps rows in tables made after 0012).
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from pace_hub.models import Organisation

    live_org = Organisation.objects.get(pk=org.pk)
    assert dates_of(live_org, "C-77001") == {"looked_after": date(2024, 2, 1), "permanence_rec": date(2024, 7, 15)}
    # The old import now says it added the one date; rolling it back removes just that.
    imports.milestone_import_rollback(
        milestone_import=LiveImport.objects.get(pk=later.pk), user=None, today=date(2025, 6, 30)
    )
    assert dates_of(live_org, "C-77001") == {"looked_after": date(2024, 2, 1)}


def test_children_held_twice_with_different_dates_are_left_for_a_person_to_resolve(old_layout):
    apps = old_layout
    MilestoneDate = apps.get_model("measures", "MilestoneDate")
    org, milestones = _pathway(apps)
    first, second = _held_twice(apps, org)
    MilestoneDate.objects.create(
        organisation=org, child=first, milestone=milestones["looked_after"], date=date(2024, 2, 1)
    )
    MilestoneDate.objects.create(
        organisation=org, child=second, milestone=milestones["looked_after"], date=date(2024, 3, 1)
    )
    assert _merge(apps) == 0
    assert apps.get_model("measures", "Child").objects.filter(organisation=org).count() == 2


@pytest.mark.parametrize("spellings", [("C-1", "c-1"), ("ab/12", "AB/12")])
def test_empty_twins_are_merged(old_layout, spellings):
    apps = old_layout
    org, _ = _pathway(apps)
    _held_twice(apps, org, spellings)
    assert _merge(apps) == 1
    Child = apps.get_model("measures", "Child")
    assert list(Child.objects.filter(organisation=org).values_list("reference", flat=True)) == [spellings[0]]
