"""Sparklines drawn server-side as small inline SVGs: a measure's recent points against its target.

Pure functions, no database: the dashboard embeds the SVG in the page (it prints, needs no
JavaScript and passes the strict CSP) and a report freezes the same string into its snapshot.
Withheld points (fewer than 5 children, see measures.disclosure) are gaps in the line, never
zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from measures.charts import format_number

LINE_COLOUR = "#1d3f6e"
TARGET_COLOUR = "#a33f00"
WITHHELD_COLOUR = "#6c757d"


@dataclass(frozen=True)
class Sparkline:
    """The recent points of one measure as plotted (None where missing or withheld)."""

    values: list[float | None]
    labels: list[str]
    suppressed: list[bool] = field(default_factory=list)
    target: float | None = None
    unit: str = ""

    @property
    def withheld(self) -> int:
        return sum(1 for hidden in self.suppressed if hidden)

    def description(self, title: str) -> str:
        """What the sparkline shows, in words (its accessible name)."""
        present = [(label, value) for label, value in zip(self.labels, self.values, strict=True) if value is not None]
        if not self.labels:
            return f"{title}: no data yet."
        count = len(self.labels)
        span = f"{self.labels[0]} to {self.labels[-1]}" if count > 1 else self.labels[0]
        parts = [f"{title}: {count} period{'s' if count != 1 else ''}, {'from ' if count > 1 else ''}{span}"]
        if present:
            low = min(value for _, value in present)
            high = max(value for _, value in present)
            parts.append(f"ranging from {format_number(low, self.unit)} to {format_number(high, self.unit)}")
            parts.append(f"last plotted {format_number(present[-1][1], self.unit)} in {present[-1][0]}")
        if self.target is not None:
            parts.append(f"target {format_number(self.target, self.unit)}")
        if self.withheld:
            parts.append(f"{self.withheld} withheld (fewer than 5 children)")
        return ", ".join(parts) + "."


def _scale(low: float, high: float, top: float, bottom: float):
    span = high - low or 1.0

    def y(value: float) -> float:
        return round(bottom - (value - low) / span * (bottom - top), 1)

    return y


def sparkline_svg(sparkline: Sparkline, *, title: str, width: int = 168, height: int = 40) -> str:
    """A self-contained SVG (role="img", named by its description) of the sparkline."""
    label = escape(sparkline.description(title))
    pad = 4
    count = len(sparkline.values)
    present = [value for value in sparkline.values if value is not None]
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline-svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}"><title>{label}</title>'
    )
    if not present:
        return head + "</svg>"
    bounds = [*present, *([sparkline.target] if sparkline.target is not None else [])]
    y = _scale(min(bounds), max(bounds), pad, height - pad)

    def x(index: int) -> float:
        return round(pad + (index * (width - 2 * pad) / (count - 1) if count > 1 else (width - 2 * pad) / 2), 1)

    parts = [head]
    if sparkline.target is not None:
        target_y = y(sparkline.target)
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{target_y}" y2="{target_y}" stroke="{TARGET_COLOUR}" '
            'stroke-width="1.2" stroke-dasharray="4 3"/>'
        )
    # One polyline per run of present points: a missing or withheld point breaks the line.
    run: list[str] = []
    runs: list[list[str]] = []
    for index, value in enumerate(sparkline.values):
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        run.append(f"{x(index)},{y(value)}")
    if run:
        runs.append(run)
    for points in runs:
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.6" fill="{LINE_COLOUR}"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.6" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    for index, hidden in enumerate(sparkline.suppressed):
        if hidden:
            # A short tick on the baseline marks a withheld period, so a gap is not read as "no data".
            parts.append(
                f'<line x1="{x(index)}" x2="{x(index)}" y1="{height - 1}" y2="{height - 5}" '
                f'stroke="{WITHHELD_COLOUR}" stroke-width="1.2"/>'
            )
    last = max(index for index, value in enumerate(sparkline.values) if value is not None)
    parts.append(f'<circle cx="{x(last)}" cy="{y(sparkline.values[last])}" r="2.6" fill="{LINE_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)
