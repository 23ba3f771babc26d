"""Kaplan–Meier, log-rank and funnel plots give the same results on their small-input paths
(lists) as on their numpy paths, to the last bit: every field compared for exact equality
(NaN equal to NaN, a float never standing in for an int or None), with ties, zeros, censored
children, ints and floats, and sizes either side of the crossover."""

from __future__ import annotations

import dataclasses
import importlib
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.analysis import common, funnel, kaplan_meier, logrank, survival

# The package's `funnel` is the function; its module is reached by name.
funnel_module = importlib.import_module("measures.analysis.funnel")


def same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def assert_same_results(small: object, arrays: object) -> None:
    assert type(small) is type(arrays)
    for field in dataclasses.fields(small):
        mine, theirs = getattr(small, field.name), getattr(arrays, field.name)
        assert same(mine, theirs), (field.name, mine, theirs)


def on_arrays(monkeypatch: pytest.MonkeyPatch, function, *arguments):
    with monkeypatch.context() as patch:
        patch.setattr(survival, "SHORT_CHILDREN", 0)
        patch.setattr(survival, "SHORT_COHORT", 0)
        patch.setattr(funnel_module, "SHORT_AUTHORITIES", 0)
        return function(*arguments)


duration = st.one_of(st.integers(0, 60), st.integers(0, 2000), st.floats(0, 500, allow_nan=False), st.just(0.5))
children = st.lists(st.tuples(duration, st.sampled_from([0, 1, True, False])), min_size=1, max_size=120)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def split(pairs: list) -> tuple[list, list]:
    return [d for d, _ in pairs], [o for _, o in pairs]


@SETTINGS
@given(pairs=children)
def test_kaplan_meier_small_path_matches_numpy(pairs):
    durations, observed = split(pairs)
    with pytest.MonkeyPatch.context() as patch:
        small = kaplan_meier(durations, observed)
        arrays = on_arrays(patch, kaplan_meier, durations, observed)
    assert_same_results(small, arrays)


@SETTINGS
@given(a=children, b=children)
def test_logrank_small_path_matches_numpy(a, b):
    with pytest.MonkeyPatch.context() as patch:
        small = logrank(*split(a), *split(b))
        arrays = on_arrays(patch, logrank, *split(a), *split(b))
    assert_same_results(small, arrays)


@pytest.mark.parametrize(
    "count",
    [
        1,
        2,
        7,
        8,
        9,
        40,
        survival.SHORT_COHORT,
        survival.SHORT_COHORT + 1,
        survival.SHORT_CHILDREN,
        survival.SHORT_CHILDREN + 1,
        300,
    ],
)
def test_survival_either_side_of_the_crossover(count, monkeypatch):
    rng = __import__("random").Random(count)
    durations = [
        rng.choice([rng.randint(0, 900), rng.randint(0, 30), round(rng.uniform(0, 400), 1)]) for _ in range(count)
    ]
    observed = [int(rng.random() < 0.7) for _ in range(count)]
    other = [rng.randint(0, 900) for _ in range(count)]
    other_observed = [int(rng.random() < 0.6) for _ in range(count)]
    assert_same_results(kaplan_meier(durations, observed), on_arrays(monkeypatch, kaplan_meier, durations, observed))
    assert_same_results(
        logrank(durations, observed, other, other_observed),
        on_arrays(monkeypatch, logrank, durations, observed, other, other_observed),
    )


def test_inputs_the_small_path_leaves_to_numpy():
    assert survival.short_children([1, 2], [1, 2]) is None  # refused on the numpy path
    assert survival.short_children([1, float("nan")], [1, 1]) is None
    assert survival.short_children([1, -2], [1, 1]) is None
    assert survival.short_children([0.0, -0.0], [1, 1]) is None
    assert survival.short_children([True, 2], [1, 1]) is None
    assert survival.short_children([], []) is None
    assert survival.short_children([1, 2.5], [True, 0]) == ([1.0, 2.5], [True, 0])


authority = st.integers(1, 3000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
authorities = st.lists(st.one_of(authority, st.just((None, 40)), st.just((3, 0))), min_size=0, max_size=90)


@SETTINGS
@given(pairs=authorities, overdispersion=st.booleans())
def test_funnel_small_path_matches_numpy(pairs, overdispersion):
    numerators, denominators = [x for x, _ in pairs], [n for _, n in pairs]
    with pytest.MonkeyPatch.context() as patch:
        small = funnel(numerators, denominators, overdispersion)
        arrays = on_arrays(patch, funnel, numerators, denominators, overdispersion)
    assert_same_results(small, arrays)


@pytest.mark.parametrize(
    "count", [2, 3, 7, 8, 9, 11, 32, 129, funnel_module.SHORT_AUTHORITIES, funnel_module.SHORT_AUTHORITIES + 1]
)
def test_funnel_either_side_of_the_crossover(count, monkeypatch):
    rng = __import__("random").Random(count)
    denominators = [rng.randint(20, 900) for _ in range(count)]
    numerators = [round(n * min(1.0, max(0.0, rng.gauss(0.6, 0.1)))) for n in denominators]
    small = funnel(numerators, denominators, True)
    assert_same_results(small, on_arrays(monkeypatch, funnel, numerators, denominators, True))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=400))
def test_pairwise_sum_is_numpys_sum(values):
    import numpy as np

    assert common.pairwise_sum(values) == float(np.sum(np.array(values, dtype=float)))
