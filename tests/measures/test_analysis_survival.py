"""Kaplan–Meier and log-rank (DESIGN.md §4c), pinned against R's `survival` package.

The published numbers below were computed here with R 4.2.2 and survival 3.5-3 (Debian's
r-base-core and r-cran-survival): `survfit(Surv(d, o) ~ 1, conf.type = "log-log")`, its
`summary()` and `quantile(f, 0.5)`, and `survdiff(Surv(t, e) ~ g)`; they are pinned so that CI
needs no R. Where DESIGN's median rule (the smallest t with S(t) ≤ 0.5) and R's (the midpoint
when S is exactly 0.5 over an interval) differ, the test says so.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.analysis import kaplan_meier, logrank

R_CASES = {
    # spc-cases.md §8: ties of an event and a censoring at 8 and at 20.
    "reference": (
        [5, 8, 8, 12, 15, 20, 20, 25],
        [1, 1, 0, 1, 1, 0, 1, 1],
        {
            "times": [5, 8, 12, 15, 20, 25],
            "at_risk": [8, 7, 5, 4, 3, 1],
            "events": [1, 1, 1, 1, 1, 1],
            "survival": [0.875, 0.75, 0.6, 0.45, 0.3, 0.0],
            "lower": [0.38700001403, 0.31480711371, 0.19549586608, 0.10757811524, 0.04424730793, None],
            "upper": [0.9813929659, 0.9308983171, 0.8522543458, 0.7512738499, 0.6281957938, None],
            "median": (15, 5, None),
        },
    ),
    "tied events": (
        [3, 3, 3, 5, 5, 7, 9, 9, 12, 15],
        [1, 0, 1, 1, 1, 0, 1, 1, 0, 1],
        {
            "times": [3, 5, 9, 15],
            "at_risk": [10, 7, 4, 1],
            "events": [2, 2, 2, 1],
            "survival": [0.8, 0.5714285714, 0.2857142857, 0.0],
            "lower": [0.4086907816, 0.2171927024, 0.0456655334, None],
            "upper": [0.9458726458, 0.8145721379, 0.6014019029, None],
            "median": (9, 3, None),
        },
    ),
    "censored first": (
        [1, 2, 3, 4, 5, 6],
        [0, 1, 0, 1, 0, 1],
        {
            "times": [2, 4, 6],
            "at_risk": [5, 3, 1],
            "events": [1, 1, 1],
            "survival": [0.8, 0.5333333333, 0.0],
            "lower": [0.2038092633, 0.0683320878, None],
            "upper": [0.9691797889, 0.8630711827, None],
            "median": (6, 2, None),
        },
    ),
    "twenty children": (
        [12, 30, 45, 45, 60, 61, 75, 90, 90, 90, 120, 130, 150, 150, 183, 200, 210, 240, 300, 365],
        [1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0],
        {
            "times": [12, 30, 45, 60, 61, 75, 90, 120, 150, 183, 210, 300],
            "at_risk": [20, 19, 18, 16, 15, 14, 13, 10, 8, 6, 4, 2],
            "events": [1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 1],
            "survival": [
                0.95, 0.9, 0.85, 0.796875, 0.74375, 0.690625, 0.584375, 0.5259375, 0.394453125, 0.3287109375,
                0.2465332031, 0.1232666016,
            ],
            "lower": [
                0.6947431933, 0.6560307073, 0.6037896992, 0.5448164400, 0.4890781508, 0.4361161911, 0.3375190439,
                0.2846325792, 0.1737139449, 0.1267545355, 0.0709450600, 0.0100614960,
            ],
            "upper": [
                0.9928022286, 0.9740101744, 0.9489961098, 0.9186120406, 0.8846691033, 0.8477992207, 0.7666609688,
                0.7199334629, 0.6099355142, 0.5492037397, 0.4766100814, 0.3856275481,
            ],
            "median": (150, 61, 210),
        },
    ),
}  # fmt: skip


def _approx_or_none(values: list) -> list:
    return [None if value is None else pytest.approx(value, abs=1e-9) for value in values]


@pytest.mark.parametrize("name", list(R_CASES))
def test_kaplan_meier_matches_r_survfit_log_log(name: str) -> None:
    durations, observed, expected = R_CASES[name]
    result = kaplan_meier(durations, observed)

    assert result.times == expected["times"]
    assert result.at_risk == expected["at_risk"]
    assert result.events == expected["events"]
    assert result.survival == pytest.approx(expected["survival"], abs=1e-9)
    assert result.ci_lower == _approx_or_none(expected["lower"])
    assert result.ci_upper == _approx_or_none(expected["upper"])
    assert (result.median, result.median_lower, result.median_upper) == expected["median"]
    assert result.subjects == len(durations) and result.total_events == sum(observed)


def test_median_where_s_is_exactly_one_half_follows_design_not_r() -> None:
    # R: S = 0.75, 0.5, 0.25, 0 at 2, 4, 6, 8 and band lower 0.1279469, 0.0578471, 0.0089478;
    # R's quantile() gives the midpoint 5 as the median; DESIGN §4c: the smallest t with S ≤ 0.5.
    result = kaplan_meier([2, 4, 6, 8], [1, 1, 1, 1])

    assert result.survival == [0.75, 0.5, 0.25, 0.0]
    assert result.ci_lower[:3] == pytest.approx([0.1279469176, 0.0578470830, 0.0089478244], abs=1e-9)
    assert result.median == 4.0
    assert result.median_lower == 2.0


def test_median_tolerates_a_rounding_hair_above_one_half() -> None:
    # S(2) = 15/22 × 11/15 = 1/2 exactly, but 0.5000000000000001 in floating point.
    result = kaplan_meier([1] * 7 + [2] * 4 + [5] * 11, [1] * 11 + [0] * 11)

    assert result.survival[-1] > 0.5
    assert result.median == 2.0


def test_reading_the_curve_at_any_day() -> None:
    result = kaplan_meier(*R_CASES["reference"][:2])

    assert result.survival_at(0) == 1.0 and result.survival_at(4.9) == 1.0
    assert result.survival_at(10) == 0.75 and result.survival_at(25) == 0.0
    assert result.band_at(3) == (1.0, 1.0)
    assert result.band_at(10) == (pytest.approx(0.31480711371), pytest.approx(0.9308983171))
    assert result.band_at(30) == (None, None)
    assert result.at_risk_at(10) == 5 and result.at_risk_at(0) == 8 and result.at_risk_at(26) == 0
    assert result.censor_times == [8.0, 20.0] and result.censored == [1, 1]


def test_all_censored_children_never_reach_the_median() -> None:
    result = kaplan_meier([10, 20, 30], [0, 0, 0])

    assert result.times == [] and result.median is None and result.censor_times == [10.0, 20.0, 30.0]
    assert result.survival_at(100) == 1.0


def test_no_children_and_bad_input() -> None:
    empty = kaplan_meier([], [])
    assert empty.times == [] and empty.median is None and empty.subjects == 0
    with pytest.raises(ValueError, match="child 1: a duration cannot be negative"):
        kaplan_meier([3, -1], [1, 1])
    with pytest.raises(ValueError, match="2 durations but 1 observed"):
        kaplan_meier([3, 4], [1])
    with pytest.raises(ValueError, match="observed must be 1"):
        kaplan_meier([3, 4], [1, 2])
    with pytest.raises(ValueError, match="missing"):
        kaplan_meier([3, float("nan")], [1, 1])


LOGRANK_CASES = {
    # spc-cases.md §8.
    "reference": (
        ([5, 8, 8, 12, 15, 20], [1, 1, 0, 1, 1, 0]),
        ([10, 22, 30, 31, 40, 45], [1, 1, 1, 0, 1, 1]),
        3.632163, 0.05667311, 1.9485930736,
    ),
    "ties across cohorts": (
        ([3, 3, 3, 5, 5, 7, 9, 9, 12, 15], [1, 0, 1, 1, 1, 0, 1, 1, 0, 1]),
        ([3, 5, 5, 8, 10, 12, 12, 20], [1, 1, 0, 1, 1, 1, 0, 1]),
        0.4990096662, 0.4799355897, 5.8444444444,
    ),
    "sooner after a change": (
        ([12, 30, 45, 45, 60, 61, 75, 90, 90, 90], [1, 1, 1, 0, 1, 1, 1, 1, 1, 0]),
        ([120, 130, 150, 150, 183, 200, 210, 240, 300, 365], [1, 0, 1, 1, 1, 0, 1, 0, 1, 0]),
        15.1695074091, 0.0000982777, 2.8737147356,
    ),
    "unequal cohorts": (
        ([142, 150, 160, 170, 180, 200, 220, 100, 90, 130], [1, 1, 1, 1, 1, 1, 0, 1, 1, 1]),
        ([201, 210, 230, 250, 260, 300, 180, 190, 240, 280, 310, 320], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1]),
        13.3130608418, 0.0002635638, 3.4404108276,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(LOGRANK_CASES))
def test_logrank_matches_r_survdiff(name: str) -> None:
    (a, ea), (b, eb), chi2, p, expected_a = LOGRANK_CASES[name]
    result = logrank(a, ea, b, eb)

    assert result.chi2 == pytest.approx(chi2, abs=1e-6)
    assert result.p == pytest.approx(p, abs=1e-8)
    assert result.observed_a == sum(ea) and result.observed_b == sum(eb)
    assert result.expected_a == pytest.approx(expected_a, abs=1e-8)
    assert result.expected_a + result.expected_b == pytest.approx(sum(ea) + sum(eb))


def test_logrank_without_events_or_children_is_none() -> None:
    assert logrank([1, 2], [0, 0], [3], [0]).chi2 is None
    assert logrank([], [], [3], [1]).p is None


@settings(deadline=None, max_examples=100)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.booleans()), min_size=1, max_size=60),
)
def test_kaplan_meier_agrees_with_a_plain_product_over_event_times(children: list) -> None:
    durations = [d for d, _ in children]
    observed = [o for _, o in children]
    result = kaplan_meier(durations, observed)
    survival = 1.0
    for time in sorted({d for d, o in children if o}):
        at_risk = sum(1 for d in durations if d >= time)
        deaths = sum(1 for d, o in children if o and d == time)
        survival *= 1 - deaths / at_risk
        assert result.survival_at(time) == pytest.approx(survival, abs=1e-12)
    assert all(0 <= s <= 1 for s in result.survival)
    assert all(a >= b for a, b in zip(result.survival, result.survival[1:], strict=False))
    for lower, s, upper in zip(result.ci_lower, result.survival, result.ci_upper, strict=True):
        assert lower is None or lower <= s + 1e-12 <= upper + 2e-12


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.tuples(st.integers(0, 300), st.booleans()), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 300), st.booleans()), min_size=1, max_size=30),
)
def test_logrank_is_symmetric_in_its_cohorts(a: list, b: list) -> None:
    forward = logrank([d for d, _ in a], [o for _, o in a], [d for d, _ in b], [o for _, o in b])
    backward = logrank([d for d, _ in b], [o for _, o in b], [d for d, _ in a], [o for _, o in a])

    if forward.chi2 is None:
        assert backward.chi2 is None
        return
    assert backward.chi2 == pytest.approx(forward.chi2)
    assert 0 <= forward.p <= 1
    assert forward.p == pytest.approx(math.erfc(math.sqrt(forward.chi2 / 2)))


def test_ten_thousand_children_in_one_call() -> None:
    rng = np.random.default_rng(7)
    durations = rng.integers(0, 900, 10_000)
    observed = rng.random(10_000) < 0.7
    result = kaplan_meier(durations, observed)

    assert result.subjects == 10_000 and result.total_events == int(observed.sum())
    assert result.median is not None
