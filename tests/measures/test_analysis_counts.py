"""C and U charts (DESIGN.md §4b): published and hand-worked cases, edge cases and properties.

Published: Montgomery, *Introduction to Statistical Quality Control* — the C chart of
nonconformities in 26 samples of 100 printed circuit boards (c̄ = 19.85, UCL 33.22, LCL 6.48;
samples 6 and 20 beyond the limits) and the U chart of nonconformities in 20 samples of 5
personal computers (ū = 1.93, UCL 3.79, LCL 0.07). Derived: /work/shared/reference/spc-cases.md
§7, and cases worked by hand below.
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.analysis import c_chart, chart_by_phase, u_chart

MONTGOMERY_C = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15]
MONTGOMERY_U = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]


def test_montgomery_c_chart_of_circuit_board_nonconformities() -> None:
    result = c_chart(MONTGOMERY_C, better="down")

    assert result.centre == pytest.approx(516 / 26)
    assert result.centre == pytest.approx(19.85, abs=0.005)
    # The book rounds c̄ to 19.85 before adding 3√c̄, hence 33.22 against 33.211 unrounded.
    assert result.ucl == pytest.approx(33.22, abs=0.01)
    assert result.lcl == pytest.approx(6.48, abs=0.005)
    assert result.outside == [5, 19]  # samples 6 and 20
    beyond = {signal.start: signal for signal in result.signals if signal.kind == "beyond_limit"}
    assert (beyond[5].direction, beyond[5].improvement) == ("low", True)  # fewer defects: better
    assert (beyond[19].direction, beyond[19].improvement) == ("high", False)
    assert result.trial_limits is False


def test_montgomery_u_chart_of_computer_nonconformities() -> None:
    result = u_chart(MONTGOMERY_U, [5] * 20, better="down")

    assert result.centre == pytest.approx(1.93)
    assert result.u_bar == result.centre
    assert result.ucl == [pytest.approx(3.79, abs=0.005)] * 20
    assert result.lcl == [pytest.approx(0.07, abs=0.005)] * 20
    assert result.values[0] == 2.0
    assert result.outside == []
    assert result.variation == "common_cause"


def test_reference_c_chart() -> None:
    result = c_chart([3, 5, 2, 4, 6, 3, 1, 4, 7, 2, 3, 5])

    assert result.centre == pytest.approx(3.75)
    assert result.ucl == pytest.approx(9.559475, abs=1e-6)
    assert result.lcl == 0.0
    # 2σ lines: 3.75 ± 2√3.75, the lower one below 0 is 0.
    assert result.sigma2_upper == pytest.approx(3.75 + 2 * math.sqrt(3.75))
    assert result.sigma2_lower == 0.0
    assert result.signals == []


def test_reference_u_chart_limits_vary_with_exposure() -> None:
    result = u_chart([3, 5, 2, 4], [50, 100, 40, 80])

    assert result.centre == pytest.approx(14 / 270)
    assert result.ucl == pytest.approx([0.148461, 0.120165, 0.159864, 0.128228], abs=1e-6)
    assert result.lcl == [0.0, 0.0, 0.0, 0.0]
    assert result.values == pytest.approx([0.06, 0.05, 0.05, 0.05])
    assert result.trial_limits is True


def test_c_chart_rules_shift_trend_and_two_of_three_by_hand() -> None:
    # c̄ = 10 over the baseline of 12; σ = √10 = 3.162; UCL 19.49, 2σ line 16.32, LCL 0.51.
    baseline = [10, 12, 8, 11, 9, 10, 13, 7, 10, 11, 9, 10]
    result = c_chart(baseline + [17, 12, 18, 11, 12, 12, 13, 14, 11], baseline=12, better="down")

    assert result.centre == pytest.approx(10.0)
    assert result.sigma2_upper == pytest.approx(10 + 2 * math.sqrt(10))
    kinds = {signal.kind for signal in result.signals}
    assert kinds == {"two_of_three", "shift"}
    two = next(signal for signal in result.signals if signal.kind == "two_of_three")
    assert two.points == (12, 14) and two.improvement is False
    shift = next(signal for signal in result.signals if signal.kind == "shift")
    assert (shift.start, shift.end) == (12, 20)
    assert result.point_labels[12] == "two_of_three" and result.point_labels[13] == "shift"
    assert result.variation == "special_cause_concerning"
    assert result.baseline_points == 12 and result.baseline_stop == 12


def test_points_on_the_centre_break_a_shift() -> None:
    # c̄ = 4; six above, one on the centre, six above: no run of 7.
    counts = [2, 3, 5, 6, 2, 4, 6, 3, 5, 3, 4, 5, 5, 5, 5, 5, 5, 4, 5, 5, 5, 5, 5, 5]
    result = c_chart(counts, baseline=12)

    assert result.centre == pytest.approx(4.0)
    assert [signal.kind for signal in result.signals] == []


def test_gaps_keep_their_place_and_are_never_labelled() -> None:
    result = c_chart([4, None, 6, float("nan"), 2, 30])

    assert result.centre == pytest.approx(42 / 4)
    assert result.values[1] is None and result.values[3] is None
    assert result.point_labels[1] is None and result.point_labels[3] is None
    assert result.last_index == 5


def test_ties_do_not_make_a_trend() -> None:
    result = c_chart([1, 2, 3, 3, 4, 5, 6, 7, 8])

    assert not any(signal.kind == "trend" for signal in result.signals)


def test_short_series_give_trial_limits_and_no_data_gives_none() -> None:
    one = c_chart([4])
    assert one.centre == 4.0 and one.ucl == pytest.approx(10.0) and one.trial_limits
    empty = c_chart([None, None])
    assert empty.centre is None and empty.ucl is None and empty.signals == [] and empty.variation is None


def test_all_zero_counts_have_zero_limits_and_no_signal() -> None:
    result = c_chart([0] * 14)

    assert (result.centre, result.ucl, result.lcl) == (0.0, 0.0, 0.0)
    assert result.signals == []
    assert result.variation == "common_cause"


def test_negative_counts_and_exposures_are_refused_with_the_point() -> None:
    with pytest.raises(ValueError, match="point 2: a count cannot be negative"):
        c_chart([1, 2, -3])
    with pytest.raises(ValueError, match="point 1: an exposure cannot be negative"):
        u_chart([1, 2], [10, -5])
    with pytest.raises(ValueError, match="2 counts but 3 exposures"):
        u_chart([1, 2], [1, 2, 3])


def test_an_exposure_of_zero_is_a_missing_point_not_a_division_by_zero() -> None:
    result = u_chart([1, 3, 2], [10, 0, 20])

    assert result.values[1] is None and result.ucl[1] is None
    assert result.centre == pytest.approx(3 / 30)


def test_assurance_against_the_target() -> None:
    assert c_chart([3, 4, 5, 4, 3, 4], better="down", target=20).assurance == "consistently_passing"
    assert c_chart([3, 4, 5, 4, 3, 4], better="down", target=4).assurance == "hit_and_miss"
    rates = u_chart([3, 4, 5], [100, 100, 100], better="up", target=0.5)
    assert rates.assurance == "consistently_failing"


def test_phases_split_c_charts() -> None:
    phases = chart_by_phase([5, 6, 5, 7, 1, 2, 1, 2], [4], "c", better="down")

    assert [phase.result.centre for phase in phases] == [pytest.approx(5.75), pytest.approx(1.5)]
    assert phases[1].result.baseline_stop == 8


@settings(deadline=None, max_examples=100)
@given(
    counts=st.lists(st.integers(0, 60) | st.none(), min_size=1, max_size=40),
    exposure=st.integers(1, 500),
)
def test_a_u_chart_with_equal_exposures_is_a_c_chart_scaled(counts: list, exposure: int) -> None:
    u = u_chart(counts, [exposure] * len(counts))
    c = c_chart(counts)

    if c.centre is None:
        assert u.centre is None
        return
    assert u.centre == pytest.approx(c.centre / exposure)
    for upper in u.ucl:
        assert upper is None or upper == pytest.approx(c.ucl / exposure)
    margins = [abs(value - line) for value in counts if value is not None for line in (c.ucl, c.lcl, c.sigma2_upper)]
    if all(margin > 1e-6 for margin in margins):
        assert [(s.kind, s.points) for s in u.signals] == [(s.kind, s.points) for s in c.signals]


@settings(deadline=None, max_examples=100)
@given(st.lists(st.integers(0, 40), min_size=2, max_size=40))
def test_reversing_a_c_chart_mirrors_its_signals(counts: list) -> None:
    forward, backward = c_chart(counts), c_chart(counts[::-1])
    last = len(counts) - 1

    assert backward.centre == pytest.approx(forward.centre)
    mirrored = sorted(
        (s.kind, tuple(sorted(last - p for p in s.points))) for s in backward.signals if s.kind != "trend"
    )
    assert mirrored == sorted((s.kind, s.points) for s in forward.signals if s.kind != "trend")
