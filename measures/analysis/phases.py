"""Phases: a series split at recorded change points, each phase charted on its own."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from measures.analysis.common import Signal, as_list
from measures.analysis.control import ControlChartResult
from measures.analysis.counts import c_chart, u_chart
from measures.analysis.laney import p_prime_chart, u_prime_chart
from measures.analysis.rare_events import g_chart, t_chart
from measures.analysis.run_chart import RunChartResult, run_chart
from measures.analysis.spc import PChartResult, XmRResult, p_chart, xmr_chart

ChartResult = RunChartResult | XmRResult | PChartResult | ControlChartResult
ChartKind = Literal["run", "xmr", "p", "p_prime", "c", "u", "u_prime", "g", "t"]
# Charts of one series, and charts of a series over a second one (denominators or exposures).
SINGLE_CHARTS: dict[str, Any] = {"run": run_chart, "xmr": xmr_chart, "c": c_chart, "g": g_chart, "t": t_chart}
PAIRED_CHARTS: dict[str, Any] = {"p": p_chart, "p_prime": p_prime_chart, "u": u_chart, "u_prime": u_prime_chart}


@dataclass(frozen=True, slots=True)
class PhaseResult:
    """One phase: positions offset … stop − 1 of the full list, and its chart.

    Every index in `result` (shifts, trends, outside, signals, last_index) is a position in
    the full list. Per-point lists (point_labels, limits, moving ranges) cover this phase
    only, so concatenating them over the phases gives one entry per position.
    """

    offset: int
    stop: int
    result: ChartResult


def chart_by_phase(
    values: Sequence[float | None],
    phase_starts: Sequence[int],
    chart: ChartKind = "run",
    baseline: int | Sequence[int | None] | None = None,
    *,
    denominators: Sequence[float | None] | None = None,
    **options: Any,
) -> list[PhaseResult]:
    """Chart `values` phase by phase, every rule applying within a phase only.

    `phase_starts` are the positions where later phases begin (a leading 0 is allowed), in
    increasing order. `baseline` counts positions from the start of each phase: one number
    for every phase, or one entry per phase (None = the whole phase). For the P, P′, U and U′
    charts `values` are the numerators (counts) and `denominators` (exposures) are required.
    Other keyword options go to the chart function (`screen_outliers`, `better`, `target`).
    """
    values = as_list(values)
    length = len(values)
    starts = list(phase_starts)
    if starts and starts[0] == 0:
        starts = starts[1:]
    if any(not 0 < start < length for start in starts) or starts != sorted(set(starts)):
        raise ValueError(f"phase starts must increase strictly within 1…{length - 1}: {starts}")
    bounds = list(zip([0, *starts], [*starts, length], strict=True))
    if baseline is None or isinstance(baseline, int):
        baselines = [baseline] * len(bounds)
    else:
        baselines = list(baseline)
        if len(baselines) != len(bounds):
            raise ValueError(f"{len(bounds)} phases but {len(baselines)} baselines")
    if chart in PAIRED_CHARTS:
        if denominators is None:
            raise ValueError(f"a {chart} chart needs denominators")
        denominators = as_list(denominators)
    elif chart not in SINGLE_CHARTS:
        raise ValueError(f"chart must be one of {', '.join(sorted({*SINGLE_CHARTS, *PAIRED_CHARTS}))}, not {chart!r}")

    phases = []
    for (offset, stop), phase_baseline in zip(bounds, baselines, strict=True):
        part = values[offset:stop]
        result: ChartResult
        if chart in PAIRED_CHARTS:
            result = PAIRED_CHARTS[chart](part, denominators[offset:stop], phase_baseline, **options)
        else:
            result = SINGLE_CHARTS[chart](part, phase_baseline, **options)
        phases.append(PhaseResult(offset, stop, _moved(result, offset)))
    return phases


def _moved(result: ChartResult, offset: int) -> ChartResult:
    """The same result with every index it reports moved on by `offset`."""
    if not offset:
        return result
    changes: dict[str, Any] = {
        "signals": [_moved_signal(signal, offset) for signal in result.signals],
        "last_index": None if result.last_index is None else result.last_index + offset,
    }
    if isinstance(result, RunChartResult):
        changes["shifts"] = [(start + offset, end + offset) for start, end in result.shifts]
        changes["trends"] = [(start + offset, end + offset) for start, end in result.trends]
    else:
        changes["outside"] = [index + offset for index in result.outside]
    if isinstance(result, ControlChartResult):
        changes["baseline_stop"] = result.baseline_stop + offset
    return dataclasses.replace(result, **changes)


def _moved_signal(signal: Signal, offset: int) -> Signal:
    return dataclasses.replace(
        signal,
        start=signal.start + offset,
        end=signal.end + offset,
        points=tuple(index + offset for index in signal.points),
    )
