"""The analysis engine against a plain implementation of the same rules, side by side.

Run from the repository root: `.venv/bin/python bench/analysis.py [--series N] [--points N]`.

For every chart function (run, XmR, P, C, U, P′, U′, G, T), `kaplan_meier`, `logrank` and
`funnel`, the engine is timed against a straightforward pure-Python implementation of the same
rules of DESIGN.md §4–§4d (loops over lists, no numpy, nothing cached between calls), written
here from the rules alone. First both are run on every series and their results compared — the
benchmark refuses to time an engine whose answers differ. Then every input is timed with the
engine and the plain version back to back, the order alternating, several times over; the best
time of each input is kept, so that noise from the machine (other work, preemption) falls on
both alike and then drops out. The ratio is how many times faster the engine is.

Sizes: typical series of 24 and 60 points (a measure's two to five years of months) and a long
one of 500 points. The series are lists, as views and tasks pass them.

With `--before REVISION` the engine as it was at that git revision is timed too: after the usual
columns, a second run times the old engine, this one and the plain version side by side (the
same method, three back to back), so a before/after table shares the machine's noise.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import io
import math
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measures import analysis  # noqa: E402

CHART_RATIO_TARGET = 3.0  # the engine should be at least this many times the plain version
KM_CHILDREN = 10_000
KM_TARGET_MS = 50.0
PRECEDENCE = {"beyond_limit": 0, "trend": 1, "two_of_three": 2, "shift": 3}


# Plain implementations, from the rules (exact sums with math.fsum, as the rules mean) ---------


def plain_run_chart(values: list, baseline: int | None = None) -> dict:
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    base = sorted(v for i, v in present if baseline is None or i < baseline)
    median = statistics.median(base)

    # Shifts: 6 or more on one side; points on the median neither add nor break.
    shifts, run, side = [], [], 0
    for i, v in present:
        if v == median:
            continue
        s = 1 if v > median else -1
        if s == side:
            run.append(i)
        else:
            if len(run) >= 6:
                shifts.append((run[0], run[-1]))
            run, side = [i], s
    if len(run) >= 6:
        shifts.append((run[0], run[-1]))

    sides = [1 if v > median else -1 for _, v in present if v != median]
    useful = len(sides)
    crossings = sum(1 for a, b in zip(sides, sides[1:], strict=False) if a != b)
    runs = crossings + 1 if useful else 0
    longest = length = 0
    for k, s in enumerate(sides):
        length = length + 1 if k and s == sides[k - 1] else 1
        longest = max(longest, length)

    # Trends: 5 or more counted points rising (or falling); equal to the one before: skipped.
    # Each counted point stands for its plateau: the first and last index of equal values.
    plateaus: list[list] = []
    for i, v in present:
        if plateaus and v == plateaus[-1][2]:
            plateaus[-1][1] = i
        else:
            plateaus.append([i, i, v])
    trends = []
    start = 0
    for k in range(1, len(plateaus) + 1):
        ends = k == len(plateaus)
        if not ends and k >= 2:
            before = plateaus[k - 1][2] > plateaus[k - 2][2]
            now = plateaus[k][2] > plateaus[k - 1][2]
            ends = before != now
        elif not ends:
            continue
        if ends:
            if k - start >= 5:
                trends.append((plateaus[start][1], plateaus[k - 1][0]))
            start = k - 1

    longest_max = crossings_min = None
    too_few = too_many = None
    if useful:
        longest_max = round(math.log2(useful) + 3)
        cumulative, crossings_min = 0, useful - 1
        for k in range(useful):
            cumulative += math.comb(useful - 1, k)
            if cumulative * 20 >= 2 ** (useful - 1):
                crossings_min = k
                break
    if useful >= 10:
        above, below = useful // 2, useful - useful // 2
        total = math.comb(useful, above)
        counts = [0] * (useful + 2)
        for k in range(1, min(above, below) + 1):
            counts[2 * k] = 2 * math.comb(above - 1, k - 1) * math.comb(below - 1, k - 1)
            if 2 * k + 1 <= useful:
                counts[2 * k + 1] = math.comb(above - 1, k) * math.comb(below - 1, k - 1) + math.comb(
                    above - 1, k - 1
                ) * math.comb(below - 1, k)
        too_few = sum(counts[: runs + 1]) * 40 <= total
        too_many = sum(counts[runs:]) * 40 <= total
    return {
        "centre": float(median),
        "shifts": shifts,
        "trends": trends,
        "useful": useful,
        "runs": runs,
        "crossings": crossings,
        "longest_run": longest,
        "longest_run_signal": useful > 0 and longest > longest_max,
        "crossings_signal": useful > 0 and crossings < crossings_min,
        "too_few_runs": too_few,
        "too_many_runs": too_many,
    }


def plain_rules(ys: list, centre: list, lines: list | None, two_of_three: bool = True) -> list:
    """The four Making Data Count rules: one label per present point (or None), by precedence."""
    count = len(ys)
    labels: list = [None] * count

    def label(k: int, kind: str) -> None:
        if labels[k] is None or PRECEDENCE[kind] < PRECEDENCE[labels[k]]:
            labels[k] = kind

    # Shift: 7 or more on one side of the centre; a point on the centre breaks the run.
    k = 0
    while k < count:
        side = (ys[k] > centre[k]) - (ys[k] < centre[k])
        end = k
        while side and end + 1 < count and (ys[end + 1] > centre[end + 1]) - (ys[end + 1] < centre[end + 1]) == side:
            end += 1
        if side and end - k + 1 >= 7:
            for j in range(k, end + 1):
                label(j, "shift")
        k = end + 1
    # Trend: 7 or more points each strictly above (below) the one before; a tie breaks it.
    k = 0
    while k < count - 1:
        way = (ys[k + 1] > ys[k]) - (ys[k + 1] < ys[k])
        end = k + 1
        while way and end + 1 < count and (ys[end + 1] > ys[end]) - (ys[end + 1] < ys[end]) == way:
            end += 1
        if way and end - k + 1 >= 7:
            for j in range(k, end + 1):
                label(j, "trend")
        k = end if way else k + 1
    if lines is not None:
        upper, lower, upper2, lower2 = lines
        for k in range(count):
            if ys[k] > upper[k] or ys[k] < lower[k]:
                label(k, "beyond_limit")
        if two_of_three:
            for side in (1, -1):
                near = [
                    (ys[k] > upper2[k] if side > 0 else ys[k] < lower2[k]) and lower[k] <= ys[k] <= upper[k]
                    for k in range(count)
                ]
                for k in range(count - 2):
                    if near[k] + near[k + 1] + near[k + 2] >= 2:
                        for j in (k, k + 1, k + 2):
                            if near[j]:
                                label(j, "two_of_three")
                if count == 2 and near[0] and near[1]:
                    label(0, "two_of_three")
                    label(1, "two_of_three")
    return labels


def _spread_labels(values: list, present: list[int], labels: list) -> list:
    out: list = [None] * len(values)
    for i, value in zip(present, labels, strict=True):
        out[i] = value
    return out


def plain_xmr(values: list, baseline: int | None = None) -> dict:
    present = [i for i, v in enumerate(values) if v is not None]
    ys = [values[i] for i in present]
    base = [values[i] for i in present if baseline is None or i < baseline]
    mean = math.fsum(base) / len(base)
    ranges = [abs(base[k] - base[k - 1]) for k in range(1, len(base))]
    mr = math.fsum(ranges) / len(ranges)
    width = 2.66 * mr
    n = len(ys)
    lines = ([mean + width] * n, [mean - width] * n, [mean + width * 2 / 3] * n, [mean - width * 2 / 3] * n)
    labels = plain_rules(ys, [mean] * n, lines)
    return {"centre": mean, "ucl": mean + width, "lcl": mean - width, "labels": _spread_labels(values, present, labels)}


def plain_p(numerators: list, denominators: list) -> dict:
    present = [i for i, d in enumerate(denominators) if d]
    p = math.fsum(numerators[i] for i in present) / math.fsum(denominators[i] for i in present)
    ys = [numerators[i] / denominators[i] for i in present]
    sigmas = [math.sqrt(p * (1 - p) / denominators[i]) for i in present]
    lines = (
        [min(1.0, p + 3 * s) for s in sigmas],
        [max(0.0, p - 3 * s) for s in sigmas],
        [min(1.0, p + 2 * s) for s in sigmas],
        [max(0.0, p - 2 * s) for s in sigmas],
    )
    labels = plain_rules(ys, [p] * len(ys), lines)
    return {"centre": p, "ucl": lines[0], "labels": _spread_labels(numerators, present, labels)}


def plain_c(counts: list) -> dict:
    mean = math.fsum(counts) / len(counts)
    s = math.sqrt(mean)
    n = len(counts)
    lines = ([mean + 3 * s] * n, [max(0.0, mean - 3 * s)] * n, [mean + 2 * s] * n, [max(0.0, mean - 2 * s)] * n)
    return {"centre": mean, "ucl": mean + 3 * s, "labels": plain_rules([float(c) for c in counts], [mean] * n, lines)}


def plain_u(counts: list, exposures: list) -> dict:
    u = math.fsum(counts) / math.fsum(exposures)
    ys = [c / e for c, e in zip(counts, exposures, strict=True)]
    sigmas = [math.sqrt(u / e) for e in exposures]
    lines = (
        [u + 3 * s for s in sigmas],
        [max(0.0, u - 3 * s) for s in sigmas],
        [u + 2 * s for s in sigmas],
        [max(0.0, u - 2 * s) for s in sigmas],
    )
    return {"centre": u, "ucl": lines[0], "labels": plain_rules(ys, [u] * len(ys), lines)}


def _plain_laney(ys: list, centre: float, sigmas: list, top: float) -> dict:
    z = [(y - centre) / s if s > 0 else 0.0 for y, s in zip(ys, sigmas, strict=True)]
    ranges = [abs(z[k] - z[k - 1]) for k in range(1, len(z))]
    sigma_z = math.fsum(ranges) / len(ranges) / 1.128
    widths = [sigma_z * s for s in sigmas]
    lines = (
        [min(top, centre + 3 * w) for w in widths],
        [max(0.0, centre - 3 * w) for w in widths],
        [min(top, centre + 2 * w) for w in widths],
        [max(0.0, centre - 2 * w) for w in widths],
    )
    return {"centre": centre, "ucl": lines[0], "labels": plain_rules(ys, [centre] * len(ys), lines)}


def plain_p_prime(numerators: list, denominators: list) -> dict:
    p = math.fsum(numerators) / math.fsum(denominators)
    ys = [x / n for x, n in zip(numerators, denominators, strict=True)]
    return _plain_laney(ys, p, [math.sqrt(p * (1 - p) / n) for n in denominators], 1.0)


def plain_u_prime(counts: list, exposures: list) -> dict:
    u = math.fsum(counts) / math.fsum(exposures)
    ys = [c / e for c, e in zip(counts, exposures, strict=True)]
    return _plain_laney(ys, u, [math.sqrt(u / e) for e in exposures], math.inf)


def plain_g(values: list) -> dict:
    mean = math.fsum(values) / len(values)
    median = statistics.median(values)
    n = len(values)
    ucl = mean + 3 * math.sqrt(mean * (mean + 1))
    labels = plain_rules([float(v) for v in values], [median] * n, ([ucl] * n, [0.0] * n, None, None), False)
    return {"centre": float(median), "ucl": ucl, "labels": labels}


def plain_t(values: list) -> dict:
    ys = [v ** (1 / 3.6) for v in values]
    mean = math.fsum(ys) / len(ys)
    ranges = [abs(ys[k] - ys[k - 1]) for k in range(1, len(ys))]
    width = 2.66 * math.fsum(ranges) / len(ranges)
    n = len(ys)
    lines = (
        [mean + width] * n,
        [max(0.0, mean - width)] * n,
        [mean + width * 2 / 3] * n,
        [max(0.0, mean - width * 2 / 3)] * n,
    )
    return {"centre": mean**3.6, "ucl": (mean + width) ** 3.6, "labels": plain_rules(ys, [mean] * n, lines)}


def plain_kaplan_meier(durations: list, observed: list) -> dict:
    children = sorted(zip(durations, observed, strict=True))
    at_risk = len(children)
    survival, variance = 1.0, 0.0
    times, risks, surv, lower, upper = [], [], [], [], []
    k = 0
    while k < len(children):
        time_now = children[k][0]
        deaths = total = 0
        while k < len(children) and children[k][0] == time_now:
            deaths += children[k][1]
            total += 1
            k += 1
        if deaths:
            survival *= 1 - deaths / at_risk
            if at_risk > deaths:
                variance += deaths / (at_risk * (at_risk - deaths))
            times.append(time_now)
            risks.append(at_risk)
            surv.append(survival)
            if 0 < survival < 1 and at_risk > deaths:
                shift = 1.959963984540054 * math.sqrt(variance) / math.log(survival)
                log_log = math.log(-math.log(survival))
                upper.append(math.exp(-math.exp(log_log + shift)))
                lower.append(math.exp(-math.exp(log_log - shift)))
            else:
                upper.append(None)
                lower.append(None)
        at_risk -= total
    median = next((t for t, s in zip(times, surv, strict=True) if s <= 0.5 + 1e-9), None)
    return {"times": times, "at_risk": risks, "survival": surv, "lower": lower, "upper": upper, "median": median}


def plain_logrank(a: list, ea: list, b: list, eb: list) -> dict:
    children = sorted([(t, e, 0) for t, e in zip(a, ea, strict=True)] + [(t, e, 1) for t, e in zip(b, eb, strict=True)])
    n_a, n_b = len(a), len(b)
    observed_a = expected_a = variance = 0.0
    k = 0
    while k < len(children):
        time_now = children[k][0]
        d_a = d_b = gone_a = gone_b = 0
        while k < len(children) and children[k][0] == time_now:
            _, event, group = children[k]
            if group == 0:
                d_a += event
                gone_a += 1
            else:
                d_b += event
                gone_b += 1
            k += 1
        n, d = n_a + n_b, d_a + d_b
        if d:
            observed_a += d_a
            expected_a += d * n_a / n
            if n > 1:
                variance += d * (n_a / n) * (n_b / n) * (n - d) / (n - 1)
        n_a -= gone_a
        n_b -= gone_b
    chi2 = (observed_a - expected_a) ** 2 / variance
    return {"chi2": chi2, "p": math.erfc(math.sqrt(chi2 / 2))}


def plain_funnel(numerators: list, denominators: list) -> dict:
    p = math.fsum(numerators) / math.fsum(denominators)
    z = [(x / n - p) / math.sqrt(p * (1 - p) / n) for x, n in zip(numerators, denominators, strict=True)]
    ordered = sorted(z)

    def percentile(q: float) -> float:
        position = (len(ordered) - 1) * q
        below = int(position)
        above = min(below + 1, len(ordered) - 1)
        return ordered[below] + (position - below) * (ordered[above] - ordered[below])

    low, high = percentile(0.1), percentile(0.9)
    phi = math.fsum(min(max(v, low), high) ** 2 for v in z) / len(z)
    inflation = math.sqrt(phi) if phi > 1 else 1.0
    outside = []
    for k, (x, n) in enumerate(zip(numerators, denominators, strict=True)):
        sigma = math.sqrt(p * (1 - p) / n) * inflation
        if x / n > min(1.0, p + 1.96 * sigma) or x / n < max(0.0, p - 1.96 * sigma):
            outside.append(k)
    return {"centre": p, "phi": phi, "outside95": outside}


# Data ------------------------------------------------------------------------------------------


def make_series(count: int, points: int, seed: int = 20240601) -> list[list[float]]:
    """Random series with a little structure: noise, a step half the time, a drift sometimes."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(50.0, 5.0, size=(count, points))
    steps = rng.integers(0, 2, size=(count, 1)) * rng.normal(0.0, 6.0, size=(count, 1))
    step_mask = np.arange(points) >= points // 2
    drift = rng.normal(0.0, 0.1, size=(count, 1)) * np.arange(points)
    return (noise + steps * step_mask + drift).round(1).tolist()


def make_counts(count: int, points: int, seed: int = 7) -> tuple[list, list, list]:
    rng = np.random.default_rng(seed)
    exposures = rng.integers(400, 900, size=(count, points))
    rates = rng.normal(0.6, 0.03, size=(count, 1)) + rng.normal(0, 0.02, size=(count, points))
    numerators = np.clip((rates * exposures).round(), 0, exposures)
    events = rng.poisson(8, size=(count, points))
    return numerators.astype(int).tolist(), exposures.tolist(), events.tolist()


# Checks and timing -------------------------------------------------------------------------------


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _engine_view(name: str, result: object) -> dict:
    if name == "run_chart":
        keys = ("centre", "shifts", "trends", "useful", "runs", "crossings", "longest_run")
        view = {key: getattr(result, key) for key in keys}
        view |= {key: getattr(result, key) for key in ("longest_run_signal", "crossings_signal")}
        return view | {"too_few_runs": result.too_few_runs, "too_many_runs": result.too_many_runs}
    if name == "kaplan_meier":
        return {
            "times": result.times,
            "at_risk": result.at_risk,
            "survival": result.survival,
            "lower": result.ci_lower,
            "upper": result.ci_upper,
            "median": result.median,
        }
    if name == "logrank":
        return {"chi2": result.chi2, "p": result.p}
    if name == "funnel":
        return {"centre": result.centre, "phi": result.phi, "outside95": result.outside95}
    return {"centre": result.centre, "ucl": result.ucl, "lcl": result.lcl, "labels": result.point_labels}


def check(name: str, engine: Callable, plain: Callable, inputs: list) -> None:
    """Refuse to time an engine whose results differ from the plain implementation's."""
    for number, arguments in enumerate(inputs):
        mine, theirs = _engine_view(name, engine(*arguments)), plain(*arguments)
        for key, value in theirs.items():
            if not _close(mine[key], value):
                raise SystemExit(f"{name}: input {number}: {key} differs: engine {mine[key]!r}, plain {value!r}")


def time_side_by_side(engine: Callable, plain: Callable, inputs: list, blocks: int) -> tuple[float, float]:
    """Seconds per call for each: every input timed on its own, engine and plain back to back
    (which goes first alternating), `blocks` times over; the best time of each input is kept
    and the bests are averaged. Noise from other work on the machine lands on single calls,
    so the best of several is the call's own cost, and both sides get the same chances."""
    clock = time.perf_counter
    count = len(inputs)
    best_engine, best_plain = [math.inf] * count, [math.inf] * count
    for block in range(blocks):
        for k, arguments in enumerate(inputs):
            for which in (0, 1) if (block + k) % 2 == 0 else (1, 0):
                function = plain if which else engine
                started = clock()
                function(*arguments)
                elapsed = clock() - started
                if which:
                    best_plain[k] = min(best_plain[k], elapsed)
                else:
                    best_engine[k] = min(best_engine[k], elapsed)
    return math.fsum(best_engine) / count, math.fsum(best_plain) / count


def time_three(before: Callable, engine: Callable, plain: Callable, inputs: list, blocks: int) -> list[float]:
    """`time_side_by_side` for three (with --before): each input timed with all three back
    to back, the order reversed every other time, the best of `blocks` kept and averaged."""
    clock = time.perf_counter
    functions = (before, engine, plain)
    best = [[math.inf] * len(inputs) for _ in functions]
    for block in range(blocks):
        for k, arguments in enumerate(inputs):
            for which in (0, 1, 2) if (block + k) % 2 == 0 else (2, 1, 0):
                started = clock()
                functions[which](*arguments)
                elapsed = clock() - started
                best[which][k] = min(best[which][k], elapsed)
    return [math.fsum(times) / len(inputs) for times in best]


def chart_cases(count: int, points: int, engine: object = None) -> list[tuple[str, Callable, Callable, list]]:
    """Every chart function on `count` random series of `points` points, with its plain twin
    (`engine`: the package whose functions are timed; None for this checkout's)."""
    engine = engine or analysis
    run_chart, xmr_chart, p_chart, c_chart, u_chart = (
        engine.run_chart,
        engine.xmr_chart,
        engine.p_chart,
        engine.c_chart,
        engine.u_chart,
    )
    p_prime_chart, u_prime_chart, g_chart, t_chart = (
        engine.p_prime_chart,
        engine.u_prime_chart,
        engine.g_chart,
        engine.t_chart,
    )
    series = make_series(count, points)
    positive = [[abs(v) for v in values] for values in series]
    numerators, denominators, events = make_counts(count, points)
    baseline = min(20, points // 2)
    return [
        ("run_chart", run_chart, plain_run_chart, [(values,) for values in series]),
        (
            f"run_chart (baseline {baseline})",
            lambda v: run_chart(v, baseline),
            lambda v: plain_run_chart(v, baseline),
            [(v,) for v in series],
        ),
        ("xmr_chart", xmr_chart, plain_xmr, [(values,) for values in series]),
        ("p_chart", p_chart, plain_p, list(zip(numerators, denominators, strict=True))),
        ("c_chart", c_chart, plain_c, [(values,) for values in events]),
        ("u_chart", u_chart, plain_u, list(zip(events, denominators, strict=True))),
        ("p_prime_chart", p_prime_chart, plain_p_prime, list(zip(numerators, denominators, strict=True))),
        ("u_prime_chart", u_prime_chart, plain_u_prime, list(zip(events, denominators, strict=True))),
        ("g_chart", g_chart, plain_g, [(values,) for values in positive]),
        ("t_chart", t_chart, plain_t, [(values,) for values in positive]),
    ]


def other_cases(count: int, engine: object = None) -> list[tuple[str, Callable, Callable, list]]:
    engine = engine or analysis
    kaplan_meier, logrank, funnel = engine.kaplan_meier, engine.logrank, engine.funnel
    numerators, denominators, _ = make_counts(count, 32)
    rng = np.random.default_rng(11)
    cohorts = []
    for _ in range(max(count // 10, 20)):
        a = rng.integers(0, 400, 40).tolist()
        b = rng.integers(0, 400, 40).tolist()
        cohorts.append((a, (rng.random(40) < 0.7).astype(int).tolist(), b, (rng.random(40) < 0.7).astype(int).tolist()))
    authorities = [
        ([min(x // 10, d // 10) for x, d in zip(row, drow, strict=True)], [d // 10 for d in drow])
        for row, drow in zip(numerators, denominators, strict=True)
    ]
    return [
        ("kaplan_meier (40)", kaplan_meier, plain_kaplan_meier, [(a, ea) for a, ea, _, _ in cohorts]),
        ("logrank (40 + 40)", logrank, plain_logrank, cohorts),
        ("funnel (32 authorities)", lambda x, n: funnel(x, n, True), plain_funnel, authorities),
    ]


def run_cases(cases: list, blocks: int, shortfalls: list[str], label: str, before: list | None = None) -> None:
    """Time each case against its plain twin; with `before` (the same cases on another
    engine), time that one against the plain twin too, in a run of its own, same method."""
    for number, (name, engine, plain, inputs) in enumerate(cases):
        check(name.split(" ")[0], engine, plain, inputs)
        engine_time, plain_time = time_side_by_side(engine, plain, inputs, blocks)
        ratio = plain_time / engine_time
        line = f"{name:<26} {engine_time * 1e6:>10.1f} {plain_time * 1e6:>10.1f} {ratio:>6.1f}×"
        if before is not None:
            _, old_engine, _, _ = before[number]
            check(name.split(" ")[0], old_engine, plain, inputs)
            old_time, new_time, old_plain_time = time_three(old_engine, engine, plain, inputs, blocks)
            line += (
                f" {old_time * 1e6:>10.1f} {new_time * 1e6:>10.1f} {old_plain_time * 1e6:>10.1f}"
                f" {old_plain_time / old_time:>6.1f}× {old_plain_time / new_time:>6.1f}×"
            )
        print(line)
        if name.split(" ")[0].endswith("_chart") and ratio < CHART_RATIO_TARGET:
            shortfalls.append(f"{name} at {label}")


def engine_at(revision: str) -> object:
    """The analysis package as it was at `revision` (git archive into a temporary folder,
    imported under another name), to be timed beside this checkout's."""
    folder = Path(tempfile.mkdtemp(prefix="analysis-before-"))
    atexit.register(shutil.rmtree, folder, True)
    archive = subprocess.run(
        ["git", "archive", revision, "measures/analysis"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    package = folder / "analysis_before"
    (folder / "measures" / "analysis").rename(package)
    for module in package.glob("*.py"):
        module.write_text(module.read_text().replace("measures.analysis", "analysis_before"))
    sys.path.insert(0, str(folder))
    return importlib.import_module("analysis_before")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000, help="random series per chart function and size")
    parser.add_argument("--points", type=int, nargs="+", default=[24, 60], help="typical series lengths")
    parser.add_argument("--long", type=int, default=500, help="a long series (0: none), on 1/20 as many series")
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument(
        "--before", metavar="REVISION", help="also time the engine at this git revision (before/after columns)"
    )
    arguments = parser.parse_args()
    before = engine_at(arguments.before) if arguments.before else None
    header = f"{'function':<26} {'engine µs':>10} {'plain µs':>10} {'ratio':>7}"
    if before is not None:
        # The before/after columns come from a second run of their own, all three side by side.
        header += f" {'before µs':>10} {'after µs':>10} {'plain µs':>10} {'before':>7} {'after':>7}"
    count = arguments.series
    sizes = [(count, points) for points in arguments.points]
    if arguments.long:
        sizes.append((max(count // 20, 10), arguments.long))

    python = sys.version.split()[0]
    print(f"Python {python}, numpy {np.__version__}; best of {arguments.blocks} alternating runs of each input")
    shortfalls: list[str] = []
    for series_count, points in sizes:
        print(f"\n{series_count:,} series of {points} points")
        print(header)
        old_cases = chart_cases(series_count, points, before) if before is not None else None
        run_cases(chart_cases(series_count, points), arguments.blocks, shortfalls, f"{points} points", old_cases)
    print("\nsurvival and funnels")
    print(header)
    run_cases(other_cases(count), arguments.blocks, shortfalls, "", other_cases(count, before) if before else None)

    rng = np.random.default_rng(3)
    durations = rng.integers(0, 900, KM_CHILDREN).tolist()
    observed = (rng.random(KM_CHILDREN) < 0.7).astype(int).tolist()
    kaplan_meier = analysis.kaplan_meier
    check("kaplan_meier", kaplan_meier, plain_kaplan_meier, [(durations, observed)])
    engine_time, plain_time = time_side_by_side(kaplan_meier, plain_kaplan_meier, [(durations, observed)], 7)
    line = (
        f"{f'kaplan_meier ({KM_CHILDREN:,})':<26} {engine_time * 1e3:>9.2f}ms {plain_time * 1e3:>9.2f}ms "
        f"{plain_time / engine_time:>6.1f}×"
    )
    if before is not None:
        old_time, new_time, old_plain_time = time_three(
            before.kaplan_meier, kaplan_meier, plain_kaplan_meier, [(durations, observed)], 7
        )
        line += (
            f" {old_time * 1e3:>9.2f}ms {new_time * 1e3:>9.2f}ms {old_plain_time * 1e3:>9.2f}ms"
            f" {old_plain_time / old_time:>6.1f}× {old_plain_time / new_time:>6.1f}×"
        )
    print(line)
    print()
    verdict = "every chart function meets" if not shortfalls else f"{'; '.join(shortfalls)} miss"
    print(f"{verdict} the target of {CHART_RATIO_TARGET:.0f}× a plain implementation")
    km = "meets" if engine_time * 1e3 < KM_TARGET_MS else "misses"
    print(f"kaplan_meier on {KM_CHILDREN:,} children {km} the target of {KM_TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
