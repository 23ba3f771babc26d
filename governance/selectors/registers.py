"""Registers that answer template questions from live data: distributed leadership, QI skills and
data responsibility. Each is a fixed number of queries whatever the size of the organisation."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from measures.models import Milestone
from pace_hub.models import Membership, Organisation
from pdsa.models import ChangeIdea, PDSACycle

LEADERSHIP_DAYS = 90
NO_AGENCY = "No agency recorded"
# Scottish Improvement Leader and above: the people who can help others with QI.
HELPER_LEVELS = (Membership.QISkill.SIL, Membership.QISkill.ADVISOR)
PRACTITIONER_OR_ABOVE = (Membership.QISkill.PRACTITIONER, *HELPER_LEVELS)


@dataclass
class LeadRow:
    membership: Membership
    cycles: int
    ideas: int

    @property
    def total(self) -> int:
        return self.cycles + self.ideas

    @property
    def agency(self) -> str:
        return self.membership.agency.name if self.membership.agency else NO_AGENCY


@dataclass
class AgencyLeadership:
    agency: str
    leads: int
    items: int


@dataclass
class DistributedLeadership:
    since: datetime.date
    rows: list[LeadRow]
    by_agency: list[AgencyLeadership]
    unled_cycles: int
    unled_ideas: int

    @property
    def leads(self) -> int:
        return len(self.rows)

    @property
    def items(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def busiest(self) -> LeadRow | None:
        return self.rows[0] if self.rows else None

    @property
    def busiest_share(self) -> int | None:
        """The share (%) of led cycles and ideas led by the busiest person."""
        return round(100 * self.rows[0].total / self.items) if self.rows else None

    @property
    def single_point_of_failure(self) -> bool:
        return self.leads == 1

    @property
    def concentrated(self) -> bool:
        """One person leads more than half of everything (or is the only lead)."""
        return self.busiest_share is not None and (self.leads == 1 or self.busiest_share > 50)


def distributed_leadership(organisation: Organisation, *, today: datetime.date | None = None) -> DistributedLeadership:
    """Who led PDSA cycles and change ideas worked on (created or changed) in the last 90 days.
    Three queries."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=LEADERSHIP_DAYS)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    cycles = Counter(
        dict(
            PDSACycle.objects.for_organisation(organisation)
            .filter(updated_at__gte=start)
            .values("lead_id")
            .annotate(n=Count("pk"))
            .values_list("lead_id", "n")
        )
    )
    ideas = Counter(
        dict(
            ChangeIdea.objects.for_organisation(organisation)
            .filter(updated_at__gte=start)
            .values("lead_id")
            .annotate(n=Count("pk"))
            .values_list("lead_id", "n")
        )
    )
    unled_cycles, unled_ideas = cycles.pop(None, 0), ideas.pop(None, 0)
    people = Membership.objects.select_related("user", "agency").in_bulk(set(cycles) | set(ideas))
    rows = sorted(
        (LeadRow(people[pk], cycles.get(pk, 0), ideas.get(pk, 0)) for pk in people),
        key=lambda row: (-row.total, row.membership.display_name),
    )
    agencies: dict[str, list[LeadRow]] = defaultdict(list)
    for row in rows:
        agencies[row.agency].append(row)
    by_agency = sorted(
        (AgencyLeadership(name, len(group), sum(r.total for r in group)) for name, group in agencies.items()),
        key=lambda entry: (-entry.leads, entry.agency),
    )
    return DistributedLeadership(since, rows, by_agency, unled_cycles, unled_ideas)


@dataclass
class QISkillsRegister:
    members: list[Membership]
    levels: list[tuple[str, str]]
    # agency name → counts per level value, in the order of ``levels``
    by_agency: list[tuple[str, list[int]]]
    helpers: list[Membership]
    training_wanted: list[Membership]
    filters: dict = field(default_factory=dict)


def qi_skills_register(organisation: Organisation, *, filters: dict | None = None) -> QISkillsRegister:
    """Every member's QI level and learning interest, by agency; who can help; who wants training.
    Two queries: everyone (for the summaries), and the filtered list."""
    filters = filters or {}
    everyone = list(Membership.objects.for_organisation(organisation).select_related("user", "agency"))
    levels = list(Membership.QISkill.choices)
    table: dict[str, Counter] = defaultdict(Counter)
    for member in everyone:
        table[member.agency.name if member.agency else NO_AGENCY][member.qi_skill] += 1
    by_agency = [(name, [table[name][value] for value, _ in levels]) for name in sorted(table)]
    shown: QuerySet = Membership.objects.for_organisation(organisation).select_related("user", "agency")
    if filters.get("agency") == "none":
        shown = shown.filter(agency__isnull=True)
    elif filters.get("agency"):
        shown = shown.filter(agency=filters["agency"])
    if filters.get("level"):
        shown = shown.filter(qi_skill=filters["level"])
    if filters.get("wants_training"):
        shown = shown.filter(wants_qi_training=True)
    return QISkillsRegister(
        members=list(shown),
        levels=levels,
        by_agency=by_agency,
        helpers=[member for member in everyone if member.qi_skill in HELPER_LEVELS],
        training_wanted=[member for member in everyone if member.wants_qi_training or member.qi_cpd_interest],
        filters=filters,
    )


@dataclass
class DataResponsibility:
    milestones: list[Milestone]
    holders: list[tuple[Membership, int]]

    @property
    def unassigned(self) -> list[Milestone]:
        return [milestone for milestone in self.milestones if milestone.responsible_id is None]

    @property
    def single_holder(self) -> Membership | None:
        """The one person responsible for every active milestone, when that is so."""
        if len(self.holders) == 1 and not self.unassigned and len(self.milestones) > 1:
            return self.holders[0][0]
        return None


def data_responsibility(organisation: Organisation) -> DataResponsibility:
    """Who collects each active milestone. One query."""
    milestones = list(
        Milestone.objects.for_organisation(organisation)
        .active()
        .select_related("responsible__user", "responsible__agency")
        .order_by("order")
    )
    counts = Counter(milestone.responsible_id for milestone in milestones if milestone.responsible_id)
    people = {milestone.responsible_id: milestone.responsible for milestone in milestones if milestone.responsible_id}
    holders = sorted(((people[pk], n) for pk, n in counts.items()), key=lambda pair: (-pair[1], pair[0].display_name))
    return DataResponsibility(milestones, holders)
