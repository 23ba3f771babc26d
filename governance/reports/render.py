"""A report's HTML document and PDF, rendered from its frozen snapshot and its narrative only.

Nothing here reads the organisation's live data: the same snapshot always gives the same
document. The HTML is self-contained (styles, chart SVGs and icons inline) so the stored file
reads the same anywhere; WeasyPrint makes the PDF from it and fetches nothing but the data:
URIs inside it.
"""

from __future__ import annotations

import base64
import copy
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from governance.models import Report

ICON_CODES = (
    "common_cause",
    "special_cause_improving",
    "special_cause_concerning",
    "special_cause_neither",
    "consistently_passing",
    "consistently_failing",
    "hit_and_miss",
)


@cache
def _icon_data_uri(code: str) -> str:
    path = finders.find(f"img/measures/{code}.svg")
    content = Path(path).read_bytes() if path else b""
    return "data:image/svg+xml;base64," + base64.b64encode(content).decode("ascii")


def _icon_src(code: str, *, inline: bool) -> str:
    return _icon_data_uri(code) if inline else static(f"img/measures/{code}.svg")


def _with_icons(value: Any, *, inline: bool) -> Any:
    """A copy of the snapshot where every Making Data Count icon ({"code", "label"}) knows its
    picture: a data: URI in documents, the static file on the web page."""
    if isinstance(value, dict):
        result = {key: _with_icons(item, inline=inline) for key, item in value.items()}
        if set(value) == {"code", "label"} and value["code"] in ICON_CODES:
            result["src"] = _icon_src(value["code"], inline=inline)
        return result
    if isinstance(value, list):
        return [_with_icons(item, inline=inline) for item in value]
    return value


def _dates(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Dates of the snapshot as date objects, for the templates' date filter."""
    found = {}
    for key in ("as_at", "built_at"):
        text = snapshot.get(key) or ""
        found[key] = parse_datetime(text) if "T" in text else parse_date(text) if text else None
    if found["built_at"] is not None:
        found["built_at"] = timezone.localtime(found["built_at"])
    freshness = snapshot.get("freshness") or {}
    last = freshness.get("last_import_at")
    found["last_import_at"] = timezone.localtime(parse_datetime(last)) if last else None
    latest = freshness.get("latest_period")
    found["latest_period"] = parse_date(latest) if latest else None
    return found


def report_context(report: Report, *, inline: bool) -> dict[str, Any]:
    """What the report's body templates need: the snapshot (with icon pictures), its dates, the
    narrative and the asks, and who issued it. ``inline`` for the stored document and PDF."""
    snapshot = _with_icons(copy.deepcopy(report.snapshot), inline=inline)
    return {
        "report": report,
        "snapshot": snapshot,
        "dates": _dates(report.snapshot),
        "narrative": report.narrative,
        "asks": report.asks,
        "issued_at": timezone.localtime(report.issued_at) if report.issued_at else None,
        "issued_by": (report.issued_by.get_full_name() or report.issued_by.email) if report.issued_by else "",
        "body_template": (
            "governance/reports/includes/data_pack_body.html"
            if report.kind == Report.Kind.DATA_PACK
            else "governance/reports/includes/governance_body.html"
        ),
    }


def render_html(report: Report) -> str:
    """The standalone HTML document of the report."""
    return render_to_string("governance/reports/document.html", report_context(report, inline=True))


def render_pdf(html: str) -> bytes:
    from pace_hub.pdf import render_pdf as offline_pdf

    # Everything is inline; a PDF build never reaches out to the network or the disk.
    return offline_pdf(html)
