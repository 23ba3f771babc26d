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
from collections.abc import Sequence
from dataclasses import dataclass

from tests.measures.analysis_reference.common import Better, as_list, check_better
from tests.measures.analysis_reference.control import (
    ControlChartResult,
    baseline_count,
    check_numbers,
    finish,
    present_of,
)
from tests.measures.analysis_reference.spc import XMR_LIMIT_FACTOR

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


def _gaps(values: Sequence[float | None]) -> tuple[list[float | None], list[int]]:
    values = as_list(values)
    present = present_of(values)
    check_numbers(values, present, "the days or cases between events")
    return values, present


def _spread(length: int, present: list[int], values: list[float]) -> list[float | None]:
    spread: list[float | None] = [None] * length
    for i, value in zip(present, values, strict=True):
        spread[i] = value
    return spread


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
    values, present = _gaps(values)
    ys = [float(values[i]) for i in present]
    base = baseline_count(baseline, len(present))
    mean = median = lines = None
    if base:
        mean = math.fsum(ys[:base]) / base
        ordered = sorted(ys[:base])
        half = base // 2
        median = ordered[half] if base % 2 else (ordered[half - 1] + ordered[half]) / 2
        count = len(ys)
        lines = ([mean + 3 * math.sqrt(mean * (mean + 1))] * count, [0.0] * count, None, None)
    return finish(
        length=len(values),
        present=present,
        ys=ys,
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
    values, present = _gaps(values)
    ys = [float(values[i]) ** (1 / T_POWER) for i in present]
    base = baseline_count(baseline, len(present))
    y_mean = y_mr_mean = y_ucl = y_lcl = None
    lines = shown = None
    if base:
        base_ys = ys[:base]
        # Clamped so that equal times give exactly that value, not a rounding of it.
        y_mean = min(max(math.fsum(base_ys) / base, min(base_ys)), max(base_ys))
        ranges = [abs(b - a) for a, b in zip(base_ys, base_ys[1:], strict=False)]
        if ranges:
            y_mr_mean = math.fsum(ranges) / len(ranges)
            width = XMR_LIMIT_FACTOR * y_mr_mean
            y_ucl, y_lcl = y_mean + width, max(0.0, y_mean - width)
            count = len(ys)
            y_lines = (y_ucl, y_lcl, y_mean + width * 2 / 3, max(0.0, y_mean - width * 2 / 3))
            lines = tuple([line] * count for line in y_lines)
            shown = tuple([line**T_POWER] * count for line in y_lines)
    return finish(
        length=len(values),
        present=present,
        ys=ys,
        centre=y_mean,
        lines=lines,
        shown=shown,
        shown_centre=None if y_mean is None else y_mean**T_POWER,
        values=[float(values[i]) for i in present],
        base=base,
        better=better,
        target=target,
        varying=False,
        result_type=TChartResult,
        transformed=_spread(len(values), present, ys),
        y_mean=y_mean,
        y_mr_mean=y_mr_mean,
        y_ucl=y_ucl,
        y_lcl=y_lcl,
    )
