"""Funnel plots for comparing authorities (DESIGN.md §4d).

Each authority's proportion pᵢ = xᵢ/nᵢ is plotted against its size nᵢ, around the pooled
p̄ = Σx/Σn, with limits p̄ ± z·√(p̄(1 − p̄)/n) for z = 1.96 (95%) and 3.09 (99.8%), clipped to
[0, 1]. The limits narrow as n grows, so a small authority is not singled out for the noise that
small numbers bring.

Overdispersion (Spiegelhalter, 2005): authorities differ in more ways than chance, so more
points fall outside than the limits promise. With the correction on, the z-scores
zᵢ = (pᵢ − p̄)/√(p̄(1 − p̄)/nᵢ) are winsorised at their 10th and 90th percentiles (numpy's
linear interpolation, R's type 7), φ = mean(z²), and when φ > 1 every limit widens by √φ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from measures.analysis.common import pairwise_sum
from measures.analysis.laney import proportion_points

Z_95 = 1.96
Z_998 = 3.09
WINSOR_PERCENTILES = (10, 90)


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """A funnel plot. `z` has one entry per authority given (None where its n is 0 or
    missing); `phi` is the overdispersion estimate (None with fewer than 2 authorities or no
    spread); `inflation` is the factor the limits were widened by (1 without the correction or
    when φ ≤ 1). `outside95` and `outside998` are indices strictly beyond those limits."""

    centre: float | None
    phi: float | None
    inflation: float
    overdispersion: bool
    z: list[float | None]
    proportions: list[float | None]
    outside95: list[int]
    outside998: list[int]

    def limits(self, n: float) -> tuple[float, float, float, float]:
        """(lower95, upper95, lower998, upper998) for an authority of size `n`."""
        if self.centre is None:
            raise ValueError("a funnel without data has no limits")
        if n <= 0:
            raise ValueError(f"the size must be more than 0, not {n:g}")
        return _limits(self.centre, self.centre * (1 - self.centre), n, self.inflation)


def funnel(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    overdispersion: bool = False,
) -> FunnelResult:
    """A funnel plot of numerators / denominators, one pair per authority."""
    numerators, denominators, present = proportion_points(numerators, denominators)
    length = len(numerators)
    proportions: list[float | None] = [None] * length
    z: list[float | None] = [None] * length
    if not present:
        return FunnelResult(None, None, 1.0, overdispersion, z, proportions, [], [])
    centre = math.fsum(numerators[i] for i in present) / math.fsum(denominators[i] for i in present)
    spread = centre * (1 - centre)
    for i in present:
        p = numerators[i] / denominators[i]
        proportions[i] = p
        # With p̄ at 0 or 1 every authority sits on it: no spread, a z of 0.
        z[i] = (p - centre) / math.sqrt(spread / denominators[i]) if spread > 0 else 0.0

    phi = None
    if len(present) >= 2 and spread > 0:
        scores = [z[i] for i in present]
        if len(scores) <= SHORT_AUTHORITIES:
            phi = _phi_short(scores)
        else:
            array = np.array(scores)
            low, high = np.percentile(array, WINSOR_PERCENTILES)
            phi = float(np.mean(np.clip(array, low, high) ** 2))
    inflation = math.sqrt(phi) if overdispersion and phi is not None and phi > 1 else 1.0

    outside95, outside998 = [], []
    for i in present:
        # Compared on the proportion scale with the clipped limits, as they are drawn.
        lower95, upper95, lower998, upper998 = _limits(centre, spread, denominators[i], inflation)
        p = proportions[i]
        if p > upper95 or p < lower95:
            outside95.append(i)
        if p > upper998 or p < lower998:
            outside998.append(i)
    return FunnelResult(centre, phi, inflation, overdispersion, z, proportions, outside95, outside998)


# Up to this many authorities φ is worked out on lists: numpy's percentile alone costs more
# than the whole funnel's loops. Every step follows numpy's to the last bit (the equivalence
# test compares the two): percentiles by its linear rule, the mean by its pairwise sum.
SHORT_AUTHORITIES = 150  # measured crossover: lists win below about 250 authorities


def _phi_short(scores: list[float]) -> float:
    """mean(clip(z, P10, P90)²) as numpy computes it, for two or more finite z-scores."""
    ordered = sorted(scores)
    low, high = (_percentile(ordered, percentile / 100) for percentile in WINSOR_PERCENTILES)
    squares = [clipped * clipped for clipped in (min(max(score, low), high) for score in scores)]
    return pairwise_sum(squares) / len(squares)


def _percentile(ordered: list[float], quantile: float) -> float:
    """numpy's "linear" percentile of sorted values (Hyndman and Fan's type 7), with its
    interpolation: a + (b − a)·γ below γ = 0.5, b − (b − a)·(1 − γ) from it."""
    count = len(ordered)
    virtual = (count - 1) * quantile
    if virtual >= count - 1:
        return ordered[-1]  # numpy interpolates the last value with itself
    below = math.floor(virtual)
    gamma = virtual - below
    a, b = ordered[below], ordered[below + 1]
    difference = b - a
    return b - difference * (1 - gamma) if gamma >= 0.5 else a + difference * gamma


def _limits(centre: float, spread: float, n: float, inflation: float) -> tuple[float, float, float, float]:
    sigma = math.sqrt(spread / n) * inflation
    return (
        max(0.0, centre - Z_95 * sigma),
        min(1.0, centre + Z_95 * sigma),
        max(0.0, centre - Z_998 * sigma),
        min(1.0, centre + Z_998 * sigma),
    )
