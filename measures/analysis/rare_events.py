"""Rare-event charts (DESIGN.md §4b): the G chart (cases or days between events) and the T chart
(time between events).

When events are rare — a placement disruption every few weeks — counting them per month gives
mostly zeros. Charting the gap between one event and the next instead shows change sooner: a
longer gap means fewer events. Gaps are skewed (many short, a few long), so:
- the G chart takes its limits from the geometric distribution, UCL = ḡ + 3√(ḡ(ḡ + 1)) and
  LCL = 0, draws the median as its centre (half the gaps lie on each side of it, so the shift
  rule keeps its meaning) and has no 2-of-3 rule;
- the T chart makes the times nearly symmetric with yᵢ = tᵢ^(1/3.6) (Nelson's transformation
  of a Weibull-like variable), charts y as an I chart and reports its lines back-transformed.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from measures.analysis.common import Better, as_list, check_better
from measures.analysis.control import ControlChartResult, baseline_count, check_numbers, finish, spread
from measures.analysis.rules import SHORT_SERIES, exact_array, present_points
from measures.analysis.spc import XMR_LIMIT_FACTOR

T_POWER = 3.6  # yᵢ = tᵢ^(1/3.6)


@dataclass(frozen=True, slots=True)
class GChartResult(ControlChartResult):
    """A G chart: `centre` (the line drawn, and the shift rule's) is the baseline `median`;
    the upper limit comes from the baseline `mean`."""

    mean: float | None
    median: float | None


@dataclass(frozen=True, slots=True)
class TChartResult(ControlChartResult):
    """A T chart: `transformed` holds yᵢ = tᵢ^(1/3.6) per position; `y_mean`, `y_mr_mean`,
    `y_ucl` and `y_lcl` are the I chart on that scale; `centre`, `ucl`, `lcl` and the 2σ
    lines are back-transformed (raised to the power 3.6), in the unit of the times."""

    transformed: list[float | None]
    y_mean: float | None
    y_mr_mean: float | None
    y_ucl: float | None
    y_lcl: float | None


def _gaps(values: Sequence[float | None]) -> tuple[list, bool, list[int], list[float], np.ndarray | None]:
    """(values as a list, any missing?, present positions, present values as floats, and as
    an exact array or None)."""
    values = as_list(values)
    gaps, present, raw, array = present_points(values)
    check_numbers(values, present, "the days or cases between events", raw)
    return values, gaps, present, list(map(float, raw)), array


def g_chart(
    values: Sequence[float | None],
    baseline: int | None = None,
    *,
    better: Better = "up",
    target: float | None = None,
) -> GChartResult:
    """A G chart of cases or days between events (in event order; None = missing).

    From the first `baseline` present points: ḡ their mean, UCL = ḡ + 3√(ḡ(ḡ + 1)), LCL = 0,
    centre = their median. Rules: beyond a limit, trend and shift (against the median); no
    2-of-3. `better` is usually "up": a longer gap means fewer events.
    """
    check_better(better)
    values, gaps, present, ys, array = _gaps(values)
    base = baseline_count(baseline, len(present))
    mean = median = lines = None
    if base:
        mean = math.fsum(ys[:base]) / base
        ordered = sorted(ys[:base])
        half = base // 2
        median = ordered[half] if base % 2 else (ordered[half - 1] + ordered[half]) / 2
        lines = (mean + 3 * math.sqrt(mean * (mean + 1)), 0.0, None, None)
    return finish(
        length=len(values),
        present=present,
        gaps=gaps,
        ys=ys,
        array=array,
        centre=median,
        lines=lines,
        base=base,
        better=better,
        target=target,
        varying=False,
        result_type=GChartResult,
        mean=mean,
        median=median,
    )


def t_chart(
    values: Sequence[float | None],
    baseline: int | None = None,
    *,
    better: Better = "up",
    target: float | None = None,
) -> TChartResult:
    """A T chart of times between events (in event order; None = missing).

    yᵢ = tᵢ^(1/3.6); from the first `baseline` present points, ȳ their mean and MR̄ the mean
    moving range between consecutive ones; limits ȳ ± 2.66 MR̄ (a lower one below 0 is 0) and
    2σ lines two-thirds of the way to them. The rules read y; centre, limits and lines are
    reported back-transformed. Limits need at least 2 baseline points.
    """
    check_better(better)
    values, gaps, present, times, _ = _gaps(values)
    # In Python: numpy's power need not round as Python's does.
    ys = list(map(pow, times, repeat(1 / T_POWER, len(times))))
    base = baseline_count(baseline, len(present))
    y_mean = y_mr_mean = y_ucl = y_lcl = None
    lines = shown = None
    if base:
        base_ys = ys[:base]
        # Clamped so that equal times give exactly that value, not a rounding of it.
        y_mean = min(max(math.fsum(base_ys) / base, min(base_ys)), max(base_ys))
        ranges = list(map(abs, map(operator.sub, base_ys[1:], base_ys)))
        if ranges:
            y_mr_mean = math.fsum(ranges) / len(ranges)
            width = XMR_LIMIT_FACTOR * y_mr_mean
            y_ucl, y_lcl = y_mean + width, max(0.0, y_mean - width)
            lines = (y_ucl, y_lcl, y_mean + width * 2 / 3, max(0.0, y_mean - width * 2 / 3))
            shown = tuple(line**T_POWER for line in lines)
    return finish(
        length=len(values),
        present=present,
        gaps=gaps,
        ys=ys,
        array=None if len(ys) <= SHORT_SERIES else exact_array(ys),
        centre=y_mean,
        lines=lines,
        shown=shown,
        shown_centre=None if y_mean is None else y_mean**T_POWER,
        values=times,
        base=base,
        better=better,
        target=target,
        varying=False,
        result_type=TChartResult,
        transformed=spread(ys, present, len(values)) if gaps else list(ys),
        y_mean=y_mean,
        y_mr_mean=y_mr_mean,
        y_ucl=y_ucl,
        y_lcl=y_lcl,
    )
