"""Statistical disclosure control for people without access to child-level data (viewers).

Counts of 1–4 children are shown as "<5" (DESIGN.md §1). On derived measures that means:
a month's count of waiting children of 1–4 is hidden; a median of fewer than 5 children's
timescales is hidden (it would be close to one child's own dates); a percentage of a cohort of
1–4 children is hidden, and cohort sizes are never shown.

A chart drawn for such a person is analysed without the withheld values (as missing points,
which every rule skips): a centre line, limit, signal or sentence worked out from them could
give them away (a mean over one hidden month and the months shown is that month's value; "7
points above the median" counted over hidden months says which side they lie). So their chart
reads only what they may see, and the withheld periods are shaded and labelled "<5".
"""

import datetime
from collections.abc import Sequence
from typing import Any

from measures.models import DataPoint, Measure, Phase

SMALL_COUNT_TEXT = "<5"
WITHHELD_NOTE = "Fewer than 5 children: not shown."


def is_small(count: float | None) -> bool:
    return count is not None and 1 <= count <= 4


def point_is_disclosive(measure: Measure, point: DataPoint | dict[str, Any]) -> bool:
    """Whether this derived point describes 1–4 children."""
    get = point.get if isinstance(point, dict) else lambda name: getattr(point, name)
    if measure.derivation == Measure.Derivation.WAITING:
        return is_small(get("value") if isinstance(point, DataPoint) else get("y"))
    if measure.derivation in {Measure.Derivation.MEDIAN_DAYS, Measure.Derivation.WITHIN_TARGET}:
        return is_small(get("denominator"))
    return False


def withheld(measure: Measure, point: DataPoint | dict[str, Any] | None, *, hide_small_counts: bool) -> bool:
    """The one rule every page applies before it shows a derived value (a chart point, a latest
    value, a progress figure): whether it must be withheld from this person, because they may
    not see child-level data and it describes 1–4 children."""
    return (
        hide_small_counts
        and point is not None
        and measure.source == Measure.Source.DERIVED
        and point_is_disclosive(measure, point)
    )


def withheld_positions(measure: Measure, points: Sequence[DataPoint]) -> set[int]:
    """The positions of the points withheld from people without child-level access."""
    return {index for index, point in enumerate(points) if withheld(measure, point, hide_small_counts=True)}


def mask_payload(measure: Measure, payload: dict[str, Any]) -> dict[str, Any]:
    """The chart payload as people without child-level access may see it (a new payload; the
    input is left as it was): drawn again from the payload's own points with the small groups
    withheld before the analysis (see `measures.charts.chart_payload(hide_small_counts=True)`)."""
    if measure.source != Measure.Source.DERIVED or payload.get("small_counts_hidden"):
        return payload
    from measures.charts import chart_payload  # noqa: PLC0415 - charts imports this module

    points = [
        DataPoint(
            measure=measure,
            period=datetime.date.fromisoformat(point["x"]),
            # The value as drawn: the engine reads numerators and denominators where it needs them.
            value=None if measure.data_kind == "rate" else point["y"],
            numerator=point["numerator"],
            denominator=point["denominator"],
            note=point["note"],
            provisional=point["provisional"],
            astronomical=point["astronomical"],
        )
        for point in payload["points"]
    ]
    phases = [
        Phase(
            measure=measure,
            start=datetime.date.fromisoformat(phase["start"]),
            baseline_points=phase["baseline_points"],
            reason=phase["reason"],
        )
        for phase in payload["phases"][1:]
    ]
    masked = chart_payload(measure, points, (), phases, chart=payload["chart"], hide_small_counts=True)
    # Annotations are not data about children: kept as they were (with their codes).
    masked["annotations"] = payload["annotations"]
    masked["annotation_markers"] = payload["annotation_markers"]
    if payload["error"]:
        masked["error"] = payload["error"]
    return masked


def shown_instead(measure: Measure) -> str:
    """What stands in for a withheld value: "<5" for a count, "not shown" for a median or a %."""
    return SMALL_COUNT_TEXT if measure.derivation == Measure.Derivation.WAITING else "not shown"


def latest_text(measure: Measure, point: DataPoint, text: str) -> str:
    """A latest value's text as someone without child-level access may see it."""
    return shown_instead(measure) if withheld(measure, point, hide_small_counts=True) else text
