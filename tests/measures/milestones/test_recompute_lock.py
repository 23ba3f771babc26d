"""The derived recompute's lock: one recompute (and one summary refresh) at a time per
organisation, without taking the organisation row that imports lock, so that an import never
waits for a recompute (PostgreSQL: on SQLite one writer at a time serialises everything)."""

import os

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from measures.milestones import derived
from measures.milestones.pathway import pathway_create_defaults
from pace_hub.models import Organisation
from tests.background import database_url

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
    assert not _waits(lambda: list(Organisation.objects.select_for_update().filter(pk=org.pk)))


def test_a_second_recompute_and_a_summary_refresh_wait_for_the_first(org, recompute_running) -> None:
    today = timezone.localdate()
    assert _waits(lambda: derived.derived_measures_recompute(organisation=org, today=today))
    assert _waits(lambda: derived.pathway_summary_refresh(organisation=org, today=today))


def test_another_organisations_recompute_does_not_wait(org, recompute_running) -> None:
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    pathway_create_defaults(organisation=other)
    assert not _waits(lambda: derived.derived_measures_recompute(organisation=other, today=timezone.localdate()))
