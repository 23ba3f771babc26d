"""PDSA cycles and feedback: testing change ideas and listening to the people affected."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from pace_hub.models import Membership, TenantModel
from pdsa.models.ideas import ChangeIdea


class PDSACycle(TenantModel):
    class Status(models.TextChoices):
        PLAN = "plan", "Planning"
        DO = "do", "Doing"
        STUDY = "study", "Studying"
        ACT = "act", "Deciding"
        COMPLETE = "complete", "Complete"

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"
        ANOTHER = "another", "Run another cycle"

    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(help_text="Its place in the ramp of cycles.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLAN)
    lead = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Plan
    objective = models.TextField()
    plan_who = models.CharField("who", max_length=300, blank=True)
    plan_what = models.TextField("what", blank=True)
    plan_when = models.CharField("when", max_length=200, blank=True)
    plan_where = models.CharField("where", max_length=200, blank=True)
    data_to_collect = models.TextField(blank=True)
    data_collected_by = models.CharField(max_length=200, blank=True)
    setting = models.CharField("setting or locality", max_length=200, blank=True)
    scale_cases = models.PositiveIntegerField("cases", null=True, blank=True)
    scale_teams = models.PositiveIntegerField("teams", null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # Do
    what_happened = models.TextField(blank=True)
    observations = models.TextField(blank=True)
    problems = models.TextField(blank=True)
    # Study
    learning = models.TextField(blank=True)
    # Act
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    next_steps = models.TextField("what next", blank=True)

    class Meta:
        ordering = ["change_idea", "number"]
        constraints = [
            models.UniqueConstraint(fields=["change_idea", "number"], name="pdsacycle_number_in_ramp"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="pdsacycle_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change_idea} — cycle {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("cycle_detail", args=[self.organisation.slug, self.code])


class Prediction(TenantModel):
    """A question the cycle asks, what we predict, and (at Study) what happened."""

    cycle = models.ForeignKey(PDSACycle, on_delete=models.CASCADE, related_name="predictions")
    question = models.CharField(max_length=300)
    prediction = models.CharField(max_length=300)
    result = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["cycle", "order", "pk"]

    def __str__(self) -> str:
        return self.question


class Feedback(TenantModel):
    class Voice(models.TextChoices):
        CHILD = "child", "Child or young person"
        INFANT = "infant", "Infant or non-verbal child (observed)"
        PARENT = "parent", "Parent"
        CARER = "carer", "Carer"
        COLLEAGUE = "colleague", "Colleague"
        PARTNER = "partner", "Partner agency"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"
        UNSURE = "unsure", "Not sure"

    voice = models.CharField(max_length=10, choices=Voice.choices)
    method = models.CharField("participation method", max_length=200, blank=True)
    received_on = models.DateField()
    how_it_felt = models.TextField("how did it feel?", blank=True)
    easier = models.CharField("easier or more helpful?", max_length=8, choices=Answer.choices, blank=True)
    too_long = models.CharField("did it take too long?", max_length=8, choices=Answer.choices, blank=True)
    text = models.TextField("what they said or what we observed")
    cycle = models.ForeignKey(PDSACycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    change_idea = models.ForeignKey(
        ChangeIdea, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    response = models.TextField('"you said, we did"', blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_voice_display()}, {self.received_on}"
