"""The driver diagram drawn as SVG: aim → primary drivers → secondary drivers → change ideas.

One drawing serves the aim page (inline), printing and the SVG download, so they always agree.
Columns are stacked independently and joined by curved connectors, the usual driver-diagram
layout. Pure function over plain values: ``DiagramNode`` trees built by the caller.
"""

import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

COLUMN_WIDTH = 230
COLUMN_GAP = 60
LINE_HEIGHT = 17
PADDING = 10
BOX_GAP = 14
MARGIN = 20
HEADER = 34
CHARS_PER_LINE = 30
COLUMNS = ("Aim", "Primary drivers", "Secondary drivers", "Change ideas")
# Fills and strokes with at least 4.5:1 contrast for the dark text on them.
STYLES = (
    ("#1d3f6e", "#ffffff", "#1d3f6e"),  # aim: white text on PACE blue
    ("#e7eef8", "#0b0c0c", "#1d3f6e"),
    ("#f3f6fa", "#0b0c0c", "#4a6a94"),
    ("#fff6e0", "#0b0c0c", "#8a5a00"),
)


@dataclass
class DiagramNode:
    key: str
    text: str
    children: list["DiagramNode"] = field(default_factory=list)
    note: str = ""  # e.g. a change idea's status, shown under its text


@dataclass
class _Box:
    key: str
    column: int
    lines: list[str]
    note: str
    y: float = 0
    height: float = 0

    @property
    def x(self) -> float:
        return MARGIN + self.column * (COLUMN_WIDTH + COLUMN_GAP)


def _wrap(text: str, width: int = CHARS_PER_LINE, limit: int = 8) -> list[str]:
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > limit:
        lines = [*lines[: limit - 1], textwrap.shorten(" ".join(lines[limit - 1 :]), width=width, placeholder="…")]
    return lines


def draw_driver_diagram(*, aim_text: str, primaries: list[DiagramNode], title: str = "Driver diagram") -> str:
    """The SVG document for a driver diagram.

    ``primaries`` hold secondary drivers as children, and each driver holds its change ideas as
    ``DiagramNode`` children with ``key`` starting "idea:" (an idea linked to several drivers is
    drawn once, with a connector from each).
    """
    boxes: dict[str, _Box] = {}
    columns: list[list[_Box]] = [[], [], [], []]
    edges: list[tuple[str, str]] = []

    def add(key: str, column: int, text: str, note: str = "") -> None:
        if key not in boxes:
            # The aim is set in bold, which runs wider: fewer characters to a line, more lines.
            lines = _wrap(text, width=23, limit=14) if column == 0 else _wrap(text)
            box = _Box(key, column, lines, note)
            boxes[key] = box
            columns[column].append(box)

    add("aim", 0, aim_text or "(no statement yet)")
    for primary in primaries:
        add(primary.key, 1, primary.text)
        edges.append(("aim", primary.key))
        for child in primary.children:
            if child.key.startswith("idea:"):
                add(child.key, 3, child.text, child.note)
            else:
                add(child.key, 2, child.text)
                for idea in child.children:
                    add(idea.key, 3, idea.text, idea.note)
                    edges.append((child.key, idea.key))
            edges.append((primary.key, child.key))

    for box in boxes.values():
        box.height = len(box.lines) * LINE_HEIGHT + 2 * PADDING + (LINE_HEIGHT if box.note else 0)
    heights = [sum(box.height for box in column) + BOX_GAP * max(len(column) - 1, 0) for column in columns]
    inner = max(heights)
    for column, total in zip(columns, heights, strict=True):
        y = MARGIN + HEADER + (inner - total) / 2
        for box in column:
            box.y = y
            y += box.height + BOX_GAP

    width = 2 * MARGIN + 4 * COLUMN_WIDTH + 3 * COLUMN_GAP
    height = 2 * MARGIN + HEADER + inner
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'width="{width}" height="{height:.0f}" role="img" aria-labelledby="diagram-title" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" font-size="13">',
        f'<title id="diagram-title">{escape(title)}</title>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for index, label in enumerate(COLUMNS):
        x = MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP)
        parts.append(
            f'<text x="{x + COLUMN_WIDTH / 2}" y="{MARGIN + 14}" text-anchor="middle" font-weight="700" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
    for source, target in edges:
        a, b = boxes[source], boxes[target]
        x1, y1 = a.x + COLUMN_WIDTH, a.y + a.height / 2
        x2, y2 = b.x, b.y + b.height / 2
        middle = (x1 + x2) / 2
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
            'fill="none" stroke="#5f6b7a" stroke-width="1.5"/>'
        )
    for box in boxes.values():
        fill, ink, stroke = STYLES[box.column]
        parts.append(
            f'<rect x="{box.x}" y="{box.y:.1f}" width="{COLUMN_WIDTH}" height="{box.height:.1f}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        )
        text_y = box.y + PADDING + LINE_HEIGHT - 4
        spans = "".join(
            f'<tspan x="{box.x + PADDING}" y="{text_y + i * LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(box.lines)
        )
        weight = ' font-weight="600"' if box.column == 0 else ""
        parts.append(f'<text fill="{ink}"{weight}>{spans}</text>')
        if box.note:
            parts.append(
                f'<text x="{box.x + PADDING}" y="{text_y + len(box.lines) * LINE_HEIGHT:.1f}" fill="#3d4651" '
                f'font-style="italic" font-size="12">{escape(box.note)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)
