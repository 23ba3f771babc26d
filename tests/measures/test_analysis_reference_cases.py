"""Every worked case in /work/shared/reference/spc-cases.md, in its order.

The reference numbers its points from 1; the engine reports 0-based positions, so point k of
the reference is position k - 1 here.
"""

import pytest

from measures.analysis import anhoj_limits, run_chart, xmr_chart

# §1: NHSRplotthedots test data (published output of the package's own tests).
NHSR_Y = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.2240818,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.7013559,
    -0.47279141,
]


@pytest.mark.parametrize("screen_outliers", [False, True])
def test_nhsr_xmr_limits_and_common_cause(screen_outliers: bool) -> None:
    result = xmr_chart(NHSR_Y, screen_outliers=screen_outliers)

    assert result.centre == pytest.approx(0.1416238, abs=1e-5)
    assert result.mr_mean == pytest.approx(1.18534, abs=1e-5)
    assert result.lcl == pytest.approx(-3.01138, abs=1e-5)
    assert result.ucl == pytest.approx(3.294627, abs=1e-5)
    assert result.signals == []
    assert result.outside == []
    assert result.point_labels == [None] * 20
    assert result.variation == "common_cause"


def test_nhsr_outlier_screened_limits() -> None:
    y = list(NHSR_Y)
    y[14] = 10  # point 15

    result = xmr_chart(y, screen_outliers=True)

    assert result.centre == pytest.approx(0.6694159, abs=1e-5)
    assert result.lcl == pytest.approx(-2.383666, abs=1e-5)
    assert result.ucl == pytest.approx(3.722497, abs=1e-5)
    assert result.outside == [14]


def test_nhsr_outlier_unscreened_limits() -> None:
    y = list(NHSR_Y)
    y[14] = 10

    result = xmr_chart(y, screen_outliers=False)

    assert result.centre == pytest.approx(0.6694159, abs=1e-5)
    assert result.lcl == pytest.approx(-4.596625, abs=1e-5)
    assert result.ucl == pytest.approx(5.935457, abs=1e-5)
    # The outlier inflates the unscreened limits, yet 10 still lies above them.
    assert result.outside == [14]


def test_nhsr_assurance_hit_and_miss() -> None:
    result = xmr_chart(NHSR_Y, better="up", target=0.5)

    assert result.lcl < 0.5 < result.ucl
    assert result.assurance == "hit_and_miss"


# §2: seven-point trend against the limits (derived).
def test_seven_point_trend_against_limits_better_up() -> None:
    result = xmr_chart([0, 1, 2, 3, 4, 5, 6, 7], better="up")

    assert result.centre == pytest.approx(3.5)
    assert result.mr_mean == pytest.approx(1.0)
    assert result.lcl == pytest.approx(0.84)
    assert result.ucl == pytest.approx(6.16)
    assert result.outside == [0, 7]
    assert result.point_labels == ["beyond_limit"] + ["trend"] * 6 + ["beyond_limit"]
    by_kind = {(s.kind, s.start): s for s in result.signals}
    assert by_kind["beyond_limit", 0].improvement is False  # point 1 low: a concern
    assert by_kind["beyond_limit", 7].improvement is True  # point 8 high: an improvement
    trend = by_kind["trend", 0]
    assert (trend.direction, trend.improvement) == ("high", True)
    assert set(range(1, 7)) <= set(trend.points)
    assert result.variation == "special_cause_improving"


def test_seven_point_trend_mirrored_better_down() -> None:
    result = xmr_chart([7, 6, 5, 4, 3, 2, 1, 0], better="down")

    assert result.lcl == pytest.approx(0.84)
    assert result.ucl == pytest.approx(6.16)
    assert result.outside == [0, 7]
    assert result.point_labels == ["beyond_limit"] + ["trend"] * 6 + ["beyond_limit"]
    by_kind = {(s.kind, s.start): s for s in result.signals}
    assert by_kind["beyond_limit", 0].improvement is False  # first point high: a concern
    assert by_kind["beyond_limit", 7].improvement is True  # last point low: an improvement
    trend = by_kind["trend", 0]
    assert (trend.direction, trend.improvement) == ("low", True)
    assert result.variation == "special_cause_improving"


# §3: rule precedence with a frozen baseline (derived).
PRECEDENCE_Y = [10, 12, 11, 9, 10, 11, 10, 12, 9, 11, 10, 11, 13, 14, 13, 14, 13, 14, 13]


def test_precedence_with_frozen_baseline_limits() -> None:
    result = xmr_chart(PRECEDENCE_Y, baseline=12, better="up")

    assert result.centre == pytest.approx(10.5)
    assert result.mr_mean == pytest.approx(17 / 11)
    assert result.ucl == pytest.approx(14.6109, abs=1e-4)
    assert result.lcl == pytest.approx(6.3891, abs=1e-4)
    assert result.sigma2_upper == pytest.approx(13.2406, abs=1e-4)
    assert result.trial_limits is False  # exactly 12 baseline points


def test_precedence_with_frozen_baseline_labels() -> None:
    result = xmr_chart(PRECEDENCE_Y, baseline=12, better="up")

    two_of_three = {13, 15, 17}  # points 14, 16, 18 (value 14)
    shift_only = {11, 12, 14, 16, 18}  # points 12, 13, 15, 17, 19
    for position, label in enumerate(result.point_labels):
        if position in two_of_three:
            assert label == "two_of_three", position
        elif position in shift_only:
            assert label == "shift", position
        else:
            assert label is None, position
    assert result.outside == []
    assert {s.kind for s in result.signals} == {"shift", "two_of_three"}
    assert all(s.improvement is True for s in result.signals)
    assert result.variation == "special_cause_improving"


# §4: two of three needs the same side (derived).
def test_two_of_three_needs_the_same_side() -> None:
    y = [1, -1] * 8
    y[14], y[15] = 5.5, -5.5  # points 15 and 16

    result = xmr_chart(y, screen_outliers=True)

    assert result.centre == pytest.approx(0.0)
    assert result.mr_mean == pytest.approx(2.3214, abs=1e-4)  # the moving range of 11 dropped
    assert result.ucl == pytest.approx(6.175, abs=1e-4)
    assert result.lcl == pytest.approx(-6.175, abs=1e-4)
    assert result.sigma2_upper == pytest.approx(4.1167, abs=1e-4)
    assert result.sigma2_lower == pytest.approx(-4.1167, abs=1e-4)
    assert result.point_labels[14:] == [None, None]
    assert result.signals == []
    assert result.variation == "common_cause"


# §5: IHI run-chart rules, small cases (derived).
def test_ihi_shift_skips_the_point_on_a_frozen_median() -> None:
    # The leading 10 is a one-point baseline that freezes the median at 10.
    values = [10, 11, 12, 10, 13, 11, 12, 14]

    result = run_chart(values, baseline=1)

    assert result.centre == 10
    assert result.shifts == [(1, 7)]  # six points above, the 10 at position 3 skipped
    assert result.shift_sides == ["above"]
    assert result.shifts[0][1] == len(values) - 1  # ends at the last point


def test_ihi_trend_with_a_tie_counts_five() -> None:
    result = run_chart([3, 4, 4, 5, 6, 7])

    assert result.trends == [(0, 5)]
    assert result.trend_directions == ["up"]
    assert result.signals[0].points == (0, 1, 3, 4, 5)  # 3, 4, 5, 6, 7


def test_ihi_trend_with_a_tie_counts_four() -> None:
    assert run_chart([3, 4, 4, 5, 6]).trends == []


def test_ihi_runs_crossings_and_longest_run() -> None:
    result = run_chart([1, 3, 2, 2, 3, 1])

    assert result.centre == 2
    assert (result.useful, result.runs, result.crossings, result.longest_run) == (4, 3, 2, 2)


# §6: Anhøj critical values (from the formulas).
ANHOJ_TABLE = {
    10: (6, 2),
    12: (7, 3),
    14: (7, 4),
    17: (7, 5),
    20: (7, 6),
    24: (8, 8),
    30: (8, 10),
    40: (8, 14),
    50: (9, 19),
    60: (9, 23),
    80: (9, 32),
    100: (10, 41),
}


@pytest.mark.parametrize(("useful", "limits"), sorted(ANHOJ_TABLE.items()))
def test_anhoj_critical_values(useful: int, limits: tuple[int, int]) -> None:
    assert anhoj_limits(useful) == limits


@pytest.mark.parametrize(("useful", "limits"), sorted(ANHOJ_TABLE.items()))
def test_anhoj_signals_switch_on_at_the_critical_values(
    useful: int,
    limits: tuple[int, int],
) -> None:
    longest_allowed, fewest_crossings = limits
    # Alternate sides around a median of 0, then join the tail into one long run: a run of
    # length L and (useful - L) alternating points give useful - L crossings.
    for longest in (longest_allowed, longest_allowed + 1):
        alternating = [1 if i % 2 else -1 for i in range(useful - longest)]
        side = -alternating[-1]
        values = [0.0, *alternating, *[side] * longest]

        result = run_chart(values, baseline=1)

        assert result.useful == useful
        assert result.longest_run == longest
        assert result.longest_run_signal is (longest > longest_allowed)
    # Few crossings: blocks of equal length just at and just below the critical number.
    for crossings in (fewest_crossings, fewest_crossings - 1):
        blocks = crossings + 1
        values = [0.0] + [1.0 if (i * blocks // useful) % 2 else -1.0 for i in range(useful)]

        result = run_chart(values, baseline=1)

        assert result.crossings == crossings
        assert result.crossings_signal is (crossings < fewest_crossings)
