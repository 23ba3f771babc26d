"""XmR and P charts: limits, the four special-cause rules, labels, icons and phases."""

import pytest

from measures.analysis import (
    PChartResult,
    XmRResult,
    assurance_icon,
    chart_by_phase,
    p_chart,
    run_chart,
    variation_icon,
    xmr_chart,
)

# A 12-point baseline with mean 0 and mean moving range 2: limits ±5.32, 2σ lines ±3.54667.
BASELINE = [-1, 1] * 6


def kinds(result: XmRResult | PChartResult) -> list[tuple[str, int, int, str]]:
    return [(s.kind, s.start, s.end, s.direction) for s in result.signals]


# --- XmR limits ---------------------------------------------------------------------------


def test_xmr_limits_by_hand() -> None:
    # Mean 20/5 = 4; moving ranges 2, 1, 2, 1 with mean 1.5; 2.66 × 1.5 = 3.99.
    result = xmr_chart([2, 4, 3, 5, 6])

    assert result.centre == 4
    assert result.mr_mean == 1.5
    assert result.ucl == pytest.approx(7.99, abs=1e-12)
    assert result.lcl == pytest.approx(0.01, abs=1e-12)
    assert result.sigma2_upper == pytest.approx(6.66, abs=1e-12)
    assert result.sigma2_lower == pytest.approx(1.34, abs=1e-12)
    assert result.mr_ucl == pytest.approx(4.9005, abs=1e-12)
    assert result.moving_ranges == [None, 2, 1, 2, 1]
    assert result.trial_limits is True
    assert result.signals == []


def test_missing_points_keep_their_place_and_moving_ranges_bridge_them() -> None:
    result = xmr_chart([2, None, 4, 3, None, 5, 6])

    assert (result.centre, result.mr_mean) == (4, 1.5)
    assert result.moving_ranges == [None, None, 2, 1, None, 2, 1]
    assert result.point_labels == [None] * 7
    assert result.last_index == 6


def test_baseline_shorter_than_the_series_freezes_the_limits() -> None:
    result = xmr_chart([2, 4, 3, 5, 6, 100], baseline=5)

    assert (result.centre, result.mr_mean) == (4, 1.5)
    assert result.outside == [5]
    assert result.point_labels[5] == "beyond_limit"


def test_twelve_baseline_points_are_no_longer_trial_limits() -> None:
    assert xmr_chart(BASELINE[:11]).trial_limits is True
    assert xmr_chart(BASELINE).trial_limits is False
    # Missing points in the baseline do not count towards the twelve.
    assert xmr_chart([*BASELINE[:11], None, 1], baseline=12).trial_limits is True


def test_screening_drops_large_moving_ranges_once() -> None:
    # Moving ranges: 1 × 4, 20, 20, 1 × 3 → mean 47/9; threshold 3.267 × 47/9 = 17.06 drops
    # both 20s and leaves 7/7 = 1. The mean of the values (2.4) is unchanged.
    values = [0, 1, 0, 1, 0, 20, 0, 1, 0, 1]

    screened = xmr_chart(values, screen_outliers=True)
    unscreened = xmr_chart(values)

    assert unscreened.mr_mean == pytest.approx(47 / 9)
    assert screened.mr_mean == pytest.approx(1.0)
    assert screened.centre == unscreened.centre == pytest.approx(2.4)
    assert screened.ucl == pytest.approx(5.06)
    assert screened.mr_ucl == pytest.approx(3.267)
    assert screened.outside == unscreened.outside == [5]


def test_screening_is_not_repeated() -> None:
    # Ten moving ranges of 1, then 5, then 40: the first mean 55/12 drops only the 40; the 5 is
    # above 3.267 × the new mean 15/11 but stays, because screening runs once.
    values = [0, 1] * 5 + [0, 5, 45]

    assert xmr_chart(values, screen_outliers=True).mr_mean == pytest.approx(15 / 11)


def test_screening_drops_a_moving_range_equal_to_the_threshold() -> None:
    # Moving ranges 3267, 244, 244, 245: mean 1000, threshold exactly 3267 (3.267 × 1000 is
    # 3267.0 in floating point), so the 3267 goes and the mean becomes 733/3.
    values = [0, 3267, 3023, 3267, 3022]

    assert xmr_chart(values).mr_mean == 1000
    assert xmr_chart(values, screen_outliers=True).mr_mean == pytest.approx(733 / 3)


def test_all_values_equal() -> None:
    for screen_outliers in (False, True):
        result = xmr_chart([0.1] * 20, screen_outliers=screen_outliers)

        assert result.centre == 0.1  # exactly, not a rounding of the mean
        assert result.mr_mean == 0
        assert result.ucl == result.lcl == 0.1
        assert result.signals == []
        assert result.variation == "common_cause"


def test_a_single_point_has_a_centre_but_no_limits() -> None:
    result = xmr_chart([None, 7.5])

    assert result.centre == 7.5
    assert (result.ucl, result.lcl, result.mr_mean) == (None, None, None)
    assert result.point_labels == [None, None]
    assert result.variation == "common_cause"
    assert result.last_index == 1


def test_no_points_at_all() -> None:
    result = xmr_chart([None, None], target=3)

    assert result.centre is None
    assert result.variation is None
    assert result.assurance is None
    assert result.point_labels == [None, None]


# --- special causes -----------------------------------------------------------------------


def test_seven_on_one_side_is_a_shift_but_six_is_not() -> None:
    six = xmr_chart([*BASELINE, -2, -1, -1, -1, -1, -1], baseline=12)
    seven = xmr_chart([*BASELINE, -2, -1, -1, -1, -1, -1, -1], baseline=12)

    assert [k for k in kinds(six) if k[0] == "shift"] == []
    assert [k for k in kinds(seven) if k[0] == "shift"] == [("shift", 12, 18, "low")]


def test_a_point_on_the_centre_breaks_an_spc_shift_but_not_an_ihi_shift() -> None:
    values = [-1, 1, 1, 1, 1, 0, 1, 1, 1, 1]

    spc = xmr_chart(values, baseline=2)
    ihi = run_chart(values, baseline=2)

    assert spc.centre == ihi.centre == 0
    assert [s for s in spc.signals if s.kind == "shift"] == []
    assert ihi.shifts == [(1, 9)]  # eight points above, the 0 skipped


def test_a_missing_point_does_not_break_an_spc_shift() -> None:
    result = xmr_chart([*BASELINE, -1, -1, -1, None, -1, -1, -1, -1], baseline=12)

    (shift,) = [s for s in result.signals if s.kind == "shift"]
    assert (shift.start, shift.end) == (12, 19)
    assert 15 not in shift.points
    assert result.point_labels[15] is None


def test_seven_points_rising_is_a_trend_but_six_is_not() -> None:
    # Wide limits around a centre of 10, and the points cross it, so nothing else fires.
    wide = [0, 20] * 6
    assert kinds(xmr_chart([*wide, 7, 8, 9, 10, 11, 12], baseline=12)) == []
    result = xmr_chart([*wide, 7, 8, 9, 10, 11, 12, 13], baseline=12)

    assert kinds(result) == [("trend", 12, 18, "high")]
    assert result.point_labels[12:] == ["trend"] * 7


def test_a_tie_breaks_an_spc_trend_but_not_an_ihi_trend() -> None:
    values = [1, 2, 3, 4, 4, 5, 6, 7]

    spc = xmr_chart(values, baseline=1)
    ihi = run_chart(values)

    assert [s for s in spc.signals if s.kind == "trend"] == []
    assert ihi.trends == [(0, 7)]


def test_a_missing_point_does_not_break_an_spc_trend() -> None:
    wide = [0, 20] * 6
    result = xmr_chart([*wide, 7, 8, None, 9, 10, 11, 12, 13], baseline=12)

    (trend,) = result.signals
    assert (trend.kind, trend.start, trend.end) == ("trend", 12, 19)
    assert result.point_labels[14] is None


def test_turning_point_belongs_to_both_spc_trends() -> None:
    wide = [0, 40] * 6
    result = xmr_chart([*wide, 17, 18, 19, 20, 21, 22, 23, 22, 21, 20, 19, 18, 17], baseline=12)

    assert kinds(result) == [("trend", 12, 18, "high"), ("trend", 18, 24, "low")]


def test_two_of_three_beyond_two_sigma_on_one_side() -> None:
    result = xmr_chart([*BASELINE, 4, 0, 4], baseline=12)

    assert kinds(result) == [("two_of_three", 12, 14, "high")]
    assert result.signals[0].points == (12, 14)
    assert result.point_labels[12:] == ["two_of_three", None, "two_of_three"]


def test_two_of_three_low_side_is_a_concern_when_better_is_up() -> None:
    result = xmr_chart([*BASELINE, -4, -4], baseline=12, better="up")

    assert kinds(result) == [("two_of_three", 12, 13, "low")]
    assert result.signals[0].improvement is False
    assert result.variation == "special_cause_concerning"


def test_points_beyond_the_limits_do_not_count_towards_two_of_three() -> None:
    result = xmr_chart([*BASELINE, 4, 6, 0], baseline=12)

    assert kinds(result) == [("beyond_limit", 13, 13, "high")]


def test_two_of_three_still_fires_around_a_point_beyond_the_limits() -> None:
    result = xmr_chart([*BASELINE, 4, 6, 4], baseline=12)

    assert kinds(result) == [
        ("two_of_three", 12, 14, "high"),
        ("beyond_limit", 13, 13, "high"),
    ]
    assert result.signals[0].points == (12, 14)
    assert result.point_labels[12:] == ["two_of_three", "beyond_limit", "two_of_three"]


def test_two_of_three_points_on_opposite_sides_do_not_fire() -> None:
    # Every window of three holds one point beyond each 2σ line, never two on one side.
    assert xmr_chart([*BASELINE, 4, -4, 0, 4, -4, 0], baseline=12).signals == []


def test_two_of_three_counts_each_side_on_its_own() -> None:
    # Two high points and one low in a window: still two of three on the high side.
    result = xmr_chart([*BASELINE, 4, -4, 4], baseline=12)

    assert kinds(result) == [("two_of_three", 12, 14, "high")]
    assert result.point_labels[12:] == ["two_of_three", None, "two_of_three"]


def test_overlapping_two_of_three_windows_merge() -> None:
    result = xmr_chart([*BASELINE, 4, 0, 4, 0, 4], baseline=12)

    assert kinds(result) == [("two_of_three", 12, 16, "high")]
    assert result.signals[0].points == (12, 14, 16)


def test_separate_two_of_three_windows_stay_separate() -> None:
    result = xmr_chart([*BASELINE, 4, 4, 0, 0, 0, 4, 4], baseline=12)

    assert kinds(result) == [("two_of_three", 12, 13, "high"), ("two_of_three", 17, 18, "high")]


def test_two_of_three_skips_missing_points() -> None:
    # The None is skipped, so 4, 0, 4 are three consecutive present points.
    result = xmr_chart([*BASELINE, 4, None, 0, 4], baseline=12)

    assert result.signals[0].points == (12, 15)


def test_trend_outranks_shift_when_labelling_and_judging_the_last_point() -> None:
    # After the baseline: seven falling points all above the centre. Positions 11-18 are a
    # high shift (an improvement when better is up) and 12-18 a falling trend (a concern).
    values = [*BASELINE, 5, 4.5, 4, 3.5, 3, 2.5, 2]

    result = xmr_chart(values, baseline=12, better="up")

    assert ("shift", 11, 18, "high") in kinds(result)
    assert ("trend", 12, 18, "low") in kinds(result)
    assert ("two_of_three", 12, 14, "high") in kinds(result)
    assert result.point_labels[11:] == ["shift"] + ["trend"] * 7
    assert result.variation == "special_cause_concerning"


def test_improvement_flags_follow_better() -> None:
    values = [2, 4, 3, 5, 6, 100]

    for better, improvement in (("up", True), ("down", False), ("neutral", None), (None, None)):
        (signal,) = xmr_chart(values, baseline=5, better=better).signals
        assert signal.improvement is improvement


# --- icons --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("better", "icon"),
    [
        ("up", "special_cause_improving"),
        ("down", "special_cause_concerning"),
        ("neutral", "special_cause_neither"),
        (None, "special_cause_neither"),
    ],
)
def test_variation_icon_from_the_last_present_point(better: str | None, icon: str) -> None:
    result = xmr_chart([2, 4, 3, 5, 6, 100, None], baseline=5, better=better)

    assert result.variation == icon
    assert variation_icon(result, better) == icon


def test_variation_icon_is_common_cause_when_the_last_point_has_no_signal() -> None:
    result = xmr_chart([2, 4, 3, 5, 6, 100, 4], baseline=5)

    assert result.outside == [5]
    assert result.variation == "common_cause"


def test_variation_icon_on_a_run_chart() -> None:
    result = run_chart([0, 1, 1, 1, 1, 1, 1], baseline=1)

    assert variation_icon(result, "down") == "special_cause_concerning"
    assert variation_icon(result, "up") == "special_cause_improving"


@pytest.mark.parametrize(
    ("target", "better", "icon"),
    [
        (0, "up", "consistently_passing"),
        (0, "down", "consistently_failing"),
        (20, "up", "consistently_failing"),
        (20, "down", "consistently_passing"),
        (10, "up", "hit_and_miss"),
        (10, "down", "hit_and_miss"),
        (5, "up", "hit_and_miss"),  # on a limit: some points will miss
        (15, "down", "hit_and_miss"),
        (None, "up", None),
        (10, "neutral", None),
        (10, None, None),
    ],
)
def test_assurance_icon(target: float | None, better: str | None, icon: str | None) -> None:
    assert assurance_icon(15, 5, target, better) == icon


def test_xmr_fills_assurance_from_its_limits() -> None:
    assert xmr_chart([2, 4, 3, 5, 6], target=0, better="up").assurance == "consistently_passing"
    assert xmr_chart([2, 4, 3, 5, 6], target=0, better="down").assurance == "consistently_failing"
    assert xmr_chart([2, 4, 3, 5, 6], better="up").assurance is None


# --- P chart ------------------------------------------------------------------------------

P_NUMERATORS = [10, 15, 8, 20, 12, 1, 30, None, 3]
P_DENOMINATORS = [50, 100, 40, 80, 60, 5, 80, 20, 0]


def test_p_chart_limits_by_hand() -> None:
    # Baseline: the first five points, p̄ = 65/330 = 13/66 = 0.196969…; p̄(1 − p̄) = 689/4356.
    # σᵢ = √(689 / (4356 nᵢ)):
    #   n = 50: σ = 0.0562445793735; UCL 0.365703435090, LCL 0.0282359588491
    #   n = 100: σ = 0.0397709234800; UCL 0.316282467410, LCL 0.0776569265296
    #   n = 40: σ = 0.0628833514226; UCL 0.385619751237, LCL 0.00831964270200
    #   n = 80: σ = 0.0444652442146; UCL 0.330365429614, LCL 0.0635739643258
    #   n = 60: σ = 0.0513440414338; UCL 0.351001821271, LCL 0.0429375726683
    #   n = 5: σ = 0.177860976859; UCL 0.730552627545, LCL p̄ − 3σ < 0, clipped to 0
    # 2σ lines for n = 50: 0.309458855717 and 0.0844805382226; for n = 5 the lower one is
    # clipped to 0. Point 7 has no numerator and point 8 a zero denominator: both missing.
    result = p_chart(P_NUMERATORS, P_DENOMINATORS, baseline=5)

    p_bar = 0.196969696969696970
    assert result.p_bar == pytest.approx(p_bar, abs=1e-15)
    assert result.centre == result.p_bar == p_bar
    expected_ucl = [
        0.365703435090339,
        0.316282467409758,
        0.385619751237398,
        0.330365429613599,
        0.351001821271105,
        0.730552627545304,
        0.330365429613599,
    ]
    expected_lcl = [
        0.0282359588490553,
        0.0776569265296362,
        0.00831964270199576,
        0.0635739643257953,
        0.0429375726682890,
        0.0,
        0.0635739643257953,
    ]
    assert result.ucl[:7] == pytest.approx(expected_ucl, abs=1e-9)
    assert result.lcl[:7] == pytest.approx(expected_lcl, abs=1e-9)
    assert result.ucl[7:] == result.lcl[7:] == [None, None]
    assert result.sigma2_upper[0] == pytest.approx(0.309458855716791, abs=1e-9)
    assert result.sigma2_lower[0] == pytest.approx(0.0844805382226025, abs=1e-9)
    assert result.sigma2_lower[5] == 0.0
    assert result.proportions == [0.2, 0.15, 0.2, 0.25, 0.2, 0.2, 0.375, None, None]


def test_p_chart_signals_and_icons() -> None:
    result = p_chart(P_NUMERATORS, P_DENOMINATORS, baseline=5, better="down", target=0.3)

    # 30/80 = 0.375 lies above its UCL of 0.3304.
    assert result.outside == [6]
    assert result.point_labels == [None] * 6 + ["beyond_limit", None, None]
    assert result.signals[0].improvement is False
    assert result.last_index == 6
    assert result.variation == "special_cause_concerning"
    # At the last present point (n = 80) the limits are 0.0636-0.3304: the target is between.
    assert result.assurance == "hit_and_miss"
    assert result.trial_limits is True


def test_p_chart_upper_limit_is_clipped_to_one() -> None:
    # p̄ = 19/20 = 0.95; σ = √(0.95 × 0.05 / 10) = 0.0689202437604511;
    # UCL 0.95 + 0.206760731281353 > 1 → 1; LCL 0.743239268718647.
    # The upper 2σ line, 0.95 + 0.137840487520902, is clipped too; the lower is 0.812159512479.
    result = p_chart([9, 10], [10, 10])

    assert result.ucl == [1.0, 1.0]
    assert result.lcl == pytest.approx([0.743239268718647] * 2, abs=1e-9)
    assert result.sigma2_upper == [1.0, 1.0]
    assert result.sigma2_lower == pytest.approx([0.812159512479098] * 2, abs=1e-9)


def test_p_chart_with_no_present_points() -> None:
    result = p_chart([None, 3], [10, 0])

    assert result.p_bar is None
    assert result.centre is None and result.ucl == [None, None]
    assert result.variation is None


@pytest.mark.parametrize(
    ("numerators", "denominators", "message"),
    [
        ([1, 2], [10], "denominators"),
        ([11], [10], "exceeds"),
        ([-1], [10], "negative"),
        ([1], [-10], "negative"),
    ],
)
def test_p_chart_refuses_impossible_counts(
    numerators: list[int],
    denominators: list[int],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        p_chart(numerators, denominators)


# --- phases -------------------------------------------------------------------------------


def test_xmr_phases_report_positions_in_the_full_list() -> None:
    first = [2, 4, 3, 5, 6, 100]
    second = [50, 52, 51, 53, 54, 0]

    phases = chart_by_phase(first + second, [6], chart="xmr", baseline=5, better="down")

    assert [p.offset for p in phases] == [0, 6]
    assert [p.result.centre for p in phases] == [4, 52]
    assert phases[0].result.outside == [5]
    assert phases[1].result.outside == [11]
    assert phases[1].result.signals[0].points == (11,)
    assert phases[1].result.point_labels == [None] * 5 + ["beyond_limit"]
    assert phases[1].result.variation == "special_cause_improving"


def test_p_phases_need_denominators_and_split_them_too() -> None:
    numerators = [10, 12, 11, 40, 42, 41]
    denominators = [100] * 6

    with pytest.raises(ValueError, match="denominators"):
        chart_by_phase(numerators, [3], chart="p")
    phases = chart_by_phase(numerators, [3], chart="p", denominators=denominators)

    assert [p.result.p_bar for p in phases] == pytest.approx([0.11, 0.41])
    assert phases[1].result.last_index == 5


def test_unknown_chart_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="chart"):
        chart_by_phase([1, 2, 3], [], chart="np")  # type: ignore[arg-type]
