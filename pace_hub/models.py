"""The shared core: organisations, people, agencies, teams and resources.

Every tenant-owned row inherits ``TenantModel``: a direct organisation key, a UUID ``code`` for
URLs, timestamps and a change history.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pace_hub.roles import Role, role_has


class TenantQuerySet(models.QuerySet):
    def for_organisation(self, organisation: "Organisation") -> "TenantQuerySet":
        return self.filter(organisation=organisation)


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    pace_lead = models.ForeignKey(
        "Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="PACE Lead",
    )
    data_lead = models.ForeignKey(
        "Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Data Lead",
    )
    # Data leads are reminded when no milestone upload has been committed for this long.
    upload_interval_days = models.PositiveSmallIntegerField(
        "milestone data upload interval (days)",
        default=31,
        help_text="Data leads get a reminder in their weekly digest when no upload has been committed for longer.",
    )
    child_reference_pattern = models.CharField(
        "child reference format",
        max_length=100,
        blank=True,
        help_text=(
            "The shape every child reference must have, as a regular expression the whole reference must "
            r"match, case ignored: for example ^C-\d{5}$ for C- and five digits. Uploads with other "
            "references show them as errors. Leave blank to accept any pseudonymous reference."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org_home", args=[self.slug])

    def leadership_gaps(self) -> list[str]:
        """What the template calls crucial and the workspace still lacks."""
        gaps = []
        if self.pace_lead_id is None:
            gaps.append("No PACE Lead is named.")
        if self.data_lead_id is None:
            gaps.append("No Data Lead is named.")
        return gaps


class TenantRow(models.Model):
    """A tenant-owned row without per-row history: for bulk data (milestone dates), whose audit
    trail is the import log that wrote it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class TenantModel(TenantRow):
    """A tenant-owned domain row with its change history (who, when, what)."""

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class Agency(TenantModel):
    class Kind(models.TextChoices):
        SOCIAL_WORK = "social_work", "Social work"
        LEGAL = "legal", "Local authority legal"
        SCRA = "scra", "SCRA"
        CHS = "chs", "Children's Hearings Scotland"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        THIRD_SECTOR = "third_sector", "Third sector"
        POLICE = "police", "Police"
        OTHER = "other", "Other"

    class Relationship(models.TextChoices):
        NONE = "none", "None yet"
        EMERGING = "emerging", "Emerging"
        WORKING = "working", "Working"
        STRONG = "strong", "Strong"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    relationship = models.CharField("relationship status", max_length=20, choices=Relationship.choices, default="none")
    contact = models.CharField(max_length=200, blank=True, help_text="Who we talk to there.")
    next_step = models.TextField(blank=True, help_text="What we will do next to build the relationship.")
    next_step_owner = models.ForeignKey(
        "Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agency_next_steps",
        verbose_name="next step owner",
    )
    next_step_due = models.DateField("next step due", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="agency_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    class QISkill(models.TextChoices):
        NONE = "none", "None yet"
        FOUNDATION = "foundation", "Foundation"
        PRACTITIONER = "practitioner", "Practitioner"
        SIL = "sil", "Scottish Improvement Leader"
        ADVISOR = "advisor", "Improvement advisor"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    qi_skill = models.CharField("QI skill level", max_length=20, choices=QISkill.choices, default="none")
    wants_qi_training = models.BooleanField("wants QI training", default=False)
    qi_cpd_interest = models.CharField(
        "QI learning and CPD interest",
        max_length=300,
        blank=True,
        help_text=(
            "What you would like to learn or the training you want, e.g. the Scottish Improvement Leader programme."
        ),
    )
    # Each member can switch the weekly digest of what is theirs off (on by default).
    digests_enabled = models.BooleanField("weekly digest e-mail", default=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_per_user_and_org"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.email or self.user.username

    def can(self, permission: str) -> bool:
        return role_has(self.role, permission)


class Team(TenantModel):
    class Kind(models.TextChoices):
        LEADS = "leads", "Leads group"
        AIMS = "aims", "Aims group"
        DATA = "data", "Data team"
        GOVERNANCE = "governance", "Governance group"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Fortnightly"
        MONTHLY = "monthly", "Monthly"
        SIX_WEEKLY = "six_weekly", "Every six weeks"
        QUARTERLY = "quarterly", "Quarterly"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    meeting_frequency = models.CharField(max_length=20, choices=Frequency.choices, default="monthly")
    chair = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    members = models.ManyToManyField(Membership, blank=True, related_name="teams")
    purpose = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Resource(TenantModel):
    class Kind(models.TextChoices):
        PARTICIPATION = "participation", "Participation toolbox"
        QI_LEARNING = "qi_learning", "QI learning"
        GUIDANCE = "guidance", "Guidance"
        CHANGE_PACKAGE = "change_package", "Change package"

    title = models.CharField(max_length=200)
    url = models.URLField("link", blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(TenantModel):
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Set once the e-mail is handed to the mail server: a task delivered twice sends it once.
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class OutboxTask(models.Model):
    """A piece of background work asked for by a change, saved in the change's transaction.

    ``pace_hub.background`` writes it and sends it to the broker after commit; if the broker is
    down the row waits and the sweep sends it later. The worker marks it done when the task has
    run, so a task lost with the broker's queue is sent again. Not tenant data: ids only.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last handed to the broker (cleared to send it again).
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a worker finished running it.
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The sweep reads the rows not done yet, oldest first.
            models.Index(fields=["created_at"], name="outbox_not_done", condition=models.Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"

    @property
    def celery_id(self) -> str:
        """The Celery task id: the worker finds this row again from it."""
        return f"outbox-{self.pk}"


class ChildDataAccess(TenantRow):
    """Someone opened child-level milestone rows (DESIGN.md §3: who saw which children's data,
    and when). Written by the pages that show such rows; read by admins."""

    class What(models.TextChoices):
        WAITING = "waiting", "Children waiting past target"
        COMPLETENESS = "completeness", "Data completeness"
        IMPORT = "import", "Upload report"
        ANNOTATED = "annotated", "Annotated upload download"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as text too, so the log still says who once the account is deleted.
    user_name = models.CharField(max_length=300)
    what = models.CharField(max_length=20, choices=What.choices)
    detail = models.CharField(max_length=300, blank=True, help_text="Which upload, or which page of the list.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "child data access"
        verbose_name_plural = "child data accesses"
        indexes = [
            # The admins' log page: an organisation's latest accesses first.
            models.Index(fields=["organisation", "-created_at"], name="childdataaccess_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.user_name}: {self.get_what_display()}"
