"""The locks of imports and of the derived recompute (PostgreSQL: on SQLite one writer at a time
serialises everything). One recompute (and one summary refresh) at a time per organisation,
without taking the organisation row that imports lock, so that an import never waits for a
recompute; one import at a time per organisation, without holding up the organisation's other
writes (a foreign key to the organisation checks its row)."""

import os
import threading

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from measures.milestones import derived, imports
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, DataPoint, Measure, MilestoneImport
from pace_hub.audit import child_data_access_record
from pace_hub.models import ChildDataAccess, Organisation
from tests.background import database_url
from tests.measures.milestones.imports_data import claimed_for_commit

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's advisory locks"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


@pytest.fixture
def recompute_running(org):
    """Another session inside a recompute of ``org``: holding its lock until the test ends."""
    with psycopg.connect(database_url().replace("postgres://", "postgresql://", 1)) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [(derived.RECOMPUTE_LOCK << 32) | org.pk])
        yield
        holder.rollback()


def _waits(step) -> bool:
    """Whether ``step`` waits for a lock (given up after 300 ms) rather than running."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            step()
    except OperationalError as error:
        assert "lock timeout" in str(error)
        return True
    return False


def test_an_import_does_not_wait_for_a_recompute_of_its_organisation(org, recompute_running) -> None:
    # What every commit and roll-back takes first.
    assert not _waits(lambda: imports._lock_imports(org.pk))


def test_a_second_recompute_and_a_summary_refresh_wait_for_the_first(org, recompute_running) -> None:
    today = timezone.localdate()
    assert _waits(lambda: derived.derived_measures_recompute(organisation=org, today=today))
    assert _waits(lambda: derived.pathway_summary_refresh(organisation=org, today=today))


def test_another_organisations_recompute_does_not_wait(org, recompute_running) -> None:
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    pathway_create_defaults(organisation=other)
    assert not _waits(lambda: derived.derived_measures_recompute(organisation=other, today=timezone.localdate()))


def test_an_import_is_saved_while_a_real_recompute_of_its_organisation_runs(org, monkeypatch) -> None:
    """A recompute paused after taking its lock (in another thread, on its own connection), and
    an API push's commit beside it: the commit saves, and the recompute then finishes."""
    today = timezone.localdate()
    imports.milestone_import_commit(milestone_import=claimed_for_commit(org, "C-1,adoption,01/02/2024,\n"), today=today)
    second = claimed_for_commit(org, "C-1,adoption,01/02/2024,15/07/2024\nC-2,kinship,03/03/2024,\n")
    inside, release, outcome = threading.Event(), threading.Event(), {}
    reading = derived.dates_by_child

    def paused_read(*args, **kwargs):
        if threading.current_thread() is recompute:
            inside.set()
            release.wait(20)
        return reading(*args, **kwargs)

    def run_recompute() -> None:
        try:
            outcome["points"] = derived.derived_measures_recompute(organisation=org, today=today)
        finally:
            connection.close()

    monkeypatch.setattr(derived, "dates_by_child", paused_read)
    asked = []
    monkeypatch.setattr(imports, "enqueue", lambda *task: asked.append(task))
    recompute = threading.Thread(target=run_recompute)
    recompute.start()
    try:
        assert inside.wait(20), "the recompute never started"
        with connection.cursor() as cursor:  # a wait for any lock fails the commit instead of hanging
            cursor.execute("SET lock_timeout = '3s'")
        saved = imports.milestone_import_commit(milestone_import=second, today=today, charts_in_worker=True)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        assert saved.status == MilestoneImport.Status.COMMITTED, saved.error_message
        assert recompute.is_alive()  # still holding its lock: the commit did not wait for it
        assert Child.objects.for_organisation(org).get(reference="C-1").dates["permanence_rec"] == "2024-07-15"
        assert asked == [(imports.COMMIT_TASK, saved.pk)]  # the charts are left to the worker
    finally:
        release.set()
        recompute.join(20)
    assert not recompute.is_alive()
    # It read the dates once released, after the commit (C-1's completed wait among them): what
    # it wrote is what a recompute writes now.
    written = _derived_points(org)
    assert outcome["points"] == len(written) > 0
    derived.derived_measures_recompute(organisation=org, today=today)
    assert _derived_points(org) == written


def _derived_points(org: Organisation) -> list[tuple]:
    points = DataPoint.objects.filter(organisation=org, measure__source=Measure.Source.DERIVED)
    return sorted(points.values_list("measure_id", "period", "value", "numerator", "denominator"))


def test_a_commit_holds_off_other_imports_but_not_the_organisations_other_writes(org, cast, monkeypatch) -> None:
    """A commit paused inside its transaction (another thread): a second import's lock waits,
    and an audit row of the same organisation (its foreign key checks the organisation's row)
    is written at once."""
    today = timezone.localdate()
    checked = claimed_for_commit(org, "C-1,adoption,01/02/2024,\n")
    inside, release, outcome = threading.Event(), threading.Event(), {}
    planning = imports.plan_changes

    def paused_plan(*args, **kwargs):
        inside.set()
        release.wait(20)
        return planning(*args, **kwargs)

    def run_commit() -> None:
        try:
            outcome["import"] = imports.milestone_import_commit(
                milestone_import=checked, today=today, charts_in_worker=True
            )
        finally:
            connection.close()

    monkeypatch.setattr(imports, "plan_changes", paused_plan)
    monkeypatch.setattr(imports, "enqueue", lambda *task: None)
    commit = threading.Thread(target=run_commit)
    commit.start()
    try:
        assert inside.wait(20), "the commit never started"
        assert _waits(lambda: imports._lock_imports(org.pk))
        assert not _waits(
            lambda: child_data_access_record(organisation=org, user=cast.members["viewer"].user, what="waiting list")
        )
    finally:
        release.set()
        commit.join(20)
    assert outcome["import"].status == MilestoneImport.Status.COMMITTED
    assert ChildDataAccess.objects.filter(organisation=org, what="waiting list").exists()
