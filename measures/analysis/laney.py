"""Laney's P′ and U′ charts (DESIGN.md §4b): P and U charts for large denominators.

With denominators in the hundreds a P chart's limits become so tight that almost every point
falls outside them, although nothing special happened: the points vary more between periods
than the binomial (or Poisson) model allows (overdispersion). Laney's correction measures that
extra variation on the z scale, zᵢ = (pᵢ − p̄)/σᵢ, with an I chart: σ_z = mean moving range of
the z / 1.128, and widens each point's limits by it: p̄ ± 3 · σ_z · σᵢ. When the points vary as
the model expects, σ_z is about 1 and the chart is the P (or U) chart again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import sub

import numpy as np

from measures.analysis.common import Better, as_list, check_better
from measures.analysis.control import ControlChartResult, baseline_count, finish
from measures.analysis.control import spread as spread_to
from measures.analysis.counts import fast_rate_points
from measures.analysis.rules import SHORT_SERIES, Ratios, all_usable, bands, ratios, short_bands
from measures.analysis.spc import MR_LIMIT_FACTOR

D2 = 1.128  # the mean moving range of two points is 1.128 σ


@dataclass(frozen=True, slots=True)
class LaneyResult(ControlChartResult):
    """A P′ or U′ chart. `values` are the proportions (or rates); `z` holds each present
    point's z-score (None where missing); `sigma_z` is None with fewer than 2 baseline
    points (no moving range, so no limits)."""

    sigma_z: float | None
    z: list[float | None]


def proportion_points(
    numerators: Sequence[float | None], denominators: Sequence[float | None]
) -> tuple[list[float | None], list[float | None], list[int]]:
    """Numerators and denominators as lists, and the usable positions (as for the P chart:
    a missing value or a denominator of 0 is a missing point; a negative count or a numerator
    above its denominator is an error naming the point)."""
    numerators = as_list(numerators)
    denominators = as_list(denominators)
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} numerators but {len(denominators)} denominators")
    # NaN is the one value not equal to itself; pandas uses it for missing data.
    present = [
        i
        for i, (numerator, denominator) in enumerate(zip(numerators, denominators, strict=True))
        if numerator is not None
        and denominator is not None
        and numerator == numerator
        and denominator == denominator
        and denominator != 0
    ]
    for i in present:
        numerator, denominator = numerators[i], denominators[i]
        if numerator < 0 or denominator < 0:
            raise ValueError(f"point {i}: negative count {numerator:g}/{denominator:g}")
        if numerator > denominator:
            raise ValueError(f"point {i}: numerator {numerator:g} exceeds denominator {denominator:g}")
    return numerators, denominators, present


def fast_proportion_points(numerators: Sequence[float | None], denominators: Sequence[float | None]) -> Ratios:
    """`proportion_points` and the proportions in one, quick when every point is usable."""
    numerators = as_list(numerators)
    denominators = as_list(denominators)
    result = all_usable(numerators, denominators, proportions=True)
    if result is not None:
        return result
    numerators, denominators, present = proportion_points(numerators, denominators)
    return ratios(numerators, denominators, present)


def _sigma_z(ranges: list[float], screen_outliers: bool) -> float | None:
    """Mean moving range of the baseline z-scores / 1.128, screened once if asked."""
    if not ranges:
        return None
    mean = math.fsum(ranges) / len(ranges)
    if screen_outliers and mean > 0:
        kept = [r for r in ranges if r < MR_LIMIT_FACTOR * mean]
        mean = math.fsum(kept) / len(kept)
    return mean / D2


def _laney(
    points: Ratios,
    *,
    centre: float | None,
    spread: float,
    base: int,
    screen_outliers: bool,
    better: Better,
    target: float | None,
    upper_bound: float | None,
) -> LaneyResult:
    """σᵢ = √(spread / nᵢ), the z-scores, σ_z and the lines; then the chart."""
    z_present: list[float] = []
    sigma_z = None
    lines = None
    if centre is not None:
        top = math.inf if upper_bound is None else upper_bound
        # σᵢ = 0 only when p̄ is 0 or 1 (or ū is 0): every baseline point then sits on the
        # centre, so its z is 0, and the limits close onto the centre as a P chart's do.
        if points.bottom_array is not None and points.array is not None and math.isfinite(spread):
            sigmas = np.sqrt(spread / points.bottom_array)
            with np.errstate(divide="ignore", invalid="ignore"):
                z_array = np.where(sigmas > 0, (points.array - centre) / sigmas, 0.0)
            z_present = z_array.tolist()
            sigma_z = _sigma_z(np.abs(z_array[1:base] - z_array[: max(base - 1, 0)]).tolist(), screen_outliers)
            if sigma_z is not None:
                lines = bands(centre, sigma_z * sigmas, upper_bound)
        else:
            sigma_list = [math.sqrt(spread / bottom) for bottom in points.bottoms]
            z_present = [
                (y - centre) / sigma if sigma > 0 else 0.0 for y, sigma in zip(points.ys, sigma_list, strict=True)
            ]
            ranges = list(map(abs, map(sub, z_present[1:base], z_present[: max(base - 1, 0)])))
            sigma_z = _sigma_z(ranges, screen_outliers)
            if sigma_z is not None:
                widths = [sigma_z * sigma for sigma in sigma_list]
                short = len(widths) <= SHORT_SERIES
                if short and math.isfinite(centre) and all(map(math.isfinite, widths)):
                    lines = short_bands(centre, widths, upper_bound)
                else:
                    lines = (
                        [min(top, centre + 3 * width) for width in widths],
                        [max(0.0, centre - 3 * width) for width in widths],
                        [min(top, centre + 2 * width) for width in widths],
                        [max(0.0, centre - 2 * width) for width in widths],
                    )
                    if not short:
                        lines = tuple(np.array(line, dtype=float) for line in lines)
    return finish(
        length=points.length,
        present=points.present,
        gaps=points.gaps,
        ys=points.ys,
        array=points.array,
        centre=centre,
        lines=lines,
        base=base,
        better=better,
        target=target,
        varying=True,
        result_type=LaneyResult,
        sigma_z=sigma_z,
        z=spread_to(z_present, points.present, points.length) if points.gaps else z_present,
    )


def p_prime_chart(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    baseline: int | None = None,
    screen_outliers: bool = False,
    *,
    better: Better = "up",
    target: float | None = None,
) -> LaneyResult:
    """Laney's P′ chart of numerators / denominators (in time order).

    p̄ = Σ numerators / Σ denominators over the first `baseline` present points; σᵢ =
    √(p̄(1 − p̄)/nᵢ); zᵢ = (pᵢ − p̄)/σᵢ; σ_z = mean moving range of the baseline z / 1.128
    (with `screen_outliers`, moving ranges ≥ 3.267 × their mean are dropped once); limits
    p̄ ± 3·σ_z·σᵢ and 2σ lines p̄ ± 2·σ_z·σᵢ, clipped to [0, 1]. `target` is a proportion.
    """
    check_better(better)
    points = fast_proportion_points(numerators, denominators)
    base = baseline_count(baseline, len(points.present))
    centre = None
    spread = 0.0
    if base:
        centre = math.fsum(points.tops[:base]) / math.fsum(points.bottoms[:base])
        spread = centre * (1 - centre)
    return _laney(
        points,
        centre=centre,
        spread=spread,
        base=base,
        screen_outliers=screen_outliers,
        better=better,
        target=target,
        upper_bound=1.0,
    )


def u_prime_chart(
    counts: Sequence[float | None],
    exposures: Sequence[float | None],
    baseline: int | None = None,
    screen_outliers: bool = False,
    *,
    better: Better = "up",
    target: float | None = None,
) -> LaneyResult:
    """Laney's U′ chart of counts / exposures: as `p_prime_chart` with ū = Σ counts /
    Σ exposures and σᵢ = √(ū / nᵢ); lower lines no less than 0. `target` is a rate."""
    check_better(better)
    points = fast_rate_points(counts, exposures)
    base = baseline_count(baseline, len(points.present))
    centre = None
    spread = 0.0
    if base:
        centre = math.fsum(points.tops[:base]) / math.fsum(points.bottoms[:base])
        spread = centre
    return _laney(
        points,
        centre=centre,
        spread=spread,
        base=base,
        screen_outliers=screen_outliers,
        better=better,
        target=target,
        upper_bound=None,
    )
