"""Migration 0017, both ways on a copy of the schema with data: the change rows that recorded
the children an import created move onto those children (``Child.created_by_import``), and
back; change rows of children it changed stay as they are.

These run the real migrations, so they need a test database built by migrating (the default);
under ``--nomigrations`` they are skipped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

BEFORE = [("measures", "0016_waiting_rows")]
AFTER = [("measures", "0017_child_created_by_import")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def before():
    """The apps at 0016 (a change row per child created), with the database there; put back to
    the latest migrations afterwards."""
    if not MigrationRecorder(connection).applied_migrations():
        pytest.skip("the test database was not built by migrating (--nomigrations)")
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _change_rows(apps):
    ImportChange = apps.get_model("measures", "ImportChange")
    return sorted(
        ImportChange.objects.values_list(
            "organisation_id",
            "milestone_import__original_name",
            "child__reference",
            "created_child",
            "old_route",
            "new_route",
            "old_dates",
            "new_dates",
        ),
        key=repr,
    )


def test_created_children_move_onto_the_child_row_and_back(before):
    apps = before
    Organisation = apps.get_model("pace_hub", "Organisation")
    Child = apps.get_model("measures", "Child")
    MilestoneImport = apps.get_model("measures", "MilestoneImport")
    ImportChange = apps.get_model("measures", "ImportChange")
    org = Organisation.objects.create(name="Council 17", slug="council-17")
    first = MilestoneImport.objects.create(
        organisation=org, original_name="first.csv", file="a.csv", status="committed",
        committed_at=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    second = MilestoneImport.objects.create(
        organisation=org, original_name="second.csv", file="b.csv", status="committed",
        committed_at=datetime(2025, 2, 1, tzinfo=UTC),
    )  # fmt: skip
    c1 = Child.objects.create(organisation=org, reference="C-1", route="kinship", dates={"looked_after": "2024-02-01"})
    c2 = Child.objects.create(organisation=org, reference="C-2", route="po", dates={"looked_after": "2024-03-01"})
    c3 = Child.objects.create(organisation=org, reference="C-3", route="home", dates={})
    Child.objects.create(organisation=org, reference="C-4", route="", dates={})  # not made by an import
    # The first import created C-1 (as "adoption") and C-2; the second created C-3 and changed
    # C-1's route and a date.
    common = {"organisation": org, "created_child": True, "old_route": ""}
    ImportChange.objects.create(**common, milestone_import=first, child=c1, new_route="adoption")
    ImportChange.objects.create(**common, milestone_import=first, child=c2, new_route="po")
    ImportChange.objects.create(**common, milestone_import=second, child=c3, new_route="home")
    ImportChange.objects.create(
        organisation=org, milestone_import=second, child=c1, old_route="adoption", new_route="kinship",
        old_dates={"looked_after": None}, new_dates={"looked_after": "2024-02-01"},
    )  # fmt: skip
    rows = _change_rows(apps)

    after = _migrate(AFTER)
    Child = after.get_model("measures", "Child")
    ImportChange = after.get_model("measures", "ImportChange")
    assert dict(Child.objects.values_list("reference", "created_by_import__original_name")) == {
        "C-1": "first.csv",
        "C-2": "first.csv",
        "C-3": "second.csv",
        "C-4": None,
    }
    # Only the change row of the child changed is left, as it was.
    changed = ImportChange.objects.get()
    assert (changed.milestone_import.original_name, changed.child.reference) == ("second.csv", "C-1")
    assert (changed.old_route, changed.new_route, changed.old_dates, changed.new_dates) == (
        "adoption",
        "kinship",
        {"looked_after": None},
        {"looked_after": "2024-02-01"},
    )

    back = _migrate(BEFORE)
    assert _change_rows(back) == rows  # every change row as it was, the created ones' routes too
