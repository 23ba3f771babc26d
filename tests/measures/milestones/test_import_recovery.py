"""Milestone imports never stay stuck: a step whose worker was lost is run again from the saved
state, a second run of a finished step does nothing, a step that keeps killing its worker is given
up with the reason, a silent step is offered for retry, and no error leaves an import running.

A lost worker is simulated in-process by an exception that the services do not catch (as a
kill -9 is not caught): its transaction rolls back and the import keeps its running status, as
after the real thing. tests/measures/milestones/test_import_recovery_worker.py kills real workers.
"""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.urls import reverse
from django.utils import timezone

from measures.milestones import imports
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, DataPoint, ImportChange, MilestoneImport
from pace_hub.models import OutboxTask
from tests.background import CLOSED_BROKER, broker_at
from tests.measures.milestones.dates import date_count

TODAY = date(2025, 6, 30)
HEADER = "child_ref,route,looked_after,permanence_rec\n"
ROWS = "C-1,adoption,01/02/2024,15/07/2024\nC-2,po,01/03/2024,\nC-3,home,05/05/2024,\n"
Status = MilestoneImport.Status


class WorkerLost(BaseException):
    """Stands for kill -9: not an Exception, so no service handler catches it."""


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def checked(org, user, content: str = HEADER + ROWS) -> MilestoneImport:
    milestone_import = imports.milestone_import_record(
        organisation=org, user=user, upload=SimpleUploadedFile("m.csv", content.encode())
    )
    return imports.milestone_import_validate(milestone_import=milestone_import, today=TODAY)


def claimed_commit(org, user) -> MilestoneImport:
    milestone_import = checked(org, user)
    imports.milestone_import_claim_commit(milestone_import=milestone_import)
    milestone_import.refresh_from_db()
    return milestone_import


def saved(org, user) -> MilestoneImport:
    return imports.milestone_import_commit(milestone_import=claimed_commit(org, user), today=TODAY)


def lose_worker_after(monkeypatch, function: str, when=lambda *args, **kwargs: True) -> None:
    """Make ``imports.<function>`` do its work, then lose the worker (once)."""
    original = getattr(imports, function)
    state = {"lost": False}

    def then_lost(*args, **kwargs):
        result = original(*args, **kwargs)
        if not state["lost"] and when(*args, **kwargs):
            state["lost"] = True
            raise WorkerLost
        return result

    monkeypatch.setattr(imports, function, then_lost)


def fresh(milestone_import: MilestoneImport) -> MilestoneImport:
    return MilestoneImport.objects.select_related("organisation").get(pk=milestone_import.pk)


def test_a_commit_lost_mid_write_leaves_the_data_untouched_and_its_rerun_saves_once(org, cast, monkeypatch):
    milestone_import = claimed_commit(org, cast.members["data"].user)
    lose_worker_after(monkeypatch, "_insert", when=lambda organisation, model, frame, **_: model is ImportChange)
    with pytest.raises(WorkerLost):
        imports.milestone_import_commit(milestone_import=milestone_import, today=TODAY)
    lost = fresh(milestone_import)
    assert lost.status == Status.COMMITTING and lost.attempts == 1
    assert not Child.objects.filter(organisation=org).exists()  # the transaction never committed

    rerun = imports.milestone_import_commit(milestone_import=lost, today=TODAY)
    assert (rerun.status, rerun.progress, rerun.attempts) == (Status.COMMITTED, 100, 2)
    assert Child.objects.filter(organisation=org).count() == 3
    assert date_count(org) == 4
    changes = ImportChange.objects.filter(milestone_import=rerun).count()

    again = imports.milestone_import_commit(milestone_import=fresh(rerun), today=TODAY)  # a second delivery
    assert again.status == Status.COMMITTED
    assert Child.objects.filter(organisation=org).count() == 3
    assert ImportChange.objects.filter(milestone_import=rerun).count() == changes


def test_a_commit_lost_while_updating_the_run_charts_is_finished_by_the_next_run(org, cast, monkeypatch):
    milestone_import = claimed_commit(org, cast.members["data"].user)
    monkeypatch.setattr(imports, "derived_measures_recompute", _lost_before(imports.derived_measures_recompute))
    with pytest.raises(WorkerLost):
        imports.milestone_import_commit(milestone_import=milestone_import, today=TODAY)
    lost = fresh(milestone_import)
    assert (lost.status, lost.progress) == (Status.COMMITTED, 90)
    assert not DataPoint.objects.filter(organisation=org).exists()
    finished = imports.milestone_import_commit(milestone_import=lost, today=TODAY)
    assert (finished.status, finished.progress, finished.progress_message) == (Status.COMMITTED, 100, "Saved")
    assert DataPoint.objects.filter(organisation=org).exists()


def _lost_before(function):
    """``function`` that loses the worker on its first call, before doing anything."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise WorkerLost
        return function(*args, **kwargs)

    return wrapper


def test_a_check_lost_midway_is_run_again(org, cast, monkeypatch):
    milestone_import = imports.milestone_import_record(
        organisation=org, user=cast.members["data"].user, upload=SimpleUploadedFile("m.csv", (HEADER + ROWS).encode())
    )
    monkeypatch.setattr(imports, "plan_changes", _lost_before(imports.plan_changes))
    with pytest.raises(WorkerLost):
        imports.milestone_import_validate(milestone_import=milestone_import, today=TODAY)
    lost = fresh(milestone_import)
    assert (lost.status, lost.progress) == (Status.VALIDATING, 60)
    rerun = imports.milestone_import_validate(milestone_import=lost, today=TODAY)
    assert (rerun.status, rerun.new_children, rerun.attempts) == (Status.VALIDATED, 3, 2)


def test_a_roll_back_lost_midway_leaves_the_import_saved_and_its_rerun_rolls_back_once(org, cast, monkeypatch):
    user = cast.members["data"].user
    milestone_import = saved(org, user)
    imports.milestone_import_claim_rollback(milestone_import=milestone_import, user=user)
    lose_worker_after(monkeypatch, "_rollback_changes")
    with pytest.raises(WorkerLost):
        imports.milestone_import_run_rollback(milestone_import=fresh(milestone_import), today=TODAY)
    lost = fresh(milestone_import)
    assert lost.status == Status.ROLLING_BACK
    assert Child.objects.filter(organisation=org).count() == 3  # nothing was rolled back

    rerun = imports.milestone_import_run_rollback(milestone_import=lost, today=TODAY)
    assert (rerun.status, rerun.progress, rerun.error_message) == (Status.ROLLED_BACK, 100, "")
    assert not Child.objects.filter(organisation=org).exists()
    again = imports.milestone_import_run_rollback(milestone_import=fresh(rerun), today=TODAY)
    assert (again.status, again.error_message) == (Status.ROLLED_BACK, "")


def test_two_deliveries_of_one_roll_back_roll_it_back_once_without_an_error(org, cast):
    user = cast.members["data"].user
    milestone_import = saved(org, user)
    imports.milestone_import_claim_rollback(milestone_import=milestone_import, user=user)
    first, second = fresh(milestone_import), fresh(milestone_import)  # both read "rolling back"
    imports.milestone_import_run_rollback(milestone_import=first, today=TODAY)
    imports.milestone_import_run_rollback(milestone_import=second, today=TODAY)
    final = fresh(milestone_import)
    assert (final.status, final.error_message) == (Status.ROLLED_BACK, "")


def test_two_deliveries_of_one_commit_save_it_once(org, cast):
    milestone_import = claimed_commit(org, cast.members["data"].user)
    first, second = fresh(milestone_import), fresh(milestone_import)  # both read "saving"
    imports.milestone_import_commit(milestone_import=first, today=TODAY)
    imports.milestone_import_commit(milestone_import=second, today=TODAY)
    assert fresh(milestone_import).status == Status.COMMITTED
    assert Child.objects.filter(organisation=org).count() == 3
    assert Child.objects.filter(organisation=org, created_by_import=milestone_import).count() == 3
    assert not ImportChange.objects.filter(milestone_import=milestone_import).exists()


@pytest.mark.parametrize(
    ("step", "expected_status", "reason"),
    [
        ("validate", Status.FAILED, "Checking this file stopped its background worker 3 times"),
        ("commit", Status.FAILED, "Saving this file stopped its background worker 3 times"),
        ("rollback", Status.COMMITTED, "Rolling back this upload stopped its background worker 3 times"),
    ],
)
def test_a_step_that_kills_its_worker_every_time_is_given_up_with_the_reason(org, cast, step, expected_status, reason):
    user = cast.members["data"].user
    if step == "validate":
        milestone_import = imports.milestone_import_record(
            organisation=org, user=user, upload=SimpleUploadedFile("m.csv", (HEADER + ROWS).encode())
        )
        run = imports.milestone_import_validate
    elif step == "commit":
        milestone_import, run = claimed_commit(org, user), imports.milestone_import_commit
    else:
        milestone_import = saved(org, user)
        imports.milestone_import_claim_rollback(milestone_import=milestone_import, user=user)
        run = imports.milestone_import_run_rollback
    children_before = Child.objects.filter(organisation=org).count()
    MilestoneImport.objects.filter(pk=milestone_import.pk).update(attempts=settings.BACKGROUND_MAX_ATTEMPTS)
    given_up = run(milestone_import=fresh(milestone_import), today=TODAY)
    assert given_up.status == expected_status and given_up.progress == 100
    assert given_up.error_message.startswith(reason)
    assert Child.objects.filter(organisation=org).count() == children_before
    assert not fresh(milestone_import).running


def test_a_failure_to_store_the_check_fails_the_import_instead_of_leaving_it_checking(org, cast, monkeypatch):
    def refused(*args, **kwargs):
        raise DataError("total size of jsonb array elements exceeds the maximum")

    monkeypatch.setattr(imports, "_store_check", refused)
    milestone_import = checked(org, cast.members["data"].user)
    assert (milestone_import.status, milestone_import.progress) == (Status.FAILED, 100)
    assert fresh(milestone_import).status == Status.FAILED
    assert "Checking the file failed unexpectedly" in milestone_import.error_message


def test_a_recompute_failure_after_saving_keeps_the_import_saved_and_asks_the_worker_again(
    org, cast, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("recompute failed")

    monkeypatch.setattr(imports, "derived_measures_recompute", broken)
    with django_capture_on_commit_callbacks() as callbacks:
        milestone_import = saved(org, cast.members["data"].user)
    assert (milestone_import.status, milestone_import.progress) == (Status.COMMITTED, 100)
    assert "run charts are being updated in the background" in milestone_import.progress_message
    assert Child.objects.filter(organisation=org).count() == 3
    assert len(callbacks) == 1  # the recompute task, asked for again


# A silent step is offered for retry --------------------------------------------------------------


def url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


def silent(milestone_import: MilestoneImport, minutes: int) -> None:
    MilestoneImport.objects.filter(pk=milestone_import.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_silent_commit_shows_why_and_a_retry_saves_it(org, cast, django_capture_on_commit_callbacks):
    milestone_import = claimed_commit(org, cast.members["data"].user)
    MilestoneImport.objects.filter(pk=milestone_import.pk).update(
        progress=50, progress_message="Saving milestone dates"
    )
    client = cast.client("data")
    page = client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    assert 'id="stalled"' not in page  # moving, as far as anyone can tell

    stale = settings.BACKGROUND_STALE_AFTER_SECONDS // 60 + 2
    silent(milestone_import, stale)
    reason = imports.stall_reason(fresh(milestone_import))
    assert reason.startswith(f"No progress for {stale} minutes")
    assert "“Saving milestone dates”" in reason and "nothing was half-saved" in reason
    page = client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    assert 'id="stalled"' in page and "Retry saving" in page and "nothing was half-saved" in page
    lead_page = cast.client("lead").get(url("milestone_import", org, milestone_import.code)).content.decode()
    assert "nothing was half-saved" in lead_page and "Retry saving" not in lead_page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("milestone_import_retry", org, milestone_import.code))
    assert response.status_code == 302
    assert (fresh(milestone_import).status, fresh(milestone_import).progress) == (Status.COMMITTED, 100)
    assert Child.objects.filter(organisation=org).count() == 3


@pytest.mark.parametrize(
    ("status", "button"),
    [
        (Status.UPLOADED, "Retry checking"),
        (Status.VALIDATING, "Retry checking"),
        (Status.ROLLING_BACK, "Retry rolling back"),
    ],
)
def test_every_silent_step_is_offered_for_retry(org, cast, status, button, django_capture_on_commit_callbacks):
    user = cast.members["data"].user
    if status == Status.ROLLING_BACK:
        milestone_import = saved(org, user)
        imports.milestone_import_claim_rollback(milestone_import=milestone_import, user=user)
        expected = Status.ROLLED_BACK
    else:
        milestone_import = imports.milestone_import_record(
            organisation=org, user=user, upload=SimpleUploadedFile("m.csv", (HEADER + ROWS).encode())
        )
        MilestoneImport.objects.filter(pk=milestone_import.pk).update(status=status)
        expected = Status.VALIDATED
    silent(milestone_import, settings.BACKGROUND_STALE_AFTER_SECONDS // 60 + 1)
    client = cast.client("data")
    assert button in client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("milestone_import_retry", org, milestone_import.code))
    assert fresh(milestone_import).status == expected


def test_a_retry_is_refused_while_the_step_is_moving_or_finished(org, cast):
    milestone_import = claimed_commit(org, cast.members["data"].user)
    client = cast.client("data")
    response = client.post(url("milestone_import_retry", org, milestone_import.code), follow=True)
    assert "still being worked on" in response.content.decode()
    assert not OutboxTask.objects.exists() and fresh(milestone_import).progress_message == "Waiting for the worker"
    done = saved(org, cast.members["data"].user)
    response = client.post(url("milestone_import_retry", org, done.code), follow=True)
    assert "there is nothing to retry" in response.content.decode()


def test_the_progress_fragment_reloads_the_page_once_when_the_step_stalls(org, cast):
    milestone_import = claimed_commit(org, cast.members["data"].user)
    client = cast.client("data")
    progress = url("milestone_import_progress", org, milestone_import.code)
    assert "HX-Refresh" not in client.get(progress + "?shown=moving")
    silent(milestone_import, settings.BACKGROUND_STALE_AFTER_SECONDS // 60 + 1)
    assert client.get(progress + "?shown=moving")["HX-Refresh"] == "true"
    response = client.get(progress + "?shown=stalled")
    assert "HX-Refresh" not in response and 'hx-trigger="every 5s"' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_step_waiting_for_the_background_service_says_so_and_is_not_offered_for_retry(org, cast):
    milestone_import = checked(org, cast.members["data"].user)
    client = cast.client("data")
    with broker_at(CLOSED_BROKER):
        response = client.post(
            url("milestone_import_commit", org, milestone_import.code), {"confirmed": "True"}, follow=True
        )
        page = response.content.decode()
        assert "Your request to save is kept. Saving starts when the background service is back." in page
        assert 'id="background-waiting"' in page
        silent(milestone_import, settings.BACKGROUND_STALE_AFTER_SECONDS // 60 + 30)
        assert imports.stall_reason(fresh(milestone_import)) is None  # it starts by itself later
        response = client.post(url("milestone_import_retry", org, milestone_import.code), follow=True)
        assert "waiting for the background service" in response.content.decode()
    assert fresh(milestone_import).status == Status.COMMITTING
    assert OutboxTask.objects.filter(sent_at__isnull=True).count() == 1
