"""Shared pieces of the analysis engine: the signal record and input helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

SignalKind = Literal["beyond_limit", "trend", "two_of_three", "shift"]
Direction = Literal["high", "low"]
Better = Literal["up", "down", "neutral"] | None

# Label precedence for a point caught by several rules (DESIGN.md §4).
PRECEDENCE: dict[str, int] = {"beyond_limit": 0, "trend": 1, "two_of_three": 2, "shift": 3}


# The live record, so that signals compare equal across the two engines.
from measures.analysis.common import Signal  # noqa: E402


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
    for signal in signals:
        rank = PRECEDENCE[signal.kind]
        for index in signal.points or range(signal.start, signal.end + 1):
            current = labels[index]
            if current is None or rank < PRECEDENCE[current]:
                labels[index] = signal.kind
    return labels


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
