"""Reads for meetings: the team's meeting list, the "since the last meeting" window, what changed
in it, and everything a meeting's agenda shows from live data.

The meeting page and the meeting list run a fixed number of queries whatever the number of
meetings, items, aims, cycles and actions (asserted in the tests). The data pack (reports) reads
the same `agenda_content` as the page.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from aims.models import Aim
from governance.models import Action, AgendaItem, Attendance, Meeting, Report
from measures.charts import chart_payload, period_label
from measures.models import Annotation, DataPoint, Measure, Phase
from measures.selectors import MeasureChart, MeasureSummary, measure_chart_data
from measures.selectors import hide_small_counts as masked_chart
from pace_hub.models import Membership, Organisation, Team
from pdsa.models import ChangeIdea, Feedback, IdeaSubmission, Implementation, PDSACycle, Prediction
from pdsa.models.implementation import Approval

# How long "since the last meeting" reaches back when the team has no earlier meeting recorded.
FREQUENCY_MONTHS = {Team.Frequency.MONTHLY: 1, Team.Frequency.QUARTERLY: 3}
FREQUENCY_DAYS = {Team.Frequency.WEEKLY: 7, Team.Frequency.FORTNIGHTLY: 14, Team.Frequency.SIX_WEEKLY: 42}
# The hour a first meeting is suggested at, when there is no earlier one to copy.
DEFAULT_HOUR = 10
REACHED_PHASES = (PDSACycle.Status.STUDY, PDSACycle.Status.ACT)


# ---- Dates: the team's rhythm, the next meeting, the window since the last one ----------------


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def add_interval(moment: datetime.datetime, frequency: str, times: int = 1) -> datetime.datetime:
    """`moment` moved on (or back, with negative `times`) by the team's meeting interval, in local
    time so that a 10:00 meeting stays at 10:00 across the change of the clocks."""
    local = timezone.localtime(moment)
    if frequency in FREQUENCY_MONTHS:
        moved = _add_months(local.replace(tzinfo=None), FREQUENCY_MONTHS[frequency] * times)
    else:
        moved = local.replace(tzinfo=None) + datetime.timedelta(days=FREQUENCY_DAYS.get(frequency, 28) * times)
    return timezone.make_aware(moved)


def _same_weekday_months_on(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` (local, naive) ``months`` on, on the same weekday of the same week of the month:
    after the second Tuesday, the second Tuesday; after a fifth Friday, the last Friday. This is
    how monthly meetings recur; the same day of the month drifts onto other weekdays and weekends
    (a Wednesday 16 December meeting would be followed on Saturday 16 January)."""
    week = (moment.day - 1) // 7  # 0 for the first such weekday of the month, 4 for a fifth
    first = _add_months(moment.replace(day=1), months)
    offset = (moment.weekday() - first.weekday()) % 7  # the month's first such weekday is 1 + offset
    length = calendar.monthrange(first.year, first.month)[1]
    day = 1 + offset + 7 * (week if week < 4 else (length - 1 - offset) // 7)
    return first.replace(day=day)


def _in_rhythm(last_start: datetime.datetime, frequency: str, times: int) -> datetime.datetime:
    if frequency not in FREQUENCY_MONTHS:
        return add_interval(last_start, frequency, times)
    local = timezone.localtime(last_start).replace(tzinfo=None)
    return timezone.make_aware(_same_weekday_months_on(local, FREQUENCY_MONTHS[frequency] * times))


def suggested_start(team: Team, last_start: datetime.datetime | None, *, now: datetime.datetime) -> datetime.datetime:
    """The next meeting: one interval after the last one (kept at its time of day; monthly and
    quarterly ones on the same weekday of the same week of the month), and not in the past;
    with no earlier meeting, a weekday a week from now at 10:00."""
    if last_start is None:
        day = timezone.localtime(now).date() + datetime.timedelta(days=7)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(DEFAULT_HOUR)))
    times = 1
    candidate = _in_rhythm(last_start, team.meeting_frequency, times)
    while candidate <= now:
        times += 1
        candidate = _in_rhythm(last_start, team.meeting_frequency, times)
    return candidate


@dataclass(frozen=True)
class Window:
    """What "since the last meeting" means for one meeting: from the team's previous meeting (or
    one meeting interval back when there is none) to the meeting itself, and never past now."""

    start: datetime.datetime
    end: datetime.datetime
    previous: Meeting | None

    @property
    def assumed(self) -> bool:
        return self.previous is None

    def contains(self, moment: datetime.datetime) -> bool:
        return self.start < moment <= self.end


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The team's meeting before this one, held or planned. One query."""
    return (
        Meeting.objects.filter(team_id=meeting.team_id, starts_at__lt=meeting.starts_at)
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .first()
    )


def since_window(
    meeting: Meeting, *, now: datetime.datetime | None = None, previous: Meeting | None | bool = False
) -> Window:
    """The window of changes an agenda reports. `previous` may be passed when already fetched."""
    now = now or timezone.now()
    if previous is False:
        previous = previous_meeting(meeting)
    end = min(meeting.starts_at, now)
    start = previous.starts_at if previous else add_interval(meeting.starts_at, meeting.team.meeting_frequency, -1)
    return Window(start=min(start, end), end=end, previous=previous or None)


# ---- The meeting list ------------------------------------------------------------------------


@dataclass
class TeamMeetings:
    team: Team
    upcoming: list[Meeting]
    past: list[Meeting]
    suggested: datetime.datetime


def meetings_overview(organisation: Organisation, *, now: datetime.datetime | None = None) -> list[TeamMeetings]:
    """Every team with its upcoming and past meetings and the suggested next date. Two queries."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    teams = list(Team.objects.for_organisation(organisation).select_related("organisation").order_by("kind", "name"))
    meetings = (
        Meeting.objects.for_organisation(organisation)
        .select_related("chair__user")
        .annotate(
            item_count=Count("items", distinct=True),
            open_action_count=Count("actions", filter=Q(actions__status=Action.Status.OPEN), distinct=True),
        )
        .order_by("starts_at")
    )
    by_team: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        meeting.organisation = organisation
        by_team[meeting.team_id].append(meeting)
    overview = []
    for team in teams:
        own = by_team.get(team.pk, [])
        for meeting in own:
            meeting.team = team
        upcoming = [m for m in own if timezone.localtime(m.starts_at).date() >= today and m.status == m.Status.PLANNED]
        past = [m for m in reversed(own) if m not in upcoming]
        last = own[-1].starts_at if own else None
        overview.append(TeamMeetings(team, upcoming, past, suggested_start(team, last, now=now)))
    return overview


def last_meeting_start(team: Team) -> datetime.datetime | None:
    return Meeting.objects.filter(team=team).order_by("-starts_at").values_list("starts_at", flat=True).first()


# ---- What changed since the last meeting -----------------------------------------------------


def _period_end(point: DataPoint, frequency: str) -> datetime.date:
    if frequency == Measure.Period.WEEK:
        return point.period + datetime.timedelta(days=7)
    months = 3 if frequency == Measure.Period.QUARTER else 1
    month = point.period.month - 1 + months
    return datetime.date(point.period.year + month // 12, month % 12 + 1, 1)


def point_arrived(measure: Measure, point: DataPoint) -> datetime.datetime:
    """When a point became part of the data. Entered points: when they were entered. Derived
    points are rewritten on every recompute, so they count from the end of their period."""
    if measure.source == Measure.Source.DERIVED:
        end = _period_end(point, measure.period)
        return timezone.make_aware(datetime.datetime.combine(end, datetime.time.min))
    return point.created_at


@dataclass
class AimChanges:
    """What changed for an aim within a window: its data, its chart's signals, its status."""

    new_periods: list[str] = field(default_factory=list)
    new_signals: list[str] = field(default_factory=list)
    status: tuple[str, str] | None = None
    progress: tuple[str, str] | None = None
    new_aim: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.new_periods or self.new_signals or self.status or self.progress or self.new_aim)


def _signal_keys(payload: dict) -> dict[tuple[str, str], dict]:
    points = payload["points"]
    return {(signal["kind"], points[signal["start"]]["x"]): signal for signal in payload["signals"]}


def _signal_text(signal: dict, payload: dict) -> str:
    points = payload["points"]
    verdict = {True: "improvement", False: "concern"}.get(signal["improvement"], "neither better nor worse")
    start, end = points[signal["start"]]["label"], points[signal["end"]]["label"]
    span = start if start == end else f"{start} to {end}"
    return f"{signal['name'].capitalize()} ({span}): {verdict}"


def chart_changes(measure: Measure, window: Window, *, hide_small_counts: bool = False) -> tuple[list[str], list[str]]:
    """The periods that arrived in the window and the signals they brought, from the measure's
    prefetched points, annotations and phases (no query). ``hide_small_counts``: the signals of
    the chart as a viewer sees it (small counts withheld before the analysis, measures.disclosure)."""
    points = list(measure.points.all())
    annotations, phases = list(measure.annotations.all()), list(measure.phases.all())
    by_then = [p for p in points if point_arrived(measure, p) <= window.start]
    by_end = [p for p in points if point_arrived(measure, p) <= window.end]
    new = [p for p in by_end if window.contains(point_arrived(measure, p))]
    if not new:
        return [], []
    before = chart_payload(measure, by_then, annotations, phases, hide_small_counts=hide_small_counts)
    after = chart_payload(measure, by_end, annotations, phases, hide_small_counts=hide_small_counts)
    old_keys = _signal_keys(before)
    signals = [_signal_text(s, after) for key, s in _signal_keys(after).items() if key not in old_keys]
    return [period_label(p.period, measure.period) for p in new], signals


def aim_changes(aims: list[Aim], window: Window, *, hide_small_counts: bool = False) -> dict[int, AimChanges]:
    """Per aim: new data and signals on its outcome chart (prefetched) and changes of status and
    progress score from its history. One query (the aims' history up to the window's end)."""
    changes = {aim.pk: AimChanges() for aim in aims}
    if not aims:
        return changes
    history = Aim.history.filter(id__in=list(changes), history_date__lte=window.end).order_by("id", "history_date")
    then: dict[int, object] = {}
    at_end: dict[int, object] = {}
    for record in history.only("id", "status", "progress_score", "history_date"):
        at_end[record.id] = record
        if record.history_date <= window.start:
            then[record.id] = record
    labels = dict(Aim.Status.choices)
    for aim in aims:
        change = changes[aim.pk]
        before, after = then.get(aim.pk), at_end.get(aim.pk)
        if after is not None and before is None:
            # Its first record (its creation) falls in the window.
            change.new_aim = True
        elif before is not None and after is not None:
            if before.status != after.status:
                change.status = (labels.get(before.status, before.status), labels.get(after.status, after.status))
            if before.progress_score != after.progress_score:
                change.progress = (before.progress_score or "none", after.progress_score or "none")
        if aim.outcome_measure is not None:
            change.new_periods, change.new_signals = chart_changes(
                aim.outcome_measure, window, hide_small_counts=hide_small_counts
            )
    return changes


def cycles_reaching_study_or_act(
    organisation: Organisation, window: Window, *, aims: list[Aim] | None = None
) -> list[PDSACycle]:
    """Cycles whose status moved into Study or Act within the window (from their history), in
    the order of their change idea and number. `aims` narrows to cycles of those aims' ideas."""
    candidates = PDSACycle.history.filter(
        organisation=organisation,
        history_date__gt=window.start,
        history_date__lte=window.end,
        status__in=REACHED_PHASES,
    ).values_list("id", flat=True)
    ids = set(candidates)
    if not ids:
        return []
    reached = set()
    last_status: dict[int, str | None] = {}
    records = (
        PDSACycle.history.filter(id__in=ids, history_date__lte=window.end)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date")
    )
    for cycle_id, status, when in records:
        if status in REACHED_PHASES and last_status.get(cycle_id) != status and window.contains(when):
            reached.add(cycle_id)
        last_status[cycle_id] = status
    cycles = PDSACycle.objects.for_organisation(organisation).filter(pk__in=reached)
    if aims is not None:
        cycles = cycles.filter(change_idea__aims__in=aims).distinct()
    return list(cycles.select_related("change_idea").order_by("change_idea__title", "number"))


# ---- Actions -------------------------------------------------------------------------------


def _action_queryset():
    return Action.objects.select_related(
        "owner__user", "meeting__team", "item", "aim", "change_idea", "cycle__change_idea"
    ).order_by("due_on", "pk")


def _with_organisation(actions: list[Action], organisation: Organisation) -> list[Action]:
    """Actions and what they link to all belong to one organisation: set it on each, so that their
    links need no query each."""
    for action in actions:
        action.organisation = organisation
        for linked in (action.meeting, action.aim, action.change_idea, action.cycle):
            if linked is not None:
                linked.organisation = organisation
        if action.cycle is not None:
            action.cycle.change_idea.organisation = organisation
    return actions


def carried_over_actions(meeting: Meeting, window: Window) -> tuple[list[Action], list[Action]]:
    """The team's actions from its earlier meetings: those still open, and those closed in the
    window (since the last meeting began, up to this one), so the group hears they are done. One
    closed before the last meeting began, that morning included, was heard there; one closed
    after this meeting began is for the next. One query."""
    closed_since = Q(closed_at__gt=window.start, closed_at__lte=window.end) | Q(
        # Closed before closing times were kept: by the day, as then.
        closed_at__isnull=True,
        closed_on__gte=timezone.localtime(window.start).date(),
        closed_on__lte=timezone.localtime(window.end).date(),
    )
    actions = _with_organisation(
        list(
            _action_queryset().filter(
                Q(status=Action.Status.OPEN) | closed_since,
                meeting__team_id=meeting.team_id,
                meeting__starts_at__lt=meeting.starts_at,
            )
        ),
        meeting.organisation,
    )
    return (
        [a for a in actions if a.status == Action.Status.OPEN],
        [a for a in actions if a.status != Action.Status.OPEN],
    )


@dataclass(frozen=True)
class MyAction:
    action: Action
    overdue: bool


def my_actions(
    organisation: Organisation, membership: Membership, *, today: datetime.date | None = None
) -> list[MyAction]:
    """The person's open actions, soonest due first, with those past their due date flagged, and
    with what the person's home shows of each: its meeting and the meeting's group (two joins,
    not the nine of a meeting's action list). One query."""
    today = today or timezone.localdate()
    actions = list(
        Action.objects.for_organisation(organisation)
        .filter(owner=membership, status=Action.Status.OPEN)
        .select_related("meeting__team")
        .order_by("due_on", "pk")
    )
    for action in actions:
        action.organisation = organisation
        if action.meeting is not None:
            action.meeting.organisation = organisation
    return [MyAction(action, action.due_on < today) for action in actions]


# ---- Implementation decisions and their meetings -------------------------------------------


def decision_meetings(organisation: Organisation, implementations: list[Implementation]) -> dict[int, Meeting]:
    """The real meeting where each implementation was decided, matched by the decision's date:
    a meeting of the organisation on that day, preferring one whose team the decision's free-text
    "meeting" names, then the leads group. pdsa cannot know governance, so the match is made
    here. One query."""
    dates = {i.decided_on for i in implementations if i.decided_on}
    if not dates:
        return {}
    candidates: dict[datetime.date, list[Meeting]] = defaultdict(list)
    earliest, latest = min(dates), max(dates)
    span = (
        timezone.make_aware(datetime.datetime.combine(earliest, datetime.time.min)),
        timezone.make_aware(datetime.datetime.combine(latest + datetime.timedelta(days=1), datetime.time.min)),
    )
    for meeting in (
        Meeting.objects.for_organisation(organisation)
        .filter(starts_at__gte=span[0], starts_at__lt=span[1])
        .select_related("team", "organisation")
    ):
        candidates[timezone.localtime(meeting.starts_at).date()].append(meeting)
    found = {}
    for implementation in implementations:
        same_day = candidates.get(implementation.decided_on, [])
        if not same_day:
            continue
        text = implementation.meeting.lower()

        def rank(meeting: Meeting, text: str = text) -> tuple[bool, bool]:
            return (meeting.team.name.lower() not in text, meeting.team.kind != Team.Kind.LEADS)

        found[implementation.pk] = min(same_day, key=rank)
    return found


# ---- Everything an agenda shows ------------------------------------------------------------


@dataclass
class AimReview:
    aim: Aim
    chart: MeasureChart | None
    changes: AimChanges
    measures: list[MeasureSummary] = field(default_factory=list)


@dataclass
class Decisions:
    awaiting: list[Implementation]
    ready_without_decision: list[ChangeIdea]
    meetings: dict[int, Meeting]


@dataclass
class AgendaEntry:
    item: AgendaItem
    actions: list[Action]
    review: AimReview | None = None
    cycle: PDSACycle | None = None


@dataclass
class AgendaContent:
    meeting: Meeting
    window: Window
    entries: list[AgendaEntry]
    attendance: list[Attendance]
    carried_open: list[Action]
    carried_closed: list[Action]
    unlinked_actions: list[Action]
    decisions: Decisions | None
    awaiting_triage: list[IdeaSubmission] | None
    unanswered_feedback: list[Feedback] | None
    data_pack: Report | None

    def kinds(self) -> set[str]:
        return {entry.item.kind for entry in self.entries}


def _summaries(measures: list[Measure], hide_small_counts: bool) -> list[MeasureSummary]:
    summaries = []
    for measure in measures:
        chart = measure_chart_data(measure, dom_id=f"spark-{measure.code}", hide_small_counts=hide_small_counts)
        points = list(measure.points.all())
        settled = [point for point in points if not point.provisional]
        latest = settled[-1] if settled else (points[-1] if points else None)
        summaries.append(MeasureSummary(measure, chart, latest, hide_small_counts))
    return summaries


def _chart_prefetches() -> list[Prefetch]:
    return [
        Prefetch("points", queryset=DataPoint.objects.order_by("period")),
        Prefetch("annotations", queryset=Annotation.objects.order_by("date")),
        Prefetch("phases", queryset=Phase.objects.order_by("start")),
    ]


def _aim_reviews(
    meeting: Meeting, items: list[AgendaItem], window: Window, hide_small_counts: bool
) -> dict[int, AimReview]:
    org = meeting.organisation
    aims = list({item.aim_id: item.aim for item in items if item.aim_id is not None}.values())
    for aim in aims:
        aim.organisation = org
    outcome = [aim.outcome_measure for aim in aims if aim.outcome_measure is not None]
    for measure in outcome:
        measure.organisation = org
    prefetch_related_objects(outcome, *_chart_prefetches())
    with_measures = meeting.team.kind == Team.Kind.AIMS
    if with_measures and aims:
        prefetch_related_objects(
            aims,
            Prefetch(
                "measures",
                queryset=Measure.objects.active().select_related("organisation").prefetch_related(*_chart_prefetches()),
            ),
        )
    changes = aim_changes(aims, window, hide_small_counts=hide_small_counts)
    reviews = {}
    for aim in aims:
        chart = None
        if aim.outcome_measure is not None:
            chart = measure_chart_data(aim.outcome_measure, dom_id=f"aim-chart-{aim.code}")
            if hide_small_counts:
                chart = masked_chart(chart)
        measures = _summaries(list(aim.measures.all()), hide_small_counts) if with_measures else []
        reviews[aim.pk] = AimReview(aim, chart, changes[aim.pk], measures)
    return reviews


def _decisions(organisation: Organisation) -> Decisions:
    awaiting = list(
        Implementation.objects.for_organisation(organisation)
        .filter(started_on__isnull=True, approvals__decision=Approval.Decision.PENDING)
        .distinct()
        .select_related("change_idea", "organisation")
        .prefetch_related(Prefetch("approvals", queryset=Approval.objects.select_related("approver__user")))
        .order_by("decided_on", "pk")
    )
    meetings = decision_meetings(organisation, awaiting)
    for implementation in awaiting:
        implementation.change_idea.organisation = organisation
        implementation.decision_meeting = meetings.get(implementation.pk)
        implementation.waiting_for = [
            approval.approver.display_name
            for approval in implementation.approvals.all()
            if approval.decision == Approval.Decision.PENDING
        ]
    ready = list(
        ChangeIdea.objects.for_organisation(organisation)
        .filter(status=ChangeIdea.Status.READY, implementation__isnull=True)
        .select_related("organisation")
        .order_by("title")
    )
    return Decisions(awaiting, ready, meetings)


def agenda_content(meeting: Meeting, *, hide_small_counts: bool, now: datetime.datetime | None = None) -> AgendaContent:
    """Every item of the meeting with its live content, and the meeting's people and actions.
    `meeting` should come with its team and organisation. A fixed number of queries."""
    org = meeting.organisation
    window = since_window(meeting, now=now)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("aim__outcome_measure", "aim__lead__user", "cycle__change_idea", "cycle__lead__user")
        .order_by("position", "pk")
    )
    for item in items:
        item.meeting = meeting
    kinds = {item.kind for item in items}
    reviews = _aim_reviews(meeting, items, window, hide_small_counts)
    cycles = [item.cycle for item in items if item.cycle_id is not None]
    for cycle in cycles:
        cycle.organisation = org
        cycle.change_idea.organisation = org
    prefetch_related_objects(cycles, Prefetch("predictions", queryset=Prediction.objects.order_by("order", "pk")))

    actions = _with_organisation(list(_action_queryset().filter(meeting=meeting)), org)
    by_item: dict[int | None, list[Action]] = defaultdict(list)
    for action in actions:
        by_item[action.item_id].append(action)
    entries = [
        AgendaEntry(
            item=item,
            actions=by_item.get(item.pk, []),
            review=reviews.get(item.aim_id) if item.kind == AgendaItem.Kind.AIM_REVIEW else None,
            cycle=item.cycle if item.kind == AgendaItem.Kind.TESTING else None,
        )
        for item in items
    ]
    item_ids = {item.pk for item in items}
    carried_open, carried_closed = carried_over_actions(meeting, window)
    return AgendaContent(
        meeting=meeting,
        window=window,
        entries=entries,
        attendance=list(
            Attendance.objects.filter(meeting=meeting)
            .select_related("member__user")
            .order_by("member__user__first_name", "member__user__last_name")
        ),
        carried_open=carried_open,
        carried_closed=carried_closed,
        unlinked_actions=[a for a in actions if a.item_id not in item_ids],
        decisions=_decisions(org) if AgendaItem.Kind.DECISIONS in kinds else None,
        awaiting_triage=list(
            IdeaSubmission.objects.for_organisation(org)
            .filter(status=IdeaSubmission.Status.NEW)
            .select_related("submitted_by__user")
            .order_by("created_at")
        )
        if AgendaItem.Kind.IDEAS in kinds
        else None,
        unanswered_feedback=list(
            Feedback.objects.for_organisation(org)
            .filter(response="")
            .select_related("change_idea", "cycle__change_idea")
            .order_by("received_on", "pk")
        )
        if AgendaItem.Kind.LISTENING in kinds
        else None,
        data_pack=_data_pack(meeting),
    )


def _data_pack(meeting: Meeting) -> Report | None:
    report = Report.objects.filter(meeting=meeting, kind=Report.Kind.DATA_PACK).first()
    if report is not None:
        report.organisation = meeting.organisation
    return report
