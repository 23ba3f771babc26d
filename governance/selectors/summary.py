"""The live governance summary of an organisation: what a board needs to know, in one read.

The senior managers' dashboard shows it live; a governance report freezes it (``as_snapshot()``
gives plain JSON-ready data) so that a board paper never changes after it was built.

- every aim followed (default: every active aim): statement, status, IHI progress score, the
  outcome measure's latest settled value against the aim's target, Making Data Count variation
  and assurance icons, and a sparkline against the target;
- the permanence timescales: latest median days and % within target against the target, with
  their icons, and the children waiting past the target now;
- testing in the period (cycles started and completed, change ideas by status), implementation
  (decided / started / live), listening (voices heard, "you said, we did" rate);
- data freshness: the last committed milestone upload and the data completeness problems.

``viewer=True`` is for anyone who may not see child-level data (``Permission.CHILD_DATA``) and
for board papers: counts of 1–4 children show as "<5", medians and percentages of fewer than 5
children are withheld ("not shown") — never as 0 — as ``measures.disclosure`` rules. The
analysis still runs on the full data, so icons are the same for everyone.

A fixed number of SQL queries whatever the size of the data (about 20; asserted in the tests).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.db.models.base import ModelState
from django.urls import NoReverseMatch

from aims.models import Aim
from aims.progress import DESCRIPTIONS as PROGRESS_DESCRIPTIONS
from governance.sparklines import Sparkline, sparkline_svg
from measures import disclosure
from measures.chart_cache import chart_entries
from measures.charts import format_number
from measures.milestones import derived
from measures.models import DataPoint, Measure, MilestoneImport, Timescale
from measures.readings import period_label
from measures.selectors import MeasureChart, MeasureSummary, chart_entries_for
from pace_hub.models import Organisation
from pdsa.models import ChangeIdea, Feedback, Implementation, PDSACycle

DEFAULT_PERIOD_DAYS = 90
# Who was heard, in the singular and the plural, for a sentence.
VOICE_WORDS = {
    "child": ("child or young person", "children or young people"),
    "infant": ("infant or non-verbal child", "infants or non-verbal children"),
    "parent": ("parent", "parents"),
    "carer": ("carer", "carers"),
    "colleague": ("colleague", "colleagues"),
    "partner": ("partner agency", "partner agencies"),
}
SPARKLINE_POINTS = 24
# The chart-cache entry (key part) the summary and the home page read: see ``outcome_summaries``.
SUMMARY_PART = "governance"


@dataclass
class Figure:
    """One latest value as it may be shown: its text, period and icons.

    ``suppressed`` means the value describes 1–4 children and ``text`` says so instead of a
    number; ``text`` is never "0" for a withheld value. ``earlier_text`` and ``earlier_period``
    are then the latest settled value that may be shown (as the viewer's chart shows it too).
    """

    text: str
    period: str = ""  # "November 2026", "Q1 2026"
    short_period: str = ""  # "Nov 2026", for tight spaces
    provisional: bool = False
    suppressed: bool = False
    earlier_text: str = ""
    earlier_period: str = ""  # short, as short_period
    variation: dict | None = None
    assurance: dict | None = None
    measure_title: str = ""
    measure_url: str = ""


@dataclass
class AimRow:
    code: str
    url: str
    title: str
    statement: str
    kind: str
    status: str
    status_label: str
    progress_score: str  # "0.5" to "5.0", or "" when not scored
    progress_label: str  # the IHI description ("Changes tested, but no improvement")
    target_text: str
    latest: Figure
    sparkline: Sparkline | None
    sparkline_svg: str = ""
    lead: str = ""


@dataclass
class TimescaleTile:
    code: str
    name: str
    basis: str
    target_days: int
    median_days: Figure
    within_target: Figure
    waiting: str  # as shown: a number, or "<5" for 1–4 children
    waiting_noun: str
    waiting_count: int | None  # the exact count, only when child-level data may be seen
    # False when the kept counts (``stored_counts``) do not have this timescale yet: the worker
    # is counting it, and the tile says so rather than showing a number.
    waiting_counted: bool = True


@dataclass
class Testing:
    cycles_started: int
    cycles_completed: int
    cycles_in_study_or_act: int  # now, whenever they started
    ideas_by_status: list[dict[str, Any]]  # {"status", "label", "count"} in the pathway's order
    ideas_total: int
    ideas_summary: str  # "2 testing, 1 ready to implement, 1 parked" (statuses with none left out)
    ideas_testing: int  # change ideas being tested now


@dataclass
class Implementations:
    decided: int  # decided, not started yet
    started: int  # under way, not live yet
    live: int
    decided_in_period: int
    started_in_period: int
    live_in_period: int


@dataclass
class Listening:
    voices_heard: int  # feedback received in the period
    by_voice: list[dict[str, Any]]  # {"voice", "label", "count"}
    voices_summary: str  # "2 children or young people, 1 infant, 1 carer" (voices not heard left out)
    children_heard: int  # of the voices heard, children and young people, infants and non-verbal children
    answered: int  # of those, with a "you said, we did" response
    answered_percent: int | None
    unanswered_total: int  # all feedback still waiting for a response, whenever received


@dataclass
class Freshness:
    last_import_at: datetime.datetime | None
    last_import_rows: int | None
    completeness_problems: str  # as shown ("<5" for viewers when 1–4)
    completeness_count: int | None  # exact, only when child-level data may be seen
    latest_period: datetime.date | None  # the latest period of any data point shown above
    # With ``stored_counts``: the day the kept waiting and completeness counts are for (None
    # when counted live, or not counted yet).
    counts_as_of: datetime.date | None = None


@dataclass
class GovernanceSummary:
    organisation_name: str
    today: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    viewer: bool
    aims: list[AimRow]
    timescales: list[TimescaleTile]
    testing: Testing
    implementations: Implementations
    listening: Listening
    freshness: Freshness
    notes: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%-d %b %Y} to {self.period_end:%-d %b %Y}"

    def as_snapshot(self) -> dict[str, Any]:
        """Plain JSON-serialisable data (dates as ISO strings), for a report's frozen snapshot."""
        return _plain(dataclasses.asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


# The pieces ----------------------------------------------------------------------------------


def _url(obj: Any) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # a page that is not installed leaves the figure unlinked
        return ""


def _short_period(period: datetime.date, frequency: str) -> str:
    if frequency == Measure.Period.MONTH:
        return f"{period:%b %Y}"
    if frequency == Measure.Period.WEEK:
        return f"w/c {period:%-d %b %Y}"
    return period_label(period, frequency)


def _figure(summary: MeasureSummary | None, *, viewer: bool) -> Figure:
    if summary is None:
        return Figure(text="No measure")
    measure, point = summary.measure, summary.latest
    payload = summary.chart.payload
    if point is None:
        return Figure(text="No data yet", measure_title=measure.title, measure_url=_url(measure))
    hidden = viewer and measure.source == Measure.Source.DERIVED and disclosure.point_is_disclosive(measure, point)
    earlier = payload["earlier"] if hidden else None
    return Figure(
        text=summary.latest_text,
        period=period_label(point.period, measure.period),
        short_period=_short_period(point.period, measure.period),
        provisional=point.provisional,
        suppressed=hidden,
        earlier_text=format_number(earlier["y"], payload["unit"]) if earlier else "",
        earlier_period=_short_period(datetime.date.fromisoformat(earlier["x"]), measure.period) if earlier else "",
        variation=payload["variation"],
        assurance=payload["assurance"],
        measure_title=measure.title,
        measure_url=_url(measure),
    )


def _small_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """What the summary and the home page read of a chart result: its unit and icons, the last
    ``SPARKLINE_POINTS`` points as a sparkline plots them, and the latest settled point that may
    be shown (a viewer's figure names it when the latest is withheld)."""
    points = payload["points"]
    shown = [
        point for point in points if point["y"] is not None and not point["provisional"] and not point.get("suppressed")
    ]
    return {
        "unit": payload["unit"],
        "variation": payload["variation"],
        "assurance": payload["assurance"],
        "points": [
            {"y": point["y"], "label": point["label"], "suppressed": bool(point.get("suppressed"))}
            for point in points[-SPARKLINE_POINTS:]
        ],
        "earlier": {"x": shown[-1]["x"], "y": shown[-1]["y"]} if shown else None,
    }


def _point(fields: dict[str, Any]) -> DataPoint:
    """The latest point, unsaved and bare (no ``__init__``, no signals): the summary reads only
    its value fields and period, and a page builds dozens."""
    point = DataPoint.__new__(DataPoint)
    point.__dict__.update(fields)
    point._state = ModelState()
    return point


def outcome_summaries(
    organisation: Organisation, measures: list[Measure], *, viewer: bool
) -> dict[int, MeasureSummary]:
    """Each measure's summary by pk, made from a small chart-cache entry (``SUMMARY_PART``, same
    version stamp as the chart, so every write renews it) rather than the full chart result:
    a page of dozens of aims reads and unpickles a few hundred bytes each instead of whole
    charts. A miss is made from the full chart result (itself cached). No query when cached.
    The summaries' ``chart.payload`` is the small payload (``_small_payload``)."""

    def compute(missing: list[Measure]) -> dict[int, dict[str, Any]]:
        full = chart_entries_for(missing, hide_small_counts=viewer)
        return {
            pk: {"payload": _small_payload(entry["payload"]), "latest": entry["latest"]} for pk, entry in full.items()
        }

    for measure in measures:  # all of them are the organisation's: one instance, not one per row
        measure.organisation = organisation
    entries = chart_entries(measures, compute, hide_small_counts=viewer, part=SUMMARY_PART)
    summaries = {}
    for measure in measures:
        entry = entries[measure.pk]
        latest = _point(entry["latest"]) if entry["latest"] is not None else None
        chart = MeasureChart(measure, entry["payload"], f"spark-{measure.code}")
        summaries[measure.pk] = MeasureSummary(measure, chart, latest, viewer)
    return summaries


def outcome_sparkline(summary: MeasureSummary | None, target: float | None) -> Sparkline | None:
    """The sparkline of an outcome summary (``outcome_summaries``) against the target."""
    if summary is None or not summary.chart.payload["points"]:
        return None
    payload = summary.chart.payload
    points = payload["points"]
    return Sparkline(
        values=[point["y"] for point in points],
        labels=[point["label"] for point in points],
        suppressed=[point["suppressed"] for point in points],
        target=target,
        unit=payload["unit"],
    )


def _aim_target(aim: Aim) -> str:
    if aim.target_value is None:
        return "No target set"
    text = format_number(aim.target_value, aim.unit)
    return f"{text} by {aim.by_date:%b %Y}" if aim.by_date else text


# The fields of an aim (and of its lead) that an ``AimRow`` is made from.
AIM_FIELDS = (
    "code",
    "title",
    "statement",
    "kind",
    "status",
    "progress_score",
    "target_value",
    "unit",
    "by_date",
    "outcome_measure_id",
    "lead__user__first_name",
    "lead__user__last_name",
    "lead__user__email",
    "lead__user__username",
)


def _aims(organisation: Organisation, aims: Iterable[Aim] | QuerySet[Aim] | None) -> list[Aim]:
    queryset = Aim.objects.for_organisation(organisation)
    if aims is None:
        queryset = queryset.active()
    else:
        # Always re-read within the organisation: a list from elsewhere cannot widen the scope.
        queryset = queryset.filter(pk__in=[aim.pk if isinstance(aim, Aim) else aim for aim in aims])
    rows = list(
        queryset.select_related("lead__user")
        # What a row shows (``AimRow``), nothing more: an aim row is wide, and at 30 aims reading
        # and building every field was a fifth of the dashboard's time.
        .only(*AIM_FIELDS)
        .order_by("kind", "status", "title")
    )
    for aim in rows:  # all of them are the organisation's: one instance, not one per row
        aim.organisation = organisation
    return rows


def _waiting_counts(organisation: Organisation, timescales: list[Timescale], today: datetime.date) -> dict[int, int]:
    """Children past each timescale's target without its later milestone, on its route, now —
    the rule of ``derived.waiting_children`` over one load of the dates (two queries)."""
    milestones = list({m.pk: m for t in timescales for m in (t.from_milestone, t.to_milestone)}.values())
    if not milestones:
        return {}
    frame = derived.dates_by_child(organisation, milestones)
    counts = {}
    for timescale in timescales:
        if frame.empty:
            counts[timescale.pk] = 0
            continue
        on_route = ~frame["route"].isin(derived.routes_without(timescale.to_milestone.code)).to_numpy()
        start = frame[timescale.from_milestone_id].to_numpy(dtype="datetime64[D]")[on_route]
        end = frame[timescale.to_milestone_id].to_numpy(dtype="datetime64[D]")[on_route]
        deadline = np.datetime64(today - datetime.timedelta(days=timescale.target_days), "D")
        counts[timescale.pk] = int((~np.isnat(start) & (start < deadline) & np.isnat(end)).sum())
    return counts


def _testing(organisation: Organisation, start: datetime.date, end: datetime.date) -> Testing:
    # One row per status (cheaper to build than a filtered count for each figure).
    by_status = list(
        PDSACycle.objects.for_organisation(organisation)
        .order_by()
        .values("status")
        .annotate(
            started=Count("pk", filter=Q(start_date__range=(start, end))),
            # A cycle without an end date counts from when its decision was recorded.
            finished=Count(
                "pk",
                filter=Q(end_date__range=(start, end)) | Q(end_date__isnull=True, updated_at__date__range=(start, end)),
            ),
            count=Count("pk"),
        )
    )
    cycles = {
        "started": sum(row["started"] for row in by_status),
        "completed": sum(row["finished"] for row in by_status if row["status"] == PDSACycle.Status.COMPLETE),
        "reflecting": sum(
            row["count"] for row in by_status if row["status"] in {PDSACycle.Status.STUDY, PDSACycle.Status.ACT}
        ),
    }
    # Grouped rather than one filtered count per status: the same counts, a third of the work.
    by_status = dict(
        ChangeIdea.objects.for_organisation(organisation)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    ideas = {status.value: by_status.get(status.value, 0) for status in ChangeIdea.Status}
    summary = ", ".join(
        f"{ideas[status.value]} {status.label.lower()}" for status in ChangeIdea.Status if ideas[status.value]
    )
    return Testing(
        ideas_summary=summary,
        ideas_testing=ideas[ChangeIdea.Status.TESTING.value],
        cycles_started=cycles["started"],
        cycles_completed=cycles["completed"],
        cycles_in_study_or_act=cycles["reflecting"],
        ideas_by_status=[
            {"status": status.value, "label": status.label, "count": ideas[status.value]}
            for status in ChangeIdea.Status
        ],
        ideas_total=sum(ideas.values()),
    )


def _implementations(organisation: Organisation, start: datetime.date, end: datetime.date) -> Implementations:
    counts = Implementation.objects.for_organisation(organisation).aggregate(
        decided=Count("pk", filter=Q(started_on__isnull=True)),
        started=Count("pk", filter=Q(started_on__isnull=False, live_on__isnull=True)),
        live=Count("pk", filter=Q(live_on__isnull=False)),
        decided_in_period=Count("pk", filter=Q(decided_on__range=(start, end))),
        started_in_period=Count("pk", filter=Q(started_on__range=(start, end))),
        live_in_period=Count("pk", filter=Q(live_on__range=(start, end))),
    )
    return Implementations(**counts)


def _listening(organisation: Organisation, start: datetime.date, end: datetime.date) -> Listening:
    in_period = Q(received_on__range=(start, end))
    # One row per voice (three counts each) rather than nine filtered counts: the same figures.
    rows = list(
        Feedback.objects.for_organisation(organisation)
        .order_by()
        .values("voice")
        .annotate(
            heard=Count("pk", filter=in_period),
            answered=Count("pk", filter=in_period & ~Q(response="")),
            unanswered=Count("pk", filter=Q(response="")),
        )
    )
    by_voice = {row["voice"]: row["heard"] for row in rows}
    heard = sum(by_voice.values())
    answered = sum(row["answered"] for row in rows)
    counts = {voice.value: by_voice.get(voice.value, 0) for voice in Feedback.Voice}
    voices = [(VOICE_WORDS[voice.value], counts[voice.value]) for voice in Feedback.Voice]
    return Listening(
        children_heard=counts["child"] + counts["infant"],
        voices_summary=", ".join(f"{count} {words[count != 1]}" for words, count in voices if count),
        voices_heard=heard,
        by_voice=[
            {"voice": voice.value, "label": voice.label, "count": counts[voice.value]} for voice in Feedback.Voice
        ],
        answered=answered,
        answered_percent=round(100 * answered / heard) if heard else None,
        unanswered_total=sum(row["unanswered"] for row in rows),
    )


@dataclass
class _Counts:
    """Children waiting past each timescale's target (by timescale id; a timescale missing was
    not counted) and the data completeness problems (None: not counted), with the day they are
    for when they were kept by the worker."""

    waiting: dict[int, int]
    completeness: int | None
    as_of: datetime.date | None = None


def _live_counts(organisation: Organisation, timescales: list[Timescale], today: datetime.date) -> _Counts:
    return _Counts(
        waiting=_waiting_counts(organisation, timescales, today),
        completeness=len(derived.completeness_issues(organisation)),
    )


def _stored_counts(organisation: Organisation, timescales: list[Timescale], today: datetime.date) -> _Counts:
    """The counts the worker keeps (``derived.pathway_summary``, one query): no child row is read
    in the request. A summary from an earlier day is used as it is ("as of" that day) while the
    worker is asked for today's."""
    kept = derived.pathway_summary(organisation, today)
    if kept is None:
        return _Counts(waiting={}, completeness=None)
    waiting = {timescale.pk: kept.waiting(timescale) for timescale in timescales}
    return _Counts(
        waiting={pk: count for pk, count in waiting.items() if count is not None},
        completeness=kept.completeness_issues,
        as_of=kept.as_of,
    )


def _freshness(
    organisation: Organisation, *, viewer: bool, latest_period: datetime.date | None, counts: _Counts
) -> Freshness:
    last = (
        MilestoneImport.objects.for_organisation(organisation)
        .filter(status=MilestoneImport.Status.COMMITTED, committed_at__isnull=False)
        .order_by("-committed_at")
        .values("committed_at", "rows")
        .first()
    )
    problems = counts.completeness
    shown = "Being counted" if problems is None else derived.suppress(problems) if viewer else str(problems)
    return Freshness(
        last_import_at=last["committed_at"] if last else None,
        last_import_rows=last["rows"] if last else None,
        completeness_problems=shown,
        completeness_count=None if viewer else problems,
        latest_period=latest_period,
        counts_as_of=counts.as_of,
    )


def governance_summary(
    organisation: Organisation,
    *,
    viewer: bool,
    today: datetime.date,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    aims: Iterable[Aim] | QuerySet[Aim] | None = None,
    stored_counts: bool = False,
) -> GovernanceSummary:
    """The organisation's governance summary as of ``today``.

    The period (for testing, implementation and listening) defaults to the last 90 days up to
    ``today`` inclusive. ``aims`` narrows the aims to those a governance group follows (any
    status); by default every active aim. ``viewer`` withholds small numbers of children.

    ``stored_counts`` takes the children waiting and the completeness problems from the counts
    the worker keeps (the dashboard: no page reads every child's dates); otherwise they are
    counted now from the dates (a report, built by the worker, as of its day).
    """
    period_end = period_end or today
    period_start = period_start or period_end - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if period_start > period_end:
        raise ValueError(f"The period starts ({period_start}) after it ends ({period_end}).")

    aim_list = _aims(organisation, aims)
    timescales = derived.usable_timescales(organisation)
    derivations = [Measure.Derivation.MEDIAN_DAYS, Measure.Derivation.WITHIN_TARGET]
    measures = Measure.objects.for_organisation(organisation).filter(
        Q(pk__in=[aim.outcome_measure_id for aim in aim_list if aim.outcome_measure_id])
        | Q(source=Measure.Source.DERIVED, timescale__in=timescales, derivation__in=derivations)
    )
    by_id = outcome_summaries(organisation, list(measures), viewer=viewer)
    summaries = list(by_id.values())
    by_timescale = {
        (summary.measure.timescale_id, summary.measure.derivation): summary
        for summary in summaries
        if summary.measure.source == Measure.Source.DERIVED
    }

    rows = []
    for aim in aim_list:
        summary = by_id.get(aim.outcome_measure_id)
        target = summary.measure.target if summary is not None else None
        sparkline = outcome_sparkline(summary, target if target is not None else aim.target_value)
        latest = _figure(summary, viewer=viewer) if aim.outcome_measure_id else Figure(text="No outcome measure")
        rows.append(
            AimRow(
                code=str(aim.code),
                url=_url(aim),
                title=aim.title,
                statement=aim.statement or aim.title,
                kind=aim.get_kind_display(),
                status=aim.status,
                status_label=aim.get_status_display(),
                progress_score=aim.progress_score,
                progress_label=PROGRESS_DESCRIPTIONS.get(aim.progress_score, "Not scored yet"),
                target_text=_aim_target(aim),
                latest=latest,
                sparkline=sparkline,
                sparkline_svg=sparkline_svg(sparkline, title=aim.title) if sparkline else "",
                lead=aim.lead.display_name if aim.lead else "",
            )
        )

    counts = (_stored_counts if stored_counts else _live_counts)(organisation, timescales, today)
    tiles = []
    for timescale in timescales:
        count = counts.waiting.get(timescale.pk)
        shown = "" if count is None else derived.suppress(count) if viewer else str(count)
        tiles.append(
            TimescaleTile(
                code=str(timescale.code),
                name=str(timescale),
                basis=timescale.basis,
                target_days=timescale.target_days,
                median_days=_figure(by_timescale.get((timescale.pk, Measure.Derivation.MEDIAN_DAYS)), viewer=viewer),
                within_target=_figure(
                    by_timescale.get((timescale.pk, Measure.Derivation.WITHIN_TARGET)), viewer=viewer
                ),
                waiting=shown,
                waiting_noun=derived.children_noun(shown) if shown else "",
                waiting_count=None if viewer else count,
                waiting_counted=count is not None,
            )
        )

    periods = [summary.latest.period for summary in summaries if summary.latest is not None]
    notes = []
    if viewer:
        notes.append(
            'Counts of 1–4 children are shown as "<5", and medians or percentages of fewer than 5 children '
            "are not shown, to protect children's privacy."
        )
    return GovernanceSummary(
        organisation_name=organisation.name,
        today=today,
        period_start=period_start,
        period_end=period_end,
        viewer=viewer,
        aims=rows,
        timescales=tiles,
        testing=_testing(organisation, period_start, period_end),
        implementations=_implementations(organisation, period_start, period_end),
        listening=_listening(organisation, period_start, period_end),
        freshness=_freshness(organisation, viewer=viewer, latest_period=max(periods, default=None), counts=counts),
        notes=notes,
    )
