"""Uploaded SVG is rebuilt from an allow-list, and user files are served as sandboxed attachments."""

import pytest
from lxml import etree

from pace_hub.user_files import SVG_NS, UnsafeFile, sanitise_svg

ATTACK = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/2000/svg"
     xmlns:s="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 200 100" onload="alert('onload')">
  <style>@import url(https://evil.example/x.css);
    .box{fill:#cde;background:url(https://evil.example/)} .edge{stroke:url(#grad)}</style>
  <x:script>alert('prefixed script')</x:script>
  <s:foreignObject width="10" height="10">
    <div xmlns="http://www.w3.org/1999/xhtml" onclick="alert(1)">html</div></s:foreignObject>
  <a xlink:href="javascript&#58;alert('entity')">
    <rect class="box" x="1" y="1" width="80" height="30" style="fill:#abc;behavior:url(x.htc)"/></a>
  <a href="jav&#x09;ascript:alert(2)"><text x="5" y="20">Referral</text></a>
  <use href="javascript&#58;alert(3)"/><use xlink:href="https://evil.example/sprite.svg#icon"/><use xlink:href="#box"/>
  <image href="https://evil.example/track.png"/>
  <image href="data:image/svg+xml;base64,PHN2Zy8+"/>
  <rect fill="url(https://evil.example/#paint)" width="3" height="3" onmouseover="alert(4)"/>
  <animate attributeName="href" to="javascript:alert(5)"/>
  <set attributeName="onload" to="alert(6)"/>
  <text x="100" y="60">Legal <tspan font-weight="bold">advice</tspan> booked</text>
</svg>"""


def _tags_and_attributes(svg: bytes) -> tuple[set[str], list[tuple[str, str]]]:
    root = etree.fromstring(svg)
    tags = {etree.QName(element).localname for element in root.iter() if isinstance(element.tag, str)}
    attributes = [(name, value) for element in root.iter() for name, value in element.attrib.items()]
    return tags, attributes


def test_an_svg_is_rebuilt_without_any_way_to_run_or_fetch_anything() -> None:
    clean = sanitise_svg(ATTACK)
    tags, attributes = _tags_and_attributes(clean)
    assert not tags & {"script", "foreignObject", "a", "animate", "set", "div"}
    text = clean.decode().casefold()
    for forbidden in ("javascript", "alert", "evil.example", "onload", "onclick", "onmouseover", "@import", "behavior"):
        assert forbidden not in text, forbidden
    assert all(not name.startswith("on") for name, _ in attributes)


def test_the_drawing_itself_is_kept() -> None:
    clean = sanitise_svg(ATTACK).decode()
    assert 'viewBox="0 0 200 100"' in clean
    assert "Referral" in clean and 'Legal <tspan font-weight="bold">advice</tspan> booked' in clean
    assert 'class="box"' in clean and "fill:#abc" in clean
    assert ".box{fill:#cde}" in clean and ".edge{stroke:url(#grad)}" in clean
    assert 'xlink:href="#box"' in clean  # references inside the drawing stay
    root = etree.fromstring(clean.encode())
    assert etree.QName(root).namespace == SVG_NS


def test_an_embedded_png_image_is_kept_but_not_a_nested_svg() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,iVBORw0KGgo="/>'
        b'<image href="data:image/svg+xml;base64,PHN2Zy8+"/></svg>'
    )
    clean = sanitise_svg(svg).decode()
    assert clean.count("data:image/png") == 1 and "svg+xml" not in clean


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY big "x">]><svg xmlns="http://www.w3.org/2000/svg">&big;</svg>',
            "DOCTYPE",
        ),
        (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg"/>', "DOCTYPE"),
        (b"<svg><rect/></svg>", "not an SVG drawing"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg"/></html>', "not an SVG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "not readable XML"),
    ],
)
def test_files_that_are_not_plain_svg_are_refused_with_the_reason(content, reason) -> None:
    with pytest.raises(UnsafeFile, match=reason):
        sanitise_svg(content)
