"""Laney's P′ and U′ charts (DESIGN.md §4b): the reference case, a case where the P chart flags
most points and P′ none, edge cases and properties."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from measures.analysis import p_chart, p_prime_chart, u_chart, u_prime_chart

# /work/shared/reference/spc-cases.md §7 (derived from the rules).
REFERENCE_N = [410, 455, 372, 561, 470, 452, 519, 405, 480, 382, 560, 447]
REFERENCE_D = [620, 710, 540, 880, 760, 690, 800, 650, 720, 590, 840, 700]

# Denominators of 400–900 whose proportions stray 3.1–3.6 binomial σ from p̄ = 0.65, up and
# down in no pattern: real differences between months, larger than the binomial model allows.
OVERDISPERSED_N = [292, 617, 354, 531, 306, 541, 341, 403, 577, 401, 374, 462]
OVERDISPERSED_D = [400, 880, 610, 750, 530, 900, 470, 690, 820, 560, 640, 780]


def test_reference_p_prime_limits_against_the_p_chart() -> None:
    result = p_prime_chart(REFERENCE_N, REFERENCE_D)
    plain = p_chart(REFERENCE_N, REFERENCE_D)

    assert result.centre == pytest.approx(0.648588, abs=1e-6)
    assert result.sigma_z == pytest.approx(1.391824, abs=1e-6)
    assert (result.lcl[0], result.ucl[0]) == (pytest.approx(0.568531, abs=1e-6), pytest.approx(0.728646, abs=1e-6))
    assert (plain.lcl[0], plain.ucl[0]) == (pytest.approx(0.591068, abs=1e-6), pytest.approx(0.706108, abs=1e-6))


def test_z_scores_and_sigma_z_by_hand() -> None:
    result = p_prime_chart(REFERENCE_N, REFERENCE_D)
    p_bar = sum(REFERENCE_N) / sum(REFERENCE_D)
    z = [(x / n - p_bar) / math.sqrt(p_bar * (1 - p_bar) / n) for x, n in zip(REFERENCE_N, REFERENCE_D, strict=True)]
    ranges = [abs(b - a) for a, b in zip(z, z[1:], strict=False)]

    assert result.z == pytest.approx(z)
    assert result.sigma_z == pytest.approx(sum(ranges) / len(ranges) / 1.128)
    # 2σ lines lie two-thirds of the way to the limits.
    assert result.sigma2_upper[0] - result.centre == pytest.approx((result.ucl[0] - result.centre) * 2 / 3)


def test_large_denominators_the_p_chart_flags_most_points_and_p_prime_none() -> None:
    plain = p_chart(OVERDISPERSED_N, OVERDISPERSED_D)
    laney = p_prime_chart(OVERDISPERSED_N, OVERDISPERSED_D)

    assert len(plain.outside) == 11
    assert laney.sigma_z == pytest.approx(3.90, abs=0.01)
    assert laney.outside == [] and laney.signals == []
    assert laney.variation == "common_cause"


def test_screening_drops_large_moving_ranges_once() -> None:
    numerators = list(REFERENCE_N)
    numerators[5] = 670  # one month far out: its two moving ranges inflate σ_z
    unscreened = p_prime_chart(numerators, REFERENCE_D)
    screened = p_prime_chart(numerators, REFERENCE_D, screen_outliers=True)

    assert screened.sigma_z < unscreened.sigma_z
    assert 5 in screened.outside
    z = screened.z
    ranges = [abs(b - a) for a, b in zip(z, z[1:], strict=False)]
    mean = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * mean]
    assert len(kept) < len(ranges)
    assert screened.sigma_z == pytest.approx(sum(kept) / len(kept) / 1.128)


def test_u_prime_widens_the_u_chart_by_sigma_z() -> None:
    counts = [300, 520, 210, 600, 250, 580, 330, 490, 240, 550]
    exposures = [4000, 5000, 4500, 6000, 4200, 5800, 4700, 5200, 4300, 5600]
    plain = u_chart(counts, exposures)
    laney = u_prime_chart(counts, exposures)

    assert laney.centre == pytest.approx(plain.centre)
    for k in range(len(counts)):
        assert laney.ucl[k] - laney.centre == pytest.approx((plain.ucl[k] - plain.centre) * laney.sigma_z)
    assert len(plain.outside) > len(laney.outside)


def test_baseline_freezes_p_bar_and_sigma_z_on_the_first_present_points() -> None:
    numerators = [None, *REFERENCE_N, 600, 610]
    denominators = [700, *REFERENCE_D, 700, 700]
    result = p_prime_chart(numerators, denominators, baseline=12)
    reference = p_prime_chart(REFERENCE_N, REFERENCE_D)

    assert result.centre == pytest.approx(reference.centre)
    assert result.sigma_z == pytest.approx(reference.sigma_z)
    assert result.baseline_points == 12 and result.baseline_stop == 13
    assert result.ucl[0] is None and result.z[0] is None
    assert {13, 14} <= set(result.outside)


def test_fewer_than_two_points_give_no_limits() -> None:
    result = p_prime_chart([5], [10])

    assert result.centre == 0.5 and result.sigma_z is None
    assert result.ucl == [None] and result.trial_limits
    assert result.signals == []


def test_p_bar_of_zero_or_one_closes_the_limits_without_dividing_by_zero() -> None:
    zeros = p_prime_chart([0, 0, 0, 0], [10, 20, 30, 40])
    assert zeros.centre == 0.0 and zeros.sigma_z == 0.0
    assert zeros.ucl == [0.0] * 4 and zeros.lcl == [0.0] * 4
    ones = p_prime_chart([10, 20, 30], [10, 20, 30])
    assert ones.centre == 1.0 and ones.ucl == [1.0] * 3


def test_a_denominator_of_one_everywhere_is_defined() -> None:
    result = p_prime_chart([1, 0, 1, 1, 0, 1, 0, 0, 1, 1], [1] * 10)

    assert result.centre == pytest.approx(0.6)
    assert all(0.0 <= lower <= upper <= 1.0 for lower, upper in zip(result.lcl, result.ucl, strict=True))


def test_all_equal_proportions_sit_on_the_centre() -> None:
    result = p_prime_chart([50, 100, 25], [100, 200, 50])

    assert result.sigma_z == 0.0 and result.signals == []
    assert result.ucl == [pytest.approx(0.5)] * 3


def test_bad_input_is_refused_with_the_point() -> None:
    with pytest.raises(ValueError, match="point 1: numerator 12 exceeds denominator 10"):
        p_prime_chart([1, 12], [10, 10])
    with pytest.raises(ValueError, match="point 0: negative count"):
        p_prime_chart([-1], [10])
    with pytest.raises(ValueError, match="point 0: a count cannot be negative"):
        u_prime_chart([-1], [10])
    # A denominator or exposure of 0 is a missing point.
    assert p_prime_chart([1, 0, 2], [10, 0, 10]).values[1] is None
    assert u_prime_chart([1, 0, 2], [10, 0, 10]).values[1] is None


@settings(deadline=None, max_examples=100)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 200)), min_size=3, max_size=30),
    factor=st.integers(2, 9),
)
def test_p_prime_limits_do_not_change_when_every_denominator_grows_alike(pairs: list, factor: int) -> None:
    """Laney's point: σᵢ shrinks as 1/√n while σ_z grows as √n, so the limits stay put."""
    pairs = [(min(x, n), n) for x, n in pairs]
    base = p_prime_chart([x for x, _ in pairs], [n for _, n in pairs])
    scaled = p_prime_chart([x * factor for x, _ in pairs], [n * factor for _, n in pairs])
    assume(base.sigma_z is not None)

    assert scaled.centre == pytest.approx(base.centre)
    assert scaled.ucl == pytest.approx(base.ucl, abs=1e-9)
    assert scaled.lcl == pytest.approx(base.lcl, abs=1e-9)


@settings(deadline=None, max_examples=100)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(100, 300)), min_size=2, max_size=30))
def test_reversing_the_series_keeps_sigma_z_and_mirrors_the_limits(pairs: list) -> None:
    numerators, denominators = [x for x, _ in pairs], [n for _, n in pairs]
    forward = p_prime_chart(numerators, denominators)
    backward = p_prime_chart(numerators[::-1], denominators[::-1])

    assert backward.sigma_z == pytest.approx(forward.sigma_z, abs=1e-12)
    assert backward.ucl[::-1] == pytest.approx(forward.ucl)
