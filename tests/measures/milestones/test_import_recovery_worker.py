"""Real faults on a real worker: kill -9 its pool process mid-commit, mid-check and mid-roll-back,
and kill the whole worker; each import must end done, with its data written exactly once.

The worker runs in a subprocess against the test database (PostgreSQL) and the Redis broker (CI
sets both). To stop a task at a known point, the test holds a table lock from a connection of its
own: the worker's statement waits on it, the worker is killed there, and the lock is released.
"""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from measures.milestones import imports
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, ImportChange, MilestoneImport
from tests.background import broker_at, needs_worker, table_locked, wait_for, workers
from tests.measures.milestones.dates import date_count

pytestmark = needs_worker

CHILDREN = 40
Status = MilestoneImport.Status


@pytest.fixture
def start_worker():
    with broker_at(os.environ["REDIS_URL"]) as queue, workers(queue) as start:
        yield start


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def upload(org, user) -> MilestoneImport:
    lines = "".join(f"C-{number:04d},adoption,01/02/2024,15/07/2024\n" for number in range(CHILDREN))
    content = ("child_ref,route,looked_after,permanence_rec\n" + lines).encode()
    return imports.milestone_import_create(
        organisation=org, user=user, upload=SimpleUploadedFile("milestones.csv", content)
    )


def current(milestone_import: MilestoneImport) -> MilestoneImport:
    return MilestoneImport.objects.get(pk=milestone_import.pk)


def reaches(milestone_import: MilestoneImport, status: str, timeout: float = 60) -> MilestoneImport:
    def done():
        row = current(milestone_import)
        return row if row.status == status and row.progress == 100 else None

    return wait_for(done, timeout, f"the import to be {status} (it is {current(milestone_import).status})")


def paused_at(milestone_import: MilestoneImport, message: str, attempt: int = 1) -> None:
    def there():
        row = current(milestone_import)
        return row.attempts == attempt and row.progress_message.startswith(message)

    wait_for(there, 60, f"attempt {attempt} to reach “{message}”")


def saved_by(worker_start, org, user) -> MilestoneImport:
    milestone_import = upload(org, user)
    reaches(milestone_import, Status.VALIDATED)
    imports.milestone_import_request_commit(milestone_import=current(milestone_import))
    return reaches(milestone_import, Status.COMMITTED)


def test_a_pool_process_killed_mid_commit_is_replaced_and_the_commit_saved_once(org, cast, start_worker):
    worker = start_worker()
    milestone_import = upload(org, cast.members["data"].user)
    reaches(milestone_import, Status.VALIDATED)
    with table_locked(Child._meta.db_table, "EXCLUSIVE"):
        imports.milestone_import_request_commit(milestone_import=current(milestone_import))
        # The insert of the children (each recording the import that created it) waits, inside the transaction.
        paused_at(milestone_import, "Saving new children")
        worker.kill_pool_process()
        paused_at(milestone_import, "", attempt=2)  # delivered again, to the new pool process
        assert not Child.objects.filter(organisation=org).exists()  # nothing committed by the lost one
    saved = reaches(milestone_import, Status.COMMITTED)
    assert saved.attempts == 2 and saved.new_children == CHILDREN
    assert Child.objects.filter(organisation=org).count() == CHILDREN
    assert date_count(org) == 2 * CHILDREN
    assert Child.objects.filter(organisation=org, created_by_import=saved).count() == CHILDREN
    assert not ImportChange.objects.filter(milestone_import=saved).exists()  # no change row per child created


def test_a_pool_process_killed_mid_check_is_replaced_and_the_check_finished(org, cast, start_worker):
    worker = start_worker()
    with table_locked(Child._meta.db_table, "ACCESS EXCLUSIVE"):
        milestone_import = upload(org, cast.members["data"].user)
        paused_at(milestone_import, "Comparing with the data already held")
        worker.kill_pool_process()
        paused_at(milestone_import, "Comparing with the data already held", attempt=2)
    checked = reaches(milestone_import, Status.VALIDATED)
    assert (checked.new_children, checked.attempts) == (CHILDREN, 2)


def test_a_pool_process_killed_mid_roll_back_is_replaced_and_the_roll_back_finished(org, cast, start_worker):
    worker = start_worker()
    user = cast.members["data"].user
    milestone_import = saved_by(start_worker, org, user)
    with table_locked(Child._meta.db_table, "EXCLUSIVE"):
        imports.milestone_import_request_rollback(milestone_import=current(milestone_import), user=user)
        paused_at(milestone_import, "Removing the children it added")
        worker.kill_pool_process()
        paused_at(milestone_import, "", attempt=2)
        assert Child.objects.filter(organisation=org).count() == CHILDREN  # still saved
    rolled_back = reaches(milestone_import, Status.ROLLED_BACK)
    assert rolled_back.error_message == ""
    assert not Child.objects.filter(organisation=org).exists()
    assert date_count(org) == 0


def test_a_whole_worker_killed_mid_commit_hands_the_commit_to_the_next_worker_within_the_visibility_timeout(
    org, cast, start_worker
):
    first = start_worker()
    milestone_import = upload(org, cast.members["data"].user)
    reaches(milestone_import, Status.VALIDATED)
    with table_locked(Child._meta.db_table, "EXCLUSIVE"):
        imports.milestone_import_request_commit(milestone_import=current(milestone_import))
        paused_at(milestone_import, "Saving new children")  # the insert of the created children waits
        first.kill()
    killed = time.monotonic()
    # The message is unacknowledged in Redis: a new worker takes it once it has been out for the
    # visibility timeout (shortened here; 5 minutes by default, not kombu's one hour).
    start_worker(BROKER_VISIBILITY_TIMEOUT="5")
    saved = reaches(milestone_import, Status.COMMITTED, timeout=90)
    assert time.monotonic() - killed < 60
    assert saved.attempts == 2
    assert Child.objects.filter(organisation=org).count() == CHILDREN
