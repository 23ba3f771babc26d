"""Spread and implementation: where a change idea has been tested, and how a tested change
becomes the way things are done (decision, approvals, change package, readiness, training,
self-audits)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from measures.models import Measure
from pace_hub.models import Membership, Resource, TenantModel
from pdsa.models.ideas import ChangeIdea
from pdsa.models.testing import Feedback, PDSACycle


def _all_voices() -> list[str]:
    return list(Feedback.Voice.values)


class SpreadPlan(TenantModel):
    """Who the change idea affects: the voices we expect feedback from before spreading it."""

    change_idea = models.OneToOneField(ChangeIdea, on_delete=models.CASCADE, related_name="spread_plan")
    affected_voices = models.JSONField(default=_all_voices, blank=True)

    def __str__(self) -> str:
        return f"Spread plan for {self.change_idea}"


class SpreadLocality(TenantModel):
    """A setting or locality the idea should reach, added by hand (cycles add their own)."""

    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.CASCADE, related_name="spread_localities")
    name = models.CharField("setting or locality", max_length=200)

    class Meta:
        ordering = ["change_idea", "name"]
        constraints = [
            models.UniqueConstraint(fields=["change_idea", "name"], name="spreadlocality_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Implementation(TenantModel):
    """A change idea the group decided to implement, and its change package."""

    change_idea = models.OneToOneField(ChangeIdea, on_delete=models.CASCADE, related_name="implementation")
    # The group's decision
    decided_on = models.DateField("date of the decision")
    meeting = models.CharField("meeting", max_length=200, help_text="Which meeting agreed it, e.g. leads group.")
    decision_text = models.TextField("what the group agreed")
    evidence_cycles = models.ManyToManyField(PDSACycle, blank=True, related_name="+", verbose_name="PDSA cycles")
    evidence_feedback = models.ManyToManyField(Feedback, blank=True, related_name="+", verbose_name="feedback")
    evidence_measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="chart"
    )
    decided_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    # The change package
    flowchart = models.FileField(upload_to="flowcharts/%Y/", blank=True)
    flowchart_type = models.CharField(max_length=40, blank=True)
    guidance_what = models.TextField("what the new process or practice is", blank=True)
    guidance_why = models.TextField("why it is being introduced", blank=True)
    contacts = models.TextField("who to contact for more information", blank=True)
    resources = models.ManyToManyField(Resource, blank=True, related_name="+", verbose_name="resources")
    start_date = models.DateField(null=True, blank=True, help_text="When the new way of working starts.")
    # Progress
    started_on = models.DateField(null=True, blank=True)
    live_on = models.DateField("went live on", null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(live_on__isnull=True) | models.Q(started_on__isnull=False),
                name="implementation_live_after_started",
            ),
        ]

    def __str__(self) -> str:
        return f"Implementation of {self.change_idea}"

    def get_absolute_url(self) -> str:
        return reverse("implementation_detail", args=[self.organisation.slug, self.change_idea.code])


class Approval(TenantModel):
    class Decision(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="implementation_approvals")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["implementation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "approver"], name="approval_one_per_approver"),
            models.CheckConstraint(
                condition=~models.Q(decision="declined") | ~models.Q(comment=""),
                name="approval_decline_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver}: {self.get_decision_display()}"


class ReadinessItem(TenantModel):
    class Area(models.TextChoices):
        STANDARDISATION = "standardisation", "Standardisation of the approach"
        DOCUMENTATION = "documentation", "Documentation"
        TRAINING = "training", "Training"
        MEASUREMENT = "measurement", "Measurement"
        RESOURCING = "resourcing", "Resourcing"

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="readiness")
    area = models.CharField(max_length=16, choices=Area.choices)
    done = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["implementation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "area"], name="readiness_one_per_area"),
        ]

    def __str__(self) -> str:
        return self.get_area_display()


class TrainingRecord(TenantModel):
    class Kind(models.TextChoices):
        AWARENESS = "awareness", "Awareness"
        TRAINING = "training", "Training"
        COACHING = "coaching", "Coaching"

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="training")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AWARENESS)
    date = models.DateField()
    audience = models.CharField(max_length=200, help_text="e.g. locality social work teams, panel members")
    count = models.PositiveIntegerField("people reached")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["implementation", "-date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.audience} on {self.date}"


class SelfAudit(TenantModel):
    """A periodic check that the new practice is being followed."""

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="audits")
    due_on = models.DateField("due date")
    done_on = models.DateField("done on", null=True, blank=True)
    result_percent = models.FloatField(
        "result (% following the new practice)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    findings = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["implementation", "due_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result_percent__isnull=True)
                | (models.Q(result_percent__gte=0) & models.Q(result_percent__lte=100)),
                name="selfaudit_result_is_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(result_percent__isnull=True) | models.Q(done_on__isnull=False),
                name="selfaudit_result_needs_done_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Self-audit due {self.due_on}"
