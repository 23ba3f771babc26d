"""Communication (a template section): the log of what was shared with whom, the newsletter
drafted from recent learning, and the weekly digests sent to each member."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from pace_hub.models import Membership, TenantModel, TenantQuerySet, TenantRow


class Communication(TenantModel):
    class Channel(models.TextChoices):
        NEWSLETTER = "newsletter", "Newsletter"
        INTRANET = "intranet", "Intranet"
        STANDING_AGENDA = "standing_agenda", "Standing agenda item"
        SERVICE_MEETING = "service_meeting", "Meeting with another service or agency"
        OTHER_AUTHORITIES = "other_authorities", "Other authorities"
        CORPORATE_PARENTING = "corporate_parenting", "Corporate parenting board"
        YOUNG_PEOPLE = "young_people", "Care-experienced young people's group"
        OTHER = "other", "Other"

    date = models.DateField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    audience = models.CharField(max_length=300, help_text="Who it reached, e.g. locality team managers.")
    summary = models.TextField("what was shared")
    links = models.TextField(blank=True, help_text="Addresses of what was shared, one a line.")
    newsletter = models.ForeignKey(
        "Newsletter", null=True, blank=True, on_delete=models.SET_NULL, related_name="communications"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        # The log in date order, and "how often did we reach the board this year" (hints).
        indexes = [models.Index(fields=["organisation", "date"], name="communication_org_date")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}, {self.date:%-d %b %Y}"

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Newsletter(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    title = models.CharField(max_length=200)
    period_start = models.DateField("learning from")
    period_end = models.DateField("learning to")
    intro = models.TextField("introduction", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="newsletter_period_in_order"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(issued_on__isnull=False),
                name="newsletter_issued_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsletter", args=[self.organisation.slug, self.code])


class NewsletterSection(TenantModel):
    """A part of the newsletter. The body is plain text: blank lines separate paragraphs and
    lines starting "- " are list items (the e-mail and PDF draw them as such)."""

    class Kind(models.TextChoices):
        CYCLES = "cycles", "Completed cycles and what they taught"
        CHANGES = "changes", "Changes gone live"
        YOU_SAID = "you_said", "You said, we did"
        AIMS = "aims", "Aims progress"
        OTHER = "other", "Other"

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    heading = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["newsletter", "position", "pk"]

    def __str__(self) -> str:
        return self.heading


class DigestDelivery(TenantRow):
    """One weekly digest sent to one member: never two for the same week."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    week_of = models.DateField(help_text="The Monday of the week it covers.")
    items = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-week_of"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "week_of"], name="digestdelivery_one_per_week"),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.membership} ({self.week_of})"
