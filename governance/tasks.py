"""Background work for governance reports: thin wrappers that take ids and call services.

The build is ``acks_late`` with ``reject_on_worker_lost``: a worker killed mid-build leaves its
message to be delivered again, and that delivery takes the report over (it carries the same
task id); a report whose worker is lost for good is marked failed by the sweep once its
heartbeat is old, and can be retried — never "running" for ever.
"""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from governance.services import reports

BUILD_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(reports.BuildInterrupted, OperationalError),
    max_retries=BUILD_RETRIES,
    retry_backoff=15,
    # Without jitter: a jittered countdown may be 0, an instant retry that defeats the back-off.
    retry_jitter=False,
)
def report_build_task(self, report_id: int) -> None:
    # Run eagerly (the embedded default, inside a request) a build has one go: a retry would
    # surface as an error page. On a worker it has BUILD_RETRIES more after a passing problem.
    final = self.request.is_eager or self.request.retries >= BUILD_RETRIES
    reports.report_build(report_id=report_id, task_id=self.request.id or "", final_attempt=final)


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=60)
def report_draft_email_task(report_id: int) -> None:
    reports.report_draft_email_send(report_id=report_id)


@shared_task
def report_drafts_schedule_task() -> None:
    reports.report_drafts_schedule(today=timezone.localdate())


@shared_task
def reports_sweep_task() -> None:
    reports.reports_sweep()


# ---- Weekly digests (governance.services.digests) -------------------------------------------


@shared_task
def send_weekly_digests() -> int:
    """Beat, every Monday morning: one digest task per member who wants one."""
    from governance.services import digests

    return digests.digests_send_weekly()


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=60)
def send_digest(membership_id: int, on: str) -> str:
    """One member's digest for the week of `on` (an ISO date); says why when it is skipped."""
    import datetime

    from governance.services import digests

    return digests.digest_send(membership_id=membership_id, on=datetime.date.fromisoformat(on))
