"""Milestone dates pushed by a case-management system: POST /api/v1/milestones/.

A batch goes through exactly the path of a spreadsheet upload. It is written out as the CSV a
data lead would upload (long: child_ref, route, milestone, date; wide: child_ref, route and a
column per milestone), stored as a ``MilestoneImport`` with ``milestone_import_record``, checked
by ``milestone_import_validate`` (the same ``validate_milestone_file`` rules, the same problem
list and identifying-data refusals) and saved by ``milestone_import_commit`` in one transaction,
so it shows in the import history and can be rolled back. Item *i* of the batch is row *i + 2*
of that file (the header is row 1); problems carry both, and a JSON pointer to the field.

Small batches are checked and saved during the request (201); larger ones by the worker (202,
with the import's status URL). An ``Idempotency-Key`` makes a retry return the first answer.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from api.models import ApiKey, MilestoneBatch
from api.problems import ApiProblem, json_pointer
from api.schemas import MilestoneBatchIn
from api.selectors import MAX_PROBLEMS_SHOWN, import_detail_out, row_problem
from measures.milestones.files import FileRefused
from measures.milestones.files.validation import header_key, milestone_lookup, refuse_identifying_headers
from measures.milestones.imports import (
    milestone_import_claim_commit,
    milestone_import_commit,
    milestone_import_record,
    milestone_import_validate,
)
from measures.milestones.pathway import milestone_specs, pathway_ensure_defaults
from measures.models import MilestoneImport
from pace_hub.background import enqueue
from pace_hub.dates import moment_text

Status = MilestoneImport.Status
LONG_COLUMNS = ("child_ref", "route", "milestone", "date")


@dataclass
class BatchAnswer:
    status: int
    body: dict[str, Any]
    location: str
    replayed: bool = False

    def __post_init__(self) -> None:
        # Stored for replay in a JSON field: codes and times as the API writes them.
        self.body = json.loads(json.dumps(self.body, cls=DjangoJSONEncoder))


def body_digest(body: Any) -> str:
    """SHA-256 of the body as canonical JSON (key order and spacing do not count)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_count(batch: MilestoneBatchIn) -> int:
    """How many milestone dates the batch holds (a wide row holds one per given date)."""
    if batch.records is not None:
        return len(batch.records)
    return sum(sum(1 for value in child.dates.values() if value not in (None, "")) for child in batch.children)


def milestone_batch_submit(
    *, key: ApiKey, batch: MilestoneBatchIn, digest: str, idempotency_key: str, today: date
) -> BatchAnswer:
    """Check and save a batch (or hand it to the worker), or replay the first answer to the same
    Idempotency-Key. Raises ``ApiProblem`` for a batch refused before it becomes an import."""
    if idempotency_key:
        replay = _replay(key, idempotency_key, digest)
        if replay is not None:
            return replay
    count = record_count(batch)
    _check_size(batch, count)
    layout = MilestoneBatch.Layout.RECORDS if batch.records is not None else MilestoneBatch.Layout.CHILDREN
    organisation = key.organisation
    pathway_ensure_defaults(organisation)
    if layout == MilestoneBatch.Layout.CHILDREN:
        _check_wide_keys(key, batch)

    record = _claim(key, layout, idempotency_key, digest, count)
    if record is None:  # a concurrent request with the same key got there first
        return _replay(key, idempotency_key, digest)
    try:
        content = _as_csv(batch)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        upload = ContentFile(content, name=f"api-{slugify(key.name)[:60] or 'key'}-{stamp}.csv")
        asynchronous = count > settings.API_SYNC_MAX_RECORDS
        with transaction.atomic():
            milestone_import = milestone_import_record(organisation=organisation, user=None, upload=upload)
            MilestoneBatch.objects.filter(pk=record.pk).update(milestone_import=milestone_import)
            if asynchronous:
                milestone_import.progress_message = "Waiting for the worker to check the batch"
                milestone_import.save(update_fields=["progress_message"])
                enqueue("api.tasks.milestone_batch_process_task", milestone_import.pk)
        if asynchronous:
            milestone_import.refresh_from_db()
            answer = BatchAnswer(202, import_detail_out(milestone_import), _status_url(milestone_import))
        else:
            milestone_batch_process(milestone_import=milestone_import, today=today, charts_in_worker=True)
            milestone_import.refresh_from_db()
            answer = _answer_for(milestone_import)
    except BaseException:
        # Nothing was answered: let a retry with the same Idempotency-Key start afresh.
        MilestoneBatch.objects.filter(pk=record.pk).delete()
        raise
    MilestoneBatch.objects.filter(pk=record.pk).update(response_status=answer.status, response_body=answer.body)
    return answer


def milestone_batch_process(
    *, milestone_import: MilestoneImport, today: date, charts_in_worker: bool = False
) -> MilestoneImport:
    """Check a pushed batch and, if it has no errors, save it: the upload's two services in a
    row (the worker runs this for large batches). Safe to run again, as tasks may be: each
    service leaves an import alone that is past its step. ``charts_in_worker`` (a batch saved
    in its request): the derived measures are left to the worker, as after an upload."""
    milestone_import = milestone_import_validate(milestone_import=milestone_import, today=today)
    if milestone_import.status == Status.VALIDATED:
        # Refused only when another run of this task claimed it first: the commit is then a no-op.
        with contextlib.suppress(ValidationError):
            milestone_import_claim_commit(milestone_import=milestone_import)
        milestone_import.refresh_from_db()
    return milestone_import_commit(milestone_import=milestone_import, today=today, charts_in_worker=charts_in_worker)


# Before the batch becomes an import ----------------------------------------------------------


def _check_size(batch: MilestoneBatchIn, count: int) -> None:
    limit = settings.API_BATCH_MAX_RECORDS
    if count == 0:
        field = "records" if batch.records is not None else "children"
        raise ApiProblem(
            422, "empty_batch", "The batch is empty", f"'{field}' holds no milestone dates; nothing was saved."
        )
    if count > limit:
        raise ApiProblem(
            413,
            "batch_too_large",
            "The batch is too large",
            f"The batch holds {count:,} milestone dates; at most {limit:,} are accepted in one request. "
            "Split it into several batches; nothing was saved.",
        )


def _check_wide_keys(key: ApiKey, batch: MilestoneBatchIn) -> None:
    """A wide row's date keys are a spreadsheet's column headers: identifying headers refuse the
    batch as they refuse a file, and a key that is no milestone is an unknown field (a file would
    only be warned about an unknown column, but an API client has made a mistake)."""
    keys = list(dict.fromkeys(name for child in batch.children for name in child.dates))
    try:
        refuse_identifying_headers(keys)
    except FileRefused as refusal:
        raise ApiProblem(422, "identifying_data", "The batch was refused", str(refusal)) from None
    lookup = milestone_lookup(milestone_specs(key.organisation))
    errors = []
    for index, child in enumerate(batch.children):
        for name in child.dates:
            if header_key(name) not in lookup:
                errors.append(
                    {
                        "pointer": json_pointer(["children", index, "dates", name]),
                        "source": "body",
                        "message": f"'{name}' is not a milestone of your pathway (see GET /api/v1/pathway/).",
                    }
                )
    if errors:
        raise ApiProblem(
            422,
            "unknown_field",
            "The batch has unknown fields",
            f"{len(errors)} date keys are not milestones of your pathway; nothing was saved.",
            errors=errors[:MAX_PROBLEMS_SHOWN],
        )


def _as_csv(batch: MilestoneBatchIn) -> bytes:
    """The batch as the CSV a data lead would upload."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if batch.records is not None:
        writer.writerow(LONG_COLUMNS)
        for item in batch.records:
            writer.writerow([item.child_ref, item.route or "", item.milestone, item.date])
    else:
        names = list(dict.fromkeys(name for child in batch.children for name in child.dates))
        writer.writerow(["child_ref", "route", *names])
        for child in batch.children:
            writer.writerow([child.child_ref, child.route or "", *(child.dates.get(name) or "" for name in names)])
    return buffer.getvalue().encode()


# Idempotency ---------------------------------------------------------------------------------


def _claim(key: ApiKey, layout: str, idempotency_key: str, digest: str, count: int) -> MilestoneBatch | None:
    """Record the batch before its work starts, so that a concurrent retry with the same
    Idempotency-Key waits for this one's answer instead of saving it twice."""
    try:
        with transaction.atomic():
            return MilestoneBatch.objects.create(
                organisation=key.organisation,
                key=key,
                layout=layout,
                idempotency_key=idempotency_key,
                body_digest=digest,
                records=count,
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        return None


def _replay(key: ApiKey, idempotency_key: str, digest: str) -> BatchAnswer | None:
    window = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    # A key older than the window may be used again.
    MilestoneBatch.objects.filter(key=key, idempotency_key=idempotency_key, created_at__lt=window).update(
        idempotency_key=""
    )
    first = (
        MilestoneBatch.objects.filter(key=key, idempotency_key=idempotency_key)
        .select_related("milestone_import")
        .first()
    )
    if first is None:
        return None
    if first.body_digest != digest:
        raise ApiProblem(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key was used for another batch",
            f"A batch with a different body was sent with Idempotency-Key '{idempotency_key}' on "
            f"{moment_text(first.created_at)}. Use a new key for a new batch; "
            "nothing was saved.",
        )
    if first.response_status is None:
        raise ApiProblem(
            409,
            "idempotent_request_in_progress",
            "The first request with this Idempotency-Key is still being handled",
            "Wait for it to finish, then send the request again to get its answer.",
            headers={"Retry-After": "5"},
        )
    location = _status_url(first.milestone_import) if first.milestone_import else ""
    return BatchAnswer(first.response_status, first.response_body, location, replayed=True)


# Answers ------------------------------------------------------------------------------------


def _status_url(milestone_import: MilestoneImport) -> str:
    return reverse("api_v1:import_detail", args=[milestone_import.code])


def _answer_for(milestone_import: MilestoneImport) -> BatchAnswer:
    """The answer to a batch checked (and saved) during the request."""
    location = _status_url(milestone_import)
    if milestone_import.status == Status.COMMITTED:
        return BatchAnswer(201, import_detail_out(milestone_import), location)
    if milestone_import.status == Status.REFUSED:
        problem = ApiProblem(422, "refused_batch", "The batch was refused", milestone_import.error_message)
        return BatchAnswer(422, {**problem.document(), "instance": location}, location)
    if milestone_import.status == Status.INVALID:
        layout = _layout_of(milestone_import)
        problems = [row_problem(problem, layout) for problem in milestone_import.problems[:MAX_PROBLEMS_SHOWN]]
        errors = milestone_import.error_rows
        problem = ApiProblem(
            422,
            "invalid_batch",
            "The batch has errors",
            f"{errors} of {milestone_import.rows} items have errors, listed with their row and reason; "
            "nothing was saved. Correct them and send the whole batch again.",
            problems=problems,
            problem_count=milestone_import.error_count + milestone_import.warning_count,
        )
        return BatchAnswer(422, {**problem.document(), "instance": location}, location)
    # FAILED: an unexpected fault, logged by the import service; nothing was saved.
    raise ApiProblem(
        500,
        "import_failed",
        "The batch could not be saved",
        milestone_import.error_message or "Saving failed unexpectedly; nothing was changed. Try again.",
        instance=location,
    )


def _layout_of(milestone_import: MilestoneImport) -> str:
    return MilestoneBatch.objects.filter(milestone_import=milestone_import).values_list("layout", flat=True).first()
