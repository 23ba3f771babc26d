"""The permanence pathway and each child's milestone dates (DESIGN.md §3).

Children are pseudonymous references chosen by the council; no names, addresses, dates of birth
or case-system ids are ever stored.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from pace_hub.dates import moment_text
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


def date_text(day: date) -> str:
    """How a milestone date is kept in a child's ``dates`` map (ISO, so that text order is date order)."""
    return day.isoformat()


def date_from_text(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class Child(TenantRow):
    # No database constraint and no index of its own (db_constraint=False, db_index=False): the
    # deferred check of the key cost about a second at the COMMIT of 100,000 children
    # (measured with bench/import.py), and the (organisation, reference) index serves every read
    # by organisation. Its integrity is the code's, as for ImportChange: children are written by
    # imports under the organisation's lock with the import's own organisation, and deleting an
    # organisation goes through Django's cascade (on_delete stays CASCADE, which Django runs).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # Not unique, not indexed (see ``bulk_row_code``): children are written 100,000 at a time and
    # never addressed by URL.
    code = models.UUIDField(default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=40, help_text="The council's pseudonymous reference, e.g. C-10234.")
    route = models.CharField(max_length=10, choices=Route.choices, blank=True)
    # The child's milestone dates, {milestone code: "YYYY-MM-DD"}: one row per child, written in
    # bulk by imports (a row per date cost 8× a plain COPY of the same data, issue 16). Milestone
    # codes never change once made (the pathway service and the admin refuse it), and deleting a
    # milestone removes its code from every child's map (see ``milestone_forget_dates``).
    dates = models.JSONField(default=dict, blank=True)
    # The import that created the child, which rolling it back deletes (null for a child made
    # otherwise). Kept on the child's own row rather than as a change row per child created (a
    # second 100,000-row insert for a first upload; issue 16). No database constraint, as above;
    # deleting the import (only with its organisation) clears it through Django.
    created_by_import = models.ForeignKey(
        "MilestoneImport",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "children"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="child_unique_reference")]

    def __str__(self) -> str:
        return self.reference

    def milestone_date(self, code: str) -> date | None:
        return date_from_text(self.dates.get(code))


def bulk_row_code() -> models.UUIDField:
    """The UUID every row carries, for bulk rows (hundreds of thousands per upload): not unique
    and not indexed, as they are never addressed by URL and a unique index of random UUIDs is
    the costliest index to keep up when writing them (measured with bench/import.py)."""
    return models.UUIDField(default=uuid.uuid4, editable=False)


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
    """What an import changed about one child it did not create, so that it can be rolled back:
    one row per child it changed (not one per date), written in bulk with the children.

    ``old_dates``/``new_dates`` hold only the dates it set, {code: "YYYY-MM-DD"}, with null in
    ``old_dates`` for a date the child did not have; a route it changed is in ``old_route`` and
    ``new_route`` (both blank when it did not). A child it created has no change row: the child
    records it (``Child.created_by_import``) and is rolled back by being deleted."""

    code = bulk_row_code()
    # The three keys have no database constraint (db_constraint=False), so a commit does not
    # pay three deferred checks per child at COMMIT (measured with bench/import.py: about a
    # third of the database's share of a commit). Their integrity is the code's: change rows are
    # written only by the import's commit, in the transaction that wrote or read the children,
    # under the organisation's lock, with the import's own organisation and the keys of that
    # organisation's children; every delete that reaches them goes through Django's cascade
    # (on_delete stays CASCADE, which Django runs, not the database) or, for a roll-back's bulk
    # delete of children, deletes their change rows first (``imports._delete_children``).
    # No index by organisation: change rows are only read through their import.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    milestone_import = models.ForeignKey(
        MilestoneImport, on_delete=models.CASCADE, related_name="changes", db_constraint=False
    )
    # No index of its own: the (child, milestone_import) index serves lookups by child.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    old_route = models.CharField(max_length=10, blank=True)
    new_route = models.CharField(max_length=10, blank=True)
    old_dates = models.JSONField(default=dict, blank=True)
    new_dates = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            # Roll-back checks whether a later import touched the same children.
            models.Index(fields=["child", "milestone_import"], name="importchange_by_child"),
        ]

    @property
    def route_changed(self) -> bool:
        return self.old_route != self.new_route


class PathwaySummary(TenantRow):
    """Everything the milestone data pages show as counts, worked out once by the worker (after
    each commit, roll-back and pathway change, and each morning for "waiting as of today") and
    read by the pages, so that no page reads every child's dates to show a count (one per
    organisation, replaced by each refresh)."""

    completeness_issues = models.PositiveIntegerField(default=0)
    completeness_children = models.PositiveIntegerField(default=0)
    completeness_missing = models.PositiveIntegerField(default=0)
    completeness_order = models.PositiveIntegerField(default=0)
    # Per usable timescale, by its id as text: {"waiting": n, "by_route": {route: n}} — children
    # past the target without the later milestone on ``as_of``.
    timescales = models.JSONField(default=dict, blank=True)
    # The day the waiting counts are for; a page that finds an earlier day shows "as of" it and
    # asks the worker for a refresh (once a day: ``refresh_requested_on``).
    as_of = models.DateField(null=True, blank=True)
    refresh_requested_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "pathway summaries"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="pathwaysummary_one_per_organisation")]

    def __str__(self) -> str:
        return f"{self.completeness_issues} completeness problems ({moment_text(self.computed_at)})"

    def waiting(self, timescale: Timescale) -> int | None:
        """Children waiting past the timescale's target, or None if it was not counted (a
        timescale added since the last refresh)."""
        counted = self.timescales.get(str(timescale.pk))
        return None if counted is None else counted["waiting"]

    def waiting_by_route(self, timescale: Timescale) -> dict[str, int]:
        counted = self.timescales.get(str(timescale.pk))
        return {} if counted is None else counted["by_route"]


class CompletenessProblem(TenantRow):
    """One data completeness problem (a child's missing earlier milestone, or a date out of
    pathway order), kept by the summary refresh with the counts of ``PathwaySummary`` and
    replaced by each refresh, so that the completeness page reads a page of rows (by
    ``position``) and the CSV streams them instead of working out every child's problems in
    the request (120× a trivial page at 100,000 children, issue 16). As of the summary's
    ``computed_at``."""

    code = bulk_row_code()
    # No index by organisation alone: the (organisation, position) index serves every read. No
    # database constraint (as for WaitingRow): the refresh writes these rows in bulk under the
    # organisation's lock with its own key, and Django cascades the deletes.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # The problem's place in the list (0, 1, …: by child reference, missing dates first), so a
    # page is a range of positions, whatever its number.
    position = models.PositiveIntegerField()
    reference = models.CharField(max_length=40)
    kind = models.CharField(max_length=7, choices=[("missing", "Missing earlier milestone"), ("order", "Out of order")])
    text = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "position"], name="completeness_by_position")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.text}"


class WaitingRow(TenantRow):
    """One child waiting past a timescale's target on the summary's ``as_of`` day, kept by the
    summary refresh with the waiting counts and replaced by each refresh (after every change to
    the dates, and each morning), so that the waiting page reads a page of rows by ``position``
    (longest wait first) instead of every child's dates (16× a trivial page at 100,000 children,
    issue 16). The days waiting are worked out from ``since`` when shown."""

    code = bulk_row_code()
    # The keys have no database constraint: the refresh writes tens of thousands of these rows
    # at a time, under the organisation's lock, with its own keys and those of its timescales,
    # and the deferred check of each key at COMMIT was a second's work at 100,000 children
    # (bench/import.py, issue 16). Deletes reach them through Django's cascade (or the
    # refresh's own delete).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # No index of its own: the (timescale, position) index serves every read.
    timescale = models.ForeignKey(
        Timescale, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    position = models.PositiveIntegerField()
    reference = models.CharField(max_length=40)
    route = models.CharField(max_length=10, choices=Route.choices, blank=True)
    since = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["timescale", "position"], name="waiting_by_position")]

    def __str__(self) -> str:
        return f"{self.reference}: waiting since {self.since}"


@receiver(pre_delete, sender=Milestone)
def milestone_forget_dates(sender, instance: Milestone, origin=None, **kwargs) -> None:
    """Deleting a milestone deletes its dates, as the row per date did by cascade: its code is
    taken out of every child's map, so that a milestone made later with the same code starts
    empty. (Skipped when the whole organisation is being deleted, children and all.)"""
    if isinstance(origin, Organisation):
        return
    changed = []
    children = Child.objects.filter(organisation_id=instance.organisation_id, dates__has_key=instance.code)
    for child in children.order_by().only("pk", "dates").iterator(chunk_size=2000):
        del child.dates[instance.code]
        changed.append(child)
    Child.objects.bulk_update(changed, ["dates"], batch_size=2000)
