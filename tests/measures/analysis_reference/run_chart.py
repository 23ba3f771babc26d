"""Run charts: IHI shift, trend and runs rules, and the Anhøj rules (DESIGN.md §4)."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Literal

from tests.measures.analysis_reference.common import (
    Better,
    Signal,
    as_list,
    baseline_stop,
    check_better,
    improvement_for,
    present_positions,
)

SHIFT_POINTS = 6  # IHI: six or more points on one side of the median
TREND_POINTS = 5  # IHI: five or more points all going up or all going down
RUNS_TEST_MINIMUM = 10  # the IHI runs table starts at ten useful observations
RUNS_TAIL = Fraction(1, 40)  # 0.025 in each tail
CROSSINGS_QUANTILE = Fraction(1, 20)  # qbinom(0.05, ...)


@dataclass(frozen=True, slots=True)
class RunChartResult:
    """Everything a run chart shows; indices are positions in the list given."""

    centre: float | None
    shifts: list[tuple[int, int]]
    shift_sides: list[Literal["above", "below"]]
    trends: list[tuple[int, int]]
    trend_directions: list[Literal["up", "down"]]
    useful: int
    runs: int
    longest_run: int
    crossings: int
    longest_run_signal: bool
    crossings_signal: bool
    too_few_runs: bool | None
    too_many_runs: bool | None
    # Anhøj critical values for this many useful points (None without useful points).
    longest_run_max: int | None
    crossings_min: int | None
    # Shifts and trends as signals, in order of their first point.
    signals: list[Signal]
    last_index: int | None


def run_chart(
    values: Sequence[float | None],
    baseline: int | None = None,
    *,
    better: Better = None,
) -> RunChartResult:
    """Apply the run-chart rules to `values` (in time order; None or NaN = missing point).

    The centre is the median of the present points among the first `baseline` positions (all
    points when `baseline` is None). Missing points and points on the median are skipped by the
    shift and runs rules; missing points and points equal to the point before are skipped by
    the trend rule. `better` only sets the `improvement` flag of the signals.
    """
    check_better(better)
    values = as_list(values)
    stop = baseline_stop(baseline, len(values))
    present = present_positions(values)
    if len(present) == len(values):
        base = sorted(values[:stop])  # nothing missing: the common case, kept fast
    else:
        base = sorted([values[i] for i in present[: bisect_left(present, stop)]])
    centre: float | None = None
    if base:
        half = len(base) // 2
        centre = float(base[half] if len(base) % 2 else (base[half - 1] + base[half]) / 2)

    trends, trend_directions = _trends(values, present)
    if centre is None:
        shifts: list[tuple[int, int]] = []
        shift_sides: list[Literal["above", "below"]] = []
        useful = runs = longest_run = 0
    else:
        shifts, shift_sides, useful, runs, longest_run = _runs(values, present, centre)
    crossings = max(runs - 1, 0)

    longest_run_max = crossings_min = None
    longest_run_signal = crossings_signal = False
    too_few_runs = too_many_runs = None
    if useful:
        longest_run_max, crossings_min = anhoj_limits(useful)
        longest_run_signal = longest_run > longest_run_max
        crossings_signal = crossings < crossings_min
    if useful >= RUNS_TEST_MINIMUM:
        at_most, at_least, total = _runs_tail_counts(useful)
        # Integer comparison avoids rounding at the 0.025 boundary: count / total <= 1/40.
        too_few_runs = at_most[runs] * RUNS_TAIL.denominator <= total
        too_many_runs = at_least[runs] * RUNS_TAIL.denominator <= total

    signals: list[Signal] = []
    if shifts or trends:
        shift_pairs = list(zip(shifts, shift_sides, strict=True))
        trend_pairs = list(zip(trends, trend_directions, strict=True))
        signals = _signals(values, present, centre, shift_pairs, trend_pairs, better)
    return RunChartResult(
        centre=centre,
        shifts=shifts,
        shift_sides=shift_sides,
        trends=trends,
        trend_directions=trend_directions,
        useful=useful,
        runs=runs,
        longest_run=longest_run,
        crossings=crossings,
        longest_run_signal=longest_run_signal,
        crossings_signal=crossings_signal,
        too_few_runs=too_few_runs,
        too_many_runs=too_many_runs,
        longest_run_max=longest_run_max,
        crossings_min=crossings_min,
        signals=signals,
        last_index=present[-1] if present else None,
    )


def _runs(
    values: list, present: list[int], centre: float
) -> tuple[list[tuple[int, int]], list[Literal["above", "below"]], int, int, int]:
    """Shifts, useful observations, runs and the longest run, in one pass.

    Points on the median are skipped outright, so they neither end a run nor add to it.
    """
    shifts: list[tuple[int, int]] = []
    sides: list[Literal["above", "below"]] = []
    useful = runs = longest = length = 0
    side = 0
    start = last = -1
    for i in present:
        value = values[i]
        if value > centre:
            point_side = 1
        elif value < centre:
            point_side = -1
        else:
            continue
        useful += 1
        if point_side == side:
            length += 1
        else:
            if length >= SHIFT_POINTS:
                shifts.append((start, last))
                sides.append("above" if side > 0 else "below")
            if length > longest:
                longest = length
            runs += 1
            side = point_side
            length = 1
            start = i
        last = i
    if length >= SHIFT_POINTS:
        shifts.append((start, last))
        sides.append("above" if side > 0 else "below")
    return shifts, sides, useful, runs, max(longest, length)


def _trends(
    values: list,
    present: list[int],
) -> tuple[list[tuple[int, int]], list[Literal["up", "down"]]]:
    """Runs of TREND_POINTS or more counted points all rising or all falling.

    A point equal to the one before is skipped, so a plateau neither adds nor breaks. The last
    point of one trend starts the next, so a turning point belongs to both. A trend's span runs
    from where the movement starts to where it ends: a plateau at either end stays outside it,
    so at a flat turning point the rising trend ends where the plateau begins and the falling
    one starts where it ends. That keeps spans the same when a series is read backwards.
    """
    trends: list[tuple[int, int]] = []
    directions: list[Literal["up", "down"]] = []
    if not present:
        return trends, directions
    # previous_index: where the current plateau began; plateau_end: its latest point.
    previous_index = plateau_end = start = present[0]
    previous = values[previous_index]
    heading = 0
    count = 1
    for i in present:
        value = values[i]
        if value == previous:
            plateau_end = i
            continue
        step = 1 if value > previous else -1
        if step == heading:
            count += 1
        else:
            if count >= TREND_POINTS:
                trends.append((start, previous_index))
                directions.append("up" if heading > 0 else "down")
            heading = step
            start = plateau_end
            count = 2
        previous = value
        previous_index = plateau_end = i
    if count >= TREND_POINTS:
        trends.append((start, previous_index))
        directions.append("up" if heading > 0 else "down")
    return trends, directions


def _signals(
    values: list,
    present: list[int],
    centre: float | None,
    shifts: list[tuple[tuple[int, int], str]],
    trends: list[tuple[tuple[int, int], str]],
    better: Better,
) -> list[Signal]:
    """Shifts and trends as Signal records, each listing the points it counts."""
    signals = []
    for (start, end), side in shifts:
        span = present[bisect_left(present, start) : bisect_right(present, end)]
        points = tuple(i for i in span if values[i] != centre)
        direction = "high" if side == "above" else "low"
        improvement = improvement_for(direction, better)
        signals.append(Signal("shift", start, end, direction, improvement, points))
    for (start, end), heading in trends:
        points = [start]
        for i in present[bisect_right(present, start) : bisect_right(present, end)]:
            if values[i] != values[points[-1]]:
                points.append(i)
        direction = "high" if heading == "up" else "low"
        improvement = improvement_for(direction, better)
        signals.append(Signal("trend", start, end, direction, improvement, tuple(points)))
    signals.sort(key=lambda signal: (signal.start, signal.end))
    return signals


def anhoj_limits(useful: int) -> tuple[int, int]:
    """Anhøj critical values: (longest run allowed, fewest crossings allowed).

    A longest run above the first, or fewer crossings than the second, signals non-random
    variation. log2(n) + 3 is never exactly x.5 for a whole n, so round() cannot tie here.
    """
    if useful < 1:
        raise ValueError("the Anhøj rules need at least one useful observation")
    return round(math.log2(useful) + 3), _crossings_min(useful)


@cache
def _crossings_min(useful: int) -> int:
    """qbinom(0.05, useful - 1, 0.5): the smallest k with P(X ≤ k) ≥ 0.05, computed exactly."""
    trials = useful - 1
    total = 2**trials
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if cumulative * CROSSINGS_QUANTILE.denominator >= total:
            return k
    return trials


def runs_distribution(above: int, below: int) -> dict[int, Fraction]:
    """Swed–Eisenhart: P(R = r) for a random order of `above` and `below` points."""
    counts, total = _runs_counts(above, below)
    return {r: Fraction(count, total) for r, count in enumerate(counts) if count}


def runs_tail_probabilities(runs: int, useful: int) -> tuple[Fraction, Fraction]:
    """(P(R ≤ runs), P(R ≥ runs)) for ⌊useful/2⌋ points above and ⌈useful/2⌉ below."""
    at_most, at_least, total = _runs_tail_counts(useful)
    runs = min(max(runs, 0), useful + 1)
    return Fraction(at_most[runs], total), Fraction(at_least[runs], total)


@cache
def _runs_counts(above: int, below: int) -> tuple[tuple[int, ...], int]:
    """Arrangements of the points by number of runs (index = runs), and all arrangements."""
    points = above + below
    counts = [0] * (points + 2)
    if above == 0 or below == 0:
        counts[1 if points else 0] = 1
        return tuple(counts), 1
    for k in range(1, min(above, below) + 1):
        # 2k runs: k runs of each kind, starting with either; 2k + 1 runs: k + 1 of one kind.
        counts[2 * k] = 2 * math.comb(above - 1, k - 1) * math.comb(below - 1, k - 1)
        if 2 * k + 1 <= points:
            counts[2 * k + 1] = math.comb(above - 1, k) * math.comb(below - 1, k - 1) + math.comb(
                above - 1, k - 1
            ) * math.comb(below - 1, k)
    return tuple(counts), math.comb(points, above)


@cache
def _runs_tail_counts(useful: int) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Cumulative counts for the runs test, indexed by runs 0 … useful + 1."""
    counts, total = _runs_counts(useful // 2, useful - useful // 2)
    at_most = []
    running = 0
    for count in counts:
        running += count
        at_most.append(running)
    at_least = [total - below for below in [0, *at_most[:-1]]]
    return tuple(at_most), tuple(at_least), total
