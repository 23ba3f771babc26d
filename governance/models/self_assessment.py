"""The PACE self-sufficiency template as a living self-assessment.

The template's sections and questions are shared reference data, loaded by a data migration as
a numbered version: an assessment keeps pointing at the version it was taken against, so a later
rewording never changes what an earlier assessment answered. A question keeps its ``key`` across
versions, which is how a repeat starts from the previous ratings and how two assessments compare.
"""

import calendar
import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from governance.models.meetings import Action
from pace_hub.models import Membership, Team, TenantModel, TenantQuerySet


class Rating(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    STARTED = "started", "Started"
    IN_PLACE = "in_place", "In place"
    EMBEDDED = "embedded", "Embedded"


# A rating's place on the scale, for comparing and for the heat map (0 = not started).
RATING_SCORE = {rating.value: index for index, rating in enumerate(Rating)}


class TemplateQuerySet(models.QuerySet):
    def current(self) -> "AssessmentTemplate":
        """The newest published version. The template is reference data loaded by a data
        migration; a database flushed since (``flush``, a transactional test) loads it again
        rather than leaving every self-assessment page without questions."""
        template = self.order_by("-version").first()
        if template is None:
            import importlib

            from django.apps import apps

            importlib.import_module("governance.migrations.0004_self_assessment_template_v1").load(apps, None)
            template = self.order_by("-version").first()
        return template


class AssessmentTemplate(models.Model):
    """One published version of the template (reference data shared by every organisation)."""

    version = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=300, help_text="Where the wording comes from.")
    published_on = models.DateField()

    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class AssessmentSection(models.Model):
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="assessmentsection_unique_key"),
            models.UniqueConstraint(fields=["template", "order"], name="assessmentsection_unique_order"),
        ]

    def __str__(self) -> str:
        return self.title


class AssessmentQuestion(models.Model):
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(AssessmentSection, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60, help_text="Stable across versions: repeats and comparisons match on it.")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=400, help_text="One thing to rate, in the product's words.")
    template_wording = models.TextField(help_text="The template's own words this question comes from.")
    # The live-data hints shown beside the question (keys of governance.selectors.hints.HINTS).
    hint_keys = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="assessmentquestion_unique_key"),
            models.UniqueConstraint(fields=["section", "order"], name="assessmentquestion_unique_order"),
        ]

    def __str__(self) -> str:
        return self.text


class SelfAssessment(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        COMPLETE = "complete", "Complete"

    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="+")
    taken_on = models.DateField("date taken")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="taken by"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats", verbose_name="started from"
    )
    repeat_months = models.PositiveSmallIntegerField(
        "repeat after (months)", default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    notes = models.TextField(blank=True)
    # What the live-data hints said when the assessment was completed (hint key → hint), so a
    # completed assessment keeps showing the evidence of its day.
    hints_snapshot = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "taken_on"], name="selfassessment_one_per_date"),
            models.CheckConstraint(
                condition=models.Q(repeat_months__gte=1, repeat_months__lte=24), name="selfassessment_repeat_months"
            ),
        ]

    def __str__(self) -> str:
        return f"Self-assessment of {self.taken_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("self_assessment", args=[self.organisation.slug, self.code])

    @property
    def next_due_on(self) -> datetime.date:
        """``repeat_months`` after it was taken (the last day of a shorter month if need be)."""
        index = self.taken_on.year * 12 + self.taken_on.month - 1 + self.repeat_months
        year, month = index // 12, index % 12 + 1
        return datetime.date(year, month, min(self.taken_on.day, calendar.monthrange(year, month)[1]))

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE


class SelfAssessmentAnswer(TenantModel):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(AssessmentQuestion, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    # The rating this question had in the assessment this one started from ("was …").
    previous_rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    evidence = models.TextField(blank=True)
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["question__section__order", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="selfassessmentanswer_one_per_question"),
            models.CheckConstraint(
                condition=models.Q(rating__in=["", *Rating.values]), name="selfassessmentanswer_rating_on_scale"
            ),
            models.CheckConstraint(
                condition=models.Q(previous_rating__in=["", *Rating.values]),
                name="selfassessmentanswer_previous_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.get_rating_display() or 'not rated'}"


class EvidenceLink(TenantModel):
    """A link from an answer to an object in the product (an aim, a cycle, a meeting…).

    The label and page address are kept as they were when linked, so the assessment page shows
    its links without fetching each object (a constant number of queries)."""

    answer = models.ForeignKey(SelfAssessmentAnswer, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300)
    path = models.CharField(max_length=500)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["answer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "content_type", "object_id"], name="evidencelink_one_per_object"),
        ]

    def __str__(self) -> str:
        return self.label
