"""Benchmarking across authorities (DESIGN.md §4d): an organisation's choice to share, and the
national table of aggregates that the funnel plots read.

The national table holds aggregates only — per timescale (named by its two milestones' default
codes, never an organisation's own free text) and year: children counted, children within
target, median days. No child-level row ever crosses organisations, and no count of 1–4 is
ever stored (the constraints below refuse one). `measures.milestones.benchmark` is the one
module that reads it across organisations.
"""

import uuid

from django.conf import settings
from django.db import models

from pace_hub.models import TenantModel, TenantRow


class BenchmarkSharing(TenantModel):
    """Whether an organisation shares its aggregates, and whether it is named or lettered."""

    sharing = models.BooleanField("share our aggregates", default=False)
    named = models.BooleanField("show our name to other authorities", default=False)
    # Random, so that the letter an unnamed authority gets says nothing about its name.
    letter_key = models.UUIDField(default=uuid.uuid4, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="benchmarksharing_one_per_organisation")]

    def __str__(self) -> str:
        return f"{self.organisation}: {'sharing' if self.sharing else 'not sharing'}"


class BenchmarkAggregate(TenantRow):
    """One organisation's figures for one timescale and year (the cohort that reached the
    earlier milestone in it). `withheld` rows carry no figures: they say only that this
    organisation's cohort was too small to publish."""

    from_code = models.SlugField(max_length=40)
    to_code = models.SlugField(max_length=40)
    target_days = models.PositiveIntegerField()
    period_start = models.DateField(help_text="1 April of the year (a financial year).")
    period_label = models.CharField(max_length=9, help_text='For example "2024/25".')
    children = models.PositiveIntegerField(null=True, help_text="Children whose outcome is known.")
    within_target = models.PositiveIntegerField(null=True)
    median_days = models.FloatField(null=True, help_text="Kaplan–Meier median, children still waiting included.")
    withheld = models.BooleanField(default=False)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["from_code", "to_code", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "from_code", "to_code", "period_start"],
                name="benchmarkaggregate_one_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(children__isnull=True) | models.Q(children__gte=5),
                name="benchmarkaggregate_no_small_cohort",
            ),
            models.CheckConstraint(
                condition=models.Q(within_target__isnull=True)
                | models.Q(within_target=0)
                | models.Q(within_target__gte=5),
                name="benchmarkaggregate_no_small_within",
            ),
            models.CheckConstraint(
                condition=models.Q(within_target__isnull=True)
                | models.Q(within_target=models.F("children"))
                | models.Q(within_target__lte=models.F("children") - 5),
                name="benchmarkaggregate_no_small_outside",
            ),
            models.CheckConstraint(
                condition=models.Q(withheld=False)
                | (models.Q(children__isnull=True) & models.Q(within_target__isnull=True)),
                name="benchmarkaggregate_withheld_has_no_figures",
            ),
        ]
        indexes = [
            # The national page reads one timescale's rows across organisations.
            models.Index(fields=["from_code", "to_code", "period_start"], name="benchmarkaggregate_national"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.from_code} → {self.to_code} {self.period_label}"
