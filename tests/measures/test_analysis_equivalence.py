"""The faster chart functions give exactly the results of the engine before the speed work.

`tests/measures/analysis_reference` is a frozen copy of the chart functions as they were (loops
over lists). Every field of every result is compared for exact equality (NaN equal to NaN, and
float against int by value and type), and bad input must raise the same error with the same
message. Hypothesis drives ties, points on the centre, missing points (None and NaN), short and
long series, baselines and options; seeded random series of realistic shapes add volume.
"""

from __future__ import annotations

import dataclasses
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures import analysis as live
from measures.analysis.rules import SHORT_SERIES
from tests.measures.analysis_reference import counts as ref_counts
from tests.measures.analysis_reference import laney as ref_laney
from tests.measures.analysis_reference import rare_events as ref_rare
from tests.measures.analysis_reference import run_chart as ref_run
from tests.measures.analysis_reference import spc as ref_spc

PAIRS = {
    "run_chart": (live.run_chart, ref_run.run_chart),
    "xmr_chart": (live.xmr_chart, ref_spc.xmr_chart),
    "p_chart": (live.p_chart, ref_spc.p_chart),
    "c_chart": (live.c_chart, ref_counts.c_chart),
    "u_chart": (live.u_chart, ref_counts.u_chart),
    "p_prime_chart": (live.p_prime_chart, ref_laney.p_prime_chart),
    "u_prime_chart": (live.u_prime_chart, ref_laney.u_prime_chart),
    "g_chart": (live.g_chart, ref_rare.g_chart),
    "t_chart": (live.t_chart, ref_rare.t_chart),
}
SINGLE = ("run_chart", "xmr_chart", "c_chart", "g_chart", "t_chart")
PAIRED = ("p_chart", "u_chart", "p_prime_chart", "u_prime_chart")


def same(a: object, b: object) -> bool:
    """Exact equality, NaN equal to NaN, and a float never standing in for an int or None."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def fields(result: object) -> dict:
    return {field.name: getattr(result, field.name) for field in dataclasses.fields(result)}


def outcome(function, *arguments, **options):
    try:
        return "result", fields(function(*arguments, **options))
    except (ValueError, TypeError) as error:
        return "error", f"{type(error).__name__}: {error}"


def assert_same(name: str, *arguments, **options) -> None:
    new, old = PAIRS[name]
    mine, theirs = outcome(new, *arguments, **options), outcome(old, *arguments, **options)
    assert mine[0] == theirs[0], (name, arguments, options, mine, theirs)
    if mine[0] == "error":
        assert mine[1] == theirs[1], (name, arguments, options)
        return
    assert mine[1].keys() == theirs[1].keys()
    for key, value in theirs[1].items():
        assert same(mine[1][key], value), (name, key, arguments, options, mine[1][key], value)
    assert type(new(*arguments, **options)).__name__ == type(old(*arguments, **options)).__name__


# A small pool of values makes ties, points on the median or mean and equal neighbours common.
pooled = st.sampled_from([0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0])
value = st.one_of(pooled, st.floats(0, 100, allow_nan=False), st.integers(0, 30), st.none(), st.just(math.nan))
series = st.lists(value, max_size=80)
baseline = st.one_of(st.none(), st.integers(1, 40))
better = st.sampled_from(["up", "down", "neutral", None])
target = st.one_of(st.none(), st.floats(0, 60, allow_nan=False))


@st.composite
def paired(draw):
    size = draw(st.integers(0, 70))
    numerators, denominators = [], []
    for _ in range(size):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            numerators.append(None)
            denominators.append(draw(st.integers(0, 50)))
        elif kind == 1:
            numerators.append(draw(st.integers(0, 5)))
            denominators.append(draw(st.sampled_from([0, None, math.nan])))
        else:
            denominator = draw(st.integers(1, 900))
            numerators.append(draw(st.integers(0, denominator)))
            denominators.append(denominator)
    return numerators, denominators


CASES = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CASES
@given(values=series, baseline=baseline, better=better, target=target)
def test_single_series_charts_unchanged(values, baseline, better, target):
    assert_same("run_chart", values, baseline, better=better)
    assert_same("xmr_chart", values, baseline, better=better, target=target)
    assert_same("xmr_chart", values, baseline, True, better=better)
    for name in ("c_chart", "g_chart", "t_chart"):
        assert_same(name, values, baseline, better=better, target=target)


# Series either side of the short-series path's crossover (lists below it, numpy above).
long_series = st.lists(value, min_size=SHORT_SERIES - 10, max_size=SHORT_SERIES + 30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(values=long_series, baseline=baseline, better=better, target=target)
def test_series_around_the_crossover_unchanged(values, baseline, better, target):
    assert_same("run_chart", values, baseline, better=better)
    assert_same("xmr_chart", values, baseline, better=better, target=target)
    for name in ("c_chart", "g_chart", "t_chart"):
        assert_same(name, values, baseline, better=better, target=target)


@st.composite
def long_paired(draw):
    numerators, denominators = draw(paired())
    size = draw(st.integers(SHORT_SERIES - 10, SHORT_SERIES + 30))
    while len(numerators) < size:
        denominator = draw(st.integers(1, 900))
        numerators.append(draw(st.integers(0, denominator)))
        denominators.append(denominator)
    return numerators[:size], denominators[:size]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=long_paired(), baseline=baseline, better=better)
def test_paired_charts_around_the_crossover_unchanged(data, baseline, better):
    numerators, denominators = data
    for name in PAIRED:
        assert_same(name, numerators, denominators, baseline, better=better, target=0.5)
    assert_same("p_prime_chart", numerators, denominators, baseline, True)


@CASES
@given(data=paired(), baseline=baseline, better=better, target=st.one_of(st.none(), st.floats(0, 1)))
def test_paired_charts_unchanged(data, baseline, better, target):
    numerators, denominators = data
    for name in PAIRED:
        assert_same(name, numerators, denominators, baseline, better=better, target=target)
    assert_same("p_prime_chart", numerators, denominators, baseline, True)
    assert_same("u_prime_chart", numerators, denominators, baseline, True)


def realistic(rng: random.Random, points: int) -> list[float]:
    step = rng.choice([0.0, rng.gauss(0, 6)])
    drift = rng.gauss(0, 0.1)
    return [round(rng.gauss(50, 5) + (step if k >= points // 2 else 0) + drift * k, 1) for k in range(points)]


@pytest.mark.parametrize("points", [1, 2, 3, 7, 12, 24, 60, SHORT_SERIES, SHORT_SERIES + 1, 400])
def test_realistic_series_unchanged(points):
    rng = random.Random(points)
    for _ in range(60):
        values = realistic(rng, points)
        if rng.random() < 0.3 and points > 2:
            values[rng.randrange(points)] = None
        gaps = [abs(v) if v is not None else None for v in values]
        for name in SINGLE:
            assert_same(name, gaps if name in ("g_chart", "t_chart", "c_chart") else values)
            assert_same(name, gaps, rng.choice([None, 6, 12, 20]))
        exposures = [rng.randint(400, 900) for _ in range(points)]
        numerators = [round(n * rng.gauss(0.6, 0.03)) for n in exposures]
        events = [rng.randint(0, 16) for _ in range(points)]
        for name in ("p_chart", "p_prime_chart"):
            assert_same(name, numerators, exposures, better=rng.choice(["up", "down"]), target=0.6)
        for name in ("u_chart", "u_prime_chart"):
            assert_same(name, events, exposures, rng.choice([None, 12]), target=0.01)


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("xmr_chart", ([],)),
        ("xmr_chart", ([None, None],)),
        ("xmr_chart", ([4.0],)),
        ("xmr_chart", ([4.0, 4.0, 4.0],)),
        ("run_chart", ([3.0] * 20,)),
        ("c_chart", ([3, -1, 2],)),
        ("g_chart", ([3, 2, -4],)),
        ("t_chart", ([0.0, 0.0, 5.0],)),
        ("p_chart", ([5, 3], [4, 4])),
        ("p_chart", ([1, 2], [3])),
        ("p_chart", ([-1, 2], [3, 3])),
        ("p_prime_chart", ([0, 0, 0], [5, 5, 5])),
        ("p_prime_chart", ([5, 5, 5], [5, 5, 5])),
        ("u_chart", ([1, 2], [0, 0])),
        ("u_chart", ([1, 2], [1, -1])),
        ("u_prime_chart", ([0, 0], [1, 1])),
        ("p_chart", ([1, 1, 1], [1, 1, 1])),
    ],
)
def test_edge_cases_unchanged(name, arguments):
    assert_same(name, *arguments)


def test_baseline_errors_unchanged():
    for name in SINGLE:
        for bad in (0, -2, True, 2.5, "3"):
            assert_same(name, [1.0, 2.0, 3.0], bad)
    for name in PAIRED:
        assert_same(name, [1, 2], [3, 4], 0)
    assert_same("xmr_chart", [1.0, 2.0], better="sideways")


@CASES
@given(
    ys=st.lists(st.one_of(pooled, st.floats(-50, 50, allow_nan=False)), max_size=60),
    data=st.data(),
    better=better,
    two_of_three=st.booleans(),
)
def test_special_causes_unchanged(ys, data, better, two_of_three):
    """The public rule function, with per-point centres and lines given as lists."""
    count = len(ys)
    line = st.lists(st.one_of(pooled, st.floats(-50, 50, allow_nan=False)), min_size=count, max_size=count)
    centres = data.draw(line)
    limits = data.draw(st.one_of(st.none(), st.tuples(line, line, line, line)))
    positions = sorted(data.draw(st.sets(st.integers(0, 200), min_size=count, max_size=count)))
    mine = live.special_causes(positions, ys, centres, limits, better, two_of_three=two_of_three)
    theirs = ref_spc.special_causes(positions, ys, centres, limits, better, two_of_three=two_of_three)
    assert mine == theirs
