"""The four Making Data Count rules (DESIGN.md §4) as whole-series scans: the fast path of
`spc.special_causes`, shared by every control chart.

Each rule is a pattern in a row of yes/no answers, one per present point: numpy answers a
comparison for the whole series in one call, `.tobytes()` turns the answers into a byte string
of 0s and 1s, and `bytes.find` (C speed; a regular expression was slower) finds the runs:
- shift: 7 or more points in a row above (below) the centre — seven 1s in "y > centre" (a
  point on the centre is 0 in both rows, so it ends the run);
- trend: 7 or more points each strictly above (below) the one before — six rising steps in a
  row in "y[k] > y[k − 1]" (a tie is 0 in both rows, so it ends the run);
- beyond a limit: each 1 in "y > upper" and in "y < lower";
- two of three beyond the same 2σ line: the points beyond it (and not beyond a limit) whose
  neighbours are at most two apart, merged into chains — a short loop over the few such points.
On a short series this is a handful of calls of a microsecond or so each; the Python loop it
replaces cost that every few points. Comparisons are IEEE comparisons of float64, exactly
Python's for floats and for integers up to 2⁵²; anything else (Decimals, huge integers, NaN,
infinities) is left to the loop in `spc`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from itertools import repeat
from operator import gt, lt, truediv
from typing import NamedTuple

import numpy as np

from measures.analysis.common import Better, Direction, Signal, SignalKind, improvement_for, make_signal

SHIFT_POINTS = 7
TREND_POINTS = 7
EXACT_SQUARES = 2.0**104  # a sum of squares up to this: every value at most 2⁵², exact as a float

_SHIFT_SEED = b"\x01" * SHIFT_POINTS
_TREND_SEED = b"\x01" * (TREND_POINTS - 1)

Line = float | np.ndarray
Found = list[tuple[SignalKind, "range | list[int]", Direction]]


def _float_array(values: list) -> np.ndarray | None:
    """`values` as float64 (ints converted), or None for anything numpy would hold otherwise."""
    try:
        array = np.array(values)
    except (TypeError, ValueError, OverflowError):
        return None
    if array.ndim != 1 or array.dtype.itemsize != 8:
        return None
    kind = array.dtype.kind
    if kind == "i":
        return array.astype(np.float64)
    return array if kind == "f" else None


def _fits(array: np.ndarray) -> bool:
    """Every value is finite and at most 2⁵² in size (so an int among them became its float
    exactly): one dot product answers, and is NaN when a value is NaN."""
    return float(array.dot(array)) <= EXACT_SQUARES


def exact_array(values: list) -> np.ndarray | None:
    """`values` as a float64 array that numpy compares exactly as Python compares the values,
    or None when it cannot (Decimals, booleans, NaN, infinities, integers beyond 2⁵²)."""
    array = _float_array(values)
    return array if array is not None and _fits(array) else None


def present_points(values: list) -> tuple[bool, list[int], list, np.ndarray | None]:
    """(any point missing?, positions of the present points, their values, the values as an
    exact array or None). Without missing points the values are the list itself. A short
    series is left as lists (no array)."""
    if len(values) <= SHORT_SERIES:
        if all_present(values):
            return False, list(range(len(values))), values, None
        present = [i for i, value in enumerate(values) if value is not None and value == value]
        gaps = len(present) != len(values)
        return gaps, present, [values[i] for i in present] if gaps else values, None
    array = _float_array(values)
    if array is not None and _fits(array):
        return False, list(range(len(values))), values, array
    # NaN is the one value not equal to itself; pandas uses it for missing data.
    present = [i for i, value in enumerate(values) if value is not None and value == value]
    ys = [values[i] for i in present] if len(present) != len(values) else values
    return len(present) != len(values), present, ys, exact_array(ys)


def _runs(found: Found, row: bytes, seed: bytes, kind: SignalKind, way: Direction, extra: int) -> None:
    """Every run of 1s at least as long as `seed` (str.find runs at C speed, regex does not)."""
    start = row.find(seed)
    while start >= 0:
        end = row.find(0, start)
        if end < 0:
            end = len(row)
        found.append((kind, range(start, end + extra), way))
        start = row.find(seed, end)


def _ones(row: bytes, byte: int = 1) -> list[int]:
    """Positions of `byte` in `row`."""
    ones = []
    k = row.find(byte)
    while k >= 0:
        ones.append(k)
        k = row.find(byte, k + 1)
    return ones


def _chains(found: Found, ones: list[int], way: Direction) -> None:
    """Two of three: the points beyond 2σ with at most one point between neighbours, merged."""
    if len(ones) < 2:
        return
    chain: list[int] = []
    for k in ones:
        if chain and k - chain[-1] > 2:
            if len(chain) >= 2:
                found.append(("two_of_three", chain, way))
            chain = []
        chain.append(k)
    if len(chain) >= 2:
        found.append(("two_of_three", chain, way))


def find(
    array: np.ndarray,
    centre: float,
    lines: tuple[Line, Line, Line, Line] | None,
    *,
    two_of_three: bool = True,
) -> Found:
    """(kind, point numbers, direction) for every special cause among the points of `array`.

    `lines` are (ucl, lcl, upper 2σ, lower 2σ), each one number or one per point, or None for
    the shift and trend rules only. Point numbers count the present points from 0.
    """
    found: Found = []
    if isinstance(lines, Bands):
        return _find_in_bands(found, array, lines, two_of_three)
    if lines is not None and _scalar_edges(centre, lines):
        return _find_between_edges(found, array, centre, lines, two_of_three)
    _runs(found, (array > centre).tobytes(), _SHIFT_SEED, "shift", "high", 0)
    _runs(found, (array < centre).tobytes(), _SHIFT_SEED, "shift", "low", 0)
    _trends(found, array)
    if lines is None:
        return found

    upper, lower, upper2, lower2 = lines
    beyond_high = _ones((array > upper).tobytes())
    beyond_low = _ones((array < lower).tobytes())
    if beyond_high and beyond_low:
        # Only crossed limits (ucl below lcl) put a point beyond both; "above?" is asked first.
        high = set(beyond_high)
        beyond_low = [k for k in beyond_low if k not in high]
    for k in beyond_high:
        found.append(("beyond_limit", [k], "high"))
    for k in beyond_low:
        found.append(("beyond_limit", [k], "low"))
    if not two_of_three:
        return found
    _two_of_three(found, _ones((array > upper2).tobytes()), _ones((array < lower2).tobytes()), beyond_high, beyond_low)
    return found


def _trends(found: Found, array: np.ndarray) -> None:
    if len(array) >= TREND_POINTS:
        later, earlier = array[1:], array[:-1]
        _runs(found, (later > earlier).tobytes(), _TREND_SEED, "trend", "high", 1)
        _runs(found, (later < earlier).tobytes(), _TREND_SEED, "trend", "low", 1)


def _scalar_edges(centre: float, lines: tuple) -> bool:
    """One number per line, in order lcl ≤ lower 2σ ≤ centre ≤ upper 2σ ≤ ucl (not NaN)."""
    upper, lower, upper2, lower2 = lines
    return isinstance(upper, float) and isinstance(lower, float) and lower <= lower2 <= centre <= upper2 <= upper


# For each point, how many of the five edges (lcl, lower 2σ, centre, upper 2σ, ucl) lie strictly
# below it (`under`: 3 or more is above the centre, 4 beyond the upper 2σ line but not the
# limit, 5 beyond the limit) and how many lie at or below it (`upto`: 2 or fewer is below the
# centre, 1 beyond the lower 2σ line but not the limit, 0 beyond the limit). Two binary searches
# answer all six questions; `bytes.translate` picks one out.
_ABOVE = bytes(int(count >= 3) for count in range(256))
_BELOW = bytes(int(count <= 2) for count in range(256))


def _find_between_edges(found: Found, array: np.ndarray, centre: float, lines: tuple, two_of_three: bool) -> Found:
    upper, lower, upper2, lower2 = lines
    edges = np.array((lower, lower2, centre, upper2, upper))
    under = edges.searchsorted(array, "left").astype(np.uint8).tobytes()
    upto = edges.searchsorted(array, "right").astype(np.uint8).tobytes()
    # Each search is tried inline first: most series have no shift, no trend, nothing beyond.
    above = under.translate(_ABOVE)
    if above.find(_SHIFT_SEED) >= 0:
        _runs(found, above, _SHIFT_SEED, "shift", "high", 0)
    below = upto.translate(_BELOW)
    if below.find(_SHIFT_SEED) >= 0:
        _runs(found, below, _SHIFT_SEED, "shift", "low", 0)
    if len(array) >= TREND_POINTS:
        later, earlier = array[1:], array[:-1]
        rising = (later > earlier).tobytes()
        if rising.find(_TREND_SEED) >= 0:
            _runs(found, rising, _TREND_SEED, "trend", "high", 1)
        falling = (later < earlier).tobytes()
        if falling.find(_TREND_SEED) >= 0:
            _runs(found, falling, _TREND_SEED, "trend", "low", 1)
    if under.find(5) >= 0:
        for k in _ones(under, 5):
            found.append(("beyond_limit", [k], "high"))
    if upto.find(0) >= 0:
        for k in _ones(upto, 0):
            found.append(("beyond_limit", [k], "low"))
    if two_of_three:
        # Between the 2σ line and the limit; with the edges in order no point is on both sides.
        if under.count(4) >= 2:
            _chains(found, _ones(under, 4), "high")
        if upto.count(1) >= 2:
            _chains(found, _ones(upto, 1), "low")
    return found


# Rows of the stacked lines: the centre, the limit, the 2σ line.
_FACTORS = np.array([[0.0], [3.0], [2.0]])


class Bands(tuple):
    """(ucl, lcl, upper 2σ, lower 2σ), one value per point, as a tuple of arrays, kept also as
    two stacked arrays (rows: centre, limit, 2σ line) that `find` compares in one call each."""

    upper: np.ndarray
    lower: np.ndarray

    def __new__(cls, upper: np.ndarray, lower: np.ndarray) -> Bands:
        bands = super().__new__(cls, (upper[1], lower[1], upper[2], lower[2]))
        bands.upper, bands.lower = upper, lower
        return bands


def bands(centre: float, sigma: np.ndarray, top: float | None) -> Bands:
    """centre ± 3σ and centre ± 2σ per point, the upper lines no more than `top` (None: no
    bound) and the lower ones no less than 0: the same sums, in the same order, as
    `min(top, centre + 3 * sigma)` and `max(0.0, centre - 3 * sigma)` point by point.
    Needs 0 ≤ centre ≤ top and a finite σ (no NaN to clip)."""
    widths = _FACTORS * sigma
    upper = centre + widths
    if top is not None:
        np.minimum(upper, top, out=upper)
    lower = centre - widths
    np.maximum(lower, 0.0, out=lower)
    return Bands(upper, lower)


def _find_in_bands(found: Found, array: np.ndarray, lines: Bands, two_of_three: bool) -> Found:
    count = len(array)
    high = (array > lines.upper).tobytes()
    low = (array < lines.lower).tobytes()
    _runs(found, high[:count], _SHIFT_SEED, "shift", "high", 0)
    _runs(found, low[:count], _SHIFT_SEED, "shift", "low", 0)
    _trends(found, array)
    beyond_high = _ones(high[count : 2 * count])
    beyond_low = _ones(low[count : 2 * count])
    for k in beyond_high:
        found.append(("beyond_limit", [k], "high"))
    for k in beyond_low:
        found.append(("beyond_limit", [k], "low"))
    if two_of_three:
        near_high = _ones(high[2 * count :])
        near_low = _ones(low[2 * count :])
        _two_of_three(found, near_high, near_low, beyond_high, beyond_low)
    return found


def _two_of_three(
    found: Found, near_high: list[int], near_low: list[int], beyond_high: list[int], beyond_low: list[int]
) -> None:
    """Chains of points beyond a 2σ line and not beyond a limit. A point beyond the upper 2σ
    line counts on that side only (the rules ask "above?" first)."""
    if near_high and near_low:
        counted = set(near_high)
        near_low = [k for k in near_low if k not in counted]
    if beyond_high or beyond_low:
        beyond = set(beyond_high + beyond_low)
        near_high = [k for k in near_high if k not in beyond]
        near_low = [k for k in near_low if k not in beyond]
    _chains(found, near_high, "high")
    _chains(found, near_low, "low")


def signals_from(found: Found, positions: list[int] | None, better: Better) -> list[Signal]:
    """Signal records, in order of their first point (positions None: point number = position)."""
    improvements = {"high": improvement_for("high", better), "low": improvement_for("low", better)}
    signals = []
    for kind, points, direction in found:
        flagged = tuple(points) if positions is None else tuple([positions[k] for k in points])
        signals.append(
            make_signal(
                kind=kind,
                start=flagged[0],
                end=flagged[-1],
                direction=direction,
                improvement=improvements[direction],
                points=flagged,
            )
        )
    if len(signals) > 1:
        signals.sort(key=lambda signal: (signal.start, signal.end, signal.kind))
    return signals


class Ratios(NamedTuple):
    """Paired points ready to chart: the usable positions, any missing?, the ratios per usable
    point (list and exact array, or None when numpy cannot hold them exactly) and the
    numerators and denominators at those points (as lists, and as arrays when exact)."""

    length: int
    present: list[int]
    gaps: bool
    ys: list[float]
    array: np.ndarray | None
    tops: list
    bottoms: list
    bottom_array: np.ndarray | None


def ratios(counts: list, exposures: list, present: list[int]) -> Ratios:
    """The ratios counts / exposures at the usable positions `present`."""
    gaps = len(present) != len(counts)
    tops = [counts[i] for i in present] if gaps else counts
    bottoms = [exposures[i] for i in present] if gaps else exposures
    if len(counts) <= SHORT_SERIES:
        ys = list(map(truediv, tops, bottoms))
        return Ratios(len(counts), present, gaps, ys, None, tops, bottoms, None)
    top_array, bottom_array = exact_array(tops), exact_array(bottoms)
    if top_array is None or bottom_array is None:
        ys = [top / bottom for top, bottom in zip(tops, bottoms, strict=True)]
        return Ratios(len(counts), present, gaps, ys, exact_array(ys), tops, bottoms, None)
    # IEEE division of two exact float64s is Python's true division of the values, ints too.
    array = top_array / bottom_array
    return Ratios(len(counts), present, gaps, array.tolist(), array, tops, bottoms, bottom_array)


def all_usable(tops: list, bottoms: list, *, proportions: bool) -> Ratios | None:
    """The ratios when every pair is present and usable — no None or NaN, no denominator (or
    exposure) of 0, nothing negative, no numerator above its denominator for `proportions` —
    and numpy holds them exactly; otherwise None, and the careful way (which names the point
    at fault) takes over."""
    if not tops or len(tops) != len(bottoms):
        return None
    if len(tops) <= SHORT_SERIES:
        if not all_present(tops) or not all_present(bottoms) or min(tops) < 0 or min(bottoms) <= 0:
            return None
        if proportions and any(map(gt, tops, bottoms)):
            return None
        ys = list(map(truediv, tops, bottoms))
        return Ratios(len(tops), list(range(len(tops))), False, ys, None, tops, bottoms, None)
    top_array, bottom_array = exact_array(tops), exact_array(bottoms)
    if top_array is None or bottom_array is None or min(tops) < 0 or min(bottoms) <= 0:
        return None
    if proportions and bool((top_array > bottom_array).any()):
        return None
    # IEEE division of two exact float64s is Python's true division of the values, ints too.
    array = top_array / bottom_array
    return Ratios(len(tops), list(range(len(tops))), False, array.tolist(), array, tops, bottoms, bottom_array)


# Short series ----------------------------------------------------------------------------------
#
# Up to SHORT_SERIES points (two years of months) the series stays a list, read by C-speed
# passes (comprehensions, `map` with the operator module, bytes.find) with the same comparisons
# and sums as the rules' own loops, so any values Python compares give their answers. A pass
# over a list costs about what a numpy call does at these sizes; the list path saves building
# the arrays and wins by 10–25% at 16–24 points, and loses from about 36 (bench/analysis.py).

SHORT_SERIES = 32
_SHIFT_GAP = b"\x00" * SHIFT_POINTS  # no run of "below" can be found without a run of "not above"
_TREND_GAP = b"\x00" * (TREND_POINTS - 1)


def all_present(values: list) -> bool:
    """No value is None or NaN (and every value is a finite number, summed exactly): one C
    pass for None, one exact sum that is NaN with a NaN and fails on anything not a number."""
    if None in values:
        return False
    try:
        total = math.fsum(values)
    except (TypeError, ValueError, OverflowError):
        return False
    return math.isfinite(total)


class ShortBands(tuple):
    """(ucl, lcl, upper 2σ, lower 2σ), one list entry per point, ordered at every point:
    lcl ≤ lower 2σ and upper 2σ ≤ ucl (a point beyond a limit is beyond its 2σ line)."""


def short_bands(centre: float, sigmas: list[float], top: float | None) -> ShortBands:
    """centre ± 3σ and centre ± 2σ per point as lists: the same sums as `bands`, the upper
    lines no more than `top` (None: no bound) and the lower ones no less than 0 (`max(0.0, x)`
    and `min(top, x)` point by point). Needs a finite centre and finite σ ≥ 0."""
    # Comprehensions: Python 3.11 specialises their float arithmetic, quicker than map chains.
    upper = [centre + 3.0 * sigma for sigma in sigmas]
    upper2 = [centre + 2.0 * sigma for sigma in sigmas]
    lower = [centre - 3.0 * sigma for sigma in sigmas]
    lower2 = [centre - 2.0 * sigma for sigma in sigmas]
    if top is not None and upper and max(upper) >= top:
        # min(top, x) is x when x < top, else top.
        upper = [x if x < top else top for x in upper]
        upper2 = [x if x < top else top for x in upper2]
    if lower and min(lower) <= 0.0:
        # max(0.0, x) is x when x > 0.0, else 0.0 (-0.0 too).
        lower = [x if x > 0.0 else 0.0 for x in lower]
        lower2 = [x if x > 0.0 else 0.0 for x in lower2]
    return ShortBands((upper, lower, upper2, lower2))


def find_short(ys: list, centre: float, lines: tuple | None, *, two_of_three: bool = True) -> Found:
    """`find` on a list: the same special causes, in the same order, for any values Python
    compares. `lines` are one number each, or one list entry per point."""
    found: Found = []
    if lines is not None and ys and _scalar_edges(centre, lines):
        return _find_short_between_edges(found, ys, centre, lines, two_of_three)
    above = bytes([y > centre for y in ys])
    if above.find(_SHIFT_SEED) >= 0:
        _runs(found, above, _SHIFT_SEED, "shift", "high", 0)
    if above.find(_SHIFT_GAP) >= 0:
        below = bytes([y < centre for y in ys])
        if below.find(_SHIFT_SEED) >= 0:
            _runs(found, below, _SHIFT_SEED, "shift", "low", 0)
    if len(ys) >= TREND_POINTS:
        later = ys[1:]
        rising = bytes(map(gt, later, ys))
        if rising.find(_TREND_SEED) >= 0:
            _runs(found, rising, _TREND_SEED, "trend", "high", 1)
        if rising.find(_TREND_GAP) >= 0:
            falling = bytes(map(lt, later, ys))
            if falling.find(_TREND_SEED) >= 0:
                _runs(found, falling, _TREND_SEED, "trend", "low", 1)
    if lines is None or not ys:
        return found

    upper, lower, upper2, lower2 = lines
    near_high: list[int] = []
    near_low: list[int] = []
    if isinstance(upper, list):
        if two_of_three and isinstance(lines, ShortBands):
            # Ordered lines: nothing beyond a 2σ line, nothing beyond its limit.
            near_high = _ones(bytes(map(gt, ys, upper2)))
            near_low = _ones(bytes(map(lt, ys, lower2)))
            beyond_high = _ones(bytes(map(gt, ys, upper))) if near_high else []
            beyond_low = _ones(bytes(map(lt, ys, lower))) if near_low else []
        else:
            beyond_high = _ones(bytes(map(gt, ys, upper)))
            beyond_low = _ones(bytes(map(lt, ys, lower)))
            if two_of_three:
                near_high = _ones(bytes(map(gt, ys, upper2)))
                near_low = _ones(bytes(map(lt, ys, lower2)))
    else:
        highest, lowest = max(ys), min(ys)
        beyond_high = [k for k, y in enumerate(ys) if y > upper] if highest > upper else []
        beyond_low = [k for k, y in enumerate(ys) if y < lower] if lowest < lower else []
        if two_of_three:
            near_high = [k for k, y in enumerate(ys) if y > upper2] if highest > upper2 else []
            near_low = [k for k, y in enumerate(ys) if y < lower2] if lowest < lower2 else []
    if beyond_high and beyond_low:
        # Only crossed limits (ucl below lcl) put a point beyond both; "above?" is asked first.
        high = set(beyond_high)
        beyond_low = [k for k in beyond_low if k not in high]
    for k in beyond_high:
        found.append(("beyond_limit", [k], "high"))
    for k in beyond_low:
        found.append(("beyond_limit", [k], "low"))
    if two_of_three and (len(near_high) >= 2 or len(near_low) >= 2):
        _two_of_three(found, near_high, near_low, beyond_high, beyond_low)
    return found


_AT_MOST_ONE = bytes(int(count <= 1) for count in range(256))


def _find_short_between_edges(found: Found, ys: list, centre: float, lines: tuple, two_of_three: bool) -> Found:
    """`find_short` for edges in order (see `_find_between_edges`): one binary search per
    point counts the edges strictly below it, which answers every question on the high side
    exactly; on the low side it answers "at or below", so a candidate found there is checked
    again with the strict comparison the rule asks for (a point on a line is not beyond it)."""
    upper, lower, upper2, lower2 = lines
    count = len(ys)
    under = bytes(map(bisect_left, repeat([lower, lower2, centre, upper2, upper], count), ys))
    above = under.translate(_ABOVE)
    if above.find(_SHIFT_SEED) >= 0:
        _runs(found, above, _SHIFT_SEED, "shift", "high", 0)
    if under.translate(_BELOW).find(_SHIFT_SEED) >= 0:
        below = bytes([y < centre for y in ys])
        if below.find(_SHIFT_SEED) >= 0:
            _runs(found, below, _SHIFT_SEED, "shift", "low", 0)
    if count >= TREND_POINTS:
        later = ys[1:]
        rising = bytes(map(gt, later, ys))
        if rising.find(_TREND_SEED) >= 0:
            _runs(found, rising, _TREND_SEED, "trend", "high", 1)
        if rising.find(_TREND_GAP) >= 0:
            falling = bytes(map(lt, later, ys))
            if falling.find(_TREND_SEED) >= 0:
                _runs(found, falling, _TREND_SEED, "trend", "low", 1)
    if under.find(5) >= 0:
        for k in _ones(under, 5):
            found.append(("beyond_limit", [k], "high"))
    if under.find(0) >= 0:
        for k, y in enumerate(ys):
            if y < lower:
                found.append(("beyond_limit", [k], "low"))
    if two_of_three:
        # Between the 2σ line and the limit; with the edges in order no point is on both sides.
        if under.count(4) >= 2:
            _chains(found, _ones(under, 4), "high")
        if under.translate(_AT_MOST_ONE).count(1) >= 2:
            near_low = [k for k, y in enumerate(ys) if y < lower2 and not y < lower]
            _chains(found, near_low, "low")
    return found
