"""The measures list: grouped by aim and by timescale, sparklines of the recent points whose
coloured (signal) points agree with the variation badge — both from the one chart result."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from measures.models import Measure
from measures.selectors import SPARK_POINTS, measures_with_latest, sparkline_payload
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.measures.factories import MeasureFactory, PhaseFactory, monthly_points

pytestmark = pytest.mark.django_db

# The latest point falls far below a stable run: a concern when higher is better. The earlier
# points sit above the mean (pulled down by the last one), which the full chart flags as a shift.
LAST_DROPS = [50, 51, 49, 50, 52, 48, 50, 51, 49, 50, 51, 49, 50, 20]
# An old outlier, and the latest point common cause.
OLD_OUTLIER = [50, 46, 52, 47, 20, 51, 46, 50, 47, 52, 46, 51, 47, 50, 46, 52, 47]


def _colours(payload: dict) -> set:
    return {point["improvement"] for point in payload["points"] if point["signal"]}


def _measure(org, values, better, **kwargs) -> Measure:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.XMR, better=better, **kwargs)
    monthly_points(measure, values)
    return measure


def test_a_sparklines_coloured_points_are_the_signal_its_badge_reports(org) -> None:
    concerning = _measure(org, LAST_DROPS, Measure.Better.UP, title="A concerning")
    improving = _measure(org, LAST_DROPS, Measure.Better.DOWN, title="B improving")
    neither = _measure(org, LAST_DROPS, Measure.Better.NEUTRAL, title="C neither")
    settled = _measure(org, OLD_OUTLIER, Measure.Better.UP, title="D common cause now")
    MeasureFactory(organisation=org, title="E empty")

    summaries = {summary.measure.pk: summary for summary in measures_with_latest(org)}
    expected = {
        concerning.pk: ("special_cause_concerning", {False}),
        improving.pk: ("special_cause_improving", {True}),
        neither.pk: ("special_cause_neither", {None}),
        settled.pk: ("common_cause", set()),
    }
    for pk, (code, colours) in expected.items():
        summary = summaries[pk]
        assert summary.chart.variation["code"] == code
        assert _colours(summary.sparkline.payload) == colours
    # The full chart still shows every signal (the old outlier, the shift before the drop): the
    # sparkline no longer contradicts its badge with them.
    assert _colours(summaries[settled.pk].chart.payload) == {False}
    assert _colours(summaries[concerning.pk].chart.payload) == {True, False}
    assert [point["signal"] for point in summaries[concerning.pk].sparkline.payload["points"]][-1] == "beyond_limit"
    assert summaries[concerning.pk].signal_status == "concern"
    empty = next(summary for summary in summaries.values() if summary.measure.title == "E empty")
    assert empty.sparkline.payload["points"] == [] and empty.chart.variation is None


def test_the_page_draws_the_badges_colours(cast) -> None:
    concerning = _measure(cast.org, LAST_DROPS, Measure.Better.UP, title="Children seen within 10 days")
    page = cast.client(Role.MEMBER).get(reverse("measures", args=[cast.org.slug])).content.decode()
    data = re.search(rf'<script id="spark-{concerning.code}-data" type="application/json">(.*?)</script>', page)
    sparkline = json.loads(data.group(1))
    assert _colours(sparkline) == {False}
    assert "Special cause: concerning" in page


def test_a_sparkline_shows_the_recent_points_with_their_phases(org) -> None:
    values = [40 + (index % 5) for index in range(30)] + [30 + (index % 4) for index in range(10)]
    measure = _measure(org, values, Measure.Better.DOWN)
    PhaseFactory(organisation=org, measure=measure, start=datetime.date(2026, 6, 1), reason="New process")
    summary = measures_with_latest(org)[0]
    full, spark = summary.chart.payload, summary.sparkline.payload
    assert len(spark["points"]) == SPARK_POINTS
    assert [point["x"] for point in spark["points"]] == [point["x"] for point in full["points"][-SPARK_POINTS:]]
    assert len(full["phases"]) == 2 and len(spark["phases"]) == 2
    cut = len(full["points"]) - SPARK_POINTS
    for whole, part in zip(full["phases"], spark["phases"], strict=True):
        assert part["stop"] - part["offset"] == len(part["centre"])
        expected = whole["centre"][max(whole["offset"], cut) - whole["offset"] :]
        assert part["centre"] == [None if value is None else round(value, 3) for value in expected]
        assert "ucl" not in part
    # Nothing about individual points beyond what is drawn: no notes, numerators, annotations.
    assert "annotations" not in spark
    assert {key for point in spark["points"] for key in point} == {
        "x",
        "y",
        "provisional",
        "astronomical",
        "suppressed",
        "signal",
        "improvement",
    }
    assert spark["latest_label"] == full["points"][-1]["label"]


def test_hand_entered_measures_under_their_aims_and_derived_ones_folded_per_timescale(cast) -> None:
    from measures.milestones.pathway import pathway_create_defaults

    pathway_create_defaults(organisation=cast.org)
    outcome = _measure(cast.org, LAST_DROPS, Measure.Better.UP, title="Outcome of the aim")
    process = _measure(cast.org, OLD_OUTLIER, Measure.Better.UP, title="A process measure")
    loose = _measure(cast.org, OLD_OUTLIER, Measure.Better.UP, title="A loose measure")
    aim = AimFactory(organisation=cast.org, title="Permanence sooner", outcome_measure=outcome)
    aim.measures.add(process)
    AimFactory(organisation=cast.org, title="Another aim").measures.add(process)

    response = cast.client(Role.VIEWER).get(reverse("measures", args=[cast.org.slug]))
    page = response.content.decode()
    manual = {group.title: [s.measure.title for s in group.summaries] for group in response.context["manual_groups"]}
    # Each measure once, under the first of its aims by title ("Another aim" before "Permanence sooner").
    assert manual == {
        "Another aim": ["A process measure"],
        "Permanence sooner": ["Outcome of the aim"],
        "Not part of an aim": ["A loose measure"],
    }
    derived = response.context["derived_groups"]
    derived_measures = Measure.objects.filter(organisation=cast.org, source=Measure.Source.DERIVED)
    assert sum(len(group.summaries) for group in derived) == derived_measures.count() > 0
    assert {group.title for group in derived} == {str(m.timescale) for m in derived_measures}
    assert page.count('<details class="measure-group') == len(derived)
    assert f'href="{aim.get_absolute_url()}"' in page
    assert page.count('data-measure-chart="spark-') == 3 + sum(
        1 for group in derived for summary in group.summaries if summary.sparkline.payload["points"]
    )
    assert loose.title in page


def test_sparkline_payload_of_a_chart_with_no_points() -> None:
    payload = {"points": [], "phases": [], "signals": [], "variation": None, "reading": ["No data yet."]}
    assert sparkline_payload(payload)["points"] == []
