"""Live-data hints shown beside the self-assessment's questions: numbers computed from the
product, never typed. Each hint says where its number comes from and links there.

``hints_for(organisation)`` computes every hint in a fixed number of queries, whatever the size
of the organisation (the self-assessment page asserts it). A hint that counts children keeps a
second text for viewers with counts of 1–4 shown as "<5" (``measures.disclosure``).
"""

import datetime
import math
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aims.models import Aim
from aims.selectors import OPEN_STATUSES, is_review_overdue
from governance.models import AgendaItem, Communication, GovernanceGroup, Meeting, Newsletter, Report
from governance.selectors.registers import (
    HELPER_LEVELS,
    PRACTITIONER_OR_ABOVE,
    data_responsibility,
    distributed_leadership,
)
from measures.disclosure import SMALL_COUNT_TEXT, is_small
from measures.models import Child, Milestone, MilestoneImport
from pace_hub.models import Agency, Membership, Organisation, Resource, Team
from pdsa.models import (
    ChangeIdea,
    Feedback,
    IdeaSubmission,
    Implementation,
    PDSACycle,
    PublishedItem,
    ReadinessItem,
    SelfAudit,
)

RECENT_DAYS = 90
HALF_YEAR_DAYS = 183
YEAR_DAYS = 365
# Days between meetings for each frequency a team can set.
MEETING_EVERY_DAYS = {
    Team.Frequency.WEEKLY: 7,
    Team.Frequency.FORTNIGHTLY: 14,
    Team.Frequency.MONTHLY: 365 / 12,
    Team.Frequency.SIX_WEEKLY: 42,
    Team.Frequency.QUARTERLY: 365 / 4,
}
KEY_AGENCY_KINDS = [kind for kind in Agency.Kind if kind not in {Agency.Kind.OTHER, Agency.Kind.POLICE}]
ACTIVE_IDEA_STATUSES = (
    ChangeIdea.Status.PROPOSED,
    ChangeIdea.Status.TESTING,
    ChangeIdea.Status.READY,
    ChangeIdea.Status.IMPLEMENTING,
)
CHILD_VOICES = (Feedback.Voice.CHILD, Feedback.Voice.INFANT)
# Labels as they read inside a sentence.
QI_LEVEL_WORDS = {
    Membership.QISkill.NONE: "none yet",
    Membership.QISkill.FOUNDATION: "foundation",
    Membership.QISkill.PRACTITIONER: "practitioner",
    Membership.QISkill.SIL: "Scottish Improvement Leader",
    Membership.QISkill.ADVISOR: "improvement advisor",
}
LIBRARY_WORDS = {
    PublishedItem.Kind.CHANGE_PACKAGE: "change package",
    PublishedItem.Kind.CYCLE_SUMMARY: "PDSA cycle summary",
}


@dataclass
class Hint:
    key: str
    text: str
    source: str
    url: str = ""
    warning: bool = False
    figures: dict = field(default_factory=dict)
    # The text for people who may not see counts of 1–4 children; empty when it is the same.
    masked_text: str = ""

    def text_for(self, *, hide_small_counts: bool) -> str:
        return self.masked_text if hide_small_counts and self.masked_text else self.text

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Hint":
        return cls(**data)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _child_count(count: int) -> str:
    return SMALL_COUNT_TEXT if is_small(count) else str(count)


def _names(people: list[str], limit: int = 5) -> str:
    shown = ", ".join(people[:limit])
    return shown + (f" and {len(people) - limit} more" if len(people) > limit else "")


class _Hints:
    """Computes the hints; each method is one hint and runs at most a few queries."""

    def __init__(self, organisation: Organisation, today: datetime.date) -> None:
        self.org = organisation
        self.today = today
        self.now = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))

    def url(self, name: str, fragment: str = "") -> str:
        """A page of the organisation, or "" when that page does not exist in this installation."""
        try:
            return reverse(name, args=[self.org.slug]) + fragment
        except NoReverseMatch:
            return ""

    def since(self, days: int) -> datetime.datetime:
        start = datetime.datetime.combine(self.today - datetime.timedelta(days=days), datetime.time.min)
        return timezone.make_aware(start)

    def day(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    # ---- PACE Team/Leads Group -----------------------------------------------------------------

    def leads_named(self) -> Hint:
        people = Membership.objects.select_related("user").in_bulk(
            [pk for pk in (self.org.pace_lead_id, self.org.data_lead_id) if pk]
        )
        pace, data = people.get(self.org.pace_lead_id), people.get(self.org.data_lead_id)
        text = f"PACE Lead: {pace or 'not named'}. Data Lead: {data or 'not named'}."
        return Hint(
            "leads_named",
            text,
            "Organisation settings (shown on the home page)",
            self.url("org_home", "#leads-heading"),
            warning=pace is None or data is None,
            figures={"pace_lead": str(pace) if pace else None, "data_lead": str(data) if data else None},
        )

    def _leads_team(self) -> Team | None:
        if not hasattr(self, "_leads"):
            self._leads = Team.objects.for_organisation(self.org).filter(kind=Team.Kind.LEADS).order_by("name").first()
        return self._leads

    def leads_group(self) -> Hint:
        team = self._leads_team()
        if team is None:
            return Hint("leads_group", "No leads group is set up yet.", "Groups", self.url("teams"), warning=True)
        members = list(team.members.select_related("agency"))
        kinds = sorted({m.agency.get_kind_display() for m in members if m.agency})
        text = f"{team.name}: {_plural(len(members), 'member')} from {_plural(len(kinds), 'kind')} of agency"
        text += f" ({', '.join(kinds)})." if kinds else "."
        return Hint(
            "leads_group",
            text,
            "Groups",
            self.url("teams"),
            warning=len(kinds) < 3,
            figures={"members": len(members), "agency_kinds": kinds},
        )

    def _open_aims(self) -> list[Aim]:
        if not hasattr(self, "_aims"):
            self._aims = list(Aim.objects.for_organisation(self.org).exclude(status=Aim.Status.RETIRED))
        return [aim for aim in self._aims if aim.status in OPEN_STATUSES]

    def aim_leads(self) -> Hint:
        aims = self._open_aims()
        led = sum(1 for aim in aims if aim.lead_id)
        if not aims:
            return Hint("aim_leads", "No open aims yet.", "Aims", self.url("aims"), warning=True)
        return Hint(
            "aim_leads",
            f"{led} of {_plural(len(aims), 'open aim')} have a named lead.",
            "Aims",
            self.url("aims"),
            warning=led < len(aims),
            figures={"led": led, "open": len(aims)},
        )

    def aims_groups(self) -> Hint:
        aims = self._open_aims()
        grouped = sum(1 for aim in aims if aim.aims_group_id)
        groups = Team.objects.for_organisation(self.org).filter(kind=Team.Kind.AIMS).count()
        return Hint(
            "aims_groups",
            f"{grouped} of {_plural(len(aims), 'open aim')} have an aims group; "
            f"{_plural(groups, 'aims group')} set up.",
            "Aims and groups",
            self.url("aims"),
            warning=not aims or grouped < len(aims),
            figures={"grouped": grouped, "open": len(aims), "groups": groups},
        )

    def _held_by_team(self) -> dict[int, int]:
        """Meetings held in the last six months, by team. One query, shared."""
        if not hasattr(self, "_held"):
            self._held = dict(
                Meeting.objects.for_organisation(self.org)
                .filter(status=Meeting.Status.HELD, starts_at__gte=self.since(HALF_YEAR_DAYS), starts_at__lte=self.now)
                .values("team_id")
                .annotate(n=Count("pk"))
                .values_list("team_id", "n")
            )
        return self._held

    @staticmethod
    def expected_meetings(frequency: str, days: int = HALF_YEAR_DAYS) -> int:
        return math.floor(days / MEETING_EVERY_DAYS[frequency])

    def meeting_frequency(self) -> Hint:
        team = self._leads_team()
        if team is None:
            return Hint(
                "meeting_frequency",
                "No leads group is set up, so no meeting frequency is set.",
                "Groups",
                self.url("teams"),
                warning=True,
            )
        held = self._held_by_team().get(team.pk, 0)
        expected = self.expected_meetings(team.meeting_frequency)
        frequency = team.get_meeting_frequency_display().lower()
        return Hint(
            "meeting_frequency",
            f"{team.name} meets {frequency}: {_plural(held, 'meeting')} held in the last six months, "
            f"where {frequency} means {expected}.",
            "Meetings",
            self.url("meetings") or self.url("teams"),
            warning=held < expected,
            figures={"frequency": team.meeting_frequency, "held": held, "expected": expected},
        )

    def aims_group_meetings(self) -> Hint:
        groups = list(Team.objects.for_organisation(self.org).filter(kind=Team.Kind.AIMS))
        if not groups:
            return Hint("aims_group_meetings", "No aims groups are set up.", "Groups", self.url("teams"))
        held = self._held_by_team()
        on_schedule = [g for g in groups if held.get(g.pk, 0) >= self.expected_meetings(g.meeting_frequency)]
        behind = [g.name for g in groups if g not in on_schedule]
        text = f"{len(on_schedule)} of {_plural(len(groups), 'aims group')} met as often as they say"
        text += " in the last six months"
        text += f"; behind: {_names(behind)}." if behind else "."
        return Hint(
            "aims_group_meetings",
            text,
            "Meetings",
            self.url("meetings") or self.url("teams"),
            warning=bool(behind),
            figures={"groups": len(groups), "on_schedule": len(on_schedule)},
        )

    def _held_this_year(self) -> list[dict]:
        """Held meetings of the last year with whether they had data and the standing item."""
        if not hasattr(self, "_year_meetings"):
            items = AgendaItem.objects.filter(meeting=OuterRef("pk"))
            self._year_meetings = list(
                Meeting.objects.for_organisation(self.org)
                .filter(status=Meeting.Status.HELD, starts_at__gte=self.since(YEAR_DAYS), starts_at__lte=self.now)
                .annotate(
                    has_pack=Exists(
                        Report.objects.filter(
                            meeting=OuterRef("pk"), kind=Report.Kind.DATA_PACK, status=Report.Status.DONE
                        )
                    ),
                    has_review=Exists(items.filter(kind=AgendaItem.Kind.AIM_REVIEW)),
                    has_standing=Exists(items.filter(kind=AgendaItem.Kind.STANDING_PACE)),
                    has_testing=Exists(items.filter(kind=AgendaItem.Kind.TESTING)),
                )
                .values("pk", "starts_at", "has_pack", "has_review", "has_standing", "has_testing")
            )
        return self._year_meetings

    def meetings_with_data(self) -> Hint:
        meetings = self._held_this_year()
        with_data = sum(1 for m in meetings if m["has_pack"] or m["has_review"])
        if not meetings:
            return Hint(
                "meetings_with_data",
                "No meetings were held in the last year.",
                "Meetings",
                self.url("meetings"),
                warning=True,
                figures={"with_data": 0, "held": 0},
            )
        share = _percent(with_data, len(meetings))
        return Hint(
            "meetings_with_data",
            f"{with_data} of {_plural(len(meetings), 'meeting')} held in the last year had data "
            f"(a data pack or an aims and data review): {share}%.",
            "Meetings",
            self.url("meetings"),
            warning=share <= 50,
            figures={"with_data": with_data, "held": len(meetings), "percent": share},
        )

    def distributed_leadership(self) -> Hint:
        register = distributed_leadership(self.org, today=self.today)
        url = self.url("leadership_register")
        figures = {
            "leads": register.leads,
            "items": register.items,
            "busiest_share": register.busiest_share,
            "agencies": len(register.by_agency),
        }
        if register.leads == 0:
            return Hint(
                "distributed_leadership",
                "Nobody led a PDSA cycle or change idea in the last 90 days.",
                "Distributed leadership register",
                url,
                warning=True,
                figures=figures,
            )
        work = _plural(register.items, "PDSA cycle or change idea", "PDSA cycles and change ideas")
        if register.single_point_of_failure:
            text = (
                f"Only one person ({register.busiest.membership}) led the {work} of the last 90 days "
                "— a single point of failure."
            )
        else:
            text = (
                f"{register.leads} different people led {work} in the last 90 days, from "
                f"{_plural(len(register.by_agency), 'agency', 'agencies')}; "
                f"the busiest person led {register.busiest_share}%."
            )
        return Hint(
            "distributed_leadership",
            text,
            "Distributed leadership register",
            url,
            warning=register.concentrated,
            figures=figures,
        )

    # ---- Governance ------------------------------------------------------------------------------

    def governance_groups(self) -> Hint:
        groups = list(
            GovernanceGroup.objects.for_organisation(self.org).filter(active=True).select_related("reporter__user")
        )
        url = self.url("governance_dashboard")
        if not groups:
            return Hint("governance_groups", "No governance groups are recorded.", "Governance", url, warning=True)
        parts = [
            f"{g.name} ({g.get_cadence_display().lower()}, reported by {g.reporter or 'nobody named'})" for g in groups
        ]
        return Hint(
            "governance_groups",
            f"{_plural(len(groups), 'governance group')}: {'; '.join(parts)}.",
            "Governance",
            url,
            warning=any(g.reporter_id is None for g in groups),
            figures={"groups": len(groups), "without_reporter": sum(1 for g in groups if g.reporter_id is None)},
        )

    def governance_reports(self) -> Hint:
        issued = (
            Report.objects.for_organisation(self.org)
            .filter(kind=Report.Kind.GOVERNANCE, issued_at__gte=self.since(YEAR_DAYS), issued_at__lte=self.now)
            .count()
        )
        return Hint(
            "governance_reports",
            f"{_plural(issued, 'governance report')} issued in the last year.",
            "Governance reports",
            self.url("governance_dashboard"),
            warning=issued == 0,
            figures={"issued": issued},
        )

    # ---- Relationship building -------------------------------------------------------------------

    def _agencies(self) -> list[Agency]:
        if not hasattr(self, "_agency_rows"):
            self._agency_rows = list(Agency.objects.for_organisation(self.org))
        return self._agency_rows

    def relationships_by_agency(self) -> Hint:
        agencies = self._agencies()
        counts = Counter(agency.relationship for agency in agencies)
        parts = [f"{counts[value]} {label.lower()}" for value, label in reversed(Agency.Relationship.choices)]
        return Hint(
            "relationships_by_agency",
            f"{_plural(len(agencies), 'agency', 'agencies')} on the relationship map: {', '.join(parts)}."
            if agencies
            else "No agencies are on the relationship map yet.",
            "Relationship map",
            self.url("agencies"),
            warning=not agencies,
            figures={value: counts[value] for value in Agency.Relationship.values},
        )

    def relationships_missing(self) -> Hint:
        agencies = self._agencies()
        present = {agency.kind for agency in agencies}
        missing = [Agency.Kind(kind).label for kind in KEY_AGENCY_KINDS if kind not in present]
        weak = [
            agency.name
            for agency in agencies
            if agency.relationship in {Agency.Relationship.NONE, Agency.Relationship.EMERGING}
        ]
        parts = []
        if missing:
            parts.append(f"Not yet on the map: {', '.join(missing)}.")
        if weak:
            parts.append(f"Still to build (none yet or emerging): {_names(weak)}.")
        return Hint(
            "relationships_missing",
            " ".join(parts) or "Every key agency is on the map and none is still to build.",
            "Relationship map",
            self.url("agencies"),
            warning=bool(parts),
            figures={"missing_kinds": missing, "to_build": len(weak)},
        )

    def relationship_next_steps(self) -> Hint:
        to_strengthen = [a for a in self._agencies() if a.relationship != Agency.Relationship.STRONG]
        planned = [a for a in to_strengthen if a.next_step.strip() and a.next_step_owner_id and a.next_step_due]
        overdue = [a for a in planned if a.next_step_due < self.today]
        if not to_strengthen:
            text = "Every relationship on the map is strong." if self._agencies() else "No agencies on the map yet."
        else:
            text = (
                f"{len(planned)} of {_plural(len(to_strengthen), 'relationship')} still to strengthen "
                f"{'has' if len(to_strengthen) == 1 else 'have'} a next step with an owner and a due date"
            )
            text += f"; {len(overdue)} overdue." if overdue else "."
        return Hint(
            "relationship_next_steps",
            text,
            "Relationship map",
            self.url("agencies"),
            warning=len(planned) < len(to_strengthen) or bool(overdue) or not self._agencies(),
            figures={"to_strengthen": len(to_strengthen), "planned": len(planned), "overdue": len(overdue)},
        )

    # ---- Data ------------------------------------------------------------------------------------

    def milestone_uploads(self) -> Hint:
        last = (
            MilestoneImport.objects.for_organisation(self.org)
            .filter(status=MilestoneImport.Status.COMMITTED, committed_at__isnull=False, committed_at__lte=self.now)
            .order_by("-committed_at")
            .values_list("committed_at", flat=True)
            .first()
        )
        interval = self.org.upload_interval_days
        url = self.url("milestone_imports")
        if last is None:
            return Hint(
                "milestone_uploads",
                f"No milestone data upload has been committed yet; the organisation expects one every {interval} days.",
                "Milestone data uploads",
                url,
                warning=True,
                figures={"days_since": None, "interval": interval},
            )
        days = (self.today - timezone.localdate(last)).days
        return Hint(
            "milestone_uploads",
            f"The last milestone data upload was committed {_plural(days, 'day')} ago "
            f"({timezone.localdate(last):%-d %b %Y}); the organisation expects one every {interval} days.",
            "Milestone data uploads",
            url,
            warning=days > interval,
            figures={"days_since": days, "interval": interval},
        )

    def milestone_coverage(self) -> Hint:
        active = list(
            Milestone.objects.for_organisation(self.org).active().order_by("order").values_list("code", "name")
        )
        # One query: whether any child's date map has each code (each EXISTS stops at the first).
        children = Child.objects.for_organisation(self.org).order_by()
        has = {f"has_{index}": Exists(children.filter(dates__has_key=code)) for index, (code, _) in enumerate(active)}
        found = Organisation.objects.filter(pk=self.org.pk).values(**has).first() if active else {}
        milestones = [(name, found[f"has_{index}"]) for index, (_, name) in enumerate(active)]
        missing = [name for name, has in milestones if not has]
        recorded = len(milestones) - len(missing)
        text = f"{recorded} of {_plural(len(milestones), 'active milestone')} have dates recorded"
        text += f"; none yet for: {_names(missing)}." if missing else "."
        return Hint(
            "milestone_coverage",
            text,
            "Milestone data completeness",
            self.url("milestone_completeness"),
            warning=bool(missing) or not milestones,
            figures={"recorded": recorded, "active": len(milestones)},
        )

    def data_responsibility(self) -> Hint:
        register = data_responsibility(self.org)
        total, unassigned = len(register.milestones), len(register.unassigned)
        url = self.url("data_register")
        if register.single_holder is not None:
            text = (
                f"One person, {register.single_holder}, is responsible for collecting every one of the "
                f"{total} active milestones — a single point of failure."
            )
        else:
            text = (
                f"{total - unassigned} of {_plural(total, 'active milestone')} have someone responsible for "
                f"collecting them, shared among {_plural(len(register.holders), 'person', 'people')}."
            )
        return Hint(
            "data_responsibility",
            text,
            "Data responsibility register",
            url,
            warning=register.single_holder is not None or unassigned > 0,
            figures={"assigned": total - unassigned, "active": total, "holders": len(register.holders)},
        )

    def uploaders(self) -> Hint:
        people = list(
            MilestoneImport.objects.for_organisation(self.org)
            .filter(
                status=MilestoneImport.Status.COMMITTED,
                committed_at__gte=self.since(HALF_YEAR_DAYS),
                committed_at__lte=self.now,
                uploaded_by__isnull=False,
            )
            .values_list("uploaded_by__first_name", "uploaded_by__last_name", "uploaded_by__email")
            .distinct()
        )
        names = sorted(f"{first} {last}".strip() or email for first, last, email in people)
        url = self.url("milestone_imports")
        if not names:
            text = "Nobody uploaded milestone data in the last six months."
        elif len(names) == 1:
            text = (
                f"Only one person ({names[0]}) uploaded milestone data in the last six months "
                "\u2014 a single point of failure."
            )
        else:
            text = f"{len(names)} different people uploaded milestone data in the last six months: {_names(names)}."
        return Hint(
            "uploaders", text, "Milestone data uploads", url, warning=len(names) <= 1, figures={"people": len(names)}
        )

    def data_people(self) -> Hint:
        data_role = Membership.objects.for_organisation(self.org).filter(role="data").count()
        team_members = list(
            Membership.objects.for_organisation(self.org)
            .filter(teams__kind=Team.Kind.DATA)
            .distinct()
            .values_list("agency_id", flat=True)
        )
        agencies = len({agency for agency in team_members if agency})
        return Hint(
            "data_people",
            f"{_plural(data_role, 'member')} with the data lead role; the data team has "
            f"{_plural(len(team_members), 'member')} from {_plural(agencies, 'agency', 'agencies')}.",
            "Team",
            self.url("team"),
            warning=data_role + len(team_members) <= 1,
            figures={"data_role": data_role, "data_team": len(team_members), "agencies": agencies},
        )

    # ---- Listening -------------------------------------------------------------------------------

    def _voices(self) -> Counter:
        if not hasattr(self, "_voice_counts"):
            self._voice_counts = Counter(
                dict(
                    Feedback.objects.for_organisation(self.org)
                    .filter(received_on__gte=self.day(RECENT_DAYS), received_on__lte=self.today)
                    .values("voice")
                    .annotate(n=Count("pk"))
                    .values_list("voice", "n")
                )
            )
        return self._voice_counts

    def voices_heard(self) -> Hint:
        counts = self._voices()
        total = sum(counts.values())

        def text(masked: bool) -> str:
            parts = [
                f"{label.lower()} {_child_count(counts[value]) if masked and value in CHILD_VOICES else counts[value]}"
                for value, label in Feedback.Voice.choices
            ]
            return f"{_plural(total, 'piece')} of feedback in the last 90 days: {', '.join(parts)}."

        plain, masked = text(False), text(True)
        return Hint(
            "voices_heard",
            plain if total else "No feedback was recorded in the last 90 days.",
            "Listening log",
            self.url("listening_log"),
            warning=total == 0 or not any(counts[v] for v in (*CHILD_VOICES, Feedback.Voice.PARENT)),
            figures={value: counts[value] for value in Feedback.Voice.values},
            masked_text=masked if total and masked != plain else "",
        )

    def quieter_voices(self) -> Hint:
        count = self._voices()[Feedback.Voice.INFANT]
        url = self.url("listening_log") + "?voice=infant" if self.url("listening_log") else ""
        if count == 0:
            return Hint(
                "quieter_voices",
                "No feedback from infants or non-verbal children in the last 90 days — seek the quieter voices.",
                "Listening log",
                url,
                warning=True,
                figures={"infant": 0},
            )
        text = "{} from infants or non-verbal children (observed) in the last 90 days."
        return Hint(
            "quieter_voices",
            text.format(_plural(count, "piece") + " of feedback"),
            "Listening log",
            url,
            figures={"infant": count},
            masked_text=text.format(f"{SMALL_COUNT_TEXT} pieces of feedback") if is_small(count) else "",
        )

    def you_said_we_did(self) -> Hint:
        totals = (
            Feedback.objects.for_organisation(self.org)
            .filter(received_on__gte=self.day(YEAR_DAYS), received_on__lte=self.today)
            .aggregate(total=Count("pk"), answered=Count("pk", filter=~Q(response="")))
        )
        total, answered = totals["total"], totals["answered"]
        share = _percent(answered, total)
        return Hint(
            "you_said_we_did",
            f"{answered} of {_plural(total, 'piece')} of feedback from the last year have a "
            f"\u201cyou said, we did\u201d response ({share}%)."
            if total
            else "No feedback was recorded in the last year, so there is nothing to respond to.",
            "Listening log",
            self.url("listening_log"),
            warning=total == 0 or share < 50,
            figures={"answered": answered, "total": total, "percent": share},
        )

    def _resources(self) -> Counter:
        if not hasattr(self, "_resource_counts"):
            self._resource_counts = Counter(
                dict(
                    Resource.objects.for_organisation(self.org)
                    .values("kind")
                    .annotate(n=Count("pk"))
                    .values_list("kind", "n")
                )
            )
        return self._resource_counts

    def participation_resources(self) -> Hint:
        count = self._resources()[Resource.Kind.PARTICIPATION]
        return Hint(
            "participation_resources",
            f"{_plural(count, 'participation resource')} in the resource library.",
            "Resources",
            self.url("resources"),
            warning=count == 0,
            figures={"count": count},
        )

    def ideas_from_feedback(self) -> Hint:
        ideas = ChangeIdea.objects.for_organisation(self.org).filter(source=ChangeIdea.Source.FEEDBACK).count()
        linked = (
            Feedback.objects.for_organisation(self.org)
            .filter(received_on__gte=self.day(YEAR_DAYS), received_on__lte=self.today)
            .filter(Q(cycle__isnull=False) | Q(change_idea__isnull=False))
            .count()
        )
        return Hint(
            "ideas_from_feedback",
            f"{_plural(ideas, 'change idea')} came from feedback from children and families; "
            f"{_plural(linked, 'piece')} of feedback from the last year "
            f"{'is' if linked == 1 else 'are'} linked to testing.",
            "Change ideas and the listening log",
            self.url("change_ideas"),
            warning=ideas == 0 and linked == 0,
            figures={"ideas": ideas, "linked_feedback": linked},
        )

    # ---- Communication ---------------------------------------------------------------------------

    def _channels(self) -> Counter:
        if not hasattr(self, "_channel_counts"):
            self._channel_counts = Counter(
                dict(
                    Communication.objects.for_organisation(self.org)
                    .filter(date__gte=self.day(YEAR_DAYS), date__lte=self.today)
                    .values("channel")
                    .annotate(n=Count("pk"))
                    .values_list("channel", "n")
                )
            )
        return self._channel_counts

    def communications_by_channel(self) -> Hint:
        counts = self._channels()
        total = sum(counts.values())
        parts = [f"{label.lower()} {counts[value]}" for value, label in Communication.Channel.choices if counts[value]]
        return Hint(
            "communications_by_channel",
            f"{_plural(total, 'communication')} logged in the last year: {', '.join(parts)}."
            if total
            else "No communications were logged in the last year.",
            "Communications log",
            self.url("communications"),
            warning=len(parts) < 2,
            figures={value: counts[value] for value in Communication.Channel.values},
        )

    def ideas_inbox(self) -> Hint:
        submissions = list(
            IdeaSubmission.objects.for_organisation(self.org)
            .filter(created_at__gte=self.since(HALF_YEAR_DAYS), created_at__lte=self.now)
            .values_list("status", "created_at", "triaged_at")
        )
        waiting = sum(1 for status, _, _ in submissions if status == IdeaSubmission.Status.NEW)
        days = [(triaged - created).total_seconds() / 86400 for _, created, triaged in submissions if triaged]
        median = round(statistics.median(days)) if days else None
        text = (
            f"{_plural(len(submissions), 'idea or barrier', 'ideas and barriers')} sent to the ideas inbox in the "
            f"last six months; {waiting} awaiting triage"
        )
        text += f"; median time to triage {_plural(median, 'day')}." if median is not None else "."
        return Hint(
            "ideas_inbox",
            text,
            "Ideas inbox",
            self.url("inbox"),
            warning=not submissions or (median is not None and median > 14),
            figures={"submissions": len(submissions), "waiting": waiting, "median_days_to_triage": median},
        )

    def newsletters(self) -> Hint:
        issued = list(
            Newsletter.objects.for_organisation(self.org)
            .filter(status=Newsletter.Status.ISSUED, issued_on__gte=self.day(YEAR_DAYS), issued_on__lte=self.today)
            .order_by("-issued_on")
            .values_list("issued_on", flat=True)
        )
        text = f"{_plural(len(issued), 'newsletter')} issued in the last year"
        text += f" (latest {issued[0]:%-d %b %Y})." if issued else "."
        return Hint(
            "newsletters",
            text,
            "Newsletters",
            self.url("newsletters"),
            warning=not issued,
            figures={"issued": len(issued)},
        )

    def standing_item(self) -> Hint:
        meetings = self._held_this_year()
        standing = sum(1 for m in meetings if m["has_standing"])
        logged = self._channels()[Communication.Channel.STANDING_AGENDA]
        text = (
            f"{standing} of {_plural(len(meetings), 'meeting')} held in the last year had the standing PACE item"
            if meetings
            else "No meetings were held in the last year"
        )
        text += f"; PACE was a standing agenda item at {_plural(logged, 'other meeting')} in the communications log."
        return Hint(
            "standing_item",
            text,
            "Meetings and the communications log",
            self.url("meetings") or self.url("communications"),
            warning=(not meetings or standing < len(meetings)) and logged == 0,
            figures={"standing": standing, "held": len(meetings), "logged": logged},
        )

    def communications_other_areas(self) -> Hint:
        counts = self._channels()
        other, services = counts[Communication.Channel.OTHER_AUTHORITIES], counts[Communication.Channel.SERVICE_MEETING]
        return Hint(
            "communications_other_areas",
            f"In the last year: {_plural(other, 'communication')} with other authorities and "
            f"{_plural(services, 'meeting')} with other services or agencies.",
            "Communications log",
            self.url("communications"),
            warning=other + services == 0,
            figures={"other_authorities": other, "service_meetings": services},
        )

    def communications_governance(self) -> Hint:
        count = self._channels()[Communication.Channel.CORPORATE_PARENTING]
        return Hint(
            "communications_governance",
            f"{_plural(count, 'communication')} with the corporate parenting board in the last year.",
            "Communications log",
            self.url("communications"),
            warning=count == 0,
            figures={"count": count},
        )

    def communications_young_people(self) -> Hint:
        count = self._channels()[Communication.Channel.YOUNG_PEOPLE]
        return Hint(
            "communications_young_people",
            f"{_plural(count, 'communication')} with care-experienced young people's groups in the last year.",
            "Communications log",
            self.url("communications"),
            warning=count == 0,
            figures={"count": count},
        )

    # ---- Aims ------------------------------------------------------------------------------------

    def aims_reviewed(self) -> Hint:
        aims = self._open_aims()
        overdue = [aim.title for aim in aims if is_review_overdue(aim, self.today)]
        text = f"{len(aims) - len(overdue)} of {_plural(len(aims), 'open aim')} were reviewed within their interval"
        text += f"; overdue: {_names(overdue)}." if overdue else "."
        return Hint(
            "aims_reviewed",
            text,
            "Aims",
            self.url("aims"),
            warning=bool(overdue) or not aims,
            figures={"within": len(aims) - len(overdue), "open": len(aims)},
        )

    def aims_smart(self) -> Hint:
        aims = self._open_aims()
        smart = [
            aim
            for aim in aims
            if aim.population.strip()
            and aim.improvement.strip()
            and aim.baseline_value is not None
            and aim.target_value is not None
            and aim.by_date
        ]
        return Hint(
            "aims_smart",
            f"{len(smart)} of {_plural(len(aims), 'open aim')} have every SMART part "
            "(who, what improves, baseline, target and by when).",
            "Aims",
            self.url("aims"),
            warning=len(smart) < len(aims) or not aims,
            figures={"smart": len(smart), "open": len(aims)},
        )

    def aims_outcome_measures(self) -> Hint:
        aims = self._open_aims()
        measured = sum(1 for aim in aims if aim.outcome_measure_id)
        return Hint(
            "aims_outcome_measures",
            f"{measured} of {_plural(len(aims), 'open aim')} have an outcome measure.",
            "Aims",
            self.url("aims"),
            warning=measured < len(aims) or not aims,
            figures={"measured": measured, "open": len(aims)},
        )

    def local_aims(self) -> Hint:
        self._open_aims()
        kinds = Counter(aim.kind for aim in self._aims)
        local, national = kinds[Aim.Kind.LOCAL], kinds[Aim.Kind.NATIONAL]
        return Hint(
            "local_aims",
            f"{_plural(local, 'local aim')} besides {_plural(national, 'PACE national aim')} "
            "(retired aims not counted).",
            "Aims",
            self.url("aims"),
            warning=local == 0,
            figures={"local": local, "national": national},
        )

    # ---- Testing ---------------------------------------------------------------------------------

    def idea_leads(self) -> Hint:
        totals = (
            ChangeIdea.objects.for_organisation(self.org)
            .filter(status__in=ACTIVE_IDEA_STATUSES)
            .aggregate(total=Count("pk"), led=Count("pk", filter=Q(lead__isnull=False)))
        )
        return Hint(
            "idea_leads",
            f"{totals['led']} of {_plural(totals['total'], 'active change idea')} have a named lead.",
            "Change ideas",
            self.url("change_ideas"),
            warning=totals["led"] < totals["total"] or not totals["total"],
            figures={"led": totals["led"], "active": totals["total"]},
        )

    def _cycles(self) -> list[dict]:
        if not hasattr(self, "_cycle_rows"):
            self._cycle_rows = list(
                PDSACycle.objects.for_organisation(self.org)
                .annotate(
                    predictions_n=Count("predictions", distinct=True), feedback_n=Count("feedback", distinct=True)
                )
                .values("status", "created_at", "updated_at", "predictions_n", "feedback_n")
            )
        return self._cycle_rows

    def cycles_planned(self) -> Hint:
        since = self.since(YEAR_DAYS)
        recent = [c for c in self._cycles() if since <= c["created_at"] <= self.now]
        planned = sum(1 for c in recent if c["predictions_n"])
        return Hint(
            "cycles_planned",
            f"{planned} of {_plural(len(recent), 'PDSA cycle')} started in the last year have written predictions "
            "on the PDSA form.",
            "PDSA cycles",
            self.url("change_ideas"),
            warning=not recent or planned < len(recent),
            figures={"planned": planned, "cycles": len(recent)},
        )

    def testing_reflection(self) -> Hint:
        cycles = self._cycles()
        study = sum(1 for c in cycles if c["status"] == PDSACycle.Status.STUDY)
        act = sum(1 for c in cycles if c["status"] == PDSACycle.Status.ACT)
        since = self.since(HALF_YEAR_DAYS)
        completed = sum(1 for c in cycles if c["status"] == PDSACycle.Status.COMPLETE and c["updated_at"] >= since)
        reflections = sum(1 for m in self._held_this_year() if m["has_testing"] and m["starts_at"] >= since)
        return Hint(
            "testing_reflection",
            f"{_plural(study, 'cycle')} waiting for Study and {act} for Act; {_plural(completed, 'cycle')} completed "
            f"in the last six months; {_plural(reflections, 'meeting')} in the last six months reflected on testing.",
            "PDSA cycles and meetings",
            self.url("change_ideas"),
            warning=reflections == 0 and bool(cycles),
            figures={"study": study, "act": act, "completed": completed, "reflections": reflections},
        )

    def cycle_feedback(self) -> Hint:
        past_do = [
            c
            for c in self._cycles()
            if c["status"] in {PDSACycle.Status.STUDY, PDSACycle.Status.ACT, PDSACycle.Status.COMPLETE}
        ]
        with_feedback = sum(1 for c in past_do if c["feedback_n"])
        return Hint(
            "cycle_feedback",
            f"{with_feedback} of {_plural(len(past_do), 'cycle')} past Do have qualitative feedback recorded.",
            "PDSA cycles and the listening log",
            self.url("listening_log"),
            warning=not past_do or with_feedback * 2 < len(past_do),
            figures={"with_feedback": with_feedback, "past_do": len(past_do)},
        )

    def spread(self) -> Hint:
        ideas = list(
            ChangeIdea.objects.for_organisation(self.org)
            .filter(status__in=[ChangeIdea.Status.READY, ChangeIdea.Status.IMPLEMENTING, ChangeIdea.Status.IMPLEMENTED])
            .annotate(settings_n=Count("cycles__setting", filter=~Q(cycles__setting=""), distinct=True))
            .values_list("settings_n", flat=True)
        )
        spread = sum(1 for n in ideas if n >= 2)
        return Hint(
            "spread",
            f"{spread} of {_plural(len(ideas), 'change idea')} ready to implement or beyond were tested in two or "
            "more settings.",
            "Change ideas (spread and scale)",
            self.url("change_ideas"),
            warning=spread < len(ideas),
            figures={"spread": spread, "ideas": len(ideas)},
        )

    # ---- Implementation of change ideas ----------------------------------------------------------

    def _implementations(self) -> list[dict]:
        if not hasattr(self, "_implementation_rows"):
            self._implementation_rows = list(
                Implementation.objects.for_organisation(self.org)
                .annotate(
                    cycles_n=Count("evidence_cycles", distinct=True),
                    feedback_n=Count("evidence_feedback", distinct=True),
                    resources_n=Count("resources", distinct=True),
                    approvals_n=Count("approvals", distinct=True),
                    approved_n=Count("approvals", filter=Q(approvals__decision="approved"), distinct=True),
                    pending_n=Count("approvals", filter=Q(approvals__decision="pending"), distinct=True),
                    ready_n=Count("readiness", filter=Q(readiness__done=True), distinct=True),
                    training_n=Count("training", distinct=True),
                )
                .values(
                    "pk",
                    "evidence_measure_id",
                    "flowchart",
                    "guidance_what",
                    "guidance_why",
                    "contacts",
                    "start_date",
                    "live_on",
                    "cycles_n",
                    "feedback_n",
                    "resources_n",
                    "approvals_n",
                    "approved_n",
                    "pending_n",
                    "ready_n",
                    "training_n",
                )
            )
        return self._implementation_rows

    def implementation_evidence(self) -> Hint:
        rows = self._implementations()
        evidenced = sum(1 for r in rows if r["cycles_n"] or r["feedback_n"] or r["evidence_measure_id"])
        return Hint(
            "implementation_evidence",
            f"{evidenced} of {_plural(len(rows), 'implementation decision')} cite evidence from PDSA cycles, "
            "feedback or a chart.",
            "Implementation",
            self.url("change_ideas"),
            warning=evidenced < len(rows),
            figures={"evidenced": evidenced, "decisions": len(rows)},
        )

    def approvals(self) -> Hint:
        rows = self._implementations()
        approved = sum(1 for r in rows if r["approvals_n"] and r["approved_n"] == r["approvals_n"])
        pending = sum(r["pending_n"] for r in rows)
        return Hint(
            "approvals",
            f"{approved} of {_plural(len(rows), 'implementation')} approved by every service leader asked; "
            f"{_plural(pending, 'approval')} awaiting a decision.",
            "Implementation",
            self.url("change_ideas"),
            warning=approved < len(rows),
            figures={"approved": approved, "implementations": len(rows), "pending": pending},
        )

    def change_packages(self) -> Hint:
        rows = self._implementations()
        complete = sum(
            1
            for r in rows
            if r["flowchart"]
            and r["guidance_what"].strip()
            and r["guidance_why"].strip()
            and r["contacts"].strip()
            and r["resources_n"]
            and r["start_date"]
        )
        return Hint(
            "change_packages",
            f"{complete} of {_plural(len(rows), 'change package')} have every part (flowchart, what it is, why, "
            "who to contact, resources and a start date).",
            "Implementation (change packages)",
            self.url("change_ideas"),
            warning=complete < len(rows),
            figures={"complete": complete, "packages": len(rows)},
        )

    def readiness(self) -> Hint:
        rows = self._implementations()
        areas = len(ReadinessItem.Area.values)
        ready = sum(1 for r in rows if r["ready_n"] >= areas)
        return Hint(
            "readiness",
            f"{ready} of {_plural(len(rows), 'implementation')} have considered all five readiness areas "
            "(standardisation, documentation, training, measurement, resourcing).",
            "Implementation (readiness)",
            self.url("change_ideas"),
            warning=ready < len(rows),
            figures={"ready": ready, "implementations": len(rows)},
        )

    def training_records(self) -> Hint:
        rows = self._implementations()
        trained = sum(1 for r in rows if r["training_n"])
        return Hint(
            "training_records",
            f"{trained} of {_plural(len(rows), 'implementation')} have training, awareness or coaching records.",
            "Implementation (training)",
            self.url("change_ideas"),
            warning=trained < len(rows),
            figures={"trained": trained, "implementations": len(rows)},
        )

    def self_audits(self) -> Hint:
        totals = SelfAudit.objects.for_organisation(self.org).aggregate(
            done=Count("pk", filter=Q(done_on__gte=self.day(YEAR_DAYS), done_on__lte=self.today)),
            overdue=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=self.today)),
        )
        live = sum(1 for r in self._implementations() if r["live_on"])
        return Hint(
            "self_audits",
            f"{_plural(totals['done'], 'self-audit')} done in the last year; {totals['overdue']} overdue; "
            f"{_plural(live, 'change')} live.",
            "Implementation (self-audits)",
            self.url("change_ideas"),
            warning=totals["overdue"] > 0 or (live > 0 and totals["done"] == 0),
            figures={"done": totals["done"], "overdue": totals["overdue"], "live": live},
        )

    # ---- QI knowledge and sharing ----------------------------------------------------------------

    def _members(self) -> list[Membership]:
        if not hasattr(self, "_member_rows"):
            self._member_rows = list(Membership.objects.for_organisation(self.org).select_related("user", "agency"))
        return self._member_rows

    def qi_skills_spread(self) -> Hint:
        members = self._members()
        counts = Counter(m.qi_skill for m in members)
        parts = [f"{counts[value]} {QI_LEVEL_WORDS[value]}" for value in Membership.QISkill.values]
        agencies = {m.agency_id for m in members if m.agency_id and m.qi_skill in PRACTITIONER_OR_ABOVE}
        return Hint(
            "qi_skills_spread",
            f"Of {_plural(len(members), 'member')}: {', '.join(parts)}; "
            f"{_plural(len(agencies), 'agency', 'agencies')} {'has' if len(agencies) == 1 else 'have'} someone at "
            "practitioner level or above.",
            "QI skills register",
            self.url("qi_skills_register"),
            warning=len(agencies) < 2,
            figures={**{value: counts[value] for value in Membership.QISkill.values}, "agencies": len(agencies)},
        )

    def qi_helpers(self) -> Hint:
        helpers = [m.display_name for m in self._members() if m.qi_skill in HELPER_LEVELS]
        return Hint(
            "qi_helpers",
            f"{_plural(len(helpers), 'person', 'people')} at Scottish Improvement Leader level or above can help"
            + (f": {_names(helpers)}." if helpers else "."),
            "QI skills register",
            self.url("qi_skills_register"),
            warning=not helpers,
            figures={"helpers": len(helpers)},
        )

    def qi_training_wanted(self) -> Hint:
        members = self._members()
        wanting = sum(1 for m in members if m.wants_qi_training)
        interests = sum(1 for m in members if m.qi_cpd_interest.strip())
        return Hint(
            "qi_training_wanted",
            f"{_plural(wanting, 'member wants', 'members want')} QI training; "
            f"{interests} recorded a learning or CPD interest.",
            "QI skills register",
            self.url("qi_skills_register"),
            warning=wanting == 0 and interests == 0,
            figures={"wanting": wanting, "interests": interests},
        )

    def library_shared(self) -> Hint:
        counts = Counter(
            dict(
                PublishedItem.objects.for_organisation(self.org)
                .values("kind")
                .annotate(n=Count("pk"))
                .values_list("kind", "n")
            )
        )
        total = sum(counts.values())
        parts = [f"{counts[value]} {LIBRARY_WORDS[value]}" for value in PublishedItem.Kind.values]
        return Hint(
            "library_shared",
            f"{_plural(total, 'item')} shared in the library across Scotland ({', '.join(parts)}).",
            "Library",
            self.url("library"),
            warning=total == 0,
            figures={"shared": total},
        )

    def qi_resources(self) -> Hint:
        count = self._resources()[Resource.Kind.QI_LEARNING]
        return Hint(
            "qi_resources",
            f"{_plural(count, 'QI learning resource')} in the resource library.",
            "Resources",
            self.url("resources"),
            warning=count == 0,
            figures={"count": count},
        )


HINTS: dict[str, Callable[[_Hints], Hint]] = {
    name: getattr(_Hints, name)
    for name in (
        "leads_named",
        "leads_group",
        "aim_leads",
        "aims_groups",
        "meeting_frequency",
        "aims_group_meetings",
        "meetings_with_data",
        "distributed_leadership",
        "governance_groups",
        "governance_reports",
        "relationships_by_agency",
        "relationships_missing",
        "relationship_next_steps",
        "milestone_uploads",
        "milestone_coverage",
        "data_responsibility",
        "uploaders",
        "data_people",
        "voices_heard",
        "quieter_voices",
        "you_said_we_did",
        "participation_resources",
        "ideas_from_feedback",
        "communications_by_channel",
        "ideas_inbox",
        "newsletters",
        "standing_item",
        "communications_other_areas",
        "communications_governance",
        "communications_young_people",
        "aims_reviewed",
        "aims_smart",
        "aims_outcome_measures",
        "local_aims",
        "idea_leads",
        "cycles_planned",
        "testing_reflection",
        "cycle_feedback",
        "spread",
        "implementation_evidence",
        "approvals",
        "change_packages",
        "readiness",
        "training_records",
        "self_audits",
        "qi_skills_spread",
        "qi_helpers",
        "qi_training_wanted",
        "library_shared",
        "qi_resources",
    )
}


def hints_for(
    organisation: Organisation, *, keys: list[str] | None = None, today: datetime.date | None = None
) -> dict[str, Hint]:
    """The hints named (every hint by default), keyed by name."""
    computer = _Hints(organisation, today or timezone.localdate())
    return {key: HINTS[key](computer) for key in (keys if keys is not None else HINTS) if key in HINTS}
