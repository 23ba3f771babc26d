"""What the count, rare-event and Laney charts share (DESIGN.md §4b): the result record, the
baseline of the first N present points, and the step that turns lines into signals and icons.

Every chart here works the same way: it finds the present points, computes a centre and one
(upper, lower, upper 2σ, lower 2σ) line set per present point from the baseline, and hands them
to `finish`, which applies the Making Data Count rules of `spc.special_causes` and fills the
result. Limits that do not vary from point to point are reported as single numbers, limits
that do (U, P′, U′) as lists with one entry per position (None where a point is missing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from measures.analysis.common import Better, Signal, record_maker
from measures.analysis.rules import Bands, ShortBands
from measures.analysis.spc import (
    TRIAL_LIMIT_POINTS,
    Assurance,
    Variation,
    _causes,
    _marks,
    assurance_icon,
)

Line = float | list[float | None] | None  # as reported: one number, or one per position
# Lines as charts hand them to `finish`: one number, or one value per present point.
Lines = float | np.ndarray


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


def check_numbers(values: list, present: list[int], what: str, present_values: list | None = None) -> None:
    """Refuse a negative count, exposure or gap with a message naming the first such point.
    `present_values`, when given, are the values at `present` (a quicker check)."""
    if present_values is not None and (not present_values or min(present_values) >= 0):
        return
    if present and min(values[i] for i in present) < 0:
        index = next(i for i in present if values[i] < 0)
        raise ValueError(f"point {index}: {what} cannot be negative ({values[index]:g})")


def is_missing(value: object) -> bool:
    # NaN is the one value not equal to itself; pandas uses it for missing data.
    return value is None or value != value


def present_of(values: list) -> list[int]:
    """Positions of the values that are not missing (None or NaN), in one comprehension."""
    return [i for i, value in enumerate(values) if value is not None and value == value]


_makers: dict[type, Callable[..., ControlChartResult]] = {}


def _maker(result_type: type) -> Callable[..., ControlChartResult]:
    maker = _makers.get(result_type)
    if maker is None:
        maker = _makers[result_type] = record_maker(result_type)
    return maker


def finish(
    *,
    length: int,
    present: list[int],
    gaps: bool,
    ys: list[float],
    array: np.ndarray | None,
    centre: float | None,
    lines: tuple[Lines, Lines, Lines | None, Lines | None] | None,
    base: int,
    better: Better,
    target: float | None,
    shown: tuple[Lines, Lines, Lines | None, Lines | None] | None = None,
    shown_centre: float | None = None,
    values: list[float] | None = None,
    varying: bool,
    result_type: type = ControlChartResult,
    **extra: object,
) -> ControlChartResult:
    """Signals, labels, icons and the result record from the lines of the present points.

    `ys` (and `array`, the same values as an exact numpy array, or None) and `lines` (upper,
    lower, upper 2σ, lower 2σ; the 2σ pair None for no 2-of-3 rule) are on the scale the rules
    are read on; each line is one number, or with `varying` one value per present point (a
    numpy array, or a list on the short-series path of `rules`). `shown` and `shown_centre`
    are the same lines on the scale reported back (the T chart's back-transformed ones),
    `values` the plotted values per present point; both default to the rules' scale. `gaps`
    says whether any position is missing.
    """
    signals: list[Signal] = []
    if centre is not None:
        limits = None
        two_of_three = True
        if lines is not None:
            upper, lower, upper2, lower2 = lines
            two_of_three = upper2 is not None
            # Without 2σ lines no point can be "beyond 2σ": the lines are the limits themselves.
            limits = (
                lines
                if isinstance(lines, (Bands, ShortBands))
                else (
                    upper,
                    lower,
                    upper if upper2 is None else upper2,
                    lower if lower2 is None else lower2,
                )
            )
        signals = _causes(present, gaps, ys, array, centre, limits, better, two_of_three=two_of_three)

    shown = shown if shown is not None else lines
    shown_centre = centre if shown_centre is None else shown_centre
    # Varying limits are lists whatever happens (None where there is no line), as the P chart's.
    reported: list[Line]
    if not varying:
        reported = [None, None, None, None] if shown is None else list(shown)
    elif shown is None:
        reported = [[None] * length for _ in range(4)]
    else:
        reported = []
        for line in shown:
            if line is None:
                reported.append([None] * length)
                continue
            if not isinstance(line, list):
                line = line.tolist()
            reported.append(spread(line, present, length) if gaps else line)
    last_ucl = last_lcl = None
    if shown is not None and present:
        last_ucl, last_lcl = (shown[0][-1], shown[1][-1]) if varying else (shown[0], shown[1])
        if varying and isinstance(last_ucl, np.generic):
            last_ucl, last_lcl = last_ucl.item(), last_lcl.item()
    plotted = values if values is not None else ys
    if gaps:
        plotted = spread(plotted, present, length)
    elif plotted is ys:
        plotted = list(ys)

    last_index = present[-1] if present else None
    outside, labels, variation = _marks(signals, length, last_index, better)
    return _maker(result_type)(
        centre=shown_centre,
        ucl=reported[0],
        lcl=reported[1],
        sigma2_upper=reported[2],
        sigma2_lower=reported[3],
        values=plotted,
        outside=outside,
        signals=signals,
        point_labels=labels,
        trial_limits=base < TRIAL_LIMIT_POINTS,
        baseline_points=base,
        baseline_stop=present[base - 1] + 1 if base else 0,
        variation=variation,
        assurance=assurance_icon(last_ucl, last_lcl, target, better),
        last_index=last_index,
        **extra,
    )


def spread(values: list, present: list[int], length: int) -> list:
    """One entry per position: `values` (one per present point) where present, None elsewhere."""
    out: list = [None] * length
    for i, value in zip(present, values, strict=True):
        out[i] = value
    return out
