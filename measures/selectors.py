"""Reads of measures and their charts, for the measures pages and for other apps' pages.

Other apps (aims, PDSA, governance dashboards) embed a measure's chart with
`measure_chart_data(measure)` and `templates/measures/includes/chart_card.html`, and list
measures with their icons through `measures_with_latest(org)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.base import ModelState
from django.urls import reverse

from measures import disclosure
from measures.chart_cache import chart_entries
from measures.charts import chart_payload, format_number, mask_payload, point_value, table_rows
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

    @cached_property
    def sparkline(self) -> MeasureChart:
        """The small chart of a list: its recent points, coloured as the badge reads them."""
        return MeasureChart(self.measure, sparkline_payload(self.chart.payload), self.chart.dom_id)


@dataclass
class ListSummary(MeasureSummary):
    """A measures-list row: made from the small "list" cache entry (``list_entries_for``), whose
    payload holds only what a row shows — the sparkline, unit, icons, first reading — and the
    signal status worked out from the full chart. Saves reading and unpickling dozens of full
    chart payloads per list view."""

    status: str = "none"

    @property
    def signal_status(self) -> str:
        return self.status

    @cached_property
    def sparkline(self) -> MeasureChart:
        return MeasureChart(self.measure, self.chart.payload["spark"], self.chart.dom_id)


# Sparklines ---------------------------------------------------------------------------------
# A list shows the recent points only, and colours only the signal its variation badge reports:
# the icon is judged from the latest point (measures.analysis.spc.variation_icon), so an orange
# (concern) point on a sparkline appears exactly when the badge says "special cause concerning"
# — never for an old signal the badge no longer reports. Both come from the same chart result.

SPARK_POINTS = 24
BADGE_IMPROVEMENT = {
    "special_cause_improving": True,
    "special_cause_concerning": False,
    "special_cause_neither": None,
}
_SPARK_KEYS = (
    "chart_label",
    "unit",
    "target",
    "centre_name",
    "step_lines",
    "y_from_zero",
    "per_event",
    "numerator_label",
    "variation",
)


def _short(value: float | None) -> float | None:
    # A sparkline is 90 pixels high: three decimals are more than it can show.
    return round(value, 3) if isinstance(value, float) else value


def badge_points(payload: dict[str, Any]) -> dict[int, tuple[str, bool | None]]:
    """The points a sparkline colours, by position: (signal kind, improvement) of the signal at
    the latest point that the variation badge reports; none for common cause or no badge."""
    code = (payload.get("variation") or {}).get("code")
    if code not in BADGE_IMPROVEMENT:
        return {}
    improvement = BADGE_IMPROVEMENT[code]
    present = [index for index, point in enumerate(payload["points"]) if point["y"] is not None]
    if not present:
        return {}
    last = present[-1]
    coloured: dict[int, tuple[str, bool | None]] = {}
    for signal in payload["signals"]:
        positions = signal["points"] or range(signal["start"], signal["end"] + 1)
        if last in positions and signal["improvement"] == improvement:
            coloured.update((index, (signal["kind"], improvement)) for index in positions)
    # The badge can rest on a rule the chart does not draw (a run chart under the Anhøj rules
    # draws only long runs): the latest point still carries the badge's colour.
    return coloured or {last: (payload["points"][last]["signal"] or "latest", improvement)}


def sparkline_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The part of a chart payload a sparkline draws (static/js/measure_chart.js, data-compact):
    the last SPARK_POINTS points (position, value and marker only) and their phases' centre
    lines, no limits, annotations, notes or readings beyond the first sentence, and only the
    badge's signal coloured (see ``badge_points``). A list holds dozens: each is kept small."""
    points = payload["points"]
    cut = max(0, len(points) - SPARK_POINTS)
    coloured = badge_points(payload)
    spark_points = []
    for index in range(cut, len(points)):
        point = points[index]
        kind, improvement = coloured.get(index, (None, None))
        spark_points.append(
            {
                "x": point["x"],
                "y": _short(point["y"]),
                "provisional": point["provisional"],
                "astronomical": point["astronomical"],
                "suppressed": point.get("suppressed", False),
                "signal": kind,
                "improvement": improvement,
            }
        )
    phases = []
    for phase in payload["phases"]:
        if phase["stop"] <= cut:
            continue
        start = max(phase["offset"], cut)
        phases.append(
            {
                "offset": start - cut,
                "stop": phase["stop"] - cut,
                "baseline_stop": max(phase["baseline_stop"], start) - cut,
                "centre": [_short(value) for value in phase["centre"][start - phase["offset"] :]],
            }
        )
    withheld = [
        {"x0": span["x0"], "x1": span["x1"], "label": span["label"], "periods": span["periods"]}
        for span in payload.get("withheld", [])
        if span["last"] >= cut
    ]
    return {
        **{key: payload.get(key) for key in _SPARK_KEYS},
        "latest_label": points[-1]["label"] if points else "",
        "points": spark_points,
        "phases": phases,
        "withheld": withheld,
        "reading": payload["reading"][:1],
    }


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
    payload = mask_payload(chart.measure, chart.payload)
    if payload is chart.payload:
        return chart
    return MeasureChart(chart.measure, payload, chart.dom_id, table_rows(payload))


def measure_chart_data(
    measure: Measure, *, chart: str | None = None, dom_id: str = "", hide_small_counts: bool = False
) -> MeasureChart:
    """A measure's chart, ready for chart_card.html: from the chart cache, or worked out in three
    queries (points, annotations, phases; none if they were prefetched) and cached.
    ``hide_small_counts`` for people who may not see child-level data (see measures.disclosure)."""
    entry = chart_entries_for([measure], chart=chart, hide_small_counts=hide_small_counts)[measure.pk]
    payload = entry["payload"]
    return MeasureChart(measure, payload, dom_id or f"chart-{measure.code}", table_rows(payload))


# Reading a measure's rows for the analysis --------------------------------------------------
# The analysis reads a few attributes of each point, annotation and phase. Lists of measures
# hold thousands of points: they are read as values and made into bare, unsaved instances
# (no __init__, no signals), several times cheaper than model instances from querysets.

POINT_FIELDS = ("period", "value", "numerator", "denominator", "note", "provisional", "astronomical")
ANNOTATION_FIELDS = ("pk", "code", "date", "text", "link")
PHASE_FIELDS = ("pk", "code", "start", "reason", "baseline_points")


def _bare(model: type, names: tuple[str, ...], values: tuple) -> Any:
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, values, strict=True))
    instance._state = ModelState()
    instance._state.adding, instance._state.db = False, "default"
    return instance


def _rows(model: type, measures: list[Measure], names: tuple[str, ...], order: str) -> dict[int, list]:
    """The measures' rows of ``model``, by measure id, in ``order``: one query."""
    by_measure: dict[int, list] = {measure.pk: [] for measure in measures}
    columns = tuple("id" if name == "pk" else name for name in names)
    query = model.objects.filter(measure__in=list(by_measure)).order_by("measure_id", order)
    for measure_id, *values in query.values_list("measure_id", *columns):
        instance = _bare(model, columns, tuple(values))
        instance.measure_id = measure_id
        by_measure[measure_id].append(instance)
    return by_measure


def _prefetched(measure: Measure, name: str) -> list | None:
    cache = getattr(measure, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


def _latest_point(points: list[DataPoint]) -> dict[str, Any] | None:
    # The latest settled point: a provisional month's value is still moving.
    settled = [point for point in points if not point.provisional]
    latest = settled[-1] if settled else (points[-1] if points else None)
    return {name: getattr(latest, name) for name in POINT_FIELDS} if latest is not None else None


def _full_entries(measures: list[Measure], chart: str | None) -> dict[int, dict[str, Any]]:
    """The chart result of each measure, worked out: three queries for all of them (fewer for
    measures whose rows were prefetched)."""
    loaded = {name: {} for name in ("points", "annotations", "phases")}
    to_read = {name: [] for name in loaded}
    for measure in measures:
        for name in loaded:
            rows = _prefetched(measure, name)
            if rows is None:
                to_read[name].append(measure)
            else:
                loaded[name][measure.pk] = rows
    specs = {
        "points": (DataPoint, POINT_FIELDS, "period"),
        "annotations": (Annotation, ANNOTATION_FIELDS, "date"),
        "phases": (Phase, PHASE_FIELDS, "start"),
    }
    for name, (model, names, order) in specs.items():
        if to_read[name]:
            loaded[name].update(_rows(model, to_read[name], names, order))
    entries = {}
    for measure in measures:
        points = sorted(loaded["points"][measure.pk], key=lambda point: point.period)
        payload = chart_payload(
            measure,
            points,
            sorted(loaded["annotations"][measure.pk], key=lambda annotation: annotation.date),
            sorted(loaded["phases"][measure.pk], key=lambda phase: phase.start),
            chart=chart,
        )
        entries[measure.pk] = {"payload": payload, "latest": _latest_point(points)}
    return entries


def chart_entries_for(
    measures: list[Measure], *, chart: str | None = None, hide_small_counts: bool = False
) -> dict[int, dict[str, Any]]:
    """Each measure's chart result (``payload``, and its ``latest`` settled point's fields), by
    pk, through the chart cache (measures.chart_cache). A viewer's result for a derived measure
    is the full one with the small counts withheld, kept as its own entry."""

    if not hide_small_counts:
        return _full_cached(measures, chart)
    return chart_entries(measures, lambda todo: _masked_entries(todo, chart), chart=chart, hide_small_counts=True)


def _full_cached(measures: list[Measure], chart: str | None) -> dict[int, dict[str, Any]]:
    return chart_entries(measures, lambda todo: _full_entries(todo, chart), chart=chart)


def _masked_entries(measures: list[Measure], chart: str | None) -> dict[int, dict[str, Any]]:
    """The viewer results: the full ones (through the cache) with the small counts withheld."""
    base = _full_cached(measures, chart)
    return {
        measure.pk: {**base[measure.pk], "payload": mask_payload(measure, base[measure.pk]["payload"])}
        for measure in measures
    }


def charts_warm(organisation: Organisation) -> int:
    """Work out and cache the list charts (``chart=None``) of the organisation's active measures
    that are not in the chart cache, both the full result and, for derived measures, the viewer
    one, and the measures list's row entries made from them, so that the first page view after
    a write to many measures at once (the derived recompute) is a cache hit. Run by the worker
    (``measures.tasks.charts_warm_task``); returns how many chart results were worked out.
    Entries already cached are only read (one ``get_many`` each)."""
    measures = list(Measure.objects.for_organisation(organisation).active())
    if not measures:
        return 0
    computed = 0

    def counting(compute):
        def inner(missing: list[Measure]) -> dict[int, dict[str, Any]]:
            nonlocal computed
            computed += len(missing)
            return compute(missing)

        return inner

    chart_entries(measures, counting(lambda todo: _full_entries(todo, None)))
    derived = [measure for measure in measures if measure.source == Measure.Source.DERIVED]
    if derived:
        # The viewer entries are built from the full ones, all in the cache by now.
        chart_entries(derived, counting(lambda todo: _masked_entries(todo, None)), hide_small_counts=True)
    # The measures list's row entries, made from the chart entries above (no analysis).
    list_entries_for(measures)
    if derived:
        list_entries_for(derived, hide_small_counts=True)
    return computed


def _list_entries(measures: list[Measure], hide_small_counts: bool) -> dict[int, dict[str, Any]]:
    full = chart_entries_for(measures, hide_small_counts=hide_small_counts)
    entries = {}
    for measure in measures:
        payload = full[measure.pk]["payload"]
        entries[measure.pk] = {
            "payload": {
                "spark": sparkline_payload(payload),
                "unit": payload["unit"],
                "variation": payload["variation"],
                "assurance": payload["assurance"],
                "reading": payload["reading"][:1],
                "suggestion": None,
            },
            "status": signal_status(payload),
            "latest": full[measure.pk]["latest"],
        }
    return entries


def list_entries_for(measures: list[Measure], *, hide_small_counts: bool = False) -> dict[int, dict[str, Any]]:
    """Each measure's list-row entry by pk (see ``ListSummary``), through the chart cache; a
    miss is made from the full chart result (itself cached)."""
    return chart_entries(
        measures, lambda todo: _list_entries(todo, hide_small_counts), hide_small_counts=hide_small_counts, part="list"
    )


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
    for_list: bool = False,
) -> list[MeasureSummary]:
    """Every measure with its sparkline chart, latest point and icons, in four queries whatever
    the number of measures (one when their charts are in the chart cache). `signal` keeps those
    whose latest phase shows "improvement", "concern" or "none"; `measures` narrows to a
    queryset chosen by the caller. ``for_list``: ``ListSummary`` rows (the measures list), whose
    chart payload is only what a row draws."""
    queryset = measures if measures is not None else measures_for(organisation, kind=kind, aim=aim)
    rows = list(queryset.filter(organisation=organisation))
    for measure in rows:  # all of them are the organisation's: one instance, not one per row
        measure.organisation = organisation
    if for_list:
        entries = list_entries_for(rows, hide_small_counts=hide_small_counts)
    else:
        entries = chart_entries_for(rows, hide_small_counts=hide_small_counts)
    summaries = []
    for measure in rows:
        entry = entries[measure.pk]
        chart = MeasureChart(measure, entry["payload"], f"spark-{measure.code}")
        latest = None
        if entry["latest"] is not None:
            latest = DataPoint(organisation=measure.organisation, measure=measure, **entry["latest"])
        if for_list:
            summary = ListSummary(measure, chart, latest, hide_small_counts, status=entry["status"])
        else:
            summary = MeasureSummary(measure, chart, latest, hide_small_counts)
        if signal and summary.signal_status != signal:
            continue
        summaries.append(summary)
    return summaries


# The measures list: grouped ----------------------------------------------------------------


@dataclass
class MeasureGroup:
    """A heading of the measures list and its measures: an aim's hand-entered measures, or one
    timescale's derived measures."""

    title: str
    summaries: list[MeasureSummary]
    key: str
    url: str = ""

    @property
    def concerns(self) -> int:
        return sum(1 for summary in self.summaries if summary.signal_status == "concern")


def aim_rows(organisation: Organisation) -> list[tuple[int, str, Any, int | None]]:
    """(pk, title, code, outcome measure id) of the organisation's aims, by title: one query."""
    aim_model = Measure._meta.get_field("outcome_of_aims").related_model
    return list(
        aim_model.objects.filter(organisation=organisation)
        .order_by("title", "pk")
        .values_list("pk", "title", "code", "outcome_measure_id")
    )


def measure_list_groups(
    organisation: Organisation, summaries: list[MeasureSummary], *, aims: list[tuple] | None = None
) -> tuple[list[MeasureGroup], list[MeasureGroup]]:
    """The list's two parts: hand-entered measures by aim (each under the first of its aims by
    title, then those in no aim), and derived measures by timescale. Two queries (aims, unless
    given as ``aim_rows``, and their measures) whatever the number of measures; the summaries'
    measures need their timescales (and its milestones) selected."""
    manual = [summary for summary in summaries if summary.measure.source != Measure.Source.DERIVED]
    derived = [summary for summary in summaries if summary.measure.source == Measure.Source.DERIVED]
    aims = {
        pk: (title, code, outcome)
        for pk, title, code, outcome in (aims if aims is not None else aim_rows(organisation))
    }
    order = {pk: position for position, pk in enumerate(aims)}
    first_aim: dict[int, int] = {}
    links = [(outcome, pk) for pk, (_, _, outcome) in aims.items() if outcome is not None]
    if manual:
        through = Measure.aims.through.objects.filter(measure__in=[summary.measure.pk for summary in manual])
        links += list(through.values_list("measure_id", "aim_id"))
    for measure_id, aim_id in links:
        if measure_id not in first_aim or order[aim_id] < order[first_aim[measure_id]]:
            first_aim[measure_id] = aim_id
    by_aim: dict[int | None, list[MeasureSummary]] = {}
    for summary in manual:
        by_aim.setdefault(first_aim.get(summary.measure.pk), []).append(summary)
    manual_groups = [
        MeasureGroup(
            aims[pk][0], by_aim[pk], f"aim-{aims[pk][1]}", reverse("aim_detail", args=[organisation.slug, aims[pk][1]])
        )
        for pk in aims
        if pk in by_aim
    ]
    if None in by_aim:
        manual_groups.append(MeasureGroup("Not part of an aim", by_aim[None], "no-aim"))
    by_timescale: dict[int, list[MeasureSummary]] = {}
    for summary in derived:
        by_timescale.setdefault(summary.measure.timescale_id, []).append(summary)
    derived_groups = sorted(
        (
            MeasureGroup(str(group[0].measure.timescale), group, f"timescale-{group[0].measure.timescale.code}")
            for group in by_timescale.values()
        ),
        key=lambda group: group.title.lower(),
    )
    return manual_groups, derived_groups
