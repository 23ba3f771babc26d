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

from collections.abc import Sequence
from typing import Any

from measures.models import DataPoint, Measure

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


def shown_instead(measure: Measure) -> str:
    """What stands in for a withheld value: "<5" for a count, "not shown" for a median or a %."""
    return SMALL_COUNT_TEXT if measure.derivation == Measure.Derivation.WAITING else "not shown"


def latest_text(measure: Measure, point: DataPoint, text: str) -> str:
    """A latest value's text as someone without child-level access may see it."""
    return shown_instead(measure) if withheld(measure, point, hide_small_counts=True) else text
