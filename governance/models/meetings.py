"""Meetings of a team, their agendas, minutes and the actions carried from meeting to meeting."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from aims.models import Aim
from pace_hub.models import Membership, Team, TenantModel, TenantQuerySet
from pdsa.models import ChangeIdea, PDSACycle


class Meeting(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField("date and time")
    ends_at = models.DateTimeField("ends", null=True, blank=True)
    place = models.CharField(max_length=200, blank=True, help_text="Room and building, if it meets in person.")
    online_link = models.URLField("online link", blank=True)
    chair = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # The agenda is finalised once the chair is happy with it: the data pack is built then.
    agenda_finalised_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        # The team's meeting list and "the last meeting of this team before X".
        indexes = [models.Index(fields=["team", "starts_at"], name="meeting_team_starts")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} — {self.starts_at:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.organisation.slug, self.code])


class Attendance(TenantModel):
    """Who was invited to a meeting, and whether they came or sent apologies."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Apologies"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["member__user__first_name", "member__user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_status_display()})"


class AgendaItem(TenantModel):
    class Kind(models.TextChoices):
        STANDING_PACE = "standing_pace", "Standing PACE item"
        AIM_REVIEW = "aim_review", "Aims and data review"
        TESTING = "testing", "Testing reflection (Study and Act)"
        DECISIONS = "decisions", "Implementation decisions awaiting approval"
        IDEAS = "ideas", "Ideas inbox awaiting triage"
        LISTENING = "listening", "Listening: you said, we did"
        ACTIONS = "actions", "Actions carried over"
        AOB = "aob", "Any other business"
        OTHER = "other", "Other item"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="What the group will look at or decide.")
    # One item per aim (aims and data review) or per cycle (testing reflection).
    aim = models.ForeignKey(Aim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cycle = models.ForeignKey(PDSACycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    minutes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Action(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField("due date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    # When the closing was recorded, to the second: "closed since the last meeting" compares it
    # with that meeting's start, which the day alone cannot (closed that morning, before the
    # meeting heard it, or that afternoon, after). Null on actions closed before it was kept.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_note = models.CharField(max_length=500, blank=True)
    aim = models.ForeignKey(Aim, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    change_idea = models.ForeignKey(
        ChangeIdea, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    cycle = models.ForeignKey(PDSACycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        # "My actions" on the home page and the open actions of a team's next agenda.
        indexes = [
            models.Index(fields=["owner", "status"], name="action_owner_status"),
            models.Index(fields=["organisation", "status"], name="action_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True) | ~models.Q(status="open"),
                name="action_open_is_not_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.description
