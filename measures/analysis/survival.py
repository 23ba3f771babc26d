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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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
