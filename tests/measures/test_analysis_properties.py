"""Properties the analysis engine must keep for any series (hypothesis)."""

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from measures.analysis import (
    RunChartResult,
    XmRResult,
    anhoj_limits,
    run_chart,
    runs_distribution,
    runs_tail_probabilities,
    xmr_chart,
)

# Applied test by test, not as a profile, so other test modules keep their own settings.
thorough = settings(deadline=None, max_examples=200)

# Whole numbers keep every sum, median and difference exact, so a property can only fail
# because of the engine, not because of floating-point rounding.
points = st.integers(min_value=-30, max_value=30)
series = st.lists(points | st.none(), max_size=60)
full_series = st.lists(points, min_size=1, max_size=60)
baselines = st.none() | st.integers(min_value=1, max_value=70)


def run_signature(result: RunChartResult) -> tuple:
    """Everything a run chart decides, except the centre itself."""
    return (
        result.shifts,
        result.shift_sides,
        result.trends,
        result.trend_directions,
        result.useful,
        result.runs,
        result.longest_run,
        result.crossings,
        result.longest_run_signal,
        result.crossings_signal,
        result.too_few_runs,
        result.too_many_runs,
        [(s.kind, s.start, s.end, s.direction, s.points) for s in result.signals],
    )


def xmr_signature(result: XmRResult) -> tuple:
    return (
        [(s.kind, s.start, s.end, s.direction, s.points) for s in result.signals],
        result.outside,
        result.point_labels,
        result.variation,
    )


def clear_of_the_lines(result: XmRResult, values: list) -> bool:
    """No point within rounding distance of a limit or 2σ line, where float arithmetic could
    put it on either side depending on how the line was reached."""
    if result.ucl is None:
        return True
    lines = (result.ucl, result.lcl, result.sigma2_upper, result.sigma2_lower)
    scale = max(1.0, *(abs(line) for line in lines))
    present = [value for value in values if value is not None]
    return all(abs(value - line) > 1e-9 * scale for value in present for line in lines)


# --- translation and scale --------------------------------------------------------------


@thorough
@given(values=series, baseline=baselines, constant=st.integers(-1000, 1000))
def test_adding_a_constant_changes_no_run_chart_signal(
    values: list,
    baseline: int | None,
    constant: int,
) -> None:
    moved = [None if value is None else value + constant for value in values]

    before, after = run_chart(values, baseline), run_chart(moved, baseline)

    assert run_signature(after) == run_signature(before)
    if before.centre is not None:
        assert after.centre == before.centre + constant


@thorough
@given(values=series, baseline=baselines, exponent=st.integers(-10, 10))
def test_scaling_by_a_power_of_two_changes_no_run_chart_signal(
    values: list, baseline: int | None, exponent: int
) -> None:
    factor = 2.0**exponent
    scaled = [None if value is None else value * factor for value in values]

    assert run_signature(run_chart(scaled, baseline)) == run_signature(run_chart(values, baseline))


@thorough
@given(
    values=series,
    baseline=baselines,
    constant=st.integers(-1000, 1000),
    screen_outliers=st.booleans(),
)
def test_adding_a_constant_changes_no_xmr_signal(
    values: list, baseline: int | None, constant: int, screen_outliers: bool
) -> None:
    moved = [None if value is None else value + constant for value in values]

    before = xmr_chart(values, baseline, screen_outliers)
    after = xmr_chart(moved, baseline, screen_outliers)
    assume(clear_of_the_lines(before, values) and clear_of_the_lines(after, moved))

    assert xmr_signature(after) == xmr_signature(before)
    assert after.mr_mean == before.mr_mean


@thorough
@given(
    values=series,
    baseline=baselines,
    exponent=st.integers(-10, 10),
    screen_outliers=st.booleans(),
)
def test_scaling_by_a_power_of_two_changes_no_xmr_signal(
    values: list, baseline: int | None, exponent: int, screen_outliers: bool
) -> None:
    # Multiplying by a power of two is exact in floating point, so no point may change side.
    factor = 2.0**exponent
    scaled = [None if value is None else value * factor for value in values]

    before = xmr_chart(values, baseline, screen_outliers)
    after = xmr_chart(scaled, baseline, screen_outliers)

    assert xmr_signature(after) == xmr_signature(before)


@thorough
@given(
    values=series,
    baseline=baselines,
    factor=st.floats(min_value=1e-3, max_value=1e3),
    screen_outliers=st.booleans(),
)
def test_scaling_by_any_positive_constant_changes_no_xmr_signal(
    values: list, baseline: int | None, factor: float, screen_outliers: bool
) -> None:
    scaled = [None if value is None else value * factor for value in values]

    before = xmr_chart(values, baseline, screen_outliers)
    after = xmr_chart(scaled, baseline, screen_outliers)
    assume(clear_of_the_lines(before, values) and clear_of_the_lines(after, scaled))
    if before.centre is not None:
        # A point on the centre must stay on it, and one off it must stay off it.
        present = [value for value in values if value is not None]
        assume(all((v == before.centre) == (v * factor == after.centre) for v in present))

    assert xmr_signature(after) == xmr_signature(before)


# --- time reversal ------------------------------------------------------------------------


def mirrored(span: tuple[int, int], length: int) -> tuple[int, int]:
    start, end = span
    return length - 1 - end, length - 1 - start


@thorough
@given(values=series)
def test_reversing_a_series_swaps_rising_and_falling_trends(values: list) -> None:
    forward, backward = run_chart(values), run_chart(values[::-1])
    length = len(values)
    flip = {"up": "down", "down": "up"}

    assert sorted(zip(forward.trends, forward.trend_directions, strict=True)) == sorted(
        (mirrored(span, length), flip[heading])
        for span, heading in zip(backward.trends, backward.trend_directions, strict=True)
    )
    assert sorted(forward.shifts) == sorted(mirrored(span, length) for span in backward.shifts)
    assert (forward.runs, forward.longest_run) == (backward.runs, backward.longest_run)


@thorough
@given(values=series, screen_outliers=st.booleans())
def test_reversing_a_series_mirrors_every_xmr_signal(values: list, screen_outliers: bool) -> None:
    forward = xmr_chart(values, screen_outliers=screen_outliers)
    backward = xmr_chart(values[::-1], screen_outliers=screen_outliers)
    length = len(values)
    flip = {"high": "low", "low": "high"}

    def mirror(kind: str, start: int, end: int, direction: str) -> tuple:
        direction = flip[direction] if kind == "trend" else direction
        return (kind, *mirrored((start, end), length), direction)

    assert (backward.ucl, backward.lcl) == (forward.ucl, forward.lcl)
    assert sorted((s.kind, s.start, s.end, s.direction) for s in forward.signals) == sorted(
        mirror(s.kind, s.start, s.end, s.direction) for s in backward.signals
    )
    assert forward.point_labels == backward.point_labels[::-1]


# --- missing points -----------------------------------------------------------------------


@thorough
@given(values=full_series, data=st.data())
def test_missing_points_only_move_the_indices(values: list, data: st.DataObject) -> None:
    gaps = data.draw(st.lists(st.integers(0, len(values)), max_size=10))
    with_gaps: list = list(values)
    for gap in sorted(gaps, reverse=True):
        with_gaps.insert(gap, None)
    position = [i for i, value in enumerate(with_gaps) if value is not None]

    plain, gapped = run_chart(values), run_chart(with_gaps)
    assert gapped.trends == [(position[s], position[e]) for s, e in plain.trends]
    assert gapped.shifts == [(position[s], position[e]) for s, e in plain.shifts]
    assert (gapped.runs, gapped.useful) == (plain.runs, plain.useful)

    plain_xmr, gapped_xmr = xmr_chart(values), xmr_chart(with_gaps)
    assert gapped_xmr.ucl == plain_xmr.ucl
    assert [(s.kind, s.points) for s in gapped_xmr.signals] == [
        (s.kind, tuple(position[k] for k in s.points)) for s in plain_xmr.signals
    ]
    assert [gapped_xmr.point_labels[k] for k in position] == plain_xmr.point_labels


# --- labels agree with the signals --------------------------------------------------------

PRECEDENCE = ["beyond_limit", "trend", "two_of_three", "shift"]


@thorough
@given(values=series, baseline=baselines, screen_outliers=st.booleans())
def test_labels_and_outside_agree_with_the_limits_and_signals(
    values: list, baseline: int | None, screen_outliers: bool
) -> None:
    result = xmr_chart(values, baseline, screen_outliers)

    limits = (result.lcl, result.ucl)
    expected_outside = []
    for index, value in enumerate(values):
        if value is not None and limits[0] is not None and not limits[0] <= value <= limits[1]:
            expected_outside.append(index)
    assert result.outside == expected_outside
    for index, label in enumerate(result.point_labels):
        covering = [s.kind for s in result.signals if index in s.points]
        if label is None:
            assert covering == []
        else:
            assert label == min(covering, key=PRECEDENCE.index)
            assert values[index] is not None


@thorough
@given(values=st.lists(st.integers(-9, 9) | st.none(), max_size=40), baseline=baselines)
def test_two_of_three_flags_exactly_the_points_of_qualifying_windows(
    values: list,
    baseline: int | None,
) -> None:
    # The literal rule, window by window over the present points.
    result = xmr_chart(values, baseline)
    assume(result.ucl is not None)
    present = [i for i, value in enumerate(values) if value is not None]
    side = {}
    for i in present:
        if result.sigma2_upper < values[i] <= result.ucl:
            side[i] = "high"
        elif result.lcl <= values[i] < result.sigma2_lower:
            side[i] = "low"
    expected = set()
    for window in zip(present, present[1:], present[2:], strict=False):
        for direction in ("high", "low"):
            hits = [i for i in window if side.get(i) == direction]
            if len(hits) >= 2:
                expected.update((i, direction) for i in hits)

    two_of_three = [s for s in result.signals if s.kind == "two_of_three"]
    flagged = {(i, s.direction) for s in two_of_three for i in s.points}
    assert flagged == expected


# --- the runs test against brute force ----------------------------------------------------


def brute_force_runs(above: int, below: int) -> dict[int, Fraction]:
    """P(R = r) by listing every arrangement of `above` and `below` points."""
    total = above + below
    counts: dict[int, int] = {}
    arrangements = 0
    for chosen in itertools.combinations(range(total), above):
        sides = [False] * total
        for index in chosen:
            sides[index] = True
        runs = (1 if total else 0) + sum(a != b for a, b in itertools.pairwise(sides))
        counts[runs] = counts.get(runs, 0) + 1
        arrangements += 1
    return {runs: Fraction(count, arrangements) for runs, count in counts.items()}


@pytest.mark.parametrize(
    ("above", "below"),
    [(a, b) for a in range(15) for b in range(15) if 1 <= a + b <= 14],
)
def test_runs_distribution_matches_brute_force(above: int, below: int) -> None:
    assert runs_distribution(above, below) == brute_force_runs(above, below)


@thorough
@given(useful=st.integers(1, 14), runs=st.integers(0, 16))
def test_runs_tail_probabilities_match_brute_force(useful: int, runs: int) -> None:
    distribution = brute_force_runs(useful // 2, useful - useful // 2)

    at_most, at_least = runs_tail_probabilities(runs, useful)

    assert at_most == sum((p for r, p in distribution.items() if r <= runs), Fraction(0))
    assert at_least == sum((p for r, p in distribution.items() if r >= runs), Fraction(0))


@thorough
@given(sides=st.lists(st.sampled_from([-1, 1]), min_size=10, max_size=14))
def test_run_chart_runs_verdicts_match_brute_force(sides: list[int]) -> None:
    # A leading 0 as a one-point baseline puts the median at 0, so every other point is useful.
    result = run_chart([0, *sides], baseline=1)
    useful = len(sides)
    distribution = brute_force_runs(useful // 2, useful - useful // 2)
    at_most = sum((p for r, p in distribution.items() if r <= result.runs), Fraction(0))
    at_least = sum((p for r, p in distribution.items() if r >= result.runs), Fraction(0))

    assert result.useful == useful
    assert result.runs == 1 + sum(a != b for a, b in itertools.pairwise(sides))
    assert result.too_few_runs is (at_most <= Fraction(1, 40))
    assert result.too_many_runs is (at_least <= Fraction(1, 40))


@thorough
@given(useful=st.integers(1, 300))
def test_anhoj_crossings_limit_matches_a_float_binomial_cdf(useful: int) -> None:
    trials = useful - 1
    cdf = 0.0
    for k in range(trials + 1):
        cdf += math.comb(trials, k) / 2**trials
        # The exact CDF stays more than 7e-5 away from 0.05 for these n: floats agree here.
        if cdf >= 0.05:
            break

    assert anhoj_limits(useful)[1] == k
