"""Governance groups' reports and meetings' data packs: asking for one, building it on the
worker, retrying, the narrative, issuing, scheduled drafts and the sweep of lost builds.

A report is a frozen snapshot (governance/reports/snapshot.py). Asking twice for the same
(group, period) or meeting returns the report that exists; a build claims its report first,
so a task delivered twice, or retried after the report was built, does nothing. A build whose
worker was killed is taken over when its task is delivered again; one lost for good leaves its
report "running" with an old heartbeat: the page shows it as stalled, the sweep marks it
failed, and either way it can be retried.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from governance import schedule
from governance.models import GovernanceGroup, Meeting, Report
from governance.models.reports import stale_before
from governance.reports import render, snapshot
from governance.reports.charts import ChartRenderError
from pace_hub.background import enqueue, waiting_for_broker

logger = logging.getLogger(__name__)

Status = Report.Status
BUILD_TASK = "governance.tasks.report_build_task"
EMAIL_TASK = "governance.tasks.report_draft_email_task"
WAITING = "Waiting for the worker"
# Worth another go on the worker: the database or the chart browser had a passing problem.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ChartRenderError, TimeoutError)


class BuildInterrupted(Exception):
    """A passing problem stopped the build; the report is pending again and the task retries."""


# Asking for a report --------------------------------------------------------------------------


def report_title(group: GovernanceGroup, period: schedule.Period) -> str:
    return f"{group.name}: {period.label}"


def data_pack_title(meeting: Meeting) -> str:
    return f"Data pack: {meeting.team.name}, {timezone.localtime(meeting.starts_at):%-d %B %Y}"


def _hand_to_worker(report: Report) -> None:
    """Ask the worker to build the report, once the caller's transaction commits. With the
    broker down the request waits in the outbox and is sent when it is back (pace_hub.background);
    the page says so (``waiting_for_service``)."""
    enqueue(BUILD_TASK, report.pk)


def waiting_for_service(report: Report) -> bool:
    """Whether the build is asked for but the background service could not take it yet."""
    return report.status == Status.PENDING and waiting_for_broker(BUILD_TASK, report.pk) is not None


def report_request(
    *,
    group: GovernanceGroup,
    period_start: datetime.date,
    requested_by: Any,
    notify_reporter: bool = False,
) -> Report:
    """The group's report for the period starting on `period_start`, asked for once: a second
    request returns the report that exists, whatever its state."""
    if not group.active:
        raise ValidationError(f"{group.name} is no longer active; make it active again to build its reports.")
    try:
        period = schedule.period_starting(period_start, group.cadence)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None
    try:
        with transaction.atomic():
            report, created = Report.objects.get_or_create(
                organisation=group.organisation,
                group=group,
                kind=Report.Kind.GOVERNANCE,
                period_start=period.start,
                defaults={
                    "period_end": period.end,
                    "title": report_title(group, period),
                    "requested_by": requested_by,
                    "notify_reporter": notify_reporter,
                    "progress_message": WAITING,
                },
            )
            if created:
                _hand_to_worker(report)
    except IntegrityError:
        # Asked for at the same moment by someone else: theirs is the report.
        report = Report.objects.get(group=group, kind=Report.Kind.GOVERNANCE, period_start=period.start)
    return report


def data_pack_request(*, meeting: Meeting, requested_by: Any) -> Report:
    """The meeting's data pack, built from its agenda. Asking again for a pack that is built (or
    failed) builds it afresh from today's data; one being built is left to finish."""
    try:
        with transaction.atomic():
            report, created = Report.objects.get_or_create(
                organisation=meeting.organisation,
                meeting=meeting,
                kind=Report.Kind.DATA_PACK,
                defaults={"title": data_pack_title(meeting), "requested_by": requested_by, "progress_message": WAITING},
            )
            if created:
                _hand_to_worker(report)
    except IntegrityError:
        report, created = Report.objects.get(meeting=meeting, kind=Report.Kind.DATA_PACK), False
    if not created and (report.status in {Status.DONE, Status.FAILED} or report.is_stalled()):
        report = _requeue(report, requested_by=requested_by)
    return report


def _requeue(report: Report, *, requested_by: Any) -> Report:
    """Back to pending and to the worker: a built, failed or stalled report that is not issued."""
    with transaction.atomic():
        changed = (
            Report.objects.filter(pk=report.pk, issued_at__isnull=True)
            .filter(
                Q(status__in=[Status.DONE, Status.FAILED]) | Q(status=Status.RUNNING, heartbeat_at__lt=stale_before())
            )
            .update(
                status=Status.PENDING,
                progress=0,
                progress_message=WAITING,
                failure_reason="",
                requested_by=requested_by,
                updated_at=timezone.now(),
            )
        )
        if changed:
            _hand_to_worker(report)
    report.refresh_from_db()
    return report


def report_retry(*, report: Report, user: Any) -> Report:
    """Try a failed (or stalled) build again."""
    if report.is_issued:
        raise ValidationError("This report is issued and read-only; it cannot be built again.")
    if report.status == Status.DONE:
        raise ValidationError("This report is already built. Rebuild it to use today's data.")
    if report.status == Status.RUNNING and not report.is_stalled():
        raise ValidationError("This report is being built now; wait for it to finish.")
    if report.status == Status.PENDING:
        raise ValidationError(
            "This report is waiting for the worker already; it is built as soon as the background service takes it."
        )
    return _requeue(report, requested_by=user)


def report_rebuild(*, report: Report, user: Any) -> Report:
    """Build a draft again from today's data (the narrative is kept). Not for issued reports."""
    if report.is_issued:
        raise ValidationError("This report is issued and read-only; it cannot be rebuilt.")
    if report.status != Status.DONE:
        raise ValidationError("Only a built report can be rebuilt; this one is not built yet.")
    return _requeue(report, requested_by=user)


# Building on the worker -----------------------------------------------------------------------


def _claim(report_id: int, task_id: str) -> bool:
    """Take the report for this build: waiting; or running but lost with its worker — its
    heartbeat is old, or this very task was delivered again after its worker was killed. A
    built, failed or issued report, or one a live worker is building, is left alone — which
    makes a repeated task a no-op."""
    now = timezone.now()
    lost = Q(status=Status.RUNNING, heartbeat_at__lt=stale_before(now))
    if task_id:
        lost |= Q(status=Status.RUNNING, build_task_id=task_id)
    return bool(
        Report.objects.filter(pk=report_id, issued_at__isnull=True)
        .filter(Q(status=Status.PENDING) | lost)
        .update(
            status=Status.RUNNING,
            progress=1,
            progress_message="Starting",
            heartbeat_at=now,
            build_task_id=task_id,
            attempts=F("attempts") + 1,
            failure_reason="",
            updated_at=now,
        )
    )


def _progress_recorder(report: Report) -> Callable[[int, str], None]:
    def record(progress: int, message: str) -> None:
        """Progress and a heartbeat, without a history row per step (the page polls this)."""
        now = timezone.now()
        Report.objects.filter(pk=report.pk, status=Status.RUNNING).update(
            progress=min(progress, 99), progress_message=message, heartbeat_at=now, updated_at=now
        )

    return record


def _file_names(report: Report) -> tuple[str, str]:
    stem = f"{report.get_kind_display().lower().replace(' ', '-')}-{report.code}"
    return f"{stem}.html", f"{stem}.pdf"


def _store_documents(report: Report) -> list[str]:
    """Render the report's HTML and PDF from its snapshot and narrative into new files; returns
    the names of the files they replace (to delete once the new ones are recorded)."""
    old = [name for name in (report.html_file.name, report.pdf_file.name) if name]
    html = render.render_html(report)
    pdf = render.render_pdf(html)
    html_name, pdf_name = _file_names(report)
    report.html_file.save(html_name, ContentFile(html.encode("utf-8")), save=False)
    report.pdf_file.save(pdf_name, ContentFile(pdf), save=False)
    return [name for name in old if name not in {report.html_file.name, report.pdf_file.name}]


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def _fail(report: Report, reason: str) -> None:
    Report.objects.filter(pk=report.pk, status=Status.RUNNING).update(
        status=Status.FAILED, progress=100, progress_message="Failed", failure_reason=reason, updated_at=timezone.now()
    )


def report_build(
    *, report_id: int, task_id: str = "", final_attempt: bool = True, today: datetime.date | None = None
) -> Report | None:
    """Build the report on the worker: snapshot, HTML, PDF. Returns None when there was nothing
    to do (already built, issued, failed, or being built by a live worker).

    A passing problem (the database, the chart browser) on an attempt that is not the last puts
    the report back to pending and raises BuildInterrupted, for the task to retry; any other
    failure, or the last attempt's, marks it failed with the reason shown to people.
    """
    if not _claim(report_id, task_id):
        return None
    report = Report.objects.select_related(
        "organisation", "group__organisation", "group__reporter__user", "meeting__team", "meeting__chair__user"
    ).get(pk=report_id)
    today = today or timezone.localdate()
    progress = _progress_recorder(report)
    try:
        if report.kind == Report.Kind.DATA_PACK:
            frozen = snapshot.data_pack_snapshot(report, today=today, progress=progress)
        else:
            frozen = snapshot.governance_snapshot(report, today=today, progress=progress)
        progress(85, "Writing the HTML and the PDF")
        # The narrative may have been written while the figures were gathered.
        report.refresh_from_db(fields=["narrative", "asks"])
        report.snapshot = frozen
        report.built_at = timezone.now()
        replaced = _store_documents(report)
        with transaction.atomic():
            saved = Report.objects.filter(pk=report.pk, status=Status.RUNNING).update(
                status=Status.DONE,
                progress=100,
                progress_message="Built",
                snapshot=frozen,
                html_file=report.html_file.name,
                pdf_file=report.pdf_file.name,
                built_at=report.built_at,
                heartbeat_at=timezone.now(),
                failure_reason="",
                updated_at=timezone.now(),
            )
        if not saved:
            # The sweep gave up on this build meanwhile: its files are not the report's.
            _delete_files([report.html_file.name, report.pdf_file.name])
            return None
        _delete_files(replaced)
    except TRANSIENT_ERRORS as error:
        reason = _reason(error)
        if not final_attempt:
            logger.warning("Report %s: %s; trying again", report.pk, reason)
            Report.objects.filter(pk=report.pk, status=Status.RUNNING).update(
                status=Status.PENDING, progress=0, progress_message=f"Trying again after a problem: {reason}"
            )
            raise BuildInterrupted(reason) from error
        logger.exception("Report %s failed", report.pk)
        _fail(report, reason)
        return report
    except Exception as error:  # noqa: BLE001 - any failure must leave the report failed, with its reason
        logger.exception("Report %s failed", report.pk)
        _fail(report, _reason(error))
        return report
    report.refresh_from_db()
    if report.notify_reporter and report.notified_at is None:
        enqueue(EMAIL_TASK, report.pk)
    return report


def _reason(error: BaseException) -> str:
    if isinstance(error, ChartRenderError):
        return str(error)
    if isinstance(error, DatabaseError):
        return f"The database could not be reached or refused a change ({error})."
    if isinstance(error, TimeoutError):
        return "A step took too long."
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


# The narrative and issuing ----------------------------------------------------------------------


def report_narrative_save(*, report: Report, narrative: str, asks: str) -> Report:
    """Save the reporter's narrative and asks of the board; a built draft's files follow."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",)).select_related("organisation", "issued_by").get(pk=report.pk)
        )
        if report.is_issued:
            raise ValidationError("This report is issued and read-only; its narrative cannot change.")
        report.narrative, report.asks = narrative.strip(), asks.strip()
        replaced = _store_documents(report) if report.status == Status.DONE else []
        report.save()
    _delete_files(replaced)
    return report


def report_issue(*, report: Report, user: Any) -> Report:
    """Issue the built report to its board: it records who and when, renders the HTML and PDF
    one last time from the frozen snapshot and the narrative, and becomes read-only."""
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=report.pk)
        if report.is_issued:
            raise ValidationError(
                f"This report was already issued on {timezone.localtime(report.issued_at):%-d %B %Y}."
            )
        if report.kind != Report.Kind.GOVERNANCE:
            raise ValidationError("Only governance reports are issued; a data pack is read at its meeting.")
        if report.status != Status.DONE:
            raise ValidationError("The report is not built yet; issue it once it is built.")
        if not report.narrative.strip():
            raise ValidationError(
                {"narrative": "Write the narrative before issuing: the board needs your account of the period."}
            )
        report.issued_at, report.issued_by = timezone.now(), user
        replaced = _store_documents(report)
        report.save()
    _delete_files(replaced)
    return report


# Scheduled drafts, e-mail and the sweep --------------------------------------------------------


def report_drafts_schedule(*, today: datetime.date) -> list[Report]:
    """Ask for every active group's draft whose draft day has come (and whose due day has not
    passed), once: groups that already have that period's report are left alone. The reporter
    is e-mailed a link when the draft is built. Returns the reports asked for."""
    created = []
    groups = GovernanceGroup.objects.filter(active=True).select_related("organisation").order_by("pk")
    for group in groups:
        for due in schedule.drafts_due(group, today=today):
            if Report.objects.filter(group=group, kind=Report.Kind.GOVERNANCE, period_start=due.period.start).exists():
                continue
            report = report_request(group=group, period_start=due.period.start, requested_by=None, notify_reporter=True)
            created.append(report)
    return created


def report_draft_email_send(*, report_id: int) -> bool:
    """E-mail the group's reporter a link to the built draft, once. Returns whether it was sent."""
    now = timezone.now()
    report = Report.objects.select_related("organisation", "group__reporter__user").filter(pk=report_id).first()
    if report is None or not report.notify_reporter or report.status != Status.DONE or report.group is None:
        return False
    reporter = report.group.reporter
    if reporter is None or not reporter.user.email:
        return False
    if not Report.objects.filter(pk=report.pk, notified_at__isnull=True).update(notified_at=now):
        return False  # already sent
    due = schedule.due_report(schedule.Period(report.period_start, report.period_end), report.group)
    link = settings.SITE_URL.rstrip("/") + reverse("report_detail", args=[report.organisation.slug, report.code])
    try:
        send_mail(
            subject=f"Draft ready: {report.title}",
            message=(
                f"Hello {reporter.display_name},\n\n"
                f"The draft of {report.title} is built with the figures as they are today. "
                f"It is due on {due.due_on:%A %-d %B %Y}.\n\n"
                f"Read it, write the narrative and the asks of the board, and issue it here:\n{link}\n\n"
                "PACE Hub"
            ),
            from_email=None,
            recipient_list=[reporter.user.email],
        )
    except Exception:
        # Not sent after all: let a retry send it.
        Report.objects.filter(pk=report.pk).update(notified_at=None)
        raise
    return True


def reports_sweep(*, now: datetime.datetime | None = None) -> int:
    """Builds lost with their worker (running, silent for BACKGROUND_STALE_AFTER_SECONDS)
    become failed, with the reason, so that they can be retried. Returns how many."""
    now = now or timezone.now()
    before = stale_before(now)
    lost = 0
    for report in Report.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, updated_at__lt=before)
    ):
        last = timezone.localtime(report.heartbeat_at or report.updated_at)
        lost += Report.objects.filter(pk=report.pk, status=Status.RUNNING, heartbeat_at=report.heartbeat_at).update(
            status=Status.FAILED,
            progress=100,
            progress_message="Stopped",
            failure_reason=(
                "The worker building this report stopped without finishing "
                f"(its last sign of life was at {last:%H:%M} on {last:%-d %B %Y}). Nothing was lost; try again."
            ),
            updated_at=now,
        )
    return lost
