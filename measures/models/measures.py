"""Measures and their data: how will we know that a change is an improvement?"""

import uuid

from django.db import models
from django.urls import reverse

from pace_hub.models import TenantModel, TenantQuerySet


class MeasureQuerySet(TenantQuerySet):
    def active(self) -> "MeasureQuerySet":
        return self.filter(archived=False)


def renew_data_versions(measure_ids) -> None:
    """Give these measures a new chart-cache stamp (measures.chart_cache): one query."""
    ids = sorted({pk for pk in measure_ids if pk is not None})
    if ids:
        Measure.objects.filter(pk__in=ids).update(data_version=uuid.uuid4())


class ChartRowQuerySet(TenantQuerySet):
    """Points, annotations and phases: writes that send no model signals (bulk_create,
    bulk_update, update) renew their measures' chart-cache stamps themselves; saves and deletes
    do it through the signals in measures.chart_cache."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        renew_data_versions(obj.measure_id for obj in objs)
        return objs

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        count = super().bulk_update(objs, *args, **kwargs)
        renew_data_versions(obj.measure_id for obj in objs)
        return count

    def update(self, **kwargs) -> int:
        measure_ids = set(self.order_by().values_list("measure_id", flat=True).distinct())
        count = super().update(**kwargs)
        renew_data_versions(measure_ids | ({kwargs["measure"].pk} if "measure" in kwargs else set()))
        return count

    bulk_create.alters_data = bulk_update.alters_data = update.alters_data = True


class Measure(TenantModel):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        PROCESS = "process", "Process"
        BALANCING = "balancing", "Balancing"

    class Better(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"
        NEUTRAL = "neutral", "Neither"

    class Chart(models.TextChoices):
        RUN = "run", "Run chart"
        XMR = "xmr", "XmR (I chart)"
        P = "p", "P chart (proportion)"
        P_PRIME = "p_prime", "P′ chart (Laney: large denominators)"
        C = "c", "C chart (count of events)"
        U = "u", "U chart (events per exposure)"
        U_PRIME = "u_prime", "U′ chart (Laney: large exposures)"
        G = "g", "G chart (cases or days between rare events)"
        T = "t", "T chart (time between rare events)"

    class RatePer(models.IntegerChoices):
        ONE = 1, "per 1"
        TEN = 10, "per 10"
        HUNDRED = 100, "per 100"
        THOUSAND = 1000, "per 1,000"
        TEN_THOUSAND = 10000, "per 10,000"

    class RuleProfile(models.TextChoices):
        IHI = "ihi", "IHI run chart rules"
        ANHOJ = "anhoj", "Anhøj rules"

    class Period(models.TextChoices):
        WEEK = "week", "Weekly"
        MONTH = "month", "Monthly"
        QUARTER = "quarter", "Quarterly"
        EVENT = "event", "At each event (G and T charts)"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        DERIVED = "derived", "Derived from milestone data"

    class Derivation(models.TextChoices):
        MEDIAN_DAYS = "median_days", "Median days between milestones"
        WITHIN_TARGET = "within_target", "% within target"
        WAITING = "waiting", "Children waiting past target"
        COMPLETENESS = "completeness", "Data completeness"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PROCESS)
    description = models.TextField(blank=True)
    numerator = models.TextField(blank=True, help_text="What is counted (for a proportion, the top of the fraction).")
    denominator = models.TextField(blank=True, help_text="Out of what (the bottom of the fraction), if any.")
    inclusions = models.TextField(blank=True)
    exclusions = models.TextField(blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text='For example "days", "%" or "children".')
    better = models.CharField("better direction", max_length=8, choices=Better.choices, default=Better.UP)
    chart = models.CharField("chart type", max_length=8, choices=Chart.choices, default=Chart.RUN)
    rule_profile = models.CharField(max_length=8, choices=RuleProfile.choices, default=RuleProfile.IHI)
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.MONTH)
    target = models.FloatField(null=True, blank=True)
    # U and U′ charts: rates are shown per this many units of exposure (per 100 children).
    rate_per = models.PositiveIntegerField("rates shown", choices=RatePer.choices, default=RatePer.ONE)
    # G and T charts: what the events are, in the plural, for the readings.
    event_name = models.CharField(
        "the events", max_length=80, blank=True, help_text='In the plural, e.g. "placement disruptions".'
    )
    baseline_points = models.PositiveSmallIntegerField(
        "baseline length",
        null=True,
        blank=True,
        help_text="Freeze the centre line on the first N points; blank uses every point.",
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    # Derived measures: which timescale and what is computed from it (DESIGN.md §3).
    timescale = models.ForeignKey(
        "measures.Timescale", null=True, blank=True, on_delete=models.CASCADE, related_name="measures"
    )
    derivation = models.CharField(max_length=16, choices=Derivation.choices, blank=True)
    archived = models.BooleanField(default=False)
    # The chart cache's version stamp (measures.chart_cache): a new value whenever the measure,
    # its points, annotations or phases change, so that a cached chart is never read again
    # after a write. Set by save() and by measures.chart_cache.measures_changed().
    data_version = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["timescale", "derivation"],
                condition=models.Q(source="derived"),
                name="measure_one_derivation_per_timescale",
            ),
            models.CheckConstraint(
                condition=models.Q(source="manual") | (models.Q(timescale__isnull=False) & ~models.Q(derivation="")),
                name="measure_derived_has_timescale",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Any change to the measure's own settings (chart type, target, direction…) redraws it.
        self.data_version = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "data_version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("measure_detail", args=[self.organisation.slug, self.code])

    @property
    def data_kind(self) -> str:
        """What each data point holds, from the chart: "proportion" (numerator out of a
        denominator), "rate" (count and exposure), "count", "event" (days or cases between
        events) or "value"."""
        return data_kind_of(self.chart)


def data_kind_of(chart: str) -> str:
    """The data a chart type needs from each point (see Measure.data_kind)."""
    if chart in (Measure.Chart.P, Measure.Chart.P_PRIME):
        return "proportion"
    if chart in (Measure.Chart.U, Measure.Chart.U_PRIME):
        return "rate"
    if chart == Measure.Chart.C:
        return "count"
    if chart in (Measure.Chart.G, Measure.Chart.T):
        return "event"
    return "value"


class DataPoint(TenantModel):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    period = models.DateField(help_text="The first day of the week, month or quarter.")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    astronomical = models.BooleanField(default=False, help_text="Marked by a person as an astronomical point.")
    provisional = models.BooleanField(
        default=False, help_text="Derived month still open: not every child has reached the milestone or the target."
    )

    objects = ChartRowQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="datapoint_one_per_period"),
            models.CheckConstraint(
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gte=0),
                name="datapoint_denominator_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.period:%b %Y}"


class Annotation(TenantModel):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="annotations")
    date = models.DateField()
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=500, blank=True, help_text="A page in PACE Hub or elsewhere.")
    # Set when another part of the product made this annotation (e.g. "pdsa-cycle:<code>:start"),
    # so that it can update it instead of adding another. Blank for annotations made by people.
    source_key = models.CharField(max_length=120, blank=True, db_index=True)

    objects = ChartRowQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "source_key"],
                condition=~models.Q(source_key=""),
                name="annotation_one_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.text}"


class Phase(TenantModel):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="phases")
    start = models.DateField(help_text="The first period of the new phase.")
    reason = models.CharField(max_length=300)
    baseline_points = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = ChartRowQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "start"]
        constraints = [models.UniqueConstraint(fields=["measure", "start"], name="phase_one_per_start")]

    def __str__(self) -> str:
        return f"{self.measure}: phase from {self.start}"
