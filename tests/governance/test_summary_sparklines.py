"""Server-drawn sparklines (governance.sparklines): gaps for missing and withheld points, the
target line, and a description that says in words what the picture shows."""

import re
from xml.etree import ElementTree

from governance.sparklines import Sparkline, sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_a_sparkline_is_a_named_image_with_the_target_dashed() -> None:
    line = Sparkline(values=[50, 60, 70], labels=["Jan 2026", "Feb 2026", "Mar 2026"], target=90, unit="%")
    root = _parse(sparkline_svg(line, title="% within 6 months"))

    assert root.get("role") == "img"
    assert root.get("aria-label") == (
        "% within 6 months: 3 periods, from Jan 2026 to Mar 2026, ranging from 50% to 70%, "
        "last plotted 70% in Mar 2026, target 90%."
    )
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    target = root.find(f"{SVG}line")
    assert target.get("stroke-dasharray") == "4 3"
    # The target (90) is the top of the range, so it is drawn at the top padding.
    assert float(target.get("y1")) == 4.0
    points = root.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 3
    ys = [float(point.split(",")[1]) for point in points]
    assert ys[0] > ys[1] > ys[2]  # rising values go up the picture


def test_missing_and_withheld_points_break_the_line_and_are_never_drawn_as_zero() -> None:
    line = Sparkline(
        values=[12, None, 9, 10, None],
        labels=["Jan", "Feb", "Mar", "Apr", "May"],
        suppressed=[False, True, False, False, False],
        unit="children",
    )
    svg = sparkline_svg(line, title="Children waiting")
    root = _parse(svg)

    polylines = root.findall(f"{SVG}polyline")
    singles = [c for c in root.findall(f"{SVG}circle") if c.get("r") == "1.6"]
    assert len(polylines) == 1 and len(polylines[0].get("points").split()) == 2  # March and April
    assert len(singles) == 1  # January alone
    # Nothing is plotted at the value 0: the lowest plotted value (9) sits on the bottom padding.
    bottom = max(float(p.split(",")[1]) for p in polylines[0].get("points").split())
    assert bottom == 36.0
    assert "1 withheld (fewer than 5 children)" in root.get("aria-label")
    ticks = [el for el in root.findall(f"{SVG}line") if el.get("stroke") == "#6c757d"]
    assert len(ticks) == 1  # the withheld month is marked on the baseline


def test_a_sparkline_without_present_values_is_an_empty_named_image() -> None:
    svg = sparkline_svg(Sparkline(values=[None], labels=["Jan"], suppressed=[True]), title="Median days")
    assert "<polyline" not in svg and "<circle" not in svg
    assert re.search(r'aria-label="Median days: 1 period, Jan, 1 withheld', svg)


def test_text_in_the_description_is_escaped() -> None:
    svg = sparkline_svg(Sparkline(values=[1, 2], labels=["a", "b"]), title='Aim "<b>"')
    _parse(svg)  # well-formed
    assert "<b>" not in svg and "&lt;b&gt;" in svg
