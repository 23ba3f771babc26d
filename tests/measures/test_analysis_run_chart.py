"""Run-chart rules on hand-worked series: IHI shift, trend and runs, and the Anhøj rules."""

import math

import numpy as np
import pytest

from measures.analysis import (
    RunChartResult,
    chart_by_phase,
    run_chart,
    runs_tail_probabilities,
)

# --- centre -------------------------------------------------------------------------------


def test_centre_is_the_median_of_all_points_without_a_baseline() -> None:
    assert run_chart([5, 1, 3]).centre == 3
    assert run_chart([4, 1, 3, 2]).centre == 2.5


def test_centre_uses_only_the_baseline_positions() -> None:
    result = run_chart([1, 2, 3, 100, 200, 300], baseline=3)

    assert result.centre == 2
    assert result.useful == 5  # the 2 lies on the median


def test_baseline_counts_positions_not_present_points() -> None:
    # Positions 0-3 are the baseline; the None inside it is not replaced by a later point.
    result = run_chart([1, None, 3, 5, 100, 100], baseline=4)

    assert result.centre == 3


def test_baseline_longer_than_the_series_uses_every_point() -> None:
    assert run_chart([1, 2, 9], baseline=10).centre == 2


def test_all_values_equal() -> None:
    result = run_chart([0.1] * 12)

    assert result.centre == 0.1
    assert (result.shifts, result.trends, result.signals) == ([], [], [])
    assert (result.useful, result.runs, result.crossings, result.longest_run) == (0, 0, 0, 0)
    assert result.longest_run_signal is False
    assert result.crossings_signal is False
    assert result.too_few_runs is None
    assert result.too_many_runs is None


@pytest.mark.parametrize("values", [[], [None, None], [float("nan")]])
def test_no_present_points(values: list) -> None:
    result = run_chart(values)

    assert result.centre is None
    assert result.useful == 0
    assert result.last_index is None
    assert result.signals == []


def test_nan_is_a_missing_point_and_numpy_input_is_accepted() -> None:
    with_nan = run_chart(np.array([1.0, np.nan, 3.0, 5.0]))
    with_none = run_chart([1.0, None, 3.0, 5.0])

    assert with_nan == with_none
    assert with_nan.centre == 3.0


@pytest.mark.parametrize("baseline", [0, -3])
def test_baseline_must_be_positive(baseline: int) -> None:
    with pytest.raises(ValueError, match="baseline"):
        run_chart([1, 2, 3], baseline=baseline)


def test_unknown_better_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="better"):
        run_chart([1, 2, 3], better="higher")  # type: ignore[arg-type]


# --- shifts -------------------------------------------------------------------------------


def test_five_points_above_is_not_a_shift_but_six_is() -> None:
    # Baseline [0] freezes the median at 0.
    assert run_chart([0, 1, 1, 1, 1, 1], baseline=1).shifts == []
    assert run_chart([0, 1, 1, 1, 1, 1, 1], baseline=1).shifts == [(1, 6)]


def test_points_on_the_median_neither_add_to_nor_break_a_shift() -> None:
    # Five points below with two on the median among them: not a shift, even though the span
    # covers seven positions.
    assert run_chart([0, -1, -1, 0, -1, 0, -1, -1, 1], baseline=1).shifts == []
    # Add one more below and the median points sit inside the shift's span.
    result = run_chart([0, -1, -1, 0, -1, 0, -1, -1, -1, 1], baseline=1)

    assert result.shifts == [(1, 8)]
    assert result.shift_sides == ["below"]
    assert result.signals[0].points == (1, 2, 4, 6, 7, 8)


def test_a_median_point_after_a_shift_is_not_part_of_it() -> None:
    result = run_chart([0, 2, 2, 2, 2, 2, 2, 0, 0], baseline=1)

    assert result.shifts == [(1, 6)]


def test_two_shifts_in_one_series() -> None:
    values = [0, 1, 1, 1, 1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, -1]

    result = run_chart(values, baseline=1)

    assert result.shifts == [(1, 6), (9, 15)]
    assert result.shift_sides == ["above", "below"]
    assert [s.direction for s in result.signals] == ["high", "low"]


def test_missing_points_neither_add_to_nor_break_a_shift() -> None:
    values = [0, 1, 1, None, 1, 1, None, None, 1, 1]

    result = run_chart(values, baseline=1)

    assert result.shifts == [(1, 9)]
    assert result.signals[0].points == (1, 2, 4, 5, 8, 9)


def test_shift_improvement_follows_better() -> None:
    values = [0, 1, 1, 1, 1, 1, 1]

    assert run_chart(values, baseline=1).signals[0].improvement is None
    assert run_chart(values, baseline=1, better="up").signals[0].improvement is True
    assert run_chart(values, baseline=1, better="down").signals[0].improvement is False


# --- trends -------------------------------------------------------------------------------


def test_four_rising_points_are_not_a_trend_but_five_are() -> None:
    assert run_chart([1, 2, 3, 4]).trends == []
    result = run_chart([1, 2, 3, 4, 5])

    assert result.trends == [(0, 4)]
    assert result.trend_directions == ["up"]


def test_turning_point_belongs_to_both_trends() -> None:
    result = run_chart([1, 2, 3, 4, 5, 4, 3, 2, 1])

    assert result.trends == [(0, 4), (4, 8)]
    assert result.trend_directions == ["up", "down"]


def test_plateau_at_a_turning_point_is_left_out_of_both_spans() -> None:
    # The second 5 neither adds nor breaks: the rise ends where the plateau begins and the fall
    # starts where it ends, each trend counting a 5 as its turning point.
    result = run_chart([1, 2, 3, 4, 5, 5, 4, 3, 2, 1])

    assert result.trends == [(0, 4), (5, 9)]
    assert result.signals[0].points == (0, 1, 2, 3, 4)
    assert result.signals[1].points == (5, 6, 7, 8, 9)


def test_plateaus_at_the_ends_of_a_trend_stay_outside_its_span() -> None:
    assert run_chart([5, 5, 5, 5, 4, 3, 2, 1]).trends == [(3, 7)]
    assert run_chart([1, 2, 3, 4, 5, 5, 5]).trends == [(0, 4)]


def test_tie_in_the_middle_of_a_falling_trend() -> None:
    result = run_chart([9, 8, 8, 8, 7, 6, 5])

    assert result.trends == [(0, 6)]
    assert result.trend_directions == ["down"]


def test_missing_points_neither_add_to_nor_break_a_trend() -> None:
    assert run_chart([1, None, 2, 3, None, None, 4, 5]).trends == [(0, 7)]
    assert run_chart([1, None, 2, 3, None, 4]).trends == []


def test_a_fall_breaks_a_rising_trend() -> None:
    assert run_chart([1, 2, 3, 2, 3, 4]).trends == []


# --- runs and the Anhøj rules -------------------------------------------------------------


def test_fewer_than_ten_useful_points_leave_the_runs_test_out() -> None:
    # Nine useful points on one side and then the other: one crossing, but no runs verdict.
    result = run_chart([0, -1, -1, -1, -1, 1, 1, 1, 1, 1], baseline=1)

    assert result.useful == 9
    assert result.too_few_runs is None
    assert result.too_many_runs is None


def test_too_few_runs() -> None:
    # Ten useful points in two runs: P(R <= 2) = 2 / C(10, 5) = 2/252 <= 0.025.
    result = run_chart([0] + [-1] * 5 + [1] * 5, baseline=1)

    assert (result.useful, result.runs, result.crossings) == (10, 2, 1)
    assert result.too_few_runs is True
    assert result.too_many_runs is False


def test_three_runs_in_ten_is_not_too_few() -> None:
    # P(R <= 3) = (2 + 8) / 252 = 0.0397 > 0.025.
    result = run_chart([0] + [-1] * 3 + [1] * 5 + [-1] * 2, baseline=1)

    assert result.runs == 3
    assert result.too_few_runs is False


def test_too_many_runs() -> None:
    # Ten alternating points: P(R >= 10) = 2/252.
    result = run_chart([0] + [1, -1] * 5, baseline=1)

    assert result.runs == 10
    assert result.too_many_runs is True
    assert result.too_few_runs is False


def test_nine_runs_in_ten_is_not_too_many() -> None:
    # P(R >= 9) = (8 + 2) / 252 = 0.0397 > 0.025.
    result = run_chart([0] + [1, -1] * 4 + [1, 1], baseline=1)

    assert result.runs == 9
    assert result.too_many_runs is False


def test_runs_tail_probabilities_by_hand() -> None:
    # n = 10, five above and five below: 252 arrangements, 2 with 2 runs, 8 with 3 runs.
    at_most, at_least = runs_tail_probabilities(3, 10)

    assert at_most == pytest.approx(10 / 252)
    assert at_least == pytest.approx(1 - 2 / 252)


def test_runs_test_uses_half_and_half_even_when_the_sides_are_unequal() -> None:
    # 11 useful points, 2 runs: the reference split is 5 above and 6 below whatever the data
    # hold, so P(R <= 2) = 2 / C(11, 5) = 2/462.
    result = run_chart([0] + [1] * 8 + [-1] * 3, baseline=1)

    assert result.runs == 2
    assert result.too_few_runs is True
    assert runs_tail_probabilities(2, 11)[0] == pytest.approx(2 / 462)


def test_anhoj_signals_on_a_clear_shift() -> None:
    values = [0] + [-1.0, 1.0] * 3 + [1.0] * 9  # 15 useful, longest run 10 > round(log2 15 + 3)

    result = run_chart(values, baseline=1)

    assert result.longest_run == 10
    assert result.longest_run_max == round(math.log2(15) + 3) == 7
    assert result.longest_run_signal is True
    assert result.crossings == 5
    assert result.crossings_min == 4
    assert result.crossings_signal is False


def test_result_is_frozen() -> None:
    result = run_chart([1, 2, 3])

    assert isinstance(result, RunChartResult)
    with pytest.raises(AttributeError):
        result.centre = 5  # type: ignore[misc]


# --- phases -------------------------------------------------------------------------------


def test_phases_chart_each_part_on_its_own_and_report_full_positions() -> None:
    before = [5, 6, 5, 6, 5, 6]
    after = [10, 11, 12, 13, 14, 15, 10, 10, 10, 10, 10]

    phases = chart_by_phase(before + after, [6])

    assert [(p.offset, p.stop) for p in phases] == [(0, 6), (6, 17)]
    assert phases[0].result.centre == 5.5
    assert phases[0].result.trends == []
    assert phases[1].result.centre == 10
    assert phases[1].result.trends == [(6, 11)]  # positions in the full list
    assert phases[1].result.signals[0].points == (6, 7, 8, 9, 10, 11)
    assert phases[1].result.last_index == 16
    # Charted as one series, the step up would make a shift across the phase start.
    assert run_chart(before + after).shifts == [(0, 5)]


def test_phase_baseline_counts_within_each_phase() -> None:
    values = [1, 2, 3, 50, 60, 10, 20, 30, 40]

    phases = chart_by_phase(values, [5], baseline=3)

    assert [p.result.centre for p in phases] == [2, 20]


def test_phase_baselines_may_differ_by_phase() -> None:
    values = [1, 2, 3, 50, 60, 10, 20, 30, 40]

    phases = chart_by_phase(values, [0, 5], baseline=[1, None])

    assert [p.result.centre for p in phases] == [1, 25]


@pytest.mark.parametrize("starts", [[5, 3], [3, 3], [9], [-1]])
def test_phase_starts_must_increase_within_the_series(starts: list[int]) -> None:
    with pytest.raises(ValueError, match="phase starts"):
        chart_by_phase(list(range(9)), starts)
