"""Charts as people without child-level access see them (DESIGN.md §1): no withheld value in the
payload, in a line or in a sentence, the gaps marked "<5", count axes from 0; annotations as one
marker per date; the reading's first sentence names the phase the rules read.

Pure: unsaved measures and points, no database.
"""

import datetime
import json

import pytest

from measures.chart_figure import chart_figure, y_range
from measures.charts import (
    annotation_items,
    chart_payload,
    group_annotations,
    link_text,
    mask_payload,
    withheld_spans,
    y_from_zero,
)
from measures.models import Annotation, DataPoint, Measure, Phase

START = datetime.date(2025, 1, 1)


def _month(index: int) -> datetime.date:
    return datetime.date(START.year + index // 12, index % 12 + 1, 1)


def _waiting(**fields) -> Measure:
    defaults = {
        "title": "Children waiting past the panel target",
        "source": Measure.Source.DERIVED,
        "derivation": Measure.Derivation.WAITING,
        "chart": Measure.Chart.RUN,
        "better": Measure.Better.DOWN,
        "unit": "children",
    }
    return Measure(**(defaults | fields))


def _points(measure: Measure, values: list, **fields) -> list[DataPoint]:
    points = []
    for index, value in enumerate(values):
        numerator, denominator = value if isinstance(value, tuple) else (None, None)
        points.append(
            DataPoint(
                measure=measure,
                period=_month(index),
                value=None if isinstance(value, tuple) else value,
                numerator=numerator,
                denominator=denominator,
                **fields,
            )
        )
    return points


def _numbers(payload: dict) -> list[float]:
    """Every number drawn or said for the viewer: points, lines, and figures in the reading."""
    found = [point["y"] for point in payload["points"] if point["y"] is not None]
    for phase in payload["phases"]:
        for key in ("centre", "ucl", "lcl", "sigma2_upper", "sigma2_lower"):
            found += [value for value in phase[key] or [] if value is not None]
    return found


# 20 months waiting past target; 11 of them describe 1–4 children (withheld from viewers).
WAITING = [9, 3, 2, 4, 1, 3, 2, 4, 3, 2, 1, 3, 8, 7, 9, 6, 8, 7, 10, 6]
HIDDEN = [index for index, value in enumerate(WAITING) if 1 <= value <= 4]


def test_the_viewer_payload_carries_no_withheld_value_and_marks_the_gaps() -> None:
    measure = _waiting()
    points = _points(measure, WAITING)

    full = chart_payload(measure, points)
    viewer = chart_payload(measure, points, hide_small_counts=True)

    json.dumps(viewer)
    # The full chart's median (4) and its reading would tell a viewer the withheld months are below 4.
    assert full["phases"][0]["centre"][0] == 4.0
    assert "9 points below the median from February 2025 to December 2025: a shift — an improvement." in full["reading"]
    assert [index for index, point in enumerate(viewer["points"]) if point["suppressed"]] == HIDDEN
    assert all(viewer["points"][index]["y"] is None for index in HIDDEN)  # not 0, not the value
    assert all(viewer["points"][index]["shown_instead"] == "<5" for index in HIDDEN)
    # The centre is the median of the 9 values shown (8), not of all 20.
    assert set(viewer["phases"][0]["centre"]) == {8.0}
    # No signal, icon or sentence stands on a withheld month.
    for signal in viewer["signals"]:
        assert not set(signal["points"] or range(signal["start"], signal["end"] + 1)) & set(HIDDEN)
    assert all(viewer["points"][index]["signal"] is None for index in HIDDEN)
    assert viewer["reading"][0] == "The rules read all 9 points (since January 2025): no improvement signal yet."
    assert viewer["reading"][1].startswith("11 periods describe fewer than 5 children, so their values are not shown")
    assert not any(f"{count} points" in " ".join(viewer["reading"][2:]) for count in range(10, 21))
    # Every number shown is a value shown or a line worked out from values shown only.
    assert all(number >= 5 for number in _numbers(viewer))
    # The gaps, as bands labelled "<5": February–December 2025 in one span.
    assert [(span["first"], span["last"], span["label"]) for span in viewer["withheld"]] == [(1, 11, "<5")]
    assert viewer["withheld"][0]["x0"] == "2025-01-17" and viewer["withheld"][0]["x1"] == "2025-12-16"
    assert viewer["y_from_zero"] is True
    assert viewer["small_counts_hidden"] is True and full["small_counts_hidden"] is False


def test_a_chart_whose_every_value_is_withheld_reads_nothing_about_them() -> None:
    # The case: every month is 1–4 children — once drawn as a flat 0 on an axis from −1
    # to 1 with "19 points above the median … a concern".
    measure = _waiting()
    points = _points(measure, [3, 2, 4, 1, 2, 3, 4, 2, 3, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4])

    viewer = chart_payload(measure, points, hide_small_counts=True)

    assert all(point["y"] is None and point["suppressed"] for point in viewer["points"])
    assert _numbers(viewer) == [] and viewer["signals"] == [] and viewer["variation"] is None
    assert viewer["reading"] == [
        "19 periods describe fewer than 5 children, so their values are not shown (marked <5); the lines, "
        "signals and this reading use only the periods shown, so that no hidden value can be worked out from them.",
        "No value in the current phase can be shown, so the rules have nothing to read.",
    ]
    figure = chart_figure(viewer)
    assert figure["layout"]["yaxis"]["range"] == [0.0, pytest.approx(5.4)]  # 0 to 5 with room, never −1 to 1
    assert [shape["type"] for shape in figure["layout"]["shapes"]] == ["rect"]
    assert not any(trace.get("y") and trace["uid"].startswith("points") for trace in figure["data"])


def test_mask_payload_is_the_same_as_drawing_for_the_viewer() -> None:
    # Call sites (and any cache) hold the full payload and mask it per person.
    measure = _waiting()
    points = _points(measure, WAITING)
    phase = Phase(measure=measure, start=_month(12), reason="New panel", baseline_points=None)
    note = Annotation(measure=measure, date=_month(12), text="Panel moved to weekly")

    full = chart_payload(measure, points, [note], [phase])
    masked = mask_payload(measure, full)

    assert masked == chart_payload(measure, points, [note], [phase], hide_small_counts=True)
    assert mask_payload(measure, masked) is masked
    assert masked["reading"][0].startswith("The rules read the current phase (since January 2026, 8 points)")
    assert full["points"][1]["y"] == 3  # the input is left as it was


def test_percentages_of_small_cohorts_are_withheld_before_the_p_chart_is_worked_out() -> None:
    measure = _waiting(derivation=Measure.Derivation.WITHIN_TARGET, chart=Measure.Chart.P, unit="%", target=90.0)
    cohorts = [(5, 10), (3, 3), (8, 10), (6, 10), (1, 2), (7, 10), (9, 10), (5, 10), (6, 10), (8, 10), (7, 10), (6, 10)]
    points = _points(measure, cohorts)

    viewer = chart_payload(measure, points, hide_small_counts=True)

    assert [span["label"] for span in viewer["withheld"]] == ["n<5", "n<5"]
    assert all(point["numerator"] is None and point["denominator"] is None for point in viewer["points"])
    # p̄ from the cohorts shown only: 67 of 100.
    assert viewer["phases"][0]["centre"][0] == pytest.approx(67.0)
    assert viewer["phases"][0]["ucl"][1] is None and viewer["phases"][0]["ucl"][4] is None


def test_hand_entered_measures_are_drawn_the_same_for_everyone() -> None:
    measure = _waiting(source=Measure.Source.MANUAL, derivation="", unit="days")
    points = _points(measure, [2, 3, 4, 9])

    assert chart_payload(measure, points, hide_small_counts=True) == chart_payload(measure, points)


@pytest.mark.parametrize(
    ("fields", "chart", "expected"),
    [
        ({}, Measure.Chart.RUN, True),  # children waiting: a count
        ({"derivation": Measure.Derivation.MEDIAN_DAYS, "unit": "days"}, Measure.Chart.RUN, True),
        ({"source": Measure.Source.MANUAL, "derivation": "", "unit": "%"}, Measure.Chart.XMR, True),
        ({"source": Measure.Source.MANUAL, "derivation": "", "unit": "score"}, Measure.Chart.RUN, False),
        ({"source": Measure.Source.MANUAL, "derivation": "", "unit": "score"}, Measure.Chart.C, True),
        ({"source": Measure.Source.MANUAL, "derivation": "", "unit": ""}, Measure.Chart.P, True),
    ],
)
def test_count_and_percentage_axes_start_at_zero(fields, chart, expected) -> None:
    measure = _waiting(**fields, chart=chart)

    assert y_from_zero(measure, chart) is expected


def test_the_server_chart_starts_a_count_axis_at_zero() -> None:
    measure = _waiting()
    payload = chart_payload(measure, _points(measure, [40, 42, 41, 43, 44]), hide_small_counts=True)

    assert y_range(payload)[0] == 0.0


def test_annotations_on_the_same_date_share_one_marker() -> None:
    measure = _waiting()
    day = datetime.date(2025, 3, 4)
    notes = [
        Annotation(measure=measure, date=day, text="PDSA 2 started"),
        Annotation(measure=measure, date=datetime.date(2025, 1, 9), text="Panel moved"),
        Annotation(measure=measure, date=day, text="New chair"),
    ]
    items = annotation_items(notes)

    markers = group_annotations(items)

    assert [(m["number"], m["x"], m["texts"], m["count"]) for m in markers] == [
        (1, "2025-01-09", ["Panel moved"], 1),
        (2, "2025-03-04", ["PDSA 2 started", "New chair"], 2),
    ]
    assert [item["marker"] for item in items] == [0, 1, 1]
    assert [item["label"] for item in items] == ["9 Jan 2025", "4 Mar 2025", "4 Mar 2025"]


def test_the_server_chart_draws_annotations_as_numbered_markers_not_flags() -> None:
    measure = _waiting(source=Measure.Source.MANUAL, derivation="")
    notes = [Annotation(measure=measure, date=_month(index % 3), text=f"Note {index}") for index in range(21)]

    figure = chart_figure(chart_payload(measure, _points(measure, [5, 6, 7, 8]), notes))

    (trace,) = [trace for trace in figure["data"] if trace["uid"] == "annotations"]
    assert trace["x"] == ["2025-01-01", "2025-02-01", "2025-03-01"] and trace["yaxis"] == "y2"
    labels = [note["text"] for note in figure["layout"]["annotations"] if note["name"] == "annotation"]
    assert labels == ["1", "2", "3"]
    assert not any(shape["type"] == "line" for shape in figure["layout"]["shapes"])


def test_withheld_spans_join_neighbours_and_reach_halfway_to_the_next_period() -> None:
    points = [
        {"x": "2025-01-01", "label": "January 2025"},
        {"x": "2025-02-01", "label": "February 2025", "suppressed": True, "shown_instead": "<5"},
        {"x": "2025-03-01", "label": "March 2025", "suppressed": True, "shown_instead": "<5"},
        {"x": "2025-04-01", "label": "April 2025"},
        {"x": "2025-05-01", "label": "May 2025", "suppressed": True, "shown_instead": "not shown"},
    ]

    spans = withheld_spans(points)

    assert [(s["x0"], s["x1"], s["label"], s["periods"]) for s in spans] == [
        ("2025-01-17", "2025-03-16", "<5", ["February 2025", "March 2025"]),
        ("2025-04-16", "2025-05-16", "n<5", ["May 2025"]),
    ]


@pytest.mark.parametrize(
    ("link", "text"),
    [
        ("/o/aberdeen/testing/cycles/0b8c1f2e-0000-4000-8000-000000000000/", "the PDSA cycle"),
        ("https://www.gov.scot/pace", "the page on www.gov.scot"),
        ("/not/a/page/", "the linked page"),
    ],
)
def test_an_annotation_link_says_what_it_opens(link, text) -> None:
    assert link_text(link) == text
