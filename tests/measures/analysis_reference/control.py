"""What the count, rare-event and Laney charts share (DESIGN.md §4b): the result record, the
baseline of the first N present points, and the step that turns lines into signals and icons.

Every chart here works the same way: it finds the present points, computes a centre and one
(upper, lower, upper 2σ, lower 2σ) line set per present point from the baseline, and hands them
to `finish`, which applies the Making Data Count rules of `spc.special_causes` and fills the
result. Limits that do not vary from point to point are reported as single numbers, limits
that do (U, P′, U′) as lists with one entry per position (None where a point is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.measures.analysis_reference.common import Better, Signal, labels_for
from tests.measures.analysis_reference.spc import (
    TRIAL_LIMIT_POINTS,
    Assurance,
    Variation,
    _outside,
    _variation,
    assurance_icon,
    special_causes,
)

Line = float | list[float | None] | None


@dataclass(frozen=True, slots=True)
class ControlChartResult:
    """A control chart of DESIGN.md §4b. Indices are positions in the lists given.

    `centre` is the centre line drawn and used by the shift rule (the median on a G chart; on a
    T chart the transformed mean, back-transformed). `values` holds what is plotted at each
    position: the count, rate, proportion or gap (None where missing). `ucl`, `lcl` and the 2σ
    lines are None when the baseline cannot give limits (too few points), and the 2σ lines are
    None on a G chart, which has no 2-of-3 rule. `baseline_points` counts the present points
    the centre and limits rest on; `baseline_stop` is the position just after the last one.
    """

    centre: float | None
    ucl: Line
    lcl: Line
    sigma2_upper: Line
    sigma2_lower: Line
    values: list[float | None]
    outside: list[int]
    signals: list[Signal]
    point_labels: list[str | None]
    trial_limits: bool
    baseline_points: int
    baseline_stop: int
    variation: Variation | None
    assurance: Assurance | None
    last_index: int | None


def baseline_count(baseline: int | None, present: int) -> int:
    """How many of the present points make up the baseline: the first `baseline` of them."""
    if baseline is None:
        return present
    if isinstance(baseline, bool) or not isinstance(baseline, int):
        raise TypeError(f"baseline must be a positive int or None, not {baseline!r}")
    if baseline < 1:
        raise ValueError(f"baseline must be at least 1, not {baseline}")
    return min(baseline, present)


def check_numbers(values: list, present: list[int], what: str) -> None:
    """Refuse a negative count, exposure or gap with a message naming the first such point."""
    if present and min(values[i] for i in present) < 0:
        index = next(i for i in present if values[i] < 0)
        raise ValueError(f"point {index}: {what} cannot be negative ({values[index]:g})")


def is_missing(value: object) -> bool:
    # NaN is the one value not equal to itself; pandas uses it for missing data.
    return value is None or value != value


def present_of(values: list) -> list[int]:
    """Positions of the values that are not missing (None or NaN), in one comprehension."""
    return [i for i, value in enumerate(values) if value is not None and value == value]


def finish(
    *,
    length: int,
    present: list[int],
    ys: list[float],
    centre: float | None,
    lines: tuple[list[float], list[float], list[float] | None, list[float] | None] | None,
    base: int,
    better: Better,
    target: float | None,
    shown: tuple[list[float], list[float], list[float] | None, list[float] | None] | None = None,
    shown_centre: float | None = None,
    values: list[float] | None = None,
    varying: bool,
    result_type: type = ControlChartResult,
    **extra: object,
) -> ControlChartResult:
    """Signals, labels, icons and the result record from per-present-point lines.

    `ys` and `lines` (upper, lower, upper 2σ, lower 2σ; the 2σ pair None for no 2-of-3 rule)
    are on the scale the rules are read on. `shown` and `shown_centre` are the same lines on
    the scale reported back (the T chart's back-transformed ones), `values` the plotted values
    per present point; both default to the rules' scale. `varying` reports limits as lists.
    """
    signals: list[Signal] = []
    if centre is not None:
        limits = None
        two_of_three = True
        if lines is not None:
            upper, lower, upper2, lower2 = lines
            two_of_three = upper2 is not None
            # Without 2σ lines no point can be "beyond 2σ": the lines are the limits themselves.
            limits = (upper, lower, upper2 or upper, lower2 or lower)
        signals = special_causes(present, ys, [centre] * len(ys), limits, better, two_of_three=two_of_three)

    shown = shown if shown is not None else lines
    shown_centre = centre if shown_centre is None else shown_centre
    # Varying limits are lists whatever happens (None where there is no line), as the P chart's.
    reported: list[Line] = [[None] * length for _ in range(4)] if varying else [None, None, None, None]
    if shown is not None:
        for number, column in enumerate(shown):
            if column is None:
                continue
            if varying:
                spread: list[float | None] = [None] * length
                for i, value in zip(present, column, strict=True):
                    spread[i] = value
                reported[number] = spread
            else:
                reported[number] = column[0] if column else None
    plotted: list[float | None] = [None] * length
    for i, value in zip(present, values if values is not None else ys, strict=True):
        plotted[i] = value

    last_index = present[-1] if present else None
    last_ucl = last_lcl = None
    if shown is not None and present:
        last_ucl, last_lcl = shown[0][-1], shown[1][-1]
    return result_type(
        centre=shown_centre,
        ucl=reported[0],
        lcl=reported[1],
        sigma2_upper=reported[2],
        sigma2_lower=reported[3],
        values=plotted,
        outside=_outside(signals),
        signals=signals,
        point_labels=labels_for(signals, length),
        trial_limits=base < TRIAL_LIMIT_POINTS,
        baseline_points=base,
        baseline_stop=present[base - 1] + 1 if base else 0,
        variation=_variation(signals, last_index, better),
        assurance=assurance_icon(last_ucl, last_lcl, target, better),
        last_index=last_index,
        **extra,
    )
