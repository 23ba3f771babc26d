"""Aims and driver diagrams: what are we trying to accomplish?"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from measures.models import Measure
from pace_hub.models import Membership, Team, TenantModel, TenantQuerySet


class AimQuerySet(TenantQuerySet):
    def active(self) -> "AimQuerySet":
        return self.filter(status=Aim.Status.ACTIVE)


class Aim(TenantModel):
    class Kind(models.TextChoices):
        NATIONAL = "national", "PACE national aim"
        LOCAL = "local", "Local aim"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        RETIRED = "retired", "Retired"

    # The IHI progress scale (0.5–5.0).
    PROGRESS_SCORES = [
        ("0.5", "0.5 — Intent to participate"),
        ("1.0", "1.0 — Forming team"),
        ("1.5", "1.5 — Planning for the project has begun"),
        ("2.0", "2.0 — Activity, but no changes"),
        ("2.5", "2.5 — Changes tested, but no improvement"),
        ("3.0", "3.0 — Modest improvement"),
        ("3.5", "3.5 — Improvement"),
        ("4.0", "4.0 — Significant improvement"),
        ("4.5", "4.5 — Sustainable improvement"),
        ("5.0", "5.0 — Outstanding sustainable results"),
    ]

    title = models.CharField(max_length=200, help_text="A short name for lists and charts.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LOCAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    lead = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_aims")
    aims_group = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="aims")
    # SMART parts; the statement is composed from them.
    population = models.CharField(max_length=300, blank=True, help_text="Who: e.g. children accommodated")
    improvement = models.CharField(
        "what improves",
        max_length=300,
        blank=True,
        help_text="e.g. will have a permanence recommendation within 6 months",
    )
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_label = models.CharField(
        max_length=100, blank=True, help_text='When the baseline was measured, e.g. "in 2025"'
    )
    target_value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True, default="%")
    by_date = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    statement = models.TextField(blank=True)
    outcome_measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcome_of_aims"
    )
    measures = models.ManyToManyField(
        Measure, blank=True, related_name="aims", help_text="Process and balancing measures."
    )
    progress_score = models.CharField("IHI progress score", max_length=3, choices=PROGRESS_SCORES, blank=True)
    review_interval_days = models.PositiveSmallIntegerField(default=90)
    last_reviewed = models.DateField(null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    template = models.CharField(
        "started from template",
        max_length=40,
        blank=True,
        help_text="The key of the aim template it was started from (aims.statements.AIM_TEMPLATES), if any.",
    )

    objects = AimQuerySet.as_manager()

    class Meta:
        ordering = ["status", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(by_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(by_date__gt=models.F("start_date")),
                name="aim_by_date_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("aim_detail", args=[self.organisation.slug, self.code])


class AimVersion(TenantModel):
    """An earlier version of an aim, kept when it is refreshed, with the reason for the change."""

    aim = models.ForeignKey(Aim, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField()
    statement = models.TextField()
    parts = models.JSONField(default=dict, help_text="The SMART parts as they were.")
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["aim", "-version"]
        constraints = [models.UniqueConstraint(fields=["aim", "version"], name="aimversion_unique")]

    def __str__(self) -> str:
        return f"{self.aim} v{self.version}"


class Driver(TenantModel):
    """A node of the driver diagram: primary drivers have no parent, secondary ones do."""

    aim = models.ForeignKey(Aim, on_delete=models.CASCADE, related_name="drivers")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["aim", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_primary(self) -> bool:
        return self.parent_id is None
