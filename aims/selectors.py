"""Reads for aims pages: lists with a constant number of queries, and the aim page's data."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from aims.diagram import DiagramNode, draw_driver_diagram
from aims.models import Aim, AimVersion, Driver
from aims.progress import ProgressSuggestion, progress_fraction, suggest_progress_score
from measures import disclosure
from measures.charts import point_value
from measures.models import Measure
from measures.selectors import MeasureChart, MeasureSummary, measure_chart_data, measures_with_latest
from measures.selectors import hide_small_counts as masked_chart
from pace_hub.models import Organisation

OPEN_STATUSES = (Aim.Status.DRAFT, Aim.Status.ACTIVE)


def aims_for_list(organisation: Organisation, *, filters: dict | None = None) -> QuerySet[Aim]:
    """The aims list: one query, whatever the number of aims."""
    filters = filters or {}
    aims = (
        Aim.objects.for_organisation(organisation)
        .select_related("organisation", "lead__user", "aims_group", "outcome_measure")
        .annotate(idea_count=Count("change_ideas", distinct=True), driver_count=Count("drivers", distinct=True))
        .order_by("status", "title")
    )
    for name in ("status", "kind"):
        if filters.get(name):
            aims = aims.filter(**{name: filters[name]})
    if filters.get("lead"):
        aims = aims.filter(lead=filters["lead"])
    if filters.get("aims_group"):
        aims = aims.filter(aims_group=filters["aims_group"])
    return aims


def review_due_on(aim: Aim) -> datetime.date:
    start = aim.last_reviewed or timezone.localdate(aim.created_at)
    return start + datetime.timedelta(days=aim.review_interval_days)


def is_review_overdue(aim: Aim, today: datetime.date | None = None) -> bool:
    return aim.status in OPEN_STATUSES and review_due_on(aim) < (today or timezone.localdate())


def aims_due_for_review(organisation: Organisation, *, today: datetime.date | None = None) -> list[Aim]:
    """Draft and active aims whose last review (or creation) is older than their interval. One query."""
    today = today or timezone.localdate()
    aims = (
        Aim.objects.for_organisation(organisation)
        .filter(status__in=OPEN_STATUSES)
        .select_related("organisation", "lead__user")
    )
    return sorted((aim for aim in aims if is_review_overdue(aim, today)), key=review_due_on)


@dataclass
class OutcomeProgress:
    latest: float | None
    latest_period: datetime.date | None
    fraction: float | None  # 0..1 of the way from baseline to target (may fall outside)
    improvement_signal: bool
    values: list[float | None] = field(default_factory=list)
    # The latest value describes 1–4 children and this person may not see it: neither it nor
    # anything worked out from it is shown (measures.disclosure.withheld).
    withheld: bool = False

    def for_display(self) -> "OutcomeProgress":
        """What the page may show: a withheld latest value and its progress are left out."""
        if not self.withheld:
            return self
        return OutcomeProgress(None, self.latest_period, None, self.improvement_signal, [], withheld=True)

    @property
    def percent(self) -> int:
        """For the progress bar, clipped to 0–100."""
        if self.fraction is None:
            return 0
        return round(max(0.0, min(1.0, self.fraction)) * 100)


def improvement_in_latest_phase(payload: dict) -> bool:
    """Whether the chart shows a signal in the better direction in its latest phase."""
    latest = len(payload["phases"]) - 1
    return any(signal["improvement"] is True for signal in payload["signals"] if signal["phase"] == latest)


def outcome_progress(aim: Aim, chart: MeasureChart | None, *, hide_small_counts: bool = False) -> OutcomeProgress:
    """The outcome measure's latest value against the aim's baseline and target, and whether its
    chart (the same one the page shows) signals improvement. ``withheld`` says whether the latest
    value may be shown to this person (see ``OutcomeProgress.for_display``)."""
    measure = aim.outcome_measure
    if measure is None or chart is None:
        return OutcomeProgress(None, None, None, False)
    points = list(measure.points.all())
    values = [point_value(point) for point in points]
    present = [(point, value) for point, value in zip(points, values, strict=True) if value is not None]
    latest_point, latest = present[-1] if present else (None, None)
    return OutcomeProgress(
        latest=latest,
        latest_period=latest_point.period if latest_point else None,
        fraction=progress_fraction(latest=latest, baseline=aim.baseline_value, target=aim.target_value),
        improvement_signal=improvement_in_latest_phase(chart.payload),
        values=values,
        withheld=disclosure.withheld(measure, latest_point, hide_small_counts=hide_small_counts),
    )


def driver_tree(aim: Aim) -> list[Driver]:
    """Primary drivers in order, each with ``.secondaries`` and every driver with ``.ideas``.
    Two queries (drivers, their change ideas)."""
    drivers = list(
        Driver.objects.filter(aim=aim)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("change_ideas", to_attr="ideas"))
    )
    for driver in drivers:
        for idea in driver.ideas:
            # Ideas are linked only within one organisation: spare a query per idea for its URL.
            idea.organisation = aim.organisation
    primaries = [driver for driver in drivers if driver.parent_id is None]
    by_parent: dict[int, list[Driver]] = {}
    for driver in drivers:
        if driver.parent_id is not None:
            by_parent.setdefault(driver.parent_id, []).append(driver)
    for primary in primaries:
        primary.secondaries = by_parent.get(primary.pk, [])
    return primaries


@dataclass
class AimPage:
    aim: Aim
    drivers: list[Driver]
    ideas: list
    outcome_chart: MeasureChart | None
    process_measures: list[MeasureSummary]
    versions: list[AimVersion]
    progress: OutcomeProgress
    suggestion: ProgressSuggestion
    review_due: datetime.date
    review_overdue: bool


def aim_page(aim: Aim, *, hide_small_counts: bool = False) -> AimPage:
    drivers = driver_tree(aim)
    ideas = list(
        aim.change_ideas.select_related("organisation", "lead__user")
        .annotate(cycle_count=Count("cycles"))
        .order_by("status", "title")
    )
    outcome_chart = measure_chart_data(aim.outcome_measure, dom_id="outcome-chart") if aim.outcome_measure else None
    if outcome_chart is not None and hide_small_counts:
        # The chart as the viewer sees it (small counts withheld before the analysis): its
        # signal is the one the progress text may name — one judged over withheld months
        # would tell which side of the centre they lie.
        outcome_chart = masked_chart(outcome_chart)
    progress = outcome_progress(aim, outcome_chart, hide_small_counts=hide_small_counts)
    better = aim.outcome_measure.better if aim.outcome_measure else "up"
    if better == Measure.Better.NEUTRAL:
        better = "up" if (aim.target_value or 0) >= (aim.baseline_value or 0) else "down"
    suggestion = suggest_progress_score(
        has_team=bool(aim.lead_id or aim.aims_group_id),
        driver_count=sum(1 + len(primary.secondaries) for primary in drivers),
        idea_count=len(ideas),
        cycle_count=sum(idea.cycle_count for idea in ideas),
        values=progress.values,
        baseline_value=aim.baseline_value,
        target_value=aim.target_value,
        better=better,
        improvement_signal=progress.improvement_signal,
    )
    if progress.withheld:
        # The reasons quote the latest value (or how far it went), which must not be shown.
        suggestion = ProgressSuggestion(
            suggestion.score,
            "Suggested from the testing activity and the outcome measure's data; its latest value describes "
            "fewer than 5 children, so it is not shown.",
        )
    return AimPage(
        aim=aim,
        drivers=drivers,
        ideas=ideas,
        outcome_chart=outcome_chart,
        process_measures=measures_with_latest(
            aim.organisation, measures=aim.measures.order_by("kind", "title"), hide_small_counts=hide_small_counts
        ),
        versions=list(aim.versions.select_related("changed_by").order_by("-version")),
        progress=progress.for_display(),
        suggestion=suggestion,
        review_due=review_due_on(aim),
        review_overdue=is_review_overdue(aim),
    )


def diagram_nodes(drivers: list[Driver]) -> list[DiagramNode]:
    """The driver tree (from ``driver_tree``) as plain nodes for ``draw_driver_diagram``."""

    def idea_nodes(driver: Driver) -> list[DiagramNode]:
        return [
            DiagramNode(key=f"idea:{idea.pk}", text=idea.title, note=idea.get_status_display()) for idea in driver.ideas
        ]

    return [
        DiagramNode(
            key=f"driver:{primary.pk}",
            text=primary.text,
            children=[
                *(
                    DiagramNode(key=f"driver:{secondary.pk}", text=secondary.text, children=idea_nodes(secondary))
                    for secondary in primary.secondaries
                ),
                *idea_nodes(primary),
            ],
        )
        for primary in drivers
    ]


def driver_diagram_svg(aim: Aim, drivers: list[Driver]) -> str:
    return draw_driver_diagram(
        aim_text=aim.statement or aim.title, primaries=diagram_nodes(drivers), title=f"Driver diagram: {aim.title}"
    )
