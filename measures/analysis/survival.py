"""Time to a milestone with the children still waiting counted (DESIGN.md §4c).

A median of completed cases hides the children still waiting; the Kaplan–Meier estimate counts
each of them as *censored* — known to have waited at least this long — so that the curve
S(t), the share not yet at the milestone t days on, uses everything known.

- S(t) = Π over event times tⱼ ≤ t of (1 − dⱼ/nⱼ), nⱼ the children at risk just before tⱼ
  (durations ≥ tⱼ: a child censored at tⱼ is still at risk at tⱼ).
- Greenwood's variance of log S, and the 95% band on the log-log scale, exactly as R's
  `survfit(conf.type = "log-log")`: S^exp(±1.96 · se / log S). Where S = 0 there is no band.
- The median is the smallest t with S(t) ≤ 0.5 (None when the curve never gets there); its 95%
  band takes the same rule on the band's lower and upper curves, as R's `quantile.survfit`.
- The log-rank test compares two cohorts as R's `survdiff`: χ² = (O − E)² / V with the
  hypergeometric variance, on 1 degree of freedom.

Plain functions on numpy arrays, no Django: 10,000 children take a few milliseconds.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import add, mul, sub, truediv

import numpy as np

from measures.analysis.common import pairwise_sum

Z_95 = 1.959963984540054  # qnorm(0.975)
MEDIAN_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class KaplanMeierResult:
    """A Kaplan–Meier curve. `times` are the distinct event times, sorted; `at_risk`,
    `events`, `survival`, `ci_lower` and `ci_upper` have one entry per time (the band is None
    where S = 0). `censor_times` and `censored` list the distinct times at which children
    were censored and how many. `median` and its band are None where the curves never reach
    0.5."""

    times: list[float]
    at_risk: list[int]
    events: list[int]
    survival: list[float]
    ci_lower: list[float | None]
    ci_upper: list[float | None]
    median: float | None
    median_lower: float | None
    median_upper: float | None
    censor_times: list[float]
    censored: list[int]
    subjects: int
    total_events: int

    def survival_at(self, t: float) -> float:
        """S(t): the share not yet at the milestone t days on (1 before the first event)."""
        index = int(np.searchsorted(self.times, t, side="right")) - 1
        return 1.0 if index < 0 else self.survival[index]

    def band_at(self, t: float) -> tuple[float | None, float | None]:
        """The 95% band of S(t) (1, 1 before the first event; None, None where S = 0)."""
        index = int(np.searchsorted(self.times, t, side="right")) - 1
        if index < 0:
            return 1.0, 1.0
        return self.ci_lower[index], self.ci_upper[index]

    def at_risk_at(self, t: float) -> int:
        """Children still at risk at time t: their duration (event or censoring) is t or more."""
        return sum(self.events[bisect_left(self.times, t) :]) + sum(self.censored[bisect_left(self.censor_times, t) :])


@dataclass(frozen=True, slots=True)
class LogRankResult:
    """The log-rank test of two cohorts: χ² on 1 degree of freedom and its p-value (both None
    when there is nothing to compare: no events, or nobody in one cohort). `observed_a` and
    `expected_a` are cohort A's events and those expected if the cohorts did not differ."""

    chi2: float | None
    p: float | None
    observed_a: int
    expected_a: float
    observed_b: int
    expected_b: float


def _arrays(durations: Sequence[float], observed: Sequence[bool | int]) -> tuple[np.ndarray, np.ndarray]:
    times = np.asarray(durations, dtype=float)
    events = np.asarray(observed)
    if times.ndim != 1 or events.ndim != 1 or len(times) != len(events):
        raise ValueError(f"{len(times)} durations but {len(events)} observed flags")
    if np.isnan(times).any():
        raise ValueError("a duration is missing (NaN)")
    if (times < 0).any():
        first = int(np.flatnonzero(times < 0)[0])
        raise ValueError(f"child {first}: a duration cannot be negative ({times[first]:g} days)")
    if events.dtype != bool:
        if not np.isin(events, (0, 1)).all():
            raise ValueError("observed must be 1 (reached the milestone) or 0 (still waiting)")
        events = events.astype(bool)
    return times, events


def _first_at_or_below(times: np.ndarray, curve: np.ndarray) -> float | None:
    """The smallest time at which `curve` (NaN = no value) is ≤ 0.5.

    A hair of tolerance, as R's quantile.survfit has: a product such as 0.8 × 0.625 may come
    out as 0.5000000000000001, and the median must not move to a later step because of it.
    """
    reached = np.flatnonzero(curve <= 0.5 + MEDIAN_TOLERANCE)
    return float(times[reached[0]]) if len(reached) else None


def kaplan_meier(durations: Sequence[float], observed: Sequence[bool | int]) -> KaplanMeierResult:
    """The Kaplan–Meier curve of `durations` (days to the milestone, or to the as-of date for
    a child still waiting) where `observed` is 1 for an event and 0 for censored."""
    children = short_children(durations, observed)
    if children is not None:
        return _kaplan_meier_short(*children)
    return _kaplan_meier_arrays(durations, observed)


def _kaplan_meier_arrays(durations: Sequence[float], observed: Sequence[bool | int]) -> KaplanMeierResult:
    """`kaplan_meier` on numpy arrays, for any size and any input numpy reads."""
    times, events = _arrays(durations, observed)
    unique, inverse = np.unique(times, return_inverse=True)
    totals = np.bincount(inverse, minlength=len(unique))
    deaths = np.bincount(inverse, weights=events, minlength=len(unique)).astype(int)
    # At risk at each distinct time: everyone whose duration is that time or later.
    at_risk = np.cumsum(totals[::-1])[::-1]
    censored = totals - deaths
    at_event = deaths > 0
    event_times, d, n = unique[at_event], deaths[at_event], at_risk[at_event]

    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - d / n)
        # Greenwood on the log scale: Var(log S) = Σ d / (n (n − d)); infinite once S = 0.
        se = np.sqrt(np.cumsum(d / (n * (n - d))))
        log_s = np.log(survival)
        log_log = np.log(-log_s)
        shift = Z_95 * se / log_s
        upper = np.exp(-np.exp(log_log + shift))
        lower = np.exp(-np.exp(log_log - shift))
    no_band = ~(survival > 0) | ~np.isfinite(se)
    lower[no_band] = np.nan
    upper[no_band] = np.nan

    has_censored = censored > 0
    return KaplanMeierResult(
        times=event_times.tolist(),
        at_risk=n.tolist(),
        events=d.tolist(),
        survival=survival.tolist(),
        ci_lower=[None if math.isnan(value) else value for value in lower.tolist()],
        ci_upper=[None if math.isnan(value) else value for value in upper.tolist()],
        median=_first_at_or_below(event_times, survival),
        median_lower=_first_at_or_below(event_times, lower),
        median_upper=_first_at_or_below(event_times, upper),
        censor_times=unique[has_censored].tolist(),
        censored=censored[has_censored].tolist(),
        subjects=len(times),
        total_events=int(d.sum()),
    )


def logrank(
    durations_a: Sequence[float],
    observed_a: Sequence[bool | int],
    durations_b: Sequence[float],
    observed_b: Sequence[bool | int],
) -> LogRankResult:
    """The log-rank test of cohort A against cohort B, as R's `survdiff(rho = 0)`."""
    cohort_a = short_children(durations_a, observed_a, SHORT_COHORT)
    cohort_b = short_children(durations_b, observed_b, SHORT_COHORT) if cohort_a is not None else None
    if cohort_b is not None:
        return _logrank_short(*cohort_a, *cohort_b)
    return _logrank_arrays(durations_a, observed_a, durations_b, observed_b)


def _logrank_arrays(
    durations_a: Sequence[float],
    observed_a: Sequence[bool | int],
    durations_b: Sequence[float],
    observed_b: Sequence[bool | int],
) -> LogRankResult:
    """`logrank` on numpy arrays, for any size and any input numpy reads."""
    times_a, events_a = _arrays(durations_a, observed_a)
    times_b, events_b = _arrays(durations_b, observed_b)
    event_times = np.unique(np.concatenate([times_a[events_a], times_b[events_b]]))
    if not len(event_times) or not len(times_a) or not len(times_b):
        return LogRankResult(None, None, int(events_a.sum()), 0.0, int(events_b.sum()), 0.0)
    sorted_a, sorted_b = np.sort(times_a), np.sort(times_b)
    # At risk at t: durations ≥ t; events at t: observed durations equal to t.
    n_a = len(sorted_a) - np.searchsorted(sorted_a, event_times, side="left")
    n_b = len(sorted_b) - np.searchsorted(sorted_b, event_times, side="left")
    dead_a, dead_b = np.sort(times_a[events_a]), np.sort(times_b[events_b])
    d_a = np.searchsorted(dead_a, event_times, side="right") - np.searchsorted(dead_a, event_times, side="left")
    d_b = np.searchsorted(dead_b, event_times, side="right") - np.searchsorted(dead_b, event_times, side="left")
    n = n_a + n_b
    d = d_a + d_b
    expected_a = float(np.sum(d * n_a / n))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n > 1, d * (n_a / n) * (n_b / n) * (n - d) / (n - 1), 0.0)
    variance = float(np.sum(terms))
    observed_total_a, observed_total_b = int(d_a.sum()), int(d_b.sum())
    expected_b = float(d.sum()) - expected_a
    if variance <= 0:
        return LogRankResult(None, None, observed_total_a, expected_a, observed_total_b, expected_b)
    chi2 = (observed_total_a - expected_a) ** 2 / variance
    # The χ² survival function with 1 degree of freedom: P(X > x) = erfc(√(x / 2)).
    return LogRankResult(
        chi2, math.erfc(math.sqrt(chi2 / 2)), observed_total_a, expected_a, observed_total_b, expected_b
    )


# Small cohorts --------------------------------------------------------------------------------
#
# A curve of a few dozen children costs numpy some twenty calls of a microsecond or more each,
# three times a plain loop. Up to SHORT_CHILDREN children the counting is done on lists, with
# the same sums and products in the same order, so every number is the same to the last bit:
# the curve's band still comes from numpy's log and exp (which need not round as the math
# module's do; elementwise, so the same values give the same answers in any array), and numpy's
# sums are pairwise (`pairwise_sum` follows them exactly).

SHORT_CHILDREN = 100  # measured crossover of the curve: lists win below about 120 children
SHORT_COHORT = 60  # and of the log-rank test, per cohort: lists win below about 80


def short_children(
    durations: Sequence[float], observed: Sequence[bool | int], limit: int | None = None
) -> tuple[list, list] | None:
    """(durations as floats, observed flags) for a small cohort of plain numbers, checked: every
    duration an int or float, finite, not negative and not -0.0; every flag 0 or 1 (int or
    bool). None for anything else, which the numpy path reads (and refuses with its message)."""
    if not isinstance(durations, list | tuple) or not isinstance(observed, list | tuple):
        return None
    count = len(durations)
    if not count or count > (SHORT_CHILDREN if limit is None else limit) or len(observed) != count:
        return None
    if not set(map(type, durations)) <= {int, float} or not set(map(type, observed)) <= {int, bool}:
        return None
    if not set(observed) <= {0, 1}:
        return None
    try:
        total = math.fsum(durations)
    except OverflowError:
        return None
    times = list(map(float, durations))
    if not math.isfinite(total) or min(times) < 0:
        return None
    if 0.0 in times and any(math.copysign(1.0, t) < 0 for t in times if t == 0.0):
        return None  # -0.0: numpy's unique may keep either zero
    return times, list(observed)


def _kaplan_meier_short(times: list[float], observed: list) -> KaplanMeierResult:
    """`_kaplan_meier_arrays` on lists: the same fields, every number the same."""
    totals = Counter(times)
    deaths = Counter(compress(times, observed))
    unique = sorted(totals)
    gone = list(map(totals.__getitem__, unique))
    dead_all = list(map(deaths.get, unique, repeat(0, len(unique))))
    # At risk at each distinct time: everyone whose duration is that time or later.
    at_risk_all = list(accumulate(reversed(gone)))[::-1]
    censored_all = list(map(sub, gone, dead_all))
    event_times = list(compress(unique, dead_all))
    d = list(compress(dead_all, dead_all))
    n = list(compress(at_risk_all, dead_all))
    censor_times = list(compress(unique, censored_all))
    censored = list(compress(censored_all, censored_all))

    # cumprod(1 − d / n) and cumsum(d / (n (n − d))) as numpy takes them: running products
    # and sums in order. Only the last event time can take everyone left (n = d): its term is
    # infinite, as numpy's division by 0 gives.
    survival = list(accumulate(map(sub, repeat(1.0, len(d)), map(truediv, d, n)), mul))
    last_takes_all = bool(d) and n[-1] == d[-1]
    counted = len(d) - last_takes_all
    terms = list(map(truediv, d[:counted], map(mul, n[:counted], map(sub, n[:counted], d[:counted]))))
    if last_takes_all:
        terms.append(math.inf)
    se = list(map(math.sqrt, accumulate(terms)))

    lower_list: list[float | None] = []
    upper_list: list[float | None] = []
    median_lower = median_upper = None
    if event_times:
        # The band as _kaplan_meier_arrays computes it, on the same values.
        survival_array = np.array(survival)
        se_array = np.array(se)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.log(survival_array)
            log_log = np.log(-log_s)
            shift = Z_95 * se_array / log_s
            upper = np.exp(-np.exp(log_log + shift))
            lower = np.exp(-np.exp(log_log - shift))
        lower_values, upper_values = lower.tolist(), upper.tolist()
        for k, (s_k, se_k) in enumerate(zip(survival, se, strict=True)):
            if not s_k > 0 or not math.isfinite(se_k):
                lower_values[k] = upper_values[k] = math.nan
        lower_list = [None if value != value else value for value in lower_values]
        upper_list = [None if value != value else value for value in upper_values]
        median_lower = _first_at_or_below_list(event_times, lower_values)
        median_upper = _first_at_or_below_list(event_times, upper_values)
    return KaplanMeierResult(
        times=event_times,
        at_risk=n,
        events=d,
        survival=survival,
        ci_lower=lower_list,
        ci_upper=upper_list,
        median=_first_at_or_below_list(event_times, survival),
        median_lower=median_lower,
        median_upper=median_upper,
        censor_times=censor_times,
        censored=censored,
        subjects=len(times),
        total_events=sum(d),
    )


def _first_at_or_below_list(times: list[float], curve: list[float]) -> float | None:
    """`_first_at_or_below` on lists (NaN never counts)."""
    for t, value in zip(times, curve, strict=True):
        if value <= 0.5 + MEDIAN_TOLERANCE:
            return t
    return None


def _logrank_short(times_a: list[float], events_a: list, times_b: list[float], events_b: list) -> LogRankResult:
    """`_logrank_arrays` on lists: the same fields, every number the same."""
    dead_a = Counter(compress(times_a, events_a))
    dead_b = Counter(compress(times_b, events_b))
    event_times = sorted(dead_a.keys() | dead_b.keys())
    if not event_times:
        return LogRankResult(None, None, sum(events_a), 0.0, sum(events_b), 0.0)
    gone_a, gone_b = Counter(times_a), Counter(times_b)
    durations = sorted(gone_a.keys() | gone_b.keys())
    count = len(durations)
    # At risk at t: durations ≥ t, summed from the last distinct duration back.
    n_a_all = list(accumulate(map(gone_a.get, reversed(durations), repeat(0, count))))[::-1]
    n_b_all = list(accumulate(map(gone_b.get, reversed(durations), repeat(0, count))))[::-1]
    d_a_all = list(map(dead_a.get, durations, repeat(0, count)))
    d_b_all = list(map(dead_b.get, durations, repeat(0, count)))
    d_all = list(map(add, d_a_all, d_b_all))
    n_a, n_b, d = list(compress(n_a_all, d_all)), list(compress(n_b_all, d_all)), list(compress(d_all, d_all))
    n = list(map(add, n_a, n_b))
    d_total = sum(d)
    expected_terms = [dead * risk_a / risk for dead, risk_a, risk in zip(d, n_a, n, strict=True)]
    variance_terms = [
        dead * (risk_a / risk) * (risk_b / risk) * (risk - dead) / (risk - 1) if risk > 1 else 0.0
        for dead, risk_a, risk_b, risk in zip(d, n_a, n_b, n, strict=True)
    ]
    expected_a = pairwise_sum(expected_terms)
    variance = pairwise_sum(variance_terms)
    observed_total_a, observed_total_b = sum(dead_a.values()), sum(dead_b.values())
    expected_b = float(d_total) - expected_a
    if variance <= 0:
        return LogRankResult(None, None, observed_total_a, expected_a, observed_total_b, expected_b)
    chi2 = (observed_total_a - expected_a) ** 2 / variance
    return LogRankResult(
        chi2, math.erfc(math.sqrt(chi2 / 2)), observed_total_a, expected_a, observed_total_b, expected_b
    )
