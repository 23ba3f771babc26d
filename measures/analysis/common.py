"""Shared pieces of the analysis engine: the signal record and input helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from operator import add
from typing import Any, Literal, Protocol

SignalKind = Literal["beyond_limit", "trend", "two_of_three", "shift"]
Direction = Literal["high", "low"]
Better = Literal["up", "down", "neutral"] | None

# Label precedence for a point caught by several rules (DESIGN.md §4).
PRECEDENCE: dict[str, int] = {"beyond_limit": 0, "trend": 1, "two_of_three": 2, "shift": 3}


@dataclass(frozen=True, slots=True)
class Signal:
    """One special cause (SPC) or non-random pattern (run chart).

    `start` and `end` are inclusive positions in the list given. `points` are the positions the
    rule actually flags: present points only, and for "two_of_three" only the points beyond
    2σ, so a span may contain positions that are not part of the signal.
    """

    kind: SignalKind
    start: int
    end: int
    direction: Direction
    improvement: bool | None
    points: tuple[int, ...] = ()

    def covers(self, index: int) -> bool:
        return index in self.points if self.points else self.start <= index <= self.end


class Charted(Protocol):
    """Any chart result the variation icon can judge: run, XmR or P chart."""

    @property
    def signals(self) -> list[Signal]: ...

    @property
    def last_index(self) -> int | None: ...


def check_better(better: Better) -> None:
    if better not in ("up", "down", "neutral", None):
        raise ValueError(f'better must be "up", "down", "neutral" or None, not {better!r}')


def improvement_for(direction: Direction, better: Better) -> bool | None:
    """True when a signal points the way the measure should move, None when it has no way."""
    if better == "up":
        return direction == "high"
    if better == "down":
        return direction == "low"
    return None


def baseline_stop(baseline: int | None, length: int) -> int:
    """The number of leading positions that make up the baseline."""
    if baseline is None:
        return length
    if isinstance(baseline, bool) or not isinstance(baseline, int):
        raise TypeError(f"baseline must be a positive int or None, not {baseline!r}")
    if baseline < 1:
        raise ValueError(f"baseline must be at least 1, not {baseline}")
    return min(baseline, length)


def as_list(values: Sequence[float | None]) -> list[float | None]:
    """A plain list: numpy arrays and pandas series become Python floats, NaN stays NaN."""
    tolist = getattr(values, "tolist", None)
    if tolist is not None:
        return tolist()
    return values if isinstance(values, list) else list(values)


def present_positions(values: list[float | None]) -> list[int]:
    """Positions of the points that are not missing (None or NaN)."""
    # NaN is the one value not equal to itself; pandas uses it for missing data.
    return [i for i, value in enumerate(values) if value is not None and value == value]


def labels_for(signals: list[Signal], length: int) -> list[str | None]:
    """One label per position: the kind of the highest-precedence signal flagging it."""
    labels: list[str | None] = [None] * length
    if not signals:
        return labels
    # Lowest precedence first, each kind overwriting the ones before it, so the highest wins;
    # a signal whose points are consecutive positions is written as one slice.
    for signal in sorted(signals, key=_rank_descending):
        points = signal.points or range(signal.start, signal.end + 1)
        first, last = points[0], points[-1]
        if last - first + 1 == len(points):
            labels[first : last + 1] = [signal.kind] * len(points)
        else:
            for index in points:
                labels[index] = signal.kind
    return labels


def _rank_descending(signal: Signal) -> int:
    return -PRECEDENCE[signal.kind]


def last_point_signal(signals: list[Signal], last_index: int | None) -> Signal | None:
    """The highest-precedence signal flagging the last present point, if any."""
    if last_index is None:
        return None
    best: Signal | None = None
    for signal in signals:
        if not signal.covers(last_index):
            continue
        if best is None or PRECEDENCE[signal.kind] < PRECEDENCE[best.kind]:
            best = signal
    return best


def record_maker(cls: type) -> Callable[..., Any]:
    """A constructor for the frozen, slotted result record `cls` that takes every field as a
    keyword and sets the slots directly: the instance is the same as `cls(**fields)` gives
    (same class, same fields, still frozen), built in a third of the time, which counts when a
    chart makes a few records per call. Every field is required; there are no __post_init__s.
    """
    names = [field.name for field in fields(cls)]
    setters = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    body = "".join(f"    _set_{name}(record, {name})\n" for name in names)
    source = f"def make(*, {', '.join(names)}):\n    record = _new(_cls)\n{body}    return record\n"
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls, **setters}
    exec(source, scope)  # noqa: S102 - the source is built from the record's own field names
    make = scope["make"]
    make.__doc__ = f"Build a {cls.__name__} from its fields (see record_maker)."
    return make


make_signal = record_maker(Signal)


def pairwise_sum(values: list[float], start: int = 0, count: int | None = None) -> float:
    """numpy's sum of float64 values, to the last bit: eight running sums over blocks of up to
    128 values, halves of longer runs summed apart (numpy's `pairwise_sum`), added to 0.0."""
    return 0.0 + _pairwise(values, start, len(values) if count is None else count)


def _pairwise(values: list[float], start: int, count: int) -> float:
    if count < 8:
        total = -0.0
        for value in values[start : start + count]:
            total += value
        return total
    if count <= 128:
        sums = values[start : start + 8]
        end = start + count - count % 8
        for block in range(start + 8, end, 8):
            sums = list(map(add, sums, values[block : block + 8]))
        total = ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7]))
        for value in values[end : start + count]:
            total += value
        return total
    half = count // 2
    half -= half % 8
    return _pairwise(values, start, half) + _pairwise(values, start + half, count - half)
