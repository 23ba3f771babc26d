"""The permanence pathway and each child's milestone dates (DESIGN.md §3).

Children are pseudonymous references chosen by the council; no names, addresses, dates of birth
or case-system ids are ever stored.
"""

import uuid

from django.conf import settings
from django.db import models

from pace_hub.models import Membership, Organisation, TenantModel, TenantQuerySet, TenantRow


class Route(models.TextChoices):
    HOME = "home", "Home (return or stay)"
    KINSHIP = "kinship", "Kinship (s11 / kinship care order)"
    PO = "po", "Permanence order"
    POA = "poa", "Permanence order with authority to adopt"
    ADOPTION = "adoption", "Adoption"


class MilestoneQuerySet(TenantQuerySet):
    def active(self) -> "MilestoneQuerySet":
        return self.filter(active=True)


class Milestone(TenantModel):
    # The milestone's short code ("looked_after"), unique in its organisation, used in uploads
    # and URLs in place of the UUID other rows carry.
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)
    # Who collects this milestone's dates (the template: "is everyone clear on who is responsible?").
    responsible = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones_responsible",
        verbose_name="responsible for collecting it",
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="milestone_unique_code"),
            models.UniqueConstraint(fields=["organisation", "name"], name="milestone_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Timescale(TenantModel):
    from_milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="timescales_from")
    to_milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="timescales_to")
    target_days = models.PositiveIntegerField()
    name = models.CharField(
        max_length=200, blank=True, help_text='For example "Looked after to permanence recommendation".'
    )
    basis = models.CharField(
        max_length=300, blank=True, help_text="Where the target comes from (national aim, regulation, local aim)."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["from_milestone__order", "to_milestone__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "from_milestone", "to_milestone"], name="timescale_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_milestone=models.F("to_milestone")), name="timescale_two_milestones"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.from_milestone} → {self.to_milestone}"


class Child(TenantRow):
    reference = models.CharField(max_length=40, help_text="The council's pseudonymous reference, e.g. C-10234.")
    route = models.CharField(max_length=10, choices=Route.choices, blank=True)

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "children"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="child_unique_reference")]

    def __str__(self) -> str:
        return self.reference


def bulk_row_code() -> models.UUIDField:
    """The UUID every row carries, for bulk rows (hundreds of thousands per upload): not unique
    and not indexed, as they are never addressed by URL and a unique index of random UUIDs is
    the costliest index to keep up when writing them (measured with bench/import.py)."""
    return models.UUIDField(default=uuid.uuid4, editable=False)


class MilestoneDate(TenantRow):
    code = bulk_row_code()
    # No index of its own: the unique (child, milestone) constraint serves lookups by child.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="milestone_dates", db_index=False)
    # No index of its own: the (milestone, date) index serves lookups by milestone.
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="dates", db_index=False)
    date = models.DateField()

    class Meta:
        ordering = ["child", "milestone__order"]
        constraints = [models.UniqueConstraint(fields=["child", "milestone"], name="milestonedate_one_per_child")]
        indexes = [
            # Derived measures read all dates of one milestone in date order.
            models.Index(fields=["milestone", "date"], name="milestonedate_by_milestone"),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.milestone} {self.date}"


class MilestoneImport(TenantModel):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        VALIDATING = "validating", "Checking"
        VALIDATED = "validated", "Checked — ready to commit"
        INVALID = "invalid", "Has errors"
        REFUSED = "refused", "Refused"
        COMMITTING = "committing", "Saving"
        COMMITTED = "committed", "Saved"
        FAILED = "failed", "Failed"
        ROLLING_BACK = "rolling_back", "Rolling back"
        ROLLED_BACK = "rolled_back", "Rolled back"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="milestone_imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    layout = models.CharField(max_length=4, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    new_children = models.PositiveIntegerField(default=0)
    updated_children = models.PositiveIntegerField(default=0)
    unchanged_children = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # The first problems in reading order (at most MAX_PROBLEMS_KEPT), with row and column; the
    # counts of every problem by code are in problem_counts, however many the file has.
    problems = models.JSONField(default=list, blank=True)
    problem_counts = models.JSONField(default=dict, blank=True)
    # What a commit would change, worked out when the file is checked (counts and examples).
    preview = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The worker's last sign of life on the running step (each progress report); a running step
    # silent for BACKGROUND_STALE_AFTER_SECONDS was lost with its worker and can be retried.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times the running step was started: a file that kills its worker every time is
    # failed after BACKGROUND_MAX_ATTEMPTS instead of being handed from worker to worker forever.
    attempts = models.PositiveSmallIntegerField(default=0)

    RUNNING = (Status.UPLOADED, Status.VALIDATING, Status.COMMITTING, Status.ROLLING_BACK)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        """Waiting for or being worked on by the worker."""
        return self.status in self.RUNNING


class ImportChange(TenantRow):
    """One change an import made, so that it can be rolled back: a child it created, a route it
    changed, or a milestone date it set (old_date is null when there was none)."""

    code = bulk_row_code()
    # No index by organisation: change rows are only read through their import.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    milestone_import = models.ForeignKey(MilestoneImport, on_delete=models.CASCADE, related_name="changes")
    # No index of its own: the (child, milestone_import) index serves lookups by child.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", db_index=False)
    # No index: change rows are never looked up by milestone (deleting a milestone scans them,
    # which is rare and done by hand).
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_child = models.BooleanField(default=False)
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField(null=True, blank=True)
    old_route = models.CharField(max_length=10, blank=True)
    new_route = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            # Roll-back checks whether a later import touched the same children.
            models.Index(fields=["child", "milestone_import"], name="importchange_by_child"),
        ]


class PathwaySummary(TenantRow):
    """What the recompute of the derived measures already works out about the whole pathway,
    kept so that the data home shows it without reading every child's dates (one per
    organisation, replaced by each recompute)."""

    completeness_issues = models.PositiveIntegerField(default=0)
    completeness_children = models.PositiveIntegerField(default=0)
    completeness_missing = models.PositiveIntegerField(default=0)
    completeness_order = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "pathway summaries"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="pathwaysummary_one_per_organisation")]

    def __str__(self) -> str:
        return f"{self.completeness_issues} completeness problems ({self.computed_at:%d/%m/%Y %H:%M})"
