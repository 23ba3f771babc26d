"""Funnel plots (DESIGN.md §4d): limits, outliers and the overdispersion correction, worked by
hand."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.analysis import funnel

NUMERATORS = [30, 45, 60, 10, 80]
DENOMINATORS = [50, 60, 100, 40, 100]


def test_pooled_proportion_and_limits_by_hand() -> None:
    result = funnel(NUMERATORS, DENOMINATORS)

    assert result.centre == pytest.approx(225 / 350)
    # n = 50: σ = √(p̄(1 − p̄)/50) = 0.0677631; ±1.96σ = 0.132816; ±3.09σ = 0.209388.
    lower95, upper95, lower998, upper998 = result.limits(50)
    assert lower95 == pytest.approx(0.510041, abs=1e-6)
    assert upper95 == pytest.approx(0.775673, abs=1e-6)
    assert lower998 == pytest.approx(0.433469, abs=1e-6)
    assert upper998 == pytest.approx(0.852245, abs=1e-6)
    assert result.proportions == [0.6, 0.75, 0.6, 0.25, 0.8]
    assert result.z[3] == pytest.approx(-5.1854, abs=1e-4)
    assert result.z[4] == pytest.approx(3.2796, abs=1e-4)
    assert result.outside95 == [3, 4]
    assert result.outside998 == [3, 4]
    assert result.inflation == 1.0 and result.overdispersion is False


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (R's type 7), written out."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def test_overdispersion_winsorises_z_and_widens_the_limits() -> None:
    plain = funnel(NUMERATORS, DENOMINATORS)
    result = funnel(NUMERATORS, DENOMINATORS, overdispersion=True)

    low, high = _percentile(plain.z, 10), _percentile(plain.z, 90)
    assert low == pytest.approx(-3.469, abs=1e-3) and high == pytest.approx(2.661, abs=1e-3)
    phi = sum(min(max(z, low), high) ** 2 for z in plain.z) / 5
    assert result.phi == pytest.approx(phi)
    assert result.phi == pytest.approx(4.662, abs=1e-3)
    assert result.inflation == pytest.approx(math.sqrt(phi))
    sigma = math.sqrt(result.centre * (1 - result.centre) / 50) * math.sqrt(phi)
    assert result.limits(50)[1] == pytest.approx(result.centre + 1.96 * sigma)
    # Limits √φ = 2.16 times as wide: the high authority (z 3.28 → 1.52) is no longer outside;
    # the very low one (z −5.19 → −2.40) is outside the 95% limits only.
    assert result.outside95 == [3]
    assert result.outside998 == []


def test_phi_below_one_leaves_the_limits_alone() -> None:
    result = funnel([50, 51, 49, 50], [100, 100, 100, 100], overdispersion=True)

    assert result.phi < 1
    assert result.inflation == 1.0


def test_limits_are_clipped_to_zero_and_one() -> None:
    result = funnel([9, 10, 19], [10, 10, 20])

    assert result.limits(5)[1] == 1.0 and result.limits(5)[3] == 1.0
    low = funnel([1, 0, 1], [10, 10, 20])
    assert low.limits(5)[0] == 0.0


def test_edge_cases_are_defined() -> None:
    empty = funnel([], [])
    assert empty.centre is None and empty.phi is None and empty.outside95 == []
    with pytest.raises(ValueError, match="no limits"):
        empty.limits(10)
    zero = funnel([0, 0, 0], [10, 20, 30], overdispersion=True)
    assert zero.centre == 0.0 and zero.z == [0.0, 0.0, 0.0] and zero.outside95 == []
    missing = funnel([3, None, 4], [10, 0, 10])
    assert missing.z[1] is None and missing.centre == pytest.approx(0.35)
    with pytest.raises(ValueError, match="exceeds"):
        funnel([12], [10])
    with pytest.raises(ValueError, match="more than 0"):
        funnel([1], [2]).limits(0)
    one = funnel([3], [10], overdispersion=True)
    assert one.phi is None and one.inflation == 1.0


@settings(deadline=None, max_examples=100)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(1, 300)), min_size=2, max_size=40))
def test_the_limits_narrow_as_n_grows_and_contain_the_centre(pairs: list) -> None:
    pairs = [(min(x, n), n) for x, n in pairs]
    result = funnel([x for x, _ in pairs], [n for _, n in pairs], overdispersion=True)

    previous = None
    for n in (5, 10, 50, 200, 1000):
        lower95, upper95, lower998, upper998 = result.limits(n)
        assert lower998 <= lower95 <= result.centre <= upper95 <= upper998
        if previous is not None:
            assert upper95 - lower95 <= previous + 1e-12
        previous = upper95 - lower95
    assert set(result.outside998) <= set(result.outside95)


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(100, 200)), min_size=2, max_size=20))
def test_the_order_of_authorities_changes_nothing_but_the_indices(pairs: list) -> None:
    forward = funnel([x for x, _ in pairs], [n for _, n in pairs], overdispersion=True)
    backward = funnel([x for x, _ in pairs][::-1], [n for _, n in pairs][::-1], overdispersion=True)
    last = len(pairs) - 1

    assert backward.centre == pytest.approx(forward.centre)
    assert (backward.phi is None) == (forward.phi is None)
    if forward.phi is not None:
        assert backward.phi == pytest.approx(forward.phi)
    assert sorted(last - i for i in backward.outside95) == forward.outside95
