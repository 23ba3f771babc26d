"""Milestone imports: check an uploaded spreadsheet, preview what it would change, commit it in
one transaction, and roll it back (DESIGN.md §3; pretix's modelimport is the model).

The worker runs ``milestone_import_validate`` and ``milestone_import_commit`` (see tasks.py).
A check without errors keeps the rows it produced (reference, route, {code: date}) in a gzip'd
JSON file beside the upload, keyed by everything the check read (the file's bytes, the pathway's
milestones, the routes, the reference pattern, the day); the commit reads them back instead of
checking the file again, and checks it again only if any of that changed. A refused file is
deleted at once: only the import row with the reason is kept, never child data.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from measures.milestones.derived import derived_measures_recompute
from measures.milestones.files import FileRefused, ParsedMilestoneFile, Problem, validate_milestone_file
from measures.milestones.files.validation import reference_keys
from measures.milestones.pathway import milestone_specs, pathway_ensure_defaults
from measures.milestones.staging import fields_insert, staged_insert
from measures.models import Child, ImportChange, Milestone, MilestoneImport, Route
from pace_hub.background import enqueue, stalled, waiting_for_broker
from pace_hub.dates import day_text, moment_text
from pace_hub.models import Organisation, OutboxTask

logger = logging.getLogger(__name__)

Status = MilestoneImport.Status
BATCH = 5000
PREVIEW_EXAMPLES = 25


VALIDATE_TASK = "measures.milestones.tasks.milestone_import_validate_task"
COMMIT_TASK = "measures.milestones.tasks.milestone_import_commit_task"
ROLLBACK_TASK = "measures.milestones.tasks.milestone_import_rollback_task"
RECOMPUTE_TASK = "measures.milestones.tasks.derived_measures_recompute_task"
# The task that moves an import on from each running status (a retry asks for it again).
TASK_FOR_STATUS = {
    Status.UPLOADED: VALIDATE_TASK,
    Status.VALIDATING: VALIDATE_TASK,
    Status.COMMITTING: COMMIT_TASK,
    Status.ROLLING_BACK: ROLLBACK_TASK,
}


def _progress(milestone_import: MilestoneImport, progress: int, message: str, **fields) -> None:
    """Record progress, and with it the worker's heartbeat, without a history row per step (the
    page polls this)."""
    now = timezone.now()
    fields = {"progress": progress, "progress_message": message, "heartbeat_at": now, **fields}
    MilestoneImport.objects.filter(pk=milestone_import.pk).update(**fields, updated_at=now)
    for name, value in fields.items():
        setattr(milestone_import, name, value)


def _start_attempt(milestone_import: MilestoneImport) -> bool:
    """Count one more start of the running step; False once its worker has been lost
    ``BACKGROUND_MAX_ATTEMPTS`` times (the step is then given up, with the reason)."""
    MilestoneImport.objects.filter(pk=milestone_import.pk).update(
        attempts=F("attempts") + 1, heartbeat_at=timezone.now()
    )
    milestone_import.attempts = MilestoneImport.objects.values_list("attempts", flat=True).get(pk=milestone_import.pk)
    return milestone_import.attempts <= settings.BACKGROUND_MAX_ATTEMPTS


def _worker_lost_message(doing: str, outcome: str) -> str:
    tries = settings.BACKGROUND_MAX_ATTEMPTS
    return (
        f"{doing} stopped its background worker {tries} times (the worker was restarted or ran out of memory), "
        f"so it was given up; {outcome} Upload a smaller file, or tell your administrator."
    )


# Upload ------------------------------------------------------------------------------------


def milestone_import_record(*, organisation: Organisation, user, upload: File) -> MilestoneImport:
    """Store an upload as a new import row, not yet checked."""
    pathway_ensure_defaults(organisation)
    return MilestoneImport.objects.create(
        organisation=organisation,
        uploaded_by=user,
        file=upload,
        original_name=Path(upload.name).name[:255],
        progress_message="Waiting for the worker to check the file",
        heartbeat_at=timezone.now(),
    )


def milestone_import_create(*, organisation: Organisation, user, upload: File) -> MilestoneImport:
    """Store an upload and ask the worker to check it (the row and the request are saved
    together: if the background service is down, checking starts when it is back)."""
    with transaction.atomic():
        milestone_import = milestone_import_record(organisation=organisation, user=user, upload=upload)
        enqueue(VALIDATE_TASK, milestone_import.pk)
    return milestone_import


def _read(milestone_import: MilestoneImport, today: date) -> ParsedMilestoneFile:
    return _read_with_key(milestone_import, today)[0]


def _read_with_key(milestone_import: MilestoneImport, today: date) -> tuple[ParsedMilestoneFile, str]:
    """Check the stored file; also return the key of everything the check read (see
    ``_check_key``)."""
    with milestone_import.file.open("rb") as handle:
        content = handle.read()
    inputs = _check_inputs(milestone_import, today)
    parsed = validate_milestone_file(
        content,
        inputs["name"],
        inputs["milestones"],
        inputs["routes"],
        today,
        max_bytes=settings.UPLOAD_MAX_BYTES,
        reference_pattern=inputs["pattern"],
    )
    return parsed, _check_key(content, inputs)


# The rows a check produced, kept for the commit ---------------------------------------------

# Raise when the checker's rules or the kept form change: older kept checks are then ignored.
CHECK_FORMAT = 1


def _check_inputs(milestone_import: MilestoneImport, today: date) -> dict:
    organisation = milestone_import.organisation
    return {
        "milestones": milestone_specs(organisation),
        "routes": [route.value for route in Route],
        "pattern": organisation.child_reference_pattern,
        "today": today,
        "name": milestone_import.original_name,
    }


def _check_key(content: bytes, inputs: dict) -> str:
    """A hash of everything a check reads: the file's bytes and name, and the rules (the
    pathway's active milestones with their names, in order; the routes; the reference pattern;
    the day; the size limit; the kept form's version)."""
    described = {
        "format": CHECK_FORMAT,
        "file": hashlib.sha256(content).hexdigest(),
        "name": inputs["name"],
        "milestones": [[spec.code, spec.name] for spec in inputs["milestones"]],
        "routes": inputs["routes"],
        "pattern": inputs["pattern"],
        "today": inputs["today"].isoformat(),
        "max_bytes": settings.UPLOAD_MAX_BYTES,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _checked_name(milestone_import: MilestoneImport) -> str:
    return f"{milestone_import.file.name}.checked.json.gz"


def _forget_check(milestone_import: MilestoneImport) -> None:
    if not milestone_import.file:
        return
    storage, name = milestone_import.file.storage, _checked_name(milestone_import)
    if storage.exists(name):
        storage.delete(name)


def _frame_columns(frame: pd.DataFrame) -> dict:
    """A frame as JSON: each column's values (dates as yyyy-mm-dd text, missing values as null)
    and its dtype, so that it reads back the same."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype.kind == "M":
            columns[name] = _date_text(values).tolist()
        else:
            columns[name] = values.astype(object).where(values.notna(), None).tolist()
    return {"columns": columns, "dtypes": {name: str(frame[name].dtype) for name in frame.columns}}


def _columns_frame(kept: dict) -> pd.DataFrame:
    frame = {}
    for name, values in kept["columns"].items():
        dtype = kept["dtypes"][name]
        if dtype.startswith("datetime64"):
            # Each distinct day parsed once (a few thousand among 760,000 dates); None is NaT.
            labels, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
            parsed = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m-%d").astype(dtype)
            frame[name] = pd.Series(parsed.to_numpy()[labels], dtype=dtype)
        else:
            frame[name] = pd.Series(values, dtype=object).astype(dtype)
    return pd.DataFrame(frame)


def _keep_check(milestone_import: MilestoneImport, parsed: ParsedMilestoneFile, key: str) -> None:
    """Store the rows of a check without errors beside the upload, as columns of JSON."""
    _forget_check(milestone_import)
    if parsed.error_count:
        return
    kept = {
        "key": key,
        "layout": parsed.layout,
        "rows": parsed.rows,
        "children": _frame_columns(parsed.children),
        "records": _frame_columns(parsed.records),
    }
    content = gzip.compress(json.dumps(kept, separators=(",", ":")).encode(), compresslevel=1)
    storage, name = milestone_import.file.storage, _checked_name(milestone_import)
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # another delivery of the check saved it first (the same rows): keep one
        storage.delete(saved)


def _kept_check(milestone_import: MilestoneImport, key: str) -> ParsedMilestoneFile | None:
    """The rows the check kept, if it was made from the same file under the same rules."""
    storage, name = milestone_import.file.storage, _checked_name(milestone_import)
    try:
        with storage.open(name, "rb") as handle:
            kept = json.loads(gzip.decompress(handle.read()))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("key") != key:
        return None
    return ParsedMilestoneFile(
        layout=kept["layout"],
        rows=kept["rows"],
        records=_columns_frame(kept["records"]),
        children=_columns_frame(kept["children"]),
        problems=[],
        error_rows=set(),
    )


def _read_for_commit(milestone_import: MilestoneImport, today: date) -> ParsedMilestoneFile:
    """The checked rows: those the check kept when the file and the rules are as they were, else
    a fresh check of the file."""
    with milestone_import.file.open("rb") as handle:
        content = handle.read()
    kept = _kept_check(milestone_import, _check_key(content, _check_inputs(milestone_import, today)))
    return kept if kept is not None else _read(milestone_import, today)


def _refuse(milestone_import: MilestoneImport, message: str) -> None:
    """Keep the reason, never the file (it may hold identifying data)."""
    if milestone_import.file:
        _forget_check(milestone_import)
        milestone_import.file.delete(save=False)
    milestone_import.file = ""
    milestone_import.status = Status.REFUSED
    milestone_import.error_message = message
    milestone_import.progress = 100
    milestone_import.progress_message = "Refused"
    milestone_import.heartbeat_at = timezone.now()
    milestone_import.save()


def problem_dicts(problems: list[Problem]) -> list[dict]:
    return [
        {
            "row": problem.row,
            "column": problem.column,
            "value": problem.value,
            "reason": problem.reason,
            "severity": problem.severity,
            "code": problem.code,
        }
        for problem in problems
    ]


def stored_problems(milestone_import: MilestoneImport) -> list[Problem]:
    return [Problem(**problem) for problem in milestone_import.problems]


def milestone_import_validate(*, milestone_import: MilestoneImport, today: date) -> MilestoneImport:
    """Check the file, store its problems and what a commit would change; write no child data.

    Safe to run again: a check whose worker was lost (status still "checking") starts over, and a
    finished one is left alone. Whatever goes wrong, the import ends checked, refused or failed
    with the reason, never "checking"."""
    if milestone_import.status not in (Status.UPLOADED, Status.VALIDATING):
        return milestone_import
    if not _start_attempt(milestone_import):
        message = _worker_lost_message("Checking this file", "nothing was saved.")
        _progress(milestone_import, 100, "Not checked", status=Status.FAILED, error_message=message)
        return milestone_import
    _progress(milestone_import, 10, "Reading the file", status=Status.VALIDATING)
    try:
        parsed, key = _read_with_key(milestone_import, today)
        _progress(milestone_import, 60, "Comparing with the data already held")
        plan = plan_changes(milestone_import.organisation, parsed)
        _keep_check(milestone_import, parsed, key)
        _store_check(milestone_import, parsed, plan)
    except FileRefused as refusal:
        _refuse(milestone_import, str(refusal))
    except Exception:
        logger.exception("Checking milestone import %s failed", milestone_import.pk)
        message = "Checking the file failed unexpectedly; nothing was saved. Try again or tell your administrator."
        _progress(milestone_import, 100, "Not checked", status=Status.FAILED, error_message=message)
    return milestone_import


@transaction.atomic
def _store_check(milestone_import: MilestoneImport, parsed: ParsedMilestoneFile, plan: Plan) -> None:
    """Save a check's outcome, unless another delivery of the same task got there first (its
    outcome is the same; and a save asked for since must not be undone)."""
    current = MilestoneImport.objects.select_for_update().values_list("status", flat=True).get(pk=milestone_import.pk)
    if current != Status.VALIDATING:
        milestone_import.refresh_from_db()
        return
    milestone_import.layout = parsed.layout
    milestone_import.rows = parsed.rows
    milestone_import.problems = problem_dicts(parsed.problems)
    milestone_import.problem_counts = parsed.problem_counts
    milestone_import.error_rows = len(parsed.error_rows)
    milestone_import.error_count = parsed.error_count
    milestone_import.warning_count = parsed.warning_count
    milestone_import.new_children = plan.new_children
    milestone_import.updated_children = plan.updated_children
    milestone_import.unchanged_children = plan.unchanged_children
    milestone_import.preview = plan.preview()
    milestone_import.status = Status.INVALID if parsed.error_count else Status.VALIDATED
    milestone_import.progress = 100
    milestone_import.progress_message = "Checked"
    milestone_import.heartbeat_at = timezone.now()
    milestone_import.save()


# Recovery: a step whose worker was lost -----------------------------------------------------

# What a lost step leaves behind, by the status it was lost in.
_LOST_STEP_OUTCOME = {
    Status.UPLOADED: "Checking writes no data, so nothing was changed.",
    Status.VALIDATING: "Checking writes no data, so nothing was changed.",
    Status.COMMITTING: "Saving is one transaction, so nothing was half-saved: the data are as they were before.",
    Status.ROLLING_BACK: "Rolling back is one transaction, so the upload is still saved exactly as it was.",
    Status.COMMITTED: "The upload is saved; only the run charts may not be up to date yet.",
    Status.ROLLED_BACK: "The upload is rolled back; only the run charts may not be up to date yet.",
}


def _waiting_on_worker(milestone_import: MilestoneImport) -> bool:
    """Running, or saved or rolled back with the run charts not updated yet."""
    if milestone_import.running:
        return True
    finishing = milestone_import.status in (Status.COMMITTED, Status.ROLLED_BACK) and milestone_import.progress < 100
    return finishing and milestone_import.heartbeat_at is not None


def _next_task(milestone_import: MilestoneImport) -> str:
    return {**TASK_FOR_STATUS, Status.COMMITTED: COMMIT_TASK, Status.ROLLED_BACK: ROLLBACK_TASK}[
        milestone_import.status
    ]


def broker_wait(milestone_import: MilestoneImport) -> OutboxTask | None:
    """The request for this import's next step that the background service could not take yet
    (it is sent, and the step starts, as soon as the service is back)."""
    if not _waiting_on_worker(milestone_import):
        return None
    return waiting_for_broker(_next_task(milestone_import), milestone_import.pk)


def stall_reason(milestone_import: MilestoneImport, *, now: datetime | None = None) -> str | None:
    """Why this import's step looks lost — no progress for BACKGROUND_STALE_AFTER_SECONDS — to
    show beside a retry button; None while it moves, or while it waits for the background service
    (it then starts by itself)."""
    if not _waiting_on_worker(milestone_import):
        return None
    last = milestone_import.heartbeat_at or milestone_import.updated_at
    if not stalled(last, now=now) or broker_wait(milestone_import) is not None:
        return None
    minutes = int(((now or timezone.now()) - last).total_seconds() // 60)
    return (
        f"No progress for {minutes} minutes (since {moment_text(last)}, at "
        f"“{milestone_import.progress_message or milestone_import.get_status_display()}”): the background worker "
        f"was probably stopped or restarted. {_LOST_STEP_OUTCOME[milestone_import.status]}"
    )


@transaction.atomic
def milestone_import_retry(*, milestone_import: MilestoneImport) -> None:
    """Ask the worker again for a step whose worker was lost (see ``stall_reason``); it runs from
    the data as they are, which the lost run left untouched."""
    current = MilestoneImport.objects.select_for_update().get(pk=milestone_import.pk)
    if stall_reason(current) is None:
        if broker_wait(current) is not None:
            raise ValidationError(
                "This upload is waiting for the background service; it starts by itself when the service is back."
            )
        if not _waiting_on_worker(current):
            raise ValidationError(f"This upload is {current.get_status_display().lower()}: there is nothing to retry.")
        raise ValidationError(
            "This upload is still being worked on. Retry only if it shows no progress for "
            f"{settings.BACKGROUND_STALE_AFTER_SECONDS // 60} minutes."
        )
    progress = current.progress if not current.running else 0
    _progress(current, progress, "Waiting for the worker (asked again)", attempts=0, error_message="")
    enqueue(_next_task(current), current.pk)


# What a commit changes ------------------------------------------------------------------------


@dataclass
class Plan:
    """The changes one file makes to the organisation's data, as frames.

    ``new_children`` (reference, route); ``route_changes`` (child, reference, old_route, route);
    ``date_changes`` (child or NaN for a new child, reference, milestone code, old_date or NaT,
    date).
    """

    new: pd.DataFrame
    route_changes: pd.DataFrame
    date_changes: pd.DataFrame
    children_in_file: int
    milestone_names: dict[str, str]

    @property
    def new_children(self) -> int:
        return len(self.new)

    @property
    def updated_children(self) -> int:
        # Children held before have a key; new children's date changes have none (NaN).
        changed = pd.concat([self.route_changes["child"], self.date_changes["child"]])
        return changed.nunique(dropna=True)

    @property
    def unchanged_children(self) -> int:
        return self.children_in_file - self.new_children - self.updated_children

    def preview(self) -> dict:
        dates = self.date_changes
        added = dates["old_date"].isna()
        examples = []
        for row in dates.head(PREVIEW_EXAMPLES).itertuples(index=False):
            examples.append(
                {
                    "reference": row.reference,
                    "milestone": self.milestone_names[row.milestone],
                    "old": "" if pd.isna(row.old_date) else day_text(pd.Timestamp(row.old_date).date()),
                    "new": day_text(pd.Timestamp(row.date).date()),
                }
            )
        return {
            "dates_added": int(added.sum()),
            "dates_changed": int((~added).sum()),
            "routes_changed": len(self.route_changes),
            "examples": examples,
            "more_examples": max(0, len(dates) - PREVIEW_EXAMPLES),
        }


def plan_changes(organisation: Organisation, parsed: ParsedMilestoneFile) -> Plan:
    """Compare a checked file with the stored data: two queries (the children hold their
    dates), then pandas."""
    milestones = dict(Milestone.objects.for_organisation(organisation).order_by().values_list("code", "name"))
    children_held = Child.objects.for_organisation(organisation).order_by()
    held = list(children_held.values_list("pk", "reference", "route", "dates"))
    existing_children = pd.DataFrame.from_records(
        [row[:3] for row in held], columns=["child", "held_reference", "old_route"]
    )
    # References are matched case- and space-insensitively: c-77001 in a file is the C-77001 held.
    existing_children["key"] = reference_keys(existing_children["held_reference"])
    children = parsed.children.rename(columns={"child_ref": "reference"}).drop_duplicates("reference")
    children["key"] = reference_keys(children["reference"])
    _refuse_ambiguous_references(existing_children, children)
    children = children.merge(existing_children, on="key", how="left").drop(columns=["key", "held_reference"])
    is_new = children["child"].isna()
    new = children.loc[is_new, ["reference", "route"]].reset_index(drop=True)
    given = children["route"].notna()
    route_changes = children.loc[~is_new & given & (children["route"] != children["old_route"])]
    route_changes = route_changes[["child", "reference", "old_route", "route"]].reset_index(drop=True)

    records = parsed.records.rename(columns={"child_ref": "reference"})
    records = records.merge(children[["reference", "child"]], on="reference", how="left")
    records["child"] = records["child"].astype(float)
    # The stored dates of the children the file names, one row per child and milestone.
    named = set(children["child"].dropna().astype(np.int64).tolist())
    stored = pd.DataFrame.from_records(
        [(pk, code, text) for pk, _, _, dates in held if pk in named for code, text in dates.items()],
        columns=["child", "milestone", "old_date"],
    )
    stored["child"] = stored["child"].astype(float)
    stored["old_date"] = pd.to_datetime(stored["old_date"], format="%Y-%m-%d")
    records = records.merge(stored, on=["child", "milestone"], how="left")
    records["date"] = pd.to_datetime(records["date"])
    changed = records["old_date"].isna() | (records["old_date"] != records["date"])
    date_changes = records.loc[changed, ["child", "reference", "milestone", "old_date", "date"]]
    return Plan(
        new=new,
        route_changes=route_changes,
        date_changes=date_changes.reset_index(drop=True),
        children_in_file=len(children),
        milestone_names=milestones,
    )


def _refuse_ambiguous_references(held: pd.DataFrame, children: pd.DataFrame) -> None:
    """Refuse a file naming a child held twice under references that differ only in case (kept
    from before references were compared that way, when the two could not be merged)."""
    twice = held[held["key"].duplicated(keep=False) & held["key"].isin(children["key"])]
    if twice.empty:
        return
    groups = twice.groupby("key", sort=True)["held_reference"].agg(lambda spellings: " and ".join(sorted(spellings)))
    shown = "; ".join(groups.head(5).tolist())
    raise FileRefused(
        "This file names children who are held twice, under references that differ only in case "
        f"({shown}). Roll back the upload that added the second spelling, then upload this file again."
    )


# Commit -----------------------------------------------------------------------------------


def _lock_imports(organisation_id: int) -> None:
    """One commit or roll-back at a time per organisation, until the transaction ends. FOR NO
    KEY UPDATE, not FOR UPDATE: it excludes another import just the same, but not the key-share
    lock that PostgreSQL's foreign-key check takes on the organisation's row for every row of the
    organisation inserted meanwhile, so that an audit row, an API call's log line or a new aim is
    not held up for the whole of a commit (bench/load.py, with log_lock_waits on)."""
    list(Organisation.objects.select_for_update(no_key=True).filter(pk=organisation_id))


def milestone_import_claim_commit(*, milestone_import: MilestoneImport) -> None:
    """Mark a checked import without errors as being saved (once, even on a double click)."""
    if milestone_import.status == Status.INVALID:
        raise ValidationError("This file has errors. Fix them and upload it again before saving.")
    now = timezone.now()
    claimed = MilestoneImport.objects.filter(pk=milestone_import.pk, status=Status.VALIDATED).update(
        status=Status.COMMITTING,
        progress=0,
        progress_message="Waiting for the worker",
        attempts=0,
        heartbeat_at=now,
        updated_at=now,
    )
    if not claimed:
        raise ValidationError(f"This import cannot be saved: it is {milestone_import.get_status_display().lower()}.")


@transaction.atomic
def milestone_import_request_commit(*, milestone_import: MilestoneImport) -> None:
    """Hand a checked import without errors to the worker (the claim and the request are saved
    together: if the background service is down, saving starts when it is back)."""
    milestone_import_claim_commit(milestone_import=milestone_import)
    enqueue(COMMIT_TASK, milestone_import.pk)


def milestone_import_commit(
    *, milestone_import: MilestoneImport, today: date, charts_in_worker: bool = False
) -> MilestoneImport:
    """Write a checked file's changes in one transaction, record them for roll-back, then
    recompute the derived measures (``charts_in_worker``: ask the worker to, and return once
    saved). A blank cell never erases a stored date.

    Safe to run again, and to run twice at once: a run whose worker was lost mid-way starts from
    the data as they were (its transaction never committed), a second delivery waits for the
    first and then finds the import saved, and a run lost while updating the run charts is
    finished by the next."""
    if milestone_import.status == Status.COMMITTED and milestone_import.progress < 100:
        return _recompute_then(milestone_import, today, "Saved")
    if milestone_import.status != Status.COMMITTING:
        return milestone_import
    if not _start_attempt(milestone_import):
        message = _worker_lost_message("Saving this file", "nothing was changed.")
        _progress(milestone_import, 100, "Not saved", status=Status.FAILED, error_message=message)
        return milestone_import
    organisation = milestone_import.organisation
    try:
        _progress(milestone_import, 5, "Reading the checked file")
        parsed = _read_for_commit(milestone_import, today)
        if parsed.error_count:
            raise ValidationError(
                f"The file now has {parsed.error_count} errors (has the pathway changed since it was "
                "checked?). Upload it again."
            )
        _progress(milestone_import, 25, "Comparing with the data already held")
        with _progress_connection(), transaction.atomic():
            # One import at a time per organisation: the plan must see the data it changes.
            _lock_imports(organisation.pk)
            # Another delivery of this task may have saved it while this one waited for the lock
            # (a plain read: the import row must stay unlocked for _progress_from_outside).
            status = MilestoneImport.objects.values_list("status", flat=True).get(pk=milestone_import.pk)
            if status != Status.COMMITTING:
                milestone_import.refresh_from_db()
                return milestone_import
            plan = plan_changes(organisation, parsed)
            _progress_from_outside(milestone_import, 40, "Saving new children")
            _write(milestone_import, plan)
            milestone_import.new_children = plan.new_children
            milestone_import.updated_children = plan.updated_children
            milestone_import.unchanged_children = plan.unchanged_children
            milestone_import.preview = plan.preview()
            milestone_import.status = Status.COMMITTED
            milestone_import.committed_at = timezone.now()
            milestone_import.progress = 90
            milestone_import.progress_message = "Updating the run charts"
            milestone_import.heartbeat_at = timezone.now()
            milestone_import.save()
    except (ValidationError, FileRefused) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        _progress(milestone_import, 100, "Not saved", status=Status.FAILED, error_message=message)
        return milestone_import
    except Exception:
        logger.exception("Milestone import %s failed", milestone_import.pk)
        _progress(
            milestone_import,
            100,
            "Not saved",
            status=Status.FAILED,
            error_message="Saving failed unexpectedly; nothing was changed. Try again or tell your administrator.",
        )
        return milestone_import
    _forget_check(milestone_import)  # saved: the kept rows are not needed again
    if charts_in_worker:
        # A web request (an API push) must not wait for the organisation's run charts: this
        # task, on the worker, finds the import saved below 100% and finishes it.
        enqueue(COMMIT_TASK, milestone_import.pk)
        return milestone_import
    return _recompute_then(milestone_import, today, "Saved")


def _recompute_then(milestone_import: MilestoneImport, today: date, done: str) -> MilestoneImport:
    """After a commit or a roll-back has been saved: recompute the derived measures, then report
    ``done``. If that fails the data stay as saved and the worker is asked to recompute later."""
    organisation = milestone_import.organisation
    try:
        derived_measures_recompute(organisation=organisation, today=today)
    except Exception:
        logger.exception("Recomputing after milestone import %s failed", milestone_import.pk)
        enqueue(RECOMPUTE_TASK, organisation.pk)
        _progress(milestone_import, 100, f"{done}; the run charts are being updated in the background")
        return milestone_import
    _progress(milestone_import, 100, done)
    return milestone_import


_progress_side = threading.local()


@contextlib.contextmanager
def _progress_connection():
    """Within the block, ``_progress_from_outside`` reports through one side connection, opened
    at the first report and closed at the end: a new connection for each report cost ~13 ms, a
    sixth of a small API push, spent inside the transaction holding the organisation's lock."""
    _progress_side.scoped, _progress_side.connection = True, None
    try:
        yield
    finally:
        side, _progress_side.scoped, _progress_side.connection = _progress_side.connection, False, None
        if side is not None:
            side.close()


def _progress_from_outside(milestone_import: MilestoneImport, progress: int, message: str) -> None:
    """Record progress from inside the commit's transaction, where writes are invisible to the
    polling page until the end: on PostgreSQL through a second connection in autocommit (one
    per ``_progress_connection`` block). (SQLite allows one writer at a time, so there the bar
    moves between steps only.) The transaction must not have touched the import row, or this
    would wait for it."""
    if connection.vendor != "postgresql":
        return
    scoped = getattr(_progress_side, "scoped", False)
    side = _progress_side.connection if scoped else None
    if side is None:
        side = connection.get_new_connection(connection.get_connection_params())
        side.autocommit = True
        if scoped:
            _progress_side.connection = side
    try:
        side.execute(
            f"UPDATE {MilestoneImport._meta.db_table} SET progress = %s, progress_message = %s, "
            "heartbeat_at = now() WHERE id = %s",
            [progress, message, milestone_import.pk],
        )
    finally:
        if not scoped:
            side.close()
    milestone_import.progress, milestone_import.progress_message = progress, message


def _maps(children: np.ndarray, codes: np.ndarray, texts: np.ndarray) -> dict:
    """{child: {code: text}} from three parallel columns."""
    maps: dict = {}
    for child, code, text in zip(children.tolist(), codes.tolist(), texts.tolist(), strict=True):
        maps.setdefault(child, {})[code] = text
    return maps


def _write(milestone_import: MilestoneImport, plan: Plan) -> None:
    """Apply a plan: insert new children with their dates, each recording that this import
    created it (``Child.created_by_import``), record one change row per child held before that
    it changes (its route and dates before and after), then apply the changes to those children
    from their rows. No row per date: a child's dates are a map on its row. Inserts go through
    COPY on PostgreSQL (see ``_copy_children`` and ``_insert``)."""
    organisation = milestone_import.organisation
    dates = plan.date_changes
    texts = _date_text(dates["date"])
    is_new = dates["child"].isna().to_numpy()
    if connection.vendor == "postgresql":
        _copy_children(milestone_import, plan.new, dates[is_new], texts[is_new])
    else:
        new_maps = _maps(dates["reference"].to_numpy()[is_new], dates["milestone"].to_numpy()[is_new], texts[is_new])
        references = plan.new["reference"]
        children = pd.DataFrame(
            {
                "reference": references,
                "route": plan.new["route"].fillna(""),
                "dates": [new_maps.get(reference, {}) for reference in references.tolist()],
                "created_by_import_id": milestone_import.pk,
            }
        )
        _insert(organisation, Child, children)
    _progress_from_outside(milestone_import, 50, "Recording the changes for roll-back")

    # Children held before: one change row each, with the dates and route it sets and what
    # they were (None for a date the child did not have).
    held = dates[~is_new]
    held_ids = held["child"].to_numpy(dtype=np.int64)
    old_texts = _date_text(held["old_date"])
    codes = held["milestone"].to_numpy()
    new_dates = _maps(held_ids, codes, texts[~is_new])
    old_dates = _maps(held_ids, codes, old_texts)
    routes = dict(
        zip(
            plan.route_changes["child"].astype(np.int64).tolist(),
            zip(plan.route_changes["old_route"].tolist(), plan.route_changes["route"].tolist(), strict=True),
            strict=True,
        )
    )
    changed = sorted(set(new_dates) | set(routes))
    no_change = ("", "")
    changes = pd.DataFrame(
        {
            "child_id": np.array(changed, dtype=np.int64),
            "old_route": [routes.get(child, no_change)[0] for child in changed],
            "new_route": [routes.get(child, no_change)[1] for child in changed],
            "old_dates": [old_dates.get(child, {}) for child in changed],
            "new_dates": [new_dates.get(child, {}) for child in changed],
        }
    )
    changes["milestone_import_id"] = milestone_import.pk
    _insert(organisation, ImportChange, changes)
    _progress_from_outside(milestone_import, 75, "Saving milestone dates")
    _apply_changes(milestone_import, undo=False)


# jsonb_build_object takes at most 100 arguments: the map is built from this many dates at a time.
_PAIRS_PER_CALL = 50


def _copy_children(milestone_import: MilestoneImport, new: pd.DataFrame, dated: pd.DataFrame, texts) -> None:
    """Insert the new children on PostgreSQL, each with its dates and this import as its
    creator: their references, routes and dates (a column per milestone code, empty where the
    child has none) go through one COPY into a temporary table, and one INSERT … SELECT builds
    each child's map there (``jsonb_build_object``, nulls stripped), so that no JSON is written
    or parsed per child in Python (issue 16). ``dated`` holds the new children's date rows
    (reference, milestone) with ``texts`` their dates as yyyy-mm-dd."""
    if new.empty:
        return
    organisation = milestone_import.organisation
    references = new["reference"].to_numpy(dtype=object)
    owners = pd.Index(references).get_indexer(dated["reference"].to_numpy(dtype=object))
    if (owners < 0).any():  # cannot happen (a new child's dates are under its reference); never misfile one
        raise ValueError("A new child's dates do not match any new child")
    # The file's checks leave one date per child and milestone, so no cell is written twice.
    labels, codes = pd.factorize(dated["milestone"].to_numpy(dtype=object))
    table = np.full((len(references), len(codes)), None, dtype=object)
    table[owners, labels] = texts
    routes = new["route"].fillna("").to_numpy(dtype=object)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(zip(references, routes, *table.T, strict=True))
    columns = [f"d{index}" for index in range(len(codes))]
    pairs = [f"%s::text, {column}" for column in columns]
    if pairs:
        calls = [
            f"jsonb_build_object({', '.join(pairs[start : start + _PAIRS_PER_CALL])})"
            for start in range(0, len(pairs), _PAIRS_PER_CALL)
        ]
        built = f"jsonb_strip_nulls({' || '.join(calls)})"
    else:
        built = "'{}'::jsonb"
    staging = [(name, Child._meta.get_field(name).db_type(connection)) for name in ("reference", "route")]
    staged_insert(
        Child,
        organisation,
        staging=staging + [(column, "text") for column in columns],
        text=buffer.getvalue(),
        columns=["reference", "route", "dates", "created_by_import_id"],
        select=["reference", "route", built, "%s"],
        not_null=["reference", "route"],
        params=[*codes.tolist(), milestone_import.pk],
    )


def _apply_changes(milestone_import: MilestoneImport, *, undo: bool) -> None:
    """Set the route and dates of the children held before an import from its change rows: to
    what it set (``undo`` False), or back to what they were (``undo`` True: a date it added is
    taken out of the map). One UPDATE on PostgreSQL; batches elsewhere."""
    changes = ImportChange.objects.filter(milestone_import=milestone_import)
    if not changes.exists():  # e.g. a first upload: it only created children
        return
    if connection.vendor == "postgresql":
        route = "change.old_route" if undo else "change.new_route"
        if undo:
            keys = "ARRAY(SELECT jsonb_object_keys(change.old_dates))"
            dates = f"(child.dates - {keys}) || jsonb_strip_nulls(change.old_dates)"
        else:
            dates = "child.dates || change.new_dates"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Child._meta.db_table} AS child SET "
                f"route = CASE WHEN change.old_route <> change.new_route THEN {route} ELSE child.route END, "
                f"dates = {dates}, updated_at = now() "
                f"FROM {ImportChange._meta.db_table} AS change "
                "WHERE change.milestone_import_id = %s AND child.id = change.child_id",
                [milestone_import.pk],
            )
        return
    rows = list(changes.order_by().values_list("child_id", "old_route", "new_route", "old_dates", "new_dates"))
    now = timezone.now()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        children = Child.objects.in_bulk([row[0] for row in batch])
        for child_id, old_route, new_route, old, new in batch:
            child = children[child_id]
            child.updated_at = now
            if old_route != new_route:
                child.route = old_route if undo else new_route
            for code, text in (old if undo else new).items():
                if text is None:
                    child.dates.pop(code, None)
                else:
                    child.dates[code] = text
        Child.objects.bulk_update(list(children.values()), ["route", "dates", "updated_at"], batch_size=1000)


def _insert(
    organisation: Organisation,
    model: type[models.Model],
    frame: pd.DataFrame,
) -> None:
    """Insert rows of a TenantRow model given as a frame of column values (by attname; dates
    as datetime64 columns; JSON fields as Python values).

    PostgreSQL gets one COPY per table through a staging table (``staging.fields_insert``);
    other databases get bulk_create in batches. Missing values (None, NaN, NaT) are NULL.
    """
    if frame.empty:
        return
    now = timezone.now()
    dates = [name for name in frame.columns if frame[name].dtype.kind == "M"]
    if connection.vendor != "postgresql":
        frame = frame.assign(**{name: frame[name].dt.date for name in dates})
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        model.objects.bulk_create(
            [model(organisation=organisation, created_at=now, updated_at=now, **record) for record in records],
            batch_size=BATCH,
        )
        return
    frame = frame.assign(**{name: _date_text(frame[name]) for name in dates})
    for name in frame.columns:
        if isinstance(model._meta.get_field(name), models.JSONField):
            frame[name] = [json.dumps(value, separators=(",", ":")) if value else "{}" for value in frame[name]]
        elif name.endswith("_id"):  # keys with gaps come as floats; COPY wants whole numbers
            frame[name] = frame[name].astype("Int64")
    fields_insert(model, organisation, list(frame.columns), frame.to_csv(index=False, header=False))


def _date_text(values: pd.Series) -> np.ndarray:
    """yyyy-mm-dd text of a datetime64 column, None for NaT (vectorised, unlike strftime; each
    distinct day is written once, as a file's 760,000 dates fall on a few thousand days)."""
    days = values.to_numpy(dtype="datetime64[D]")
    labels, distinct = pd.factorize(days.view(np.int64))
    text = np.datetime_as_string(distinct.view("datetime64[D]"), unit="D").astype(object)[labels]
    text[np.isnat(days)] = None
    return text


# Roll-back --------------------------------------------------------------------------------


def rollback_blocker(milestone_import: MilestoneImport) -> MilestoneImport | None:
    """The first later import, saved or being rolled back, that changed any of the same
    children, if any."""
    if milestone_import.committed_at is None:
        return None
    later = (
        ImportChange.objects.filter(
            milestone_import__organisation=milestone_import.organisation,
            milestone_import__status__in=[Status.COMMITTED, Status.ROLLING_BACK],
            milestone_import__committed_at__gt=milestone_import.committed_at,
        )
        # The children it changed, and those it created (recorded on the child).
        .filter(
            models.Q(child_id__in=ImportChange.objects.filter(milestone_import=milestone_import).values("child_id"))
            | models.Q(child_id__in=_created_by(milestone_import).values("pk"))
        )
        .order_by("milestone_import__committed_at")
        .values_list("milestone_import_id", flat=True)
        .first()
    )
    return MilestoneImport.objects.get(pk=later) if later else None


def _created_by(milestone_import: MilestoneImport) -> models.QuerySet:
    """The children the import created (a roll-back deletes them)."""
    return Child.objects.for_organisation(milestone_import.organisation_id).filter(created_by_import=milestone_import)


def _check_rollback_allowed(milestone_import: MilestoneImport, *statuses: str) -> None:
    """Refuse a roll-back unless the import is in one of ``statuses`` and no later import changed
    the same children. Call with the organisation locked and the import just read."""
    if milestone_import.status not in statuses:
        raise ValidationError(
            f"Only a saved import can be rolled back; this one is {milestone_import.get_status_display().lower()}."
        )
    blocker = rollback_blocker(milestone_import)
    if blocker is not None:
        raise ValidationError(
            f"This import cannot be rolled back: the later import “{blocker.original_name}” saved on "
            f"{moment_text(blocker.committed_at)} changed some of the same children. "
            "Roll that one back first."
        )


@transaction.atomic
def milestone_import_claim_rollback(*, milestone_import: MilestoneImport, user) -> None:
    """Mark a saved import as being rolled back (once, even on a double click), or refuse."""
    _lock_imports(milestone_import.organisation_id)
    milestone_import.refresh_from_db()
    _check_rollback_allowed(milestone_import, Status.COMMITTED)
    _progress(
        milestone_import,
        0,
        "Waiting for the worker",
        status=Status.ROLLING_BACK,
        rolled_back_by=user,
        error_message="",
        attempts=0,
    )


@transaction.atomic
def milestone_import_request_rollback(*, milestone_import: MilestoneImport, user) -> None:
    """Hand a saved import's roll-back to the worker (it can take a while for 100,000 children);
    the claim and the request are saved together."""
    milestone_import_claim_rollback(milestone_import=milestone_import, user=user)
    enqueue(ROLLBACK_TASK, milestone_import.pk)


def milestone_import_run_rollback(*, milestone_import: MilestoneImport, today: date) -> MilestoneImport:
    """The worker's side of a requested roll-back: run it; if it is refused (a later import
    changed the same children since it was requested) or fails, the import stays saved and the
    reason is shown on its page.

    Safe to run again, as a commit is: a roll-back whose worker was lost starts from the saved
    import (its transaction never committed), a second delivery finds it rolled back, and one
    lost while updating the run charts is finished by the next run."""
    if milestone_import.status == Status.ROLLED_BACK and milestone_import.progress < 100:
        return _recompute_then(milestone_import, today, "Rolled back")
    if milestone_import.status != Status.ROLLING_BACK:
        return milestone_import
    if not _start_attempt(milestone_import):
        message = _worker_lost_message("Rolling back this upload", "nothing was changed and it is still saved.")
        _progress(
            milestone_import,
            100,
            "Not rolled back",
            status=Status.COMMITTED,
            rolled_back_by=None,
            error_message=message,
        )
        return milestone_import
    try:
        return milestone_import_rollback(
            milestone_import=milestone_import, user=milestone_import.rolled_back_by, today=today, again_is_done=True
        )
    except ValidationError as error:
        message = error.messages[0]
    except Exception:
        logger.exception("Rolling back milestone import %s failed", milestone_import.pk)
        message = "Rolling back failed unexpectedly; nothing was changed. Try again or tell your administrator."
    _progress(
        milestone_import, 100, "Not rolled back", status=Status.COMMITTED, rolled_back_by=None, error_message=message
    )
    return milestone_import


def milestone_import_rollback(
    *, milestone_import: MilestoneImport, user, today: date, again_is_done: bool = False
) -> MilestoneImport:
    """Put back what the import changed, in one transaction: earlier dates and routes restored,
    dates it added removed, children it created deleted (their dates go with them); then
    recompute the derived measures. Takes a saved import, or one claimed for roll-back; refused
    while a later import changed the same children. An import already rolled back is refused,
    unless ``again_is_done`` (the worker's second delivery of the same request: nothing to do)."""
    organisation = milestone_import.organisation
    with _progress_connection(), transaction.atomic():
        _lock_imports(organisation.pk)
        milestone_import.refresh_from_db()
        if again_is_done and milestone_import.status == Status.ROLLED_BACK:  # another delivery did it
            return milestone_import
        _check_rollback_allowed(milestone_import, Status.COMMITTED, Status.ROLLING_BACK)
        _rollback_changes(milestone_import)
        milestone_import.status = Status.ROLLED_BACK
        milestone_import.rolled_back_at = timezone.now()
        milestone_import.rolled_back_by = user
        milestone_import.error_message = ""
        milestone_import.progress = 90
        milestone_import.progress_message = "Updating the run charts"
        milestone_import.heartbeat_at = timezone.now()
        milestone_import.save()
    return _recompute_then(milestone_import, today, "Rolled back")


def _rollback_changes(milestone_import: MilestoneImport) -> None:
    """Children held before get their earlier route and dates back from the import's change
    rows; children it created are deleted (with their dates, on their row)."""
    created = list(_created_by(milestone_import).order_by().values_list("pk", flat=True))
    _progress_from_outside(milestone_import, 10, "Restoring earlier dates and routes")
    _apply_changes(milestone_import, undo=True)
    for start in range(0, len(created), ROLLBACK_BATCH):
        _progress_from_outside(
            milestone_import, 20 + 70 * start // len(created), f"Removing the children it added ({start:,} done)"
        )
        _delete_children(created[start : start + ROLLBACK_BATCH])


ROLLBACK_BATCH = 20000


def _delete_children(ids: list[int]) -> None:
    """Delete children with their change rows (those of later imports rolled back since): on
    PostgreSQL two plain DELETEs (nothing else refers to a child now that its dates are on its
    row), elsewhere Django's cascade."""
    if connection.vendor != "postgresql":
        Child.objects.filter(pk__in=ids).delete()
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ImportChange._meta.db_table} WHERE child_id = ANY(%s)", [ids])
        cursor.execute(f"DELETE FROM {Child._meta.db_table} WHERE id = ANY(%s)", [ids])
