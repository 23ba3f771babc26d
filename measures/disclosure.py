"""Statistical disclosure control for people without access to child-level data (viewers).

Counts of 1–4 children are shown as "<5" (DESIGN.md §1). On derived measures that means:
a month's count of waiting children of 1–4 is hidden; a median of fewer than 5 children's
timescales is hidden (it would be close to one child's own dates); a percentage of a cohort of
1–4 children is hidden, and cohort sizes are never shown. The analysis still runs on the full
data, so the chart's lines and signals are the same for everyone; only the plotted numbers of
small groups are withheld.
"""

from typing import Any

from measures.models import DataPoint, Measure

SMALL_COUNT_TEXT = "<5"


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


def mask_payload(measure: Measure, payload: dict[str, Any]) -> dict[str, Any]:
    """The chart payload with small groups withheld (a copy; the input is left as it was)."""
    if measure.source != Measure.Source.DERIVED:
        return payload
    instead = shown_instead(measure)
    points = []
    for point in payload["points"]:
        hidden = withheld(measure, point, hide_small_counts=True)
        points.append(
            {
                **point,
                "y": None if hidden else point["y"],
                "numerator": None,
                "denominator": None,
                "note": "Fewer than 5 children: not shown." if hidden else "",
                "suppressed": hidden,
                "shown_instead": instead if hidden else "",
            }
        )
    return {**payload, "points": points}


def shown_instead(measure: Measure) -> str:
    """What stands in for a withheld value: "<5" for a count, "not shown" for a median or a %."""
    return SMALL_COUNT_TEXT if measure.derivation == Measure.Derivation.WAITING else "not shown"


def latest_text(measure: Measure, point: DataPoint, text: str) -> str:
    """A latest value's text as someone without child-level access may see it."""
    return shown_instead(measure) if withheld(measure, point, hide_small_counts=True) else text
