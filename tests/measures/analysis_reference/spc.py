"""Control charts (XmR and P) with the Making Data Count special-cause rules (DESIGN.md §4).

Missing points (None or NaN) are skipped: every rule runs over the present points in order, as
if the gaps were closed up, and the indices it reports are positions in the list given. So a
shift or trend may run across a gap, and a gap is never itself labelled.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tests.measures.analysis_reference.common import (
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
    present_positions,
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
    present = present_positions(values)
    ys = [values[i] for i in present]
    moving_ranges: list[float | None] = [None] * length
    for k in range(1, len(present)):
        moving_ranges[present[k]] = abs(ys[k] - ys[k - 1])
    base = ys[: bisect_left(present, baseline_stop(baseline, length))]

    centre = ucl = lcl = mr_mean = mr_ucl = sigma2_upper = sigma2_lower = None
    signals: list[Signal] = []
    if base:
        # Clamped so that equal values give exactly that value, not a rounding of it.
        centre = float(min(max(math.fsum(base) / len(base), min(base)), max(base)))
        base_ranges = [abs(b - a) for a, b in zip(base, base[1:], strict=False)]
        if base_ranges:
            mr_mean = math.fsum(base_ranges) / len(base_ranges)
            if screen_outliers and mr_mean > 0:
                kept = [r for r in base_ranges if r < MR_LIMIT_FACTOR * mr_mean]
                mr_mean = math.fsum(kept) / len(kept)
            mr_ucl = MR_LIMIT_FACTOR * mr_mean
            width = XMR_LIMIT_FACTOR * mr_mean
            ucl, lcl = centre + width, centre - width
            sigma2_upper, sigma2_lower = centre + width * 2 / 3, centre - width * 2 / 3
        count = len(ys)
        limits = None
        if ucl is not None:
            limits = ([ucl] * count, [lcl] * count, [sigma2_upper] * count, [sigma2_lower] * count)
        signals = special_causes(present, ys, [centre] * count, limits, better)

    last_index = present[-1] if present else None
    return XmRResult(
        centre=centre,
        ucl=ucl,
        lcl=lcl,
        mr_mean=mr_mean,
        mr_ucl=mr_ucl,
        sigma2_upper=sigma2_upper,
        sigma2_lower=sigma2_lower,
        moving_ranges=moving_ranges,
        outside=_outside(signals),
        signals=signals,
        point_labels=labels_for(signals, length),
        trial_limits=len(base) < TRIAL_LIMIT_POINTS,
        variation=_variation(signals, last_index, better),
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

    stop = bisect_left(present, baseline_stop(baseline, length))
    base_total = math.fsum(denominators[i] for i in present[:stop])
    p_bar = math.fsum(numerators[i] for i in present[:stop]) / base_total if stop else None

    columns: list[list[float | None]] = [[None] * length for _ in range(5)]
    ucl, lcl, sigma2_upper, sigma2_lower, proportions = columns
    ys = [numerators[i] / denominators[i] for i in present]
    for i, y in zip(present, ys, strict=True):
        proportions[i] = y
    signals: list[Signal] = []
    if p_bar is not None:
        spread = p_bar * (1 - p_bar)
        for i in present:
            sigma = math.sqrt(spread / denominators[i])
            ucl[i] = min(1.0, p_bar + 3 * sigma)
            lcl[i] = max(0.0, p_bar - 3 * sigma)
            sigma2_upper[i] = min(1.0, p_bar + 2 * sigma)
            sigma2_lower[i] = max(0.0, p_bar - 2 * sigma)
        limits = tuple([column[i] for i in present] for column in columns[:4])
        signals = special_causes(present, ys, [p_bar] * len(ys), limits, better)

    last_index = present[-1] if present else None
    last_ucl = ucl[last_index] if last_index is not None else None
    last_lcl = lcl[last_index] if last_index is not None else None
    return PChartResult(
        centre=p_bar,
        ucl=ucl,
        lcl=lcl,
        sigma2_upper=sigma2_upper,
        sigma2_lower=sigma2_lower,
        proportions=proportions,
        p_bar=p_bar,
        outside=_outside(signals),
        signals=signals,
        point_labels=labels_for(signals, length),
        trial_limits=stop < TRIAL_LIMIT_POINTS,
        variation=_variation(signals, last_index, better),
        assurance=assurance_icon(last_ucl, last_lcl, target, better),
        last_index=last_index,
    )


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
