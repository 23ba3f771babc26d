"""Change ideas and the ideas inbox: what change can we make?"""

from django.db import models
from django.urls import reverse

from aims.models import Aim, Driver
from pace_hub.models import Membership, TenantModel


class ChangeIdea(TenantModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        TESTING = "testing", "Testing"
        READY = "ready", "Ready to implement"
        IMPLEMENTING = "implementing", "Implementing"
        IMPLEMENTED = "implemented", "Implemented"
        PARKED = "parked", "Parked"
        ABANDONED = "abandoned", "Abandoned"

    class Source(models.TextChoices):
        INBOX = "inbox", "Ideas inbox"
        LEADS_GROUP = "leads_group", "Leads group"
        FEEDBACK = "feedback", "Feedback from children and families"
        OTHER_AUTHORITY = "other_authority", "Another authority"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField("where it came from", max_length=20, choices=Source.choices, default=Source.LEADS_GROUP)
    source_detail = models.CharField(max_length=200, blank=True, help_text="e.g. which authority or meeting")
    lead = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_change_ideas"
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PROPOSED)
    aims = models.ManyToManyField(Aim, blank=True, related_name="change_ideas")
    drivers = models.ManyToManyField(Driver, blank=True, related_name="change_ideas")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("change_idea_detail", args=[self.organisation.slug, self.code])


class IdeaSubmission(TenantModel):
    """The "PACE email box": a barrier or idea from any member, triaged by the leads."""

    class Kind(models.TextChoices):
        BARRIER = "barrier", "A barrier or delay"
        IDEA = "idea", "A change idea"

    class Status(models.TextChoices):
        NEW = "new", "Awaiting triage"
        ACCEPTED = "accepted", "Accepted as a change idea"
        MERGED = "merged", "Merged into an existing change idea"
        DECLINED = "declined", "Declined"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.IDEA)
    what = models.TextField(help_text="What is the barrier or idea?")
    who_affected = models.CharField("who it affects", max_length=300, blank=True)
    submitted_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="idea_submissions")
    anonymous = models.BooleanField(default=False, help_text="Hide my name from the leads group.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    change_idea = models.ForeignKey(
        ChangeIdea, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    decision_reason = models.TextField(blank=True)
    triaged_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decision_reason=""),
                name="ideasubmission_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.what[:60]
