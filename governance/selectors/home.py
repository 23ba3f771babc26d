"""What the home pages show, by role: my actions, the aims with their sparklines and progress
scores, my change ideas, reviews due, the inbox and recent testing; for data leads the state of
the milestone data (last upload, when the next is due, completeness problems, children waiting
past target); and, for someone in several organisations, a line about each on the chooser.

A fixed number of queries whatever the size of the organisation (asserted in the tests).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aims.models import Aim
from aims.progress import DESCRIPTIONS as PROGRESS_DESCRIPTIONS
from aims.selectors import OPEN_STATUSES, aims_due_for_review
from governance.models import Meeting
from governance.selectors.meetings import MyAction, my_actions
from governance.selectors.summary import outcome_sparkline, outcome_summaries
from governance.sparklines import sparkline_svg
from measures.charts import format_number
from measures.milestones import derived
from measures.models import Measure, MilestoneImport, Timescale
from pace_hub.models import Membership, Organisation
from pace_hub.roles import Permission
from pdsa.models import ChangeIdea, IdeaSubmission, PDSACycle

RECENT_CYCLES = 8
ACTIVE_IDEA_STATUSES = (
    ChangeIdea.Status.PROPOSED,
    ChangeIdea.Status.TESTING,
    ChangeIdea.Status.READY,
    ChangeIdea.Status.IMPLEMENTING,
)


@dataclass
class HomeAim:
    """An aim on the home page: its outcome measure's recent points against the target and its
    IHI progress score with the scale's words."""

    aim: Aim
    mine: bool
    progress: str  # "2.5 — changes tested, but no improvement", or "Not scored yet"
    target_text: str
    latest_text: str
    sparkline_svg: str


@dataclass
class LeadsHome:
    aims: list[HomeAim]
    my_ideas: list[ChangeIdea]
    reviews_due: list[Aim]
    awaiting_triage: list[IdeaSubmission] | None  # None when the person may not triage
    recent_cycles: list[PDSACycle]
    my_actions: list[MyAction]  # open actions I own, soonest due first, overdue flagged


def progress_text(score: str) -> str:
    """The IHI progress score with its place on the scale: "2.5 — changes tested, but no improvement"."""
    if not score:
        return "Not scored yet"
    words = PROGRESS_DESCRIPTIONS.get(score, "")
    return f"{score} — {words[:1].lower()}{words[1:]}" if words else score


def _target_text(aim: Aim) -> str:
    if aim.target_value is None:
        return "No target set"
    text = format_number(aim.target_value, aim.unit)
    return f"{text} by {aim.by_date:%b %Y}" if aim.by_date else text


def home_aims(organisation: Organisation, membership: Membership, *, viewer: bool) -> list[HomeAim]:
    """The open aims the person leads and, for those who run the improvement work (``LEAD``),
    every active aim: theirs first. Five queries whatever the number of aims; ``viewer``
    withholds values resting on 1–4 children (``measures.disclosure``)."""
    wanted = Q(lead=membership, status__in=OPEN_STATUSES)
    if membership.can(Permission.LEAD):
        wanted |= Q(status=Aim.Status.ACTIVE)
    aims = list(
        Aim.objects.for_organisation(organisation)
        .filter(wanted)
        # What a row shows (``HomeAim``), nothing more: an aim row is wide.
        .only(
            "code",
            "title",
            "status",
            "progress_score",
            "target_value",
            "unit",
            "by_date",
            "lead_id",
            "outcome_measure_id",
        )
        .order_by("title")
    )
    for aim in aims:  # all of them are the organisation's: one instance, not one per row
        aim.organisation = organisation
    measure_ids = [aim.outcome_measure_id for aim in aims if aim.outcome_measure_id]
    outcome_measures = Measure.objects.for_organisation(organisation).filter(pk__in=measure_ids)
    summaries = outcome_summaries(organisation, list(outcome_measures), viewer=viewer) if measure_ids else {}
    rows = []
    for aim in aims:
        summary = summaries.get(aim.outcome_measure_id)
        measure_target = summary.measure.target if summary else None
        sparkline = outcome_sparkline(summary, measure_target if measure_target is not None else aim.target_value)
        rows.append(
            HomeAim(
                aim=aim,
                mine=aim.lead_id == membership.pk,
                progress=progress_text(aim.progress_score),
                target_text=_target_text(aim),
                latest_text=summary.latest_text if summary else "No outcome measure",
                sparkline_svg=sparkline_svg(sparkline, title=aim.title) if sparkline else "",
            )
        )
    rows.sort(key=lambda row: not row.mine)  # stable: mine first, each part by title
    return rows


def leads_home(organisation: Organisation, membership: Membership) -> LeadsHome:
    today = timezone.localdate()
    my_ideas = list(
        ChangeIdea.objects.for_organisation(organisation)
        .filter(lead=membership, status__in=ACTIVE_IDEA_STATUSES)
        .order_by("status", "title")
    )
    reviews_due = aims_due_for_review(organisation, today=today)
    awaiting = None
    if membership.can(Permission.LEAD):
        awaiting = list(
            IdeaSubmission.objects.for_organisation(organisation)
            .filter(status=IdeaSubmission.Status.NEW)
            .order_by("created_at")
        )
    cycles = list(
        PDSACycle.objects.for_organisation(organisation)
        .select_related("change_idea", "lead__user")
        .order_by("-updated_at")[:RECENT_CYCLES]
    )
    # Every row is the organisation's: it is set on each rather than joined and built per row.
    for row in (*my_ideas, *(awaiting or []), *cycles):
        row.organisation = organisation
    return LeadsHome(
        home_aims(organisation, membership, viewer=not membership.can(Permission.CHILD_DATA)),
        my_ideas,
        reviews_due,
        awaiting,
        cycles,
        my_actions(organisation, membership, today=today),
    )


# The data lead's home -----------------------------------------------------------------------


@dataclass
class TimescaleWaiting:
    timescale: Timescale
    waiting: int | None  # None when the stored summary has not counted this timescale yet


@dataclass
class DataHome:
    """The milestone data as a data lead needs it on landing.

    The next upload is due ``upload_interval_days`` (monthly, 31, unless the organisation set
    another interval) after the day the last upload was saved — the rule of the weekly digest's
    reminder — or now, if none was ever saved. Counts come from the stored pathway summary,
    never from reading every child's dates in the request.
    """

    last_upload: MilestoneImport | None
    last_saved_on: datetime.date | None
    interval_days: int
    next_due_on: datetime.date | None  # None: no upload saved yet, one is due now
    overdue_days: int  # how many days past the due day, 0 if not overdue
    completeness_problems: int | None  # None while the summary is being worked out
    waiting: list[TimescaleWaiting]
    counted_on: datetime.date | None  # the day the waiting counts are for
    today: datetime.date

    @property
    def counts_are_old(self) -> bool:
        return self.counted_on is not None and self.counted_on != self.today


def data_home(organisation: Organisation, *, today: datetime.date) -> DataHome:
    """Five queries whatever the number of uploads and children."""
    imports = MilestoneImport.objects.for_organisation(organisation)
    last_upload = imports.select_related("uploaded_by").order_by("-created_at").first()
    last_saved = (
        imports.filter(status=MilestoneImport.Status.COMMITTED, committed_at__isnull=False)
        .order_by("-committed_at")
        .values_list("committed_at", flat=True)
        .first()
    )
    last_saved_on = timezone.localdate(last_saved) if last_saved else None
    interval = organisation.upload_interval_days
    next_due_on = last_saved_on + datetime.timedelta(days=interval) if last_saved_on else None
    summary = derived.pathway_summary(organisation, today)
    timescales = derived.usable_timescales(organisation)
    return DataHome(
        last_upload=last_upload,
        last_saved_on=last_saved_on,
        interval_days=interval,
        next_due_on=next_due_on,
        overdue_days=max(0, (today - next_due_on).days) if next_due_on else 0,
        completeness_problems=summary.completeness_issues if summary else None,
        waiting=[
            TimescaleWaiting(timescale, summary.waiting(timescale) if summary else None) for timescale in timescales
        ],
        counted_on=summary.as_of if summary else None,
        today=today,
    )


# The chooser, for someone in several organisations -------------------------------------------


def memberships_with_lines(user) -> QuerySet[Membership]:
    """The person's memberships, each organisation annotated with what its line on the chooser
    says: active aims, the last saved upload, the next planned meeting and its group. One query
    whatever the number of organisations (correlated subqueries, each scoped to the row's own
    organisation)."""
    now = timezone.now()
    own = OuterRef("organisation_id")
    next_meetings = Meeting.objects.filter(
        organisation=own, status=Meeting.Status.PLANNED, starts_at__gte=now
    ).order_by("starts_at")
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .annotate(
            active_aims=Coalesce(
                Subquery(
                    Aim.objects.filter(organisation=own, status=Aim.Status.ACTIVE)
                    .order_by()
                    .values("organisation")
                    .annotate(count=Count("pk"))
                    .values("count"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            last_upload_at=Subquery(
                MilestoneImport.objects.filter(
                    organisation=own, status=MilestoneImport.Status.COMMITTED, committed_at__isnull=False
                )
                .order_by("-committed_at")
                .values("committed_at")[:1],
                output_field=DateTimeField(),
            ),
            next_meeting_at=Subquery(next_meetings.values("starts_at")[:1], output_field=DateTimeField()),
            next_meeting_team=Subquery(next_meetings.values("team__name")[:1]),
        )
        .order_by("organisation__name")
    )
