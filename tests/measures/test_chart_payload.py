"""The chart component's payload: lines, signals, phases, suggestion, icons."""

import datetime
import json

import pytest

from measures.charts import chart_payload, phase_starts, table_rows
from measures.models import Measure
from measures.selectors import measure_chart_data
from tests.measures.factories import AnnotationFactory, MeasureFactory, PhaseFactory, monthly_points

pytestmark = pytest.mark.django_db

BEFORE = [40, 42, 38, 41, 39, 43, 40, 42, 38, 41, 39, 42]
AFTER = [30, 28, 31, 29, 27, 30, 28, 29]


def test_run_chart_payload_flags_an_improving_shift_and_suggests_a_phase(org) -> None:
    measure = MeasureFactory(organisation=org, better=Measure.Better.DOWN, baseline_points=12)
    points = monthly_points(measure, BEFORE + AFTER)

    payload = chart_payload(measure, points, [], [])

    json.dumps(payload)  # JSON-serialisable, for json_script
    assert payload["chart"] == "run"
    assert payload["phases"][0]["centre"] == [40.5] * 20
    assert payload["phases"][0]["baseline_stop"] == 12
    shift = next(signal for signal in payload["signals"] if signal["kind"] == "shift")
    assert (shift["start"], shift["end"], shift["improvement"]) == (12, 19, True)
    assert payload["points"][12]["signal"] == "shift" and payload["points"][12]["improvement"] is True
    assert payload["points"][0]["signal"] is None
    assert payload["variation"]["code"] == "special_cause_improving"
    assert payload["suggestion"]["start"] == "2025-01-01"
    assert "8 points below the median since January 2025: a shift — an improvement." in payload["reading"]


def test_a_recorded_phase_splits_the_chart_and_ends_the_suggestion(org) -> None:
    measure = MeasureFactory(organisation=org, better=Measure.Better.DOWN)
    points = monthly_points(measure, BEFORE + AFTER)
    phase = PhaseFactory(measure=measure, organisation=org, start=datetime.date(2025, 1, 1), reason="New panel")

    payload = chart_payload(measure, points, [], [phase])

    assert [(p["offset"], p["stop"]) for p in payload["phases"]] == [(0, 12), (12, 20)]
    assert payload["phases"][1]["centre"][0] == 29.0
    assert payload["phases"][1]["reason"] == "New panel"
    assert payload["suggestion"] is None
    assert payload["reading"][0] == (
        "The rules read the current phase (since January 2025, 8 points), because a new phase began then: "
        "no improvement signal yet."
    )


def test_phase_starts_ignore_phases_without_points_of_their_own(org) -> None:
    measure = MeasureFactory(organisation=org)
    points = monthly_points(measure, [1, 2, 3])
    early = PhaseFactory(measure=measure, organisation=org, start=datetime.date(2020, 1, 1))
    late = PhaseFactory(measure=measure, organisation=org, start=datetime.date(2030, 1, 1))
    middle = PhaseFactory(measure=measure, organisation=org, start=datetime.date(2024, 2, 15))

    assert phase_starts(points, [late, middle, early]) == [(2, middle)]


def test_xmr_payload_has_limits_and_assurance(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.XMR, better=Measure.Better.UP, target=100)
    points = monthly_points(measure, BEFORE)

    payload = chart_payload(measure, points)

    phase = payload["phases"][0]
    assert phase["ucl"][0] > phase["centre"][0] > phase["lcl"][0]
    assert payload["assurance"]["code"] == "consistently_failing"
    assert any("will not be met" in sentence for sentence in payload["reading"])


def test_p_chart_payload_is_in_percent_with_stepped_limits(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.P, unit="%", target=90)
    points = monthly_points(measure, [(5, 10), (6, 10), (10, 20), (12, 20), (3, 5)])

    payload = chart_payload(measure, points)

    phase = payload["phases"][0]
    assert payload["unit"] == "%"
    assert payload["points"][0]["y"] == 50.0
    assert phase["centre"][0] == pytest.approx(100 * 36 / 65)
    # Limits are wider where the denominator is smaller.
    assert phase["ucl"][4] - phase["centre"][4] > phase["ucl"][2] - phase["centre"][2]


def test_p_chart_without_proportions_falls_back_to_a_run_chart(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.P)
    points = monthly_points(measure, [1, 2, 3])

    assert chart_payload(measure, points)["chart"] == "run"


def test_chart_type_can_be_overridden_for_one_drawing(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.RUN)
    points = monthly_points(measure, BEFORE)

    assert chart_payload(measure, points, chart="xmr")["chart"] == "xmr"
    assert chart_payload(measure, points, chart="nonsense")["chart"] == "run"


def test_anhoj_profile_shows_only_unusually_long_runs(org) -> None:
    # A 6-point shift is an IHI signal; with 20 useful points Anhøj allows runs up to 7.
    values = [10, 12, 10, 12, 10, 12, 10, 12, 20, 21, 22, 23, 24, 25, 10, 12, 10, 12, 10, 12]
    ihi = MeasureFactory(organisation=org, rule_profile=Measure.RuleProfile.IHI)
    anhoj = MeasureFactory(organisation=org, rule_profile=Measure.RuleProfile.ANHOJ)

    assert chart_payload(ihi, monthly_points(ihi, values))["signals"]
    anhoj_payload = chart_payload(anhoj, monthly_points(anhoj, values))
    assert anhoj_payload["signals"] == []
    assert anhoj_payload["variation"]["code"] == "common_cause"


def test_anhoj_variation_follows_a_long_run_to_the_last_point(org) -> None:
    measure = MeasureFactory(organisation=org, rule_profile=Measure.RuleProfile.ANHOJ, better=Measure.Better.UP)
    values = [10, 12, 11, 13, 10, 12, 11, 13, 12, 10, 11, 13, 20, 21, 20, 22, 21, 20, 22, 21, 20, 22]

    payload = chart_payload(measure, monthly_points(measure, values))

    assert payload["variation"]["code"] == "special_cause_improving"
    assert payload["reading"][0] == "The rules read all 22 points (since January 2024): an improvement signal."
    assert payload["reading"][1].endswith("an unusually long run — an improvement.")


def test_annotations_provisional_points_and_table_rows(org) -> None:
    measure = MeasureFactory(organisation=org, unit="days")
    points = monthly_points(measure, [5, 6, 7])
    points[2].provisional = True
    points[1].note = "Staff shortage"
    note = AnnotationFactory(measure=measure, organisation=org, date=datetime.date(2024, 2, 10), link="/x/")

    payload = chart_payload(measure, points, [note])
    rows = table_rows(payload)

    assert payload["annotations"] == [
        {
            "x": "2024-02-10",
            "label": "10 Feb 2024",
            "text": note.text,
            "link": "/x/",
            "link_text": "the linked page",
            "code": str(note.code),
            "marker": 0,
        }
    ]
    assert payload["points"][2]["provisional"] is True
    # The provisional month is left out of the median: (5 + 6) / 2.
    assert rows[1]["note"] == "Staff shortage" and rows[1]["centre"] == 5.5


def test_measure_chart_data_reads_the_database(org, django_assert_num_queries) -> None:
    measure = MeasureFactory(organisation=org)
    monthly_points(measure, BEFORE)
    AnnotationFactory(measure=measure, organisation=org)

    with django_assert_num_queries(3):
        chart = measure_chart_data(measure)

    assert len(chart.rows) == 12
    assert chart.data_id == f"chart-{measure.code}-data"
    assert len(chart.payload["annotations"]) == 1


def test_empty_measure_has_a_reading(org) -> None:
    measure = MeasureFactory(organisation=org)

    payload = chart_payload(measure, [])

    assert payload["reading"] == ["No data yet."] and payload["variation"] is None


def test_impossible_proportions_fall_back_to_a_run_chart_with_an_explanation(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.P)
    points = monthly_points(measure, [(5, 10), (7, 3)])

    payload = chart_payload(measure, points)

    assert payload["chart"] == "run"
    assert payload["error"].startswith("These data cannot be charted as a P chart (proportion): point 1")


def test_provisional_points_are_drawn_but_count_in_no_rule(org) -> None:
    # Settled months run flat; three open months at 0% (children still inside the target)
    # would look like a concerning shift if they counted.
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.P, better=Measure.Better.UP)
    points = monthly_points(measure, [(8, 10) if index % 2 else (7, 10) for index in range(15)] + [(0, 10)] * 7)
    for point in points[-7:]:
        point.provisional = True

    payload = chart_payload(measure, points, [], [])

    assert [point["y"] for point in payload["points"][-7:]] == [0.0] * 7
    assert all(point["provisional"] for point in payload["points"][-7:])
    assert payload["signals"] == []
    assert payload["variation"]["code"] == "common_cause"
    # Without the flag the same months are a special cause.
    for point in points:
        point.provisional = False
    assert chart_payload(measure, points, [], [])["variation"]["code"] == "special_cause_concerning"
