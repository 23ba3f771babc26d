"""Governance groups, and the reports built for them (and data packs for meetings).

A report is a frozen snapshot: once built, its figures and charts never change, whatever
happens to the data afterwards; once issued it is read-only.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from aims.models import Aim
from governance.models.meetings import Meeting
from pace_hub.background import stalled
from pace_hub.models import Membership, TenantModel, TenantQuerySet


class GovernanceGroup(TenantModel):
    """A board the leads group reports to, e.g. the Corporate Parenting Board."""

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        SIX_MONTHLY = "six_monthly", "Six-monthly"
        ANNUAL = "annual", "Annual"

    name = models.CharField(max_length=200)
    audience = models.CharField(max_length=300, blank=True, help_text="Who reads the report, e.g. elected members.")
    reporter = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.QUARTERLY)
    due_days_after_period = models.PositiveSmallIntegerField("report due (days after the period ends)", default=21)
    draft_days_before_due = models.PositiveSmallIntegerField("draft built (days before it is due)", default=10)
    # Empty means "every active aim".
    aims = models.ManyToManyField(Aim, blank=True, related_name="governance_groups")
    active = models.BooleanField(default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="governance_group_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance_group", args=[self.organisation.slug, self.code])


class Report(TenantModel):
    class Kind(models.TextChoices):
        GOVERNANCE = "governance", "Governance report"
        DATA_PACK = "data_pack", "Meeting data pack"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the worker"
        RUNNING = "running", "Building"
        DONE = "done", "Built"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    group = models.ForeignKey(GovernanceGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=300, blank=True)
    # Stale-run detection: a "running" report whose heartbeat is old was lost with its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The Celery task building it: the same task delivered again (its worker was killed) takes
    # the build over at once instead of waiting for the heartbeat to grow old.
    build_task_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    # The frozen figures and server-drawn chart SVGs the HTML and PDF are rendered from.
    snapshot = models.JSONField(default=dict, blank=True)
    html_file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pdf_file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    narrative = models.TextField(blank=True)
    asks = models.TextField("asks of the board", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    built_at = models.DateTimeField(null=True, blank=True)
    # Scheduled drafts e-mail the group's reporter a link once built (once: notified_at).
    notify_reporter = models.BooleanField(default=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-created_at"]
        constraints = [
            # Asking twice does not build two: one report per group and period, one pack per meeting.
            models.UniqueConstraint(
                fields=["group", "period_start"],
                condition=models.Q(kind="governance"),
                name="report_one_per_group_and_period",
            ),
            models.UniqueConstraint(
                fields=["meeting"], condition=models.Q(kind="data_pack"), name="report_one_pack_per_meeting"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="governance", group__isnull=False, period_start__isnull=False)
                    | models.Q(kind="data_pack", meeting__isnull=False)
                ),
                name="report_has_its_subject",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("report_detail", args=[self.organisation.slug, self.code])

    @property
    def is_issued(self) -> bool:
        return self.issued_at is not None

    @property
    def is_busy(self) -> bool:
        """Waiting for the worker or being built: the page polls its progress."""
        return self.status in {self.Status.PENDING, self.Status.RUNNING}

    def is_stalled(self, now: datetime.datetime | None = None) -> bool:
        """Running, but silent for BACKGROUND_STALE_AFTER_SECONDS: its worker was lost."""
        return self.status == self.Status.RUNNING and stalled(self.heartbeat_at or self.updated_at, now=now)


def stale_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """A running report whose last heartbeat is older than this was lost with its worker."""
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.BACKGROUND_STALE_AFTER_SECONDS)
