"""Count charts (DESIGN.md §4b): the C chart (events counted with the same opportunity each
period) and the U chart (events per unit of exposure, e.g. per 100 children looked after).

Both rest on the Poisson distribution: the variance of a count equals its mean, so σ comes from
the centre itself and no moving range is needed — one baseline point already gives (trial)
limits. A lower limit below 0 is 0, and so is a lower 2σ line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from measures.analysis.common import Better, as_list, check_better
from measures.analysis.control import ControlChartResult, baseline_count, check_numbers, finish
from measures.analysis.rules import SHORT_SERIES, Ratios, all_usable, bands, present_points, ratios, short_bands


@dataclass(frozen=True, slots=True)
class UChartResult(ControlChartResult):
    """A U chart: `values` are the rates (count / exposure); `u_bar` equals `centre`."""

    u_bar: float | None


def c_chart(
    counts: Sequence[float | None],
    baseline: int | None = None,
    *,
    better: Better = "up",
    target: float | None = None,
) -> ControlChartResult:
    """A C chart: c̄ = mean count of the first `baseline` present points (all when None),
    limits c̄ ± 3√c̄ and 2σ lines c̄ ± 2√c̄, lower ones no less than 0. A negative count is an
    error; None or NaN is a missing point."""
    check_better(better)
    counts = as_list(counts)
    gaps, present, raw, array = present_points(counts)
    check_numbers(counts, present, "a count", raw)
    ys = list(map(float, raw))
    base = baseline_count(baseline, len(present))
    centre = lines = None
    if base:
        centre = math.fsum(ys[:base]) / base
        sigma = math.sqrt(centre)
        lines = (centre + 3 * sigma, max(0.0, centre - 3 * sigma), centre + 2 * sigma, max(0.0, centre - 2 * sigma))
    return finish(
        length=len(counts),
        present=present,
        gaps=gaps,
        ys=ys,
        array=array,
        centre=centre,
        lines=lines,
        base=base,
        better=better,
        target=target,
        varying=False,
    )


def rate_points(
    counts: Sequence[float | None], exposures: Sequence[float | None]
) -> tuple[list[float | None], list[float | None], list[int]]:
    """Counts and exposures as lists, and the positions of the usable points.

    A point with a missing count or exposure, or an exposure of 0 (nothing could happen), is
    missing; a negative count or exposure is an error naming the point.
    """
    counts = as_list(counts)
    exposures = as_list(exposures)
    if len(counts) != len(exposures):
        raise ValueError(f"{len(counts)} counts but {len(exposures)} exposures")
    # NaN is the one value not equal to itself; pandas uses it for missing data.
    known = [
        i
        for i, (count, exposure) in enumerate(zip(counts, exposures, strict=True))
        if count is not None and exposure is not None and count == count and exposure == exposure
    ]
    check_numbers(counts, known, "a count")
    check_numbers(exposures, known, "an exposure")
    return counts, exposures, [i for i in known if exposures[i] != 0]


def fast_rate_points(counts: Sequence[float | None], exposures: Sequence[float | None]) -> Ratios:
    """`rate_points` and the rates in one, quick when every point is present and usable."""
    counts = as_list(counts)
    exposures = as_list(exposures)
    result = all_usable(counts, exposures, proportions=False)
    if result is not None:
        return result
    counts, exposures, present = rate_points(counts, exposures)
    return ratios(counts, exposures, present)


def u_chart(
    counts: Sequence[float | None],
    exposures: Sequence[float | None],
    baseline: int | None = None,
    *,
    better: Better = "up",
    target: float | None = None,
) -> UChartResult:
    """A U chart of counts / exposures: ū = Σ counts / Σ exposures over the first `baseline`
    present points, limits ū ± 3√(ū / nᵢ) and 2σ lines ū ± 2√(ū / nᵢ) per point, lower ones
    no less than 0. `target` is a rate, compared with the limits at the last point."""
    check_better(better)
    points = fast_rate_points(counts, exposures)
    base = baseline_count(baseline, len(points.present))
    centre = lines = None
    if base:
        centre = math.fsum(points.tops[:base]) / math.fsum(points.bottoms[:base])
        usual = math.isfinite(centre) and centre >= 0
        if points.bottom_array is not None and usual:
            lines = bands(centre, np.sqrt(centre / points.bottom_array), None)
        else:
            sigmas = [math.sqrt(centre / bottom) for bottom in points.bottoms]
            short = len(sigmas) <= SHORT_SERIES
            if short and usual:
                lines = short_bands(centre, sigmas, None)
            else:
                lines = (
                    [centre + 3 * sigma for sigma in sigmas],
                    [max(0.0, centre - 3 * sigma) for sigma in sigmas],
                    [centre + 2 * sigma for sigma in sigmas],
                    [max(0.0, centre - 2 * sigma) for sigma in sigmas],
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
        result_type=UChartResult,
        u_bar=centre,
    )
