"""Control charts (XmR and P) with the Making Data Count special-cause rules (DESIGN.md §4).

Missing points (None or NaN) are skipped: every rule runs over the present points in order, as
if the gaps were closed up, and the indices it reports are positions in the list given. So a
shift or trend may run across a gap, and a gap is never itself labelled.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from measures.analysis.common import (
    Better,
    Charted,
    Direction,
    Signal,
    SignalKind,
    as_list,
    baseline_stop,
    check_better,
    improvement_for,
    labels_for,
    last_point_signal,
    record_maker,
)
from measures.analysis.rules import (
    SHORT_SERIES,
    ShortBands,
    all_usable,
    bands,
    exact_array,
    find,
    find_short,
    present_points,
    ratios,
    short_bands,
    signals_from,
)

XMR_LIMIT_FACTOR = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two points
MR_LIMIT_FACTOR = 3.267  # D4 for moving ranges of two points
SHIFT_POINTS = 7
TREND_POINTS = 7
TRIAL_LIMIT_POINTS = 12  # fewer baseline points than this: limits are trial limits

Variation = Literal[
    "common_cause",
    "special_cause_improving",
    "special_cause_concerning",
    "special_cause_neither",
]
Assurance = Literal["consistently_passing", "consistently_failing", "hit_and_miss"]


@dataclass(frozen=True, slots=True)
class XmRResult:
    """An XmR (individuals and moving range) chart. Limits are None with fewer than 2 points."""

    centre: float | None
    ucl: float | None
    lcl: float | None
    mr_mean: float | None
    mr_ucl: float | None
    sigma2_upper: float | None
    sigma2_lower: float | None
    # One per position: |x - previous present x|; None for the first present or a missing point.
    moving_ranges: list[float | None]
    outside: list[int]
    signals: list[Signal]
    point_labels: list[str | None]
    trial_limits: bool
    variation: Variation | None
    assurance: Assurance | None
    last_index: int | None


@dataclass(frozen=True, slots=True)
class PChartResult:
    """A P chart. ``centre`` is p̄ (one value, as the mean of an XmR chart); the limit lists
    hold one value per point (they vary with each denominator), None where it is missing."""

    centre: float | None
    ucl: list[float | None]
    lcl: list[float | None]
    sigma2_upper: list[float | None]
    sigma2_lower: list[float | None]
    proportions: list[float | None]
    p_bar: float | None
    outside: list[int]
    signals: list[Signal]
    point_labels: list[str | None]
    trial_limits: bool
    variation: Variation | None
    assurance: Assurance | None
    last_index: int | None


_make_xmr = record_maker(XmRResult)
_make_p = record_maker(PChartResult)


def xmr_chart(
    values: Sequence[float | None],
    baseline: int | None = None,
    screen_outliers: bool = False,
    better: Better = "up",
    target: float | None = None,
) -> XmRResult:
    """An XmR chart of `values` (in time order; None or NaN = missing point).

    Centre and limits come from the present points among the first `baseline` positions (all
    points when None): centre = their mean, limits = centre ± 2.66 × mean moving range, the
    moving ranges being taken between consecutive present baseline points. With
    `screen_outliers`, moving ranges ≥ 3.267 × their mean are dropped once and the mean
    recomputed. `better` ("up", "down", "neutral" or None) decides improvement or concern.
    """
    check_better(better)
    values = as_list(values)
    length = len(values)
    gaps, present, ys, array = present_points(values)
    # In Python, not numpy: a list mixing ints and floats keeps the types Python gives.
    ranges = list(map(abs, map(operator.sub, ys[1:], ys)))
    moving_ranges: list[float | None]
    if gaps:
        moving_ranges = [None] * length
        for i, moving_range in zip(present[1:], ranges, strict=True):
            moving_ranges[i] = moving_range
    else:
        moving_ranges = [None, *ranges] if length else []
    stop = bisect_left(present, baseline_stop(baseline, length)) if gaps else baseline_stop(baseline, length)
    base = ys[:stop]

    centre = ucl = lcl = mr_mean = mr_ucl = sigma2_upper = sigma2_lower = None
    signals: list[Signal] = []
    if base:
        # Clamped so that equal values give exactly that value, not a rounding of it.
        centre = float(min(max(math.fsum(base) / len(base), min(base)), max(base)))
        # The moving ranges between consecutive present baseline points.
        base_ranges = ranges[: len(base) - 1]
        if base_ranges:
            mr_mean = math.fsum(base_ranges) / len(base_ranges)
            if screen_outliers and mr_mean > 0:
                kept = [r for r in base_ranges if r < MR_LIMIT_FACTOR * mr_mean]
                mr_mean = math.fsum(kept) / len(kept)
            mr_ucl = MR_LIMIT_FACTOR * mr_mean
            width = XMR_LIMIT_FACTOR * mr_mean
            ucl, lcl = centre + width, centre - width
            sigma2_upper, sigma2_lower = centre + width * 2 / 3, centre - width * 2 / 3
        lines = None if ucl is None else (ucl, lcl, sigma2_upper, sigma2_lower)
        signals = _causes(present, gaps, ys, array, centre, lines, better)

    last_index = present[-1] if present else None
    outside, labels, variation = _marks(signals, length, last_index, better)
    return _make_xmr(
        centre=centre,
        ucl=ucl,
        lcl=lcl,
        mr_mean=mr_mean,
        mr_ucl=mr_ucl,
        sigma2_upper=sigma2_upper,
        sigma2_lower=sigma2_lower,
        moving_ranges=moving_ranges,
        outside=outside,
        signals=signals,
        point_labels=labels,
        trial_limits=len(base) < TRIAL_LIMIT_POINTS,
        variation=variation,
        assurance=assurance_icon(ucl, lcl, target, better),
        last_index=last_index,
    )


def p_chart(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    baseline: int | None = None,
    better: Better = "up",
    target: float | None = None,
) -> PChartResult:
    """A P chart of numerators / denominators (in time order).

    A point whose numerator or denominator is None or NaN, or whose denominator is 0, is
    missing. p̄ = Σ numerators / Σ denominators over the present points among the first
    `baseline` positions; limits p̄ ± 3·√(p̄(1 − p̄)/nᵢ) and 2σ lines p̄ ± 2·√(…) per point,
    clipped to [0, 1]. `target` is a proportion, compared with the limits at the last point.
    """
    check_better(better)
    numerators = as_list(numerators)
    denominators = as_list(denominators)
    length = len(numerators)
    if len(denominators) != length:
        raise ValueError(f"{length} numerators but {len(denominators)} denominators")
    points = all_usable(numerators, denominators, proportions=True)
    if points is None:
        points = ratios(numerators, denominators, _p_chart_points(numerators, denominators))
    present = points.present

    stop = bisect_left(present, baseline_stop(baseline, length)) if points.gaps else baseline_stop(baseline, length)
    base_total = math.fsum(points.bottoms[:stop])
    p_bar = math.fsum(points.tops[:stop]) / base_total if stop else None

    ys = points.ys
    signals: list[Signal] = []
    lines: list[list[float | None]] = [[None] * length for _ in range(4)]
    if p_bar is not None:
        spread = p_bar * (1 - p_bar)
        if points.bottom_array is not None:
            arrays = bands(p_bar, np.sqrt(spread / points.bottom_array), 1.0)
        elif len(points.bottoms) <= SHORT_SERIES:
            arrays = short_bands(p_bar, [math.sqrt(spread / bottom) for bottom in points.bottoms], 1.0)
        else:
            sigmas = [math.sqrt(spread / bottom) for bottom in points.bottoms]
            arrays = tuple(
                np.array(line, dtype=float)
                for line in (
                    [min(1.0, p_bar + 3 * sigma) for sigma in sigmas],
                    [max(0.0, p_bar - 3 * sigma) for sigma in sigmas],
                    [min(1.0, p_bar + 2 * sigma) for sigma in sigmas],
                    [max(0.0, p_bar - 2 * sigma) for sigma in sigmas],
                )
            )
        if isinstance(arrays, ShortBands):
            lines = [spread_to(line, present, length) for line in arrays] if points.gaps else list(arrays)
        else:
            lines = [spread_to(line.tolist(), present, length) if points.gaps else line.tolist() for line in arrays]
        signals = _causes(present, points.gaps, ys, points.array, p_bar, arrays, better)
    ucl, lcl, sigma2_upper, sigma2_lower = lines
    proportions = spread_to(ys, present, length) if points.gaps else list(ys)

    last_index = present[-1] if present else None
    last_ucl = ucl[last_index] if last_index is not None else None
    last_lcl = lcl[last_index] if last_index is not None else None
    outside, labels, variation = _marks(signals, length, last_index, better)
    return _make_p(
        centre=p_bar,
        ucl=ucl,
        lcl=lcl,
        sigma2_upper=sigma2_upper,
        sigma2_lower=sigma2_lower,
        proportions=proportions,
        p_bar=p_bar,
        outside=outside,
        signals=signals,
        point_labels=labels,
        trial_limits=stop < TRIAL_LIMIT_POINTS,
        variation=variation,
        assurance=assurance_icon(last_ucl, last_lcl, target, better),
        last_index=last_index,
    )


def _causes(
    present: list[int],
    gaps: bool,
    ys: list,
    array: np.ndarray | None,
    centre: float,
    lines: tuple | None,
    better: Better,
    *,
    two_of_three: bool = True,
) -> list[Signal]:
    """special_causes for one centre and one number (or one array) per line."""
    if array is not None:
        return signals_from(find(array, centre, lines, two_of_three=two_of_three), present if gaps else None, better)
    count = len(ys)
    if count <= SHORT_SERIES and (lines is None or not isinstance(lines[0], np.ndarray)):
        found = find_short(ys, centre, lines, two_of_three=two_of_three)
        return signals_from(found, present if gaps else None, better) if found else []
    limits = None
    if lines is not None:
        limits = tuple(line.tolist() if isinstance(line, np.ndarray) else [line] * count for line in lines)
    return _special_causes_loop(present, ys, [centre] * count, limits, better, two_of_three=two_of_three)


def _p_chart_points(numerators: list, denominators: list) -> list[int]:
    """The usable positions of a P chart, refusing a negative count or a numerator above its
    denominator with a message naming the point."""
    present = []
    for i, (numerator, denominator) in enumerate(zip(numerators, denominators, strict=True)):
        # NaN is the one value not equal to itself; pandas uses it for missing data.
        if numerator is None or denominator is None or numerator != numerator:
            continue
        if denominator != denominator or denominator == 0:
            continue
        if numerator < 0 or denominator < 0:
            raise ValueError(f"point {i}: negative count {numerator}/{denominator}")
        if numerator > denominator:
            raise ValueError(f"point {i}: numerator {numerator} exceeds denominator")
        present.append(i)
    return present


def spread_to(values: list, present: list[int], length: int) -> list:
    """One entry per position: `values` (one per present point) where present, None elsewhere."""
    out: list = [None] * length
    for i, value in zip(present, values, strict=True):
        out[i] = value
    return out


def special_causes(
    positions: list[int],
    ys: list[float],
    centres: list[float],
    limits: tuple[list[float], list[float], list[float], list[float]] | None,
    better: Better,
    *,
    two_of_three: bool = True,
) -> list[Signal]:
    """The four Making Data Count rules over present points `ys` at `positions`.

    `limits` holds per-point (ucl, lcl, upper 2σ, lower 2σ), or None when there are no
    limits, in which case only the shift and trend rules apply. `two_of_three=False` leaves
    that rule out (the G chart, whose skewed distribution makes it meaningless). Signals come
    back in order of their first point; beyond-limit signals are one per point.
    """
    array = exact_array(ys)
    if array is None or (centres and exact_array(centres) is None):
        return _special_causes_loop(positions, ys, centres, limits, better, two_of_three=two_of_three)
    lines = None if limits is None else tuple(exact_array(line) for line in limits)
    if lines is not None and any(line is None for line in lines):
        return _special_causes_loop(positions, ys, centres, limits, better, two_of_three=two_of_three)
    centre_line = np.array(centres)
    return signals_from(find(array, centre_line, lines, two_of_three=two_of_three), positions, better)


def _special_causes_loop(
    positions: list[int],
    ys: list[float],
    centres: list[float],
    limits: tuple[list[float], list[float], list[float], list[float]] | None,
    better: Better,
    *,
    two_of_three: bool = True,
) -> list[Signal]:
    """The rules as a loop over the points: for values numpy cannot compare exactly."""
    count = len(ys)
    found: list[tuple[SignalKind, list[int], Direction]] = []

    # Shift: SHIFT_POINTS or more in a row on one side; a point on the centre ends the run.
    start = 0
    side = 0
    for k in range(count + 1):
        point_side = (ys[k] > centres[k]) - (ys[k] < centres[k]) if k < count else 0
        if point_side != side or not point_side:
            if side and k - start >= SHIFT_POINTS:
                found.append(("shift", list(range(start, k)), "high" if side > 0 else "low"))
            start = k
        side = point_side

    # Trend: TREND_POINTS or more each strictly beyond the one before; a tie ends the run.
    start = 0
    heading = 0
    for k in range(1, count + 1):
        step = (ys[k] > ys[k - 1]) - (ys[k] < ys[k - 1]) if k < count else 0
        # A tie (step 0) differs from any heading, so it ends the run.
        if step != heading:
            if heading and k - start >= TREND_POINTS:
                found.append(("trend", list(range(start, k)), "high" if heading > 0 else "low"))
            start = k - 1
        heading = step

    if limits is not None:
        upper, lower, upper2, lower2 = limits
        # Two of three: a window of three holds two points beyond the same 2σ line exactly when
        # two such points have at most one point between them, so chains of those points with
        # gaps of at most 2 are the overlapping windows merged. Points beyond a limit are not
        # counted, and only the points beyond 2σ are flagged, not the window's middle point.
        chains: dict[int, list[int]] = {1: [], -1: []}
        for k, y in enumerate(ys):
            if y > upper[k]:
                found.append(("beyond_limit", [k], "high"))
                continue
            if y < lower[k]:
                found.append(("beyond_limit", [k], "low"))
                continue
            if not two_of_three:
                continue
            if y > upper2[k]:
                side = 1
            elif y < lower2[k]:
                side = -1
            else:
                continue
            chain = chains[side]
            if chain and k - chain[-1] > 2:
                if len(chain) >= 2:
                    found.append(("two_of_three", chain, "high" if side > 0 else "low"))
                chain = chains[side] = []
            chain.append(k)
        for side, chain in chains.items():
            if len(chain) >= 2:
                found.append(("two_of_three", chain, "high" if side > 0 else "low"))

    signals = [
        Signal(
            kind,
            positions[points[0]],
            positions[points[-1]],
            direction,
            improvement_for(direction, better),
            tuple(positions[k] for k in points),
        )
        for kind, points, direction in found
    ]
    signals.sort(key=lambda signal: (signal.start, signal.end, signal.kind))
    return signals


def _marks(
    signals: list[Signal], length: int, last_index: int | None, better: Better
) -> tuple[list[int], list[str | None], Variation | None]:
    """(outside, point labels, variation icon) of a chart's signals; quick without any."""
    if not signals:
        return [], [None] * length, None if last_index is None else "common_cause"
    return _outside(signals), labels_for(signals, length), _variation(signals, last_index, better)


def _outside(signals: list[Signal]) -> list[int]:
    return sorted(signal.start for signal in signals if signal.kind == "beyond_limit")


def _variation(signals: list[Signal], last_index: int | None, better: Better) -> Variation | None:
    if last_index is None:
        return None
    signal = last_point_signal(signals, last_index)
    if signal is None:
        return "common_cause"
    improvement = improvement_for(signal.direction, better)
    if improvement is None:
        return "special_cause_neither"
    return "special_cause_improving" if improvement else "special_cause_concerning"


def variation_icon(result: Charted, better: Better) -> Variation | None:
    """The Making Data Count variation icon, judged from the last present point.

    Works on any result with `signals` and `last_index` (XmR, P or run chart). The point's
    highest-precedence signal decides; whether it improves is judged against `better`, so the
    answer matches the signals' `improvement` flags when the chart used the same direction.
    None when the chart has no present points.
    """
    check_better(better)
    return _variation(result.signals, result.last_index, better)


def assurance_icon(
    ucl: float | None,
    lcl: float | None,
    target: float | None,
    better: Better,
) -> Assurance | None:
    """The Making Data Count assurance icon: can the process be relied on to meet `target`?

    A target strictly outside the limits is met (or missed) every time; one between or on the
    limits is hit and miss. None without a target, limits or a better direction.
    """
    check_better(better)
    if target is None or ucl is None or lcl is None or better not in ("up", "down"):
        return None
    if target < lcl:
        return "consistently_passing" if better == "up" else "consistently_failing"
    if target > ucl:
        return "consistently_failing" if better == "up" else "consistently_passing"
    return "hit_and_miss"
