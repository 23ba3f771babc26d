"""Where a chart call's time goes, against the plain implementation of bench/analysis.py.

Run from the repository root: `.venv/bin/python bench/analysis_floor.py [--series N]`.

For the XmR, C, G and P charts at 24 and 60 points, in one run (every input timed with each
contender back to back, the order reversed every other time, the best of 7 kept, as
bench/analysis.py does), it prints:
- engine: the chart function; plain: its plain twin; budget: a third of plain (3×);
- rules: the special-cause rules alone on the chart's own centre and lines, Signal records
  included (building the numpy array too, where the engine builds one);
- pass: one comparison pass over the points (`bytes([y > centre for y in ys])`), the least
  any exact rule costs;
- rest: engine − rules, everything else the engine must do (checks, sums, limits, the
  per-position lists, labels, icons, the record).
When rules alone, or rules plus rest, exceed the budget, 3× is out of reach without changing
what the chart returns.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import analysis as bench  # noqa: E402

from measures.analysis import rules, spc  # noqa: E402


def best_of(functions: list[Callable], inputs: list, blocks: int) -> list[float]:
    """Seconds per call for each function, timed side by side as bench/analysis.py does."""
    clock = time.perf_counter
    best = [[math.inf] * len(inputs) for _ in functions]
    order = list(range(len(functions)))
    for block in range(blocks):
        for k, arguments in enumerate(inputs):
            for which in order if (block + k) % 2 == 0 else order[::-1]:
                started = clock()
                functions[which](*arguments)
                elapsed = clock() - started
                best[which][k] = min(best[which][k], elapsed)
    return [math.fsum(times) / len(inputs) for times in best]


def rule_inputs(name: str, arguments: tuple, result: object) -> tuple:
    """What the engine hands its rules for this chart: positions, values, centre, lines."""
    short = len(arguments[0]) <= rules.SHORT_SERIES
    two_of_three = True
    if name == "xmr_chart":
        ys = arguments[0]
        lines: tuple = (result.ucl, result.lcl, result.sigma2_upper, result.sigma2_lower)
    elif name == "c_chart":
        ys = list(map(float, arguments[0]))
        lines = (result.ucl, result.lcl, result.sigma2_upper, result.sigma2_lower)
    elif name == "g_chart":
        ys = list(map(float, arguments[0]))
        lines = (result.ucl, 0.0, result.ucl, 0.0)
        two_of_three = False
    else:  # p_chart
        ys = result.proportions
        if short:
            lines = rules.ShortBands((result.ucl, result.lcl, result.sigma2_upper, result.sigma2_lower))
        else:
            sigmas = np.sqrt(result.centre * (1 - result.centre) / np.array(arguments[1], dtype=float))
            lines = rules.bands(result.centre, sigmas, 1.0)
    return list(range(len(ys))), ys, short, result.centre, lines, two_of_three


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--blocks", type=int, default=7)
    arguments = parser.parse_args()
    print(f"best of {arguments.blocks} alternating runs of each input; µs per call")
    print(
        f"{'points':>6} {'function':<10} {'engine':>7} {'plain':>7} {'budget':>7} {'rules':>7} {'pass':>6} {'rest':>7}"
    )
    for points in (24, 60):
        for name, engine, plain, inputs in bench.chart_cases(arguments.series, points):
            if name not in ("xmr_chart", "c_chart", "g_chart", "p_chart"):
                continue
            cases = [(case, rule_inputs(name, case, engine(*case))) for case in inputs]

            def whole(case: tuple, _: tuple, engine: Callable = engine) -> object:
                return engine(*case)

            def twin(case: tuple, _: tuple, plain: Callable = plain) -> object:
                return plain(*case)

            def rules_alone(_: tuple, prepared: tuple) -> object:
                positions, ys, short, centre, lines, two_of_three = prepared
                array = None if short else np.array(ys)
                return spc._causes(positions, False, ys, array, centre, lines, "up", two_of_three=two_of_three)

            def one_pass(_: tuple, prepared: tuple) -> bytes:
                centre = prepared[3]
                return bytes([y > centre for y in prepared[1]])

            engine_time, plain_time, rules_time, pass_time = (
                seconds * 1e6 for seconds in best_of([whole, twin, rules_alone, one_pass], cases, arguments.blocks)
            )
            print(
                f"{points:>6} {name:<10} {engine_time:>7.1f} {plain_time:>7.1f} {plain_time / 3:>7.1f} "
                f"{rules_time:>7.1f} {pass_time:>6.1f} {engine_time - rules_time:>7.1f}"
            )


if __name__ == "__main__":
    main()
