"""The weekly digest: to each member, what is theirs — actions due or overdue, PDSA cycles
waiting for Study or Act, aims they lead that are due for review, milestone data uploads due
(data leads), the self-assessment due (the PACE Lead) and governance reports due (reporters).

Beat asks ``digests_send_weekly`` every Monday; it hands one ``send_digest`` task per member to
the worker. Nothing is sent to a member who switched digests off, who has left, or who has
nothing to hear about; a member never gets two digests for one week."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from aims.models import Aim
from aims.selectors import OPEN_STATUSES, review_due_on
from governance import schedule
from governance.models import Action, DigestDelivery, GovernanceGroup, Report, SelfAssessment
from measures.models import MilestoneImport
from pace_hub.background import enqueue
from pace_hub.models import Membership
from pace_hub.roles import Role
from pdsa.models import PDSACycle

logger = logging.getLogger(__name__)

# What "due" means in a weekly digest: by the end of next week.
LOOKAHEAD_DAYS = 7
SELF_ASSESSMENT_LOOKAHEAD_DAYS = 14
REPORT_LOOKAHEAD_DAYS = 21
WAITING_FOR = {
    PDSACycle.Status.STUDY: "Study (what happened is recorded: what did we learn?)",
    PDSACycle.Status.ACT: "Act (decide: adopt, adapt, abandon or run another cycle)",
}


@dataclass
class DigestItem:
    text: str
    url: str
    overdue: bool = False


@dataclass
class DigestSection:
    title: str
    items: list[DigestItem]


@dataclass
class Digest:
    membership: Membership
    on: datetime.date
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(len(section.items) for section in self.sections)

    @property
    def is_empty(self) -> bool:
        return self.items == 0

    def add(self, title: str, items: list[DigestItem]) -> None:
        if items:
            self.sections.append(DigestSection(title, items))


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _when(due: datetime.date, on: datetime.date) -> str:
    if due < on:
        return f"overdue since {due:%-d %B}"
    if due == on:
        return "due today"
    return f"due {due:%A %-d %B}"


def digest_for(*, membership: Membership, on: datetime.date | None = None) -> Digest:
    """What is this member's this week. A fixed number of queries."""
    on = on or timezone.localdate()
    org = membership.organisation
    digest = Digest(membership, on)
    horizon = on + datetime.timedelta(days=LOOKAHEAD_DAYS)

    actions = (
        Action.objects.for_organisation(org)
        .filter(owner=membership, status=Action.Status.OPEN, due_on__lte=horizon)
        .select_related("meeting")
    )
    digest.add(
        "Your actions due or overdue",
        [
            DigestItem(
                f"{action.description} ({_when(action.due_on, on)})",
                _absolute(
                    action.meeting.get_absolute_url() if action.meeting else reverse("org_home", args=[org.slug])
                ),
                overdue=action.due_on < on,
            )
            for action in actions.order_by("due_on", "pk")
        ],
    )

    cycles = (
        PDSACycle.objects.for_organisation(org)
        .filter(lead=membership, status__in=[PDSACycle.Status.STUDY, PDSACycle.Status.ACT])
        .select_related("organisation", "change_idea")
        .order_by("change_idea__title", "number")
    )
    digest.add(
        "PDSA cycles waiting for Study or Act",
        [
            DigestItem(
                f"{cycle.change_idea.title} — cycle {cycle.number}: waiting for {WAITING_FOR[cycle.status]}",
                _absolute(cycle.get_absolute_url()),
            )
            for cycle in cycles
        ],
    )

    aims = (
        Aim.objects.for_organisation(org)
        .filter(lead=membership, status__in=OPEN_STATUSES)
        .select_related("organisation")
    )
    due_aims = sorted(((review_due_on(aim), aim) for aim in aims), key=lambda pair: (pair[0], pair[1].title))
    digest.add(
        "Aims you lead that are due for review",
        [
            DigestItem(f"{aim.title} (review {_when(due, on)})", _absolute(aim.get_absolute_url()), overdue=due < on)
            for due, aim in due_aims
            if due <= horizon
        ],
    )

    if membership.pk == org.data_lead_id or membership.role == Role.DATA:
        last = (
            MilestoneImport.objects.for_organisation(org)
            .filter(status=MilestoneImport.Status.COMMITTED, committed_at__isnull=False)
            .order_by("-committed_at")
            .values_list("committed_at", flat=True)
            .first()
        )
        interval = org.upload_interval_days
        since = (on - timezone.localdate(last)).days if last else None
        url = _absolute(reverse("milestone_import_new", args=[org.slug]))
        if since is None:
            items = [
                DigestItem(
                    f"No milestone data has been uploaded yet; uploads are expected every {_days(interval)}.", url, True
                )
            ]
        elif since > interval:
            items = [
                DigestItem(
                    f"The last milestone data upload was {_days(since)} ago; "
                    f"uploads are expected every {_days(interval)}.",
                    url,
                    True,
                )
            ]
        else:
            items = []
        digest.add("Milestone data upload due", items)

    pace_lead = org.pace_lead_id == membership.pk or (org.pace_lead_id is None and membership.role == Role.ADMIN)
    if pace_lead:
        latest = SelfAssessment.objects.for_organisation(org).order_by("-taken_on").first()
        url = _absolute(reverse("self_assessments", args=[org.slug]))
        if latest is None:
            items = [DigestItem("The leads group has not taken a self-assessment against the PACE template yet.", url)]
        elif latest.next_due_on <= on + datetime.timedelta(days=SELF_ASSESSMENT_LOOKAHEAD_DAYS):
            items = [
                DigestItem(
                    f"The next self-assessment is {_when(latest.next_due_on, on)} "
                    f"({latest.repeat_months} months after {latest.taken_on:%-d %B %Y}).",
                    url,
                    latest.next_due_on < on,
                )
            ]
        else:
            items = []
        digest.add("Self-assessment due", items)

    groups = list(
        GovernanceGroup.objects.for_organisation(org)
        .filter(reporter=membership, active=True)
        .select_related("organisation")
    )
    if groups:
        issued: dict[int, set[datetime.date]] = {}
        for group_id, start in Report.objects.filter(
            group__in=groups, kind=Report.Kind.GOVERNANCE, issued_at__isnull=False
        ).values_list("group_id", "period_start"):
            issued.setdefault(group_id, set()).add(start)
        items = []
        for group in groups:
            due = schedule.next_due(group, today=on, done=issued.get(group.pk, set()))
            if due.due_on <= on + datetime.timedelta(days=REPORT_LOOKAHEAD_DAYS):
                items.append(
                    DigestItem(
                        f"{group.name}: the report for {due.period.label} is {_when(due.due_on, on)}.",
                        _absolute(group.get_absolute_url()),
                    )
                )
        digest.add("Governance reports due", items)
    return digest


@transaction.atomic
def digest_preference_set(*, membership: Membership, enabled: bool) -> Membership:
    """Switch the member's own weekly digest on or off (kept in the change history)."""
    membership.digests_enabled = enabled
    membership.save(update_fields=["digests_enabled", "updated_at"])
    return membership


# ---- Sending ---------------------------------------------------------------------------------------


def digests_send_weekly(*, on: datetime.date | None = None) -> int:
    """Hand a digest for each member who wants one to the worker. Returns how many were handed over."""
    on = on or timezone.localdate()
    members = list(
        Membership.objects.filter(digests_enabled=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for pk in members:
            enqueue("governance.tasks.send_digest", pk, on.isoformat())
    return len(members)


def digest_send(*, membership_id: int, on: datetime.date) -> str:
    """Send one member's digest for the week of `on`. Returns what happened, in words (a skip
    says why)."""
    membership = Membership.objects.select_related("user", "organisation").filter(pk=membership_id).first()
    if membership is None:
        outcome = f"skipped: membership {membership_id} no longer exists (the member has left the organisation)"
    elif not membership.digests_enabled:
        outcome = f"skipped: {membership} has switched weekly digests off"
    elif not membership.user.is_active or not membership.user.email:
        outcome = f"skipped: {membership} has no active account with an e-mail address"
    elif DigestDelivery.objects.filter(membership=membership, week_of=week_of(on)).exists():
        outcome = f"skipped: {membership} already had this week's digest"
    else:
        digest = digest_for(membership=membership, on=on)
        if digest.is_empty:
            outcome = f"skipped: nothing to tell {membership} this week"
        else:
            try:
                with transaction.atomic():
                    DigestDelivery.objects.create(
                        organisation=membership.organisation,
                        membership=membership,
                        week_of=week_of(on),
                        items=digest.items,
                    )
                    _mail(digest)
            except IntegrityError:
                outcome = f"skipped: {membership} already had this week's digest"
            else:
                outcome = f"sent: {digest.items} item{'s' if digest.items != 1 else ''} to {membership}"
    logger.info("Weekly digest for membership %s: %s", membership_id, outcome)
    return outcome


def _mail(digest: Digest) -> None:
    org = digest.membership.organisation
    context = {
        "digest": digest,
        "org": org,
        "name": digest.membership.user.first_name or digest.membership.display_name,
        "preferences_url": _absolute(reverse("digest_preferences", args=[org.slug])),
        "home_url": _absolute(reverse("org_home", args=[org.slug])),
    }
    message = EmailMultiAlternatives(
        subject=f"Your PACE week: {digest.items} thing{'s' if digest.items != 1 else ''} for {org.name}",
        body=render_to_string("governance/communications/digest_email.txt", context),
        to=[digest.membership.user.email],
    )
    message.attach_alternative(render_to_string("governance/communications/digest_email.html", context), "text/html")
    message.send()
