"""Throughput of the analysis engine: series per second for run_chart and xmr_chart.

Run from the repository root: `.venv/bin/python bench/analysis.py [--series N] [--points N]`.
The series are converted to lists before timing, as views and tasks pass lists.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from measures.analysis import run_chart, xmr_chart  # noqa: E402

RUN_CHART_TARGET = 20_000  # series per second


def make_series(count: int, points: int, seed: int = 20240601) -> list[list[float]]:
    """Random series with a little structure: noise, a step half the time, a drift sometimes."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(50.0, 5.0, size=(count, points))
    steps = rng.integers(0, 2, size=(count, 1)) * rng.normal(0.0, 6.0, size=(count, 1))
    step_mask = np.arange(points) >= points // 2
    drift = rng.normal(0.0, 0.1, size=(count, 1)) * np.arange(points)
    return (noise + steps * step_mask + drift).round(1).tolist()


def measure(name: str, chart: Callable[[list[float]], object], series: list[list[float]]) -> float:
    """Best of three timed passes, in series per second."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for values in series:
            chart(values)
        best = min(best, time.perf_counter() - started)
    rate = len(series) / best
    print(f"{name:<24} {rate:>10,.0f} series/s   ({best * 1e6 / len(series):.1f} µs a series)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=60)
    arguments = parser.parse_args()

    series = make_series(arguments.series, arguments.points)
    python = sys.version.split()[0]
    print(f"{arguments.series:,} series of {arguments.points} points, Python {python}")
    run_rate = measure("run_chart", run_chart, series)
    measure("run_chart (baseline 20)", lambda values: run_chart(values, baseline=20), series)
    measure("xmr_chart", xmr_chart, series)
    measure("xmr_chart (screened)", lambda values: xmr_chart(values, screen_outliers=True), series)
    verdict = "meets" if run_rate >= RUN_CHART_TARGET else "misses"
    print(f"run_chart {verdict} the target of {RUN_CHART_TARGET:,} series/s")


if __name__ == "__main__":
    main()
