"""Reads of measures and their charts, for the measures pages and for other apps' pages.

Other apps (aims, PDSA, governance dashboards) embed a measure's chart with
`measure_chart_data(measure)` and `templates/measures/includes/chart_card.html`, and list
measures with their icons through `measures_with_latest(org)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from measures import disclosure
from measures.charts import chart_payload, format_number, point_value, table_rows
from measures.models import Annotation, DataPoint, Measure, Phase
from pace_hub.models import Organisation


@dataclass
class MeasureChart:
    """What chart_card.html needs: the payload for the JS and the rows for the table view."""

    measure: Measure
    payload: dict[str, Any]
    dom_id: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"

    @property
    def reading(self) -> list[str]:
        return self.payload["reading"]

    @property
    def variation(self) -> dict | None:
        return self.payload["variation"]

    @property
    def assurance(self) -> dict | None:
        return self.payload["assurance"]

    @property
    def suggestion(self) -> dict | None:
        return self.payload["suggestion"]


@dataclass
class MeasureSummary:
    """A measure's line in a list or dashboard: latest value, icons and a sparkline."""

    measure: Measure
    chart: MeasureChart
    latest: DataPoint | None
    small_counts_hidden: bool = False

    @property
    def latest_text(self) -> str:
        if self.latest is None:
            return "No data yet"
        text = format_number(point_value(self.latest, self.measure), self.chart.payload["unit"])
        if self.small_counts_hidden:
            return disclosure.latest_text(self.measure, self.latest, text)
        return text

    @property
    def signal_status(self) -> str:
        """ "improvement", "concern", "neither" or "none": what the chart's signals say overall."""
        return signal_status(self.chart.payload)


def signal_status(payload: dict[str, Any]) -> str:
    """Whether the latest phase has signals of improvement, concern, or none."""
    if not payload["phases"]:
        return "none"
    latest = len(payload["phases"]) - 1
    flags = {signal["improvement"] for signal in payload["signals"] if signal["phase"] == latest}
    if False in flags:
        return "concern"
    if True in flags:
        return "improvement"
    return "neither" if flags else "none"


def hide_small_counts(chart: MeasureChart) -> MeasureChart:
    """The same chart with small groups of children withheld (see measures.disclosure)."""
    payload = disclosure.mask_payload(chart.measure, chart.payload)
    if payload is chart.payload:
        return chart
    return MeasureChart(chart.measure, payload, chart.dom_id, table_rows(payload))


def measure_chart_data(
    measure: Measure, *, chart: str | None = None, dom_id: str = "", hide_small_counts: bool = False
) -> MeasureChart:
    """A measure's chart, ready for chart_card.html. Three queries (points, annotations, phases)
    unless they were prefetched. ``hide_small_counts`` for people who may not see child-level
    data (see measures.disclosure)."""
    payload = chart_payload(
        measure,
        list(measure.points.all()),
        list(measure.annotations.all()),
        list(measure.phases.all()),
        chart=chart,
    )
    if hide_small_counts:
        payload = disclosure.mask_payload(measure, payload)
    return MeasureChart(measure, payload, dom_id or f"chart-{measure.code}", table_rows(payload))


def measures_for(
    organisation: Organisation, *, kind: str = "", aim: Any = None, include_archived: bool = False
) -> QuerySet[Measure]:
    measures = Measure.objects.for_organisation(organisation)
    if not include_archived:
        measures = measures.active()
    if kind:
        measures = measures.filter(kind=kind)
    if aim is not None:
        # Through the reverse relations from aims, so that measures need not import aims.
        measures = measures.filter(Q(outcome_of_aims=aim) | Q(aims=aim)).distinct()
    return measures


def measures_with_latest(
    organisation: Organisation,
    *,
    kind: str = "",
    signal: str = "",
    aim: Any = None,
    measures: QuerySet[Measure] | None = None,
    hide_small_counts: bool = False,
) -> list[MeasureSummary]:
    """Every measure with its sparkline chart, latest point and icons, in four queries whatever
    the number of measures. `signal` keeps those whose latest phase shows "improvement",
    "concern" or "none"; `measures` narrows to a queryset chosen by the caller."""
    queryset = measures if measures is not None else measures_for(organisation, kind=kind, aim=aim)
    queryset = (
        queryset.filter(organisation=organisation)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("points", queryset=DataPoint.objects.order_by("period")),
            Prefetch("phases", queryset=Phase.objects.order_by("start")),
            Prefetch("annotations", queryset=Annotation.objects.order_by("date")),
        )
    )
    summaries = []
    for measure in queryset:
        points = list(measure.points.all())
        payload = chart_payload(measure, points, list(measure.annotations.all()), list(measure.phases.all()))
        if hide_small_counts:
            payload = disclosure.mask_payload(measure, payload)
        chart = MeasureChart(measure, payload, f"spark-{measure.code}")
        # The latest settled point: a provisional month's value is still moving.
        settled = [point for point in points if not point.provisional]
        latest = settled[-1] if settled else (points[-1] if points else None)
        summary = MeasureSummary(measure, chart, latest, hide_small_counts)
        if signal and summary.signal_status != signal:
            continue
        summaries.append(summary)
    return summaries
