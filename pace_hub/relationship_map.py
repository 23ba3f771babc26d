"""The relationship map drawn as a picture: the agencies around the leads group, server-rendered
as SVG. Each agency is a box labelled with its name, kind and relationship status, joined to the
leads group by a line whose weight and dash also say the status (colour is never the only
signal). The page shows a table beside it as the text alternative.

A pure function over plain values, like the driver diagram (aims/diagram.py)."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from pace_hub.models import Agency, Organisation

BOX_WIDTH = 190
LINE_HEIGHT = 16
PADDING = 8
MARGIN = 24
CENTRE_RX, CENTRE_RY = 95, 42
# status → (fill, stroke and text accent, connector width, dash pattern)
STYLES = {
    "none": ("#f1f3f5", "#5c636a", 1.5, "3 5"),
    "emerging": ("#fff1c9", "#7a4f00", 2, "8 5"),
    "working": ("#dbe8f7", "#1d3f6e", 3, ""),
    "strong": ("#d6ecd2", "#1b4d1d", 5, ""),
}


@dataclass(frozen=True)
class MapAgency:
    name: str
    kind: str
    status: str  # none / emerging / working / strong
    status_label: str
    next_step_due: date | None = None
    next_step_owner: str = ""
    overdue: bool = False


def _lines(agency: MapAgency) -> list[tuple[str, bool]]:
    """The box's text lines, each with whether it is bold."""
    lines = [(line, True) for line in textwrap.wrap(agency.name, 24)[:2]]
    lines.append((f"{agency.kind}", False))
    lines.append((f"Relationship: {agency.status_label}", False))
    if agency.next_step_due:
        due = f"{'Overdue' if agency.overdue else 'Next step'} {agency.next_step_due:%-d %b %Y}"
        lines.append((due, agency.overdue))
        if agency.next_step_owner:
            lines.append((textwrap.shorten(agency.next_step_owner, 26, placeholder="…"), False))
    return lines


def draw_relationship_map(*, centre: str, agencies: list[MapAgency], title: str = "Relationship map") -> str:
    """The SVG document: `centre` (the leads group) in the middle, the agencies around it."""
    count = len(agencies)
    heights = [PADDING * 2 + LINE_HEIGHT * len(_lines(agency)) for agency in agencies]
    tallest = max(heights, default=0)
    # A ring wide enough that neighbouring boxes do not overlap.
    radius = max(220, (BOX_WIDTH + 24) * count / (2 * math.pi)) if count else 0
    width = 2 * (radius + BOX_WIDTH / 2 + MARGIN) if count else 2 * (CENTRE_RX + MARGIN)
    height = 2 * (radius * 0.72 + tallest / 2 + MARGIN) if count else 2 * (CENTRE_RY + MARGIN)
    cx, cy = width / 2, height / 2
    described = ", ".join(f"{agency.name} ({agency.status_label.lower()})" for agency in agencies) or "no agencies yet"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="map-title map-desc" class="relationship-map" '
        f'style="max-width:{width:.0f}px;font-family:Arial,sans-serif">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(centre)} in the middle, with {count} agencies around it: {escape(described)}. '
        "Thicker, solid lines are stronger relationships; dashed lines are emerging or not yet started.</desc>",
    ]
    boxes = []
    for index, (agency, box_height) in enumerate(zip(agencies, heights, strict=True)):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        x = cx + radius * math.cos(angle)
        y = cy + radius * 0.72 * math.sin(angle)
        fill, stroke, weight, dash = STYLES.get(agency.status, STYLES["none"])
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{stroke}" '
            f'stroke-width="{weight}"{dash_attr}/>'
        )
        left, top = x - BOX_WIDTH / 2, y - box_height / 2
        border = 2 if agency.status in ("working", "strong") else 1.5
        box = [
            f'<g class="agency agency-{escape(agency.status)}">',
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{BOX_WIDTH}" height="{box_height}" rx="8" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{border}"{dash_attr}/>',
        ]
        for line_index, (text, bold) in enumerate(_lines(agency)):
            baseline = top + PADDING + LINE_HEIGHT * (line_index + 1) - 4
            weight_attr = ' font-weight="bold"' if bold else ""
            box.append(
                f'<text x="{x:.1f}" y="{baseline:.1f}" text-anchor="middle" font-size="12.5" fill="#0b0c0c"'
                f"{weight_attr}>{escape(text)}</text>"
            )
        box.append("</g>")
        boxes.extend(box)
    parts.append(
        f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{CENTRE_RX}" ry="{CENTRE_RY}" fill="#1d3f6e" stroke="#0b0c0c"/>'
    )
    for line_index, text in enumerate(textwrap.wrap(centre, 20)[:3]):
        offset = (line_index - (min(len(textwrap.wrap(centre, 20)), 3) - 1) / 2) * LINE_HEIGHT
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + offset + 5:.1f}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="#ffffff">{escape(text)}</text>'
        )
    parts.extend(boxes)
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class StatusChange:
    agency_id: int
    agency: str
    when: datetime
    before: str  # "" when the agency was added
    after: str
    who: str


def status_changes(
    organisation: Organisation, *, agency_id: int | None = None, limit: int | None = None
) -> list[StatusChange]:
    """Every change of relationship status (and each agency's first status), newest first, read
    from the agencies' change history. One query."""
    labels = dict(Agency.Relationship.choices)
    records = Agency.history.filter(organisation=organisation)
    if agency_id is not None:
        records = records.filter(id=agency_id)
    found: list[StatusChange] = []
    previous: dict[int, str] = {}
    for row in records.order_by("id", "history_date", "history_id").values(
        "id",
        "name",
        "relationship",
        "history_date",
        "history_type",
        "history_user__first_name",
        "history_user__last_name",
        "history_user__email",
    ):
        before = previous.get(row["id"])
        previous[row["id"]] = row["relationship"]
        if row["history_type"] == "-" or before == row["relationship"]:
            continue
        who = f"{row['history_user__first_name'] or ''} {row['history_user__last_name'] or ''}".strip()
        found.append(
            StatusChange(
                row["id"],
                row["name"],
                row["history_date"],
                labels.get(before, "") if before is not None else "",
                labels.get(row["relationship"], row["relationship"]),
                who or row["history_user__email"] or "system",
            )
        )
    found.sort(key=lambda change: change.when, reverse=True)
    return found[:limit] if limit else found
