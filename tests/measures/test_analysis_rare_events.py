"""G and T charts (DESIGN.md §4b): the reference cases, a G chart of days between placement
disruptions, edge cases and properties."""

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.analysis import chart_by_phase, g_chart, t_chart, xmr_chart

# /work/shared/reference/spc-cases.md §7.
GAPS = [12, 40, 7, 65, 22, 9, 31, 18]


def test_reference_g_chart() -> None:
    result = g_chart(GAPS)

    assert result.mean == pytest.approx(25.5)
    assert result.median == pytest.approx(20.0)
    assert result.centre == result.median  # the line drawn and used by the shift rule
    assert result.ucl == pytest.approx(103.485576, abs=1e-6)
    assert result.lcl == 0.0
    assert result.sigma2_upper is None and result.sigma2_lower is None
    assert result.trial_limits is True


def test_reference_t_chart_back_transformed() -> None:
    result = t_chart(GAPS)

    assert result.centre == pytest.approx(21.316881, abs=1e-6)
    assert result.ucl == pytest.approx(232.487089, abs=1e-6)
    assert result.lcl == pytest.approx(0.000755, abs=1e-6)
    ys = [gap ** (1 / 3.6) for gap in GAPS]
    ranges = [abs(b - a) for a, b in zip(ys, ys[1:], strict=False)]
    assert result.y_mean == pytest.approx(sum(ys) / len(ys))
    assert result.y_mr_mean == pytest.approx(sum(ranges) / len(ranges))
    assert result.y_ucl == pytest.approx(result.y_mean + 2.66 * result.y_mr_mean)
    assert result.transformed == pytest.approx(ys)
    assert result.values == GAPS


def test_g_chart_of_days_between_placement_disruptions() -> None:
    # A year of disruptions, then a change: 150 days without one is beyond the limit.
    days = [*GAPS, 25, 14, 33, 20, 150]
    result = g_chart(days, baseline=12, better="up")

    assert result.mean == pytest.approx(sum(days[:12]) / 12)
    mean = sum(days[:12]) / 12
    assert result.ucl == pytest.approx(mean + 3 * math.sqrt(mean * (mean + 1)))
    assert result.outside == [12]
    assert result.signals[-1].improvement is True
    assert result.variation == "special_cause_improving"


def test_g_chart_has_no_two_of_three_rule() -> None:
    # Two of three points far above the mean but below the UCL: on an XmR chart of the same
    # data a 2-of-3 signal, on a G chart none.
    days = [*GAPS, 20, 88, 21, 95]
    result = g_chart(days, baseline=8)

    assert all(signal.kind != "two_of_three" for signal in result.signals)
    assert result.outside == []


def test_g_chart_shift_is_read_against_the_median() -> None:
    # Seven gaps above the median of 20 yet below the mean of 25.5 on the baseline alone would
    # not be a run above the mean; against the median they are a shift.
    days = [*GAPS, 21, 22, 23, 21, 24, 22, 21]
    result = g_chart(days, baseline=8, better="up")

    shift = next(signal for signal in result.signals if signal.kind == "shift")
    assert (shift.start, shift.end, shift.direction, shift.improvement) == (8, 14, "high", True)
    assert statistics.median(GAPS) == 20.0


def test_t_chart_rules_read_the_transformed_times() -> None:
    times = [30, 32, 28, 31, 29, 33, 30, 27, 31, 32, 29, 30, 1]
    result = t_chart(times, baseline=12, better="up")

    y_last = 1 ** (1 / 3.6)
    assert y_last < result.y_lcl
    assert result.outside == [12]
    assert result.lcl == pytest.approx(result.y_lcl**3.6)
    assert result.signals[-1].improvement is False  # a short time between events: a concern


def test_t_chart_zero_and_equal_times() -> None:
    zero = t_chart([0, 5, 10])
    assert zero.transformed[0] == 0.0
    equal = t_chart([7, 7, 7, 7])
    assert equal.centre == pytest.approx(7.0) and equal.ucl == pytest.approx(7.0) and equal.signals == []


def test_a_lower_t_limit_below_zero_is_zero() -> None:
    result = t_chart([1, 400, 2, 300, 1, 500])

    assert result.y_lcl == 0.0 and result.lcl == 0.0


def test_short_series_and_gaps() -> None:
    one = t_chart([12])
    assert one.centre == pytest.approx(12.0) and one.ucl is None and one.trial_limits
    g_one = g_chart([12])
    assert g_one.ucl == pytest.approx(12 + 3 * math.sqrt(12 * 13))
    gaps = g_chart([10, None, 30, float("nan"), 20])
    assert gaps.median == 20.0 and gaps.values[1] is None and gaps.point_labels[3] is None
    assert g_chart([]).centre is None and t_chart([None]).centre is None


def test_negative_gaps_are_refused() -> None:
    with pytest.raises(ValueError, match="point 1: the days or cases between events cannot be negative"):
        g_chart([3, -1])
    with pytest.raises(ValueError, match="point 0"):
        t_chart([-2, 4])


def test_phases_apply_within_each() -> None:
    phases = chart_by_phase([5, 6, 4, 5, 60, 70, 65, 80], [4], "g", better="up")

    assert phases[0].result.median == pytest.approx(5.0)
    assert phases[1].result.median == pytest.approx(67.5)
    assert phases[1].result.baseline_stop == 8


def test_target_and_assurance_use_the_days_scale() -> None:
    assert t_chart(GAPS, better="up", target=1000).assurance == "consistently_failing"
    assert t_chart(GAPS, better="up", target=30).assurance == "hit_and_miss"


@settings(deadline=None, max_examples=100)
@given(
    times=st.lists(st.integers(0, 400) | st.none(), min_size=2, max_size=40),
    factor=st.sampled_from([2, 7, 24]),
)
def test_t_chart_signals_do_not_depend_on_the_unit_of_time(times: list, factor: int) -> None:
    """Days or hours: yᵢ scales by the same factor, so every rule decides alike."""
    days = t_chart(times)
    hours = t_chart([None if t is None else t * factor for t in times])

    if days.ucl is None:
        assert hours.ucl is None
        return
    assert hours.centre == pytest.approx(days.centre * factor)
    assert hours.ucl == pytest.approx(days.ucl * factor)
    ys = [y for y in days.transformed if y is not None]
    lines = [days.y_ucl, days.y_lcl, days.y_mean]
    if all(abs(y - line) > 1e-9 for y in ys for line in lines):
        assert [(s.kind, s.points) for s in hours.signals] == [(s.kind, s.points) for s in days.signals]


@settings(deadline=None, max_examples=100)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=40))
def test_reversing_a_g_chart_keeps_its_limits_and_beyond_limit_points(days: list) -> None:
    forward, backward = g_chart(days), g_chart(days[::-1])
    last = len(days) - 1

    assert backward.ucl == pytest.approx(forward.ucl) and backward.median == forward.median
    assert sorted(last - i for i in backward.outside) == forward.outside


def test_xmr_on_the_same_data_would_flag_two_of_three() -> None:
    """The contrast the G chart rule relies on (see test_g_chart_has_no_two_of_three_rule)."""
    xmr = xmr_chart([*GAPS, 20, 88, 21, 95], baseline=8)
    assert any(signal.kind in {"two_of_three", "beyond_limit"} for signal in xmr.signals)
