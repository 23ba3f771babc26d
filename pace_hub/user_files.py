"""Files people upload and others download: SVG made safe by allow-list, and responses that
never let a browser run an uploaded file as a page.

SVG is XML that can carry scripts, event handlers, links to ``javascript:`` and to other sites,
embedded HTML (``foreignObject``) and entity tricks. A deny-list misses spellings
(``<x:script>`` in the SVG namespace, ``javascript&#58;``), so the file is parsed with libxml2
(through lxml: no DTD, no entities, no network) and rebuilt keeping only the drawing elements,
attributes and CSS properties listed here, in the SVG namespace; every reference must point
inside the document (``#id``) or be an embedded PNG, JPEG or GIF image.
"""

from __future__ import annotations

import re

import tinycss2
from django.core.files.base import File
from django.http import FileResponse
from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Elements that draw, group, describe or style. Everything else (script, foreignObject, a,
# animate, set, iframe, elements of other namespaces) goes, with what it contains.
ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "switch",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "pattern",
        "clipPath",
        "mask",
        "marker",
        "image",
        "filter",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feDropShadow",
        "feFlood",
        "feFuncA",
        "feFuncB",
        "feFuncG",
        "feFuncR",
        "feGaussianBlur",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "feTile",
        "style",
    ]
)
# <a> is unwrapped: the drawing inside it stays, the link goes.
UNWRAPPED = frozenset({"a"})
ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "style",
        "transform",
        "lang",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "fr",
        "width",
        "height",
        "d",
        "points",
        "pathLength",
        "viewBox",
        "preserveAspectRatio",
        "version",
        "baseProfile",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "startOffset",
        "method",
        "spacing",
        "side",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "offset",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "markerUnits",
        "markerWidth",
        "markerHeight",
        "refX",
        "refY",
        "orient",
        "filterUnits",
        "primitiveUnits",
        "in",
        "in2",
        "result",
        "stdDeviation",
        "mode",
        "operator",
        "k1",
        "k2",
        "k3",
        "k4",
        "values",
        "type",
        "tableValues",
        "slope",
        "intercept",
        "amplitude",
        "exponent",
        "radius",
        "edgeMode",
        "alignment-baseline",
        "baseline-shift",
        "clip-path",
        "clip-rule",
        "color",
        "color-interpolation",
        "color-interpolation-filters",
        "cursor",
        "direction",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "filter",
        "flood-color",
        "flood-opacity",
        "font-family",
        "font-size",
        "font-size-adjust",
        "font-stretch",
        "font-style",
        "font-variant",
        "font-weight",
        "letter-spacing",
        "lighting-color",
        "marker-end",
        "marker-mid",
        "marker-start",
        "mask",
        "opacity",
        "overflow",
        "paint-order",
        "shape-rendering",
        "stop-color",
        "stop-opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "text-rendering",
        "unicode-bidi",
        "vector-effect",
        "visibility",
        "word-spacing",
        "writing-mode",
        "requiredFeatures",
        "systemLanguage",
    ]
)
# Elements whose href may point at something: inside the document only (or an embedded image).
HREF_ELEMENTS = frozenset({"use", "textPath", "linearGradient", "radialGradient", "pattern", "image", "filter"})
CSS_PROPERTIES = frozenset(
    name
    for name in ATTRIBUTES
    if "-" in name or name in {"fill", "stroke", "opacity", "filter", "mask", "color", "cursor", "display"}
) | frozenset({"font", "visibility", "overflow", "text-anchor", "white-space", "transform", "transform-origin"})
_EMBEDDED_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif);base64,[A-Za-z0-9+/=\s]+", re.IGNORECASE)
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
MAX_SVG_BYTES = 5 * 1024 * 1024


class UnsafeFile(ValueError):
    """The file cannot be made safe; ``str(error)`` says why, for the person who uploaded it."""


def sanitise_svg(content: bytes) -> bytes:
    """The SVG rebuilt from its allowed parts only (UTF-8, with an XML declaration).

    Raises ``UnsafeFile`` for what is not an SVG at all: unreadable XML, a DOCTYPE (entity
    declarations live there), or a root that is not an ``<svg>`` of the SVG namespace.
    """
    if len(content) > MAX_SVG_BYTES:
        raise UnsafeFile("The SVG is too large.")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise UnsafeFile(f"The SVG is not readable XML ({error.msg}).") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeFile("The SVG has a DOCTYPE (which can declare entities); export it again as a plain SVG.")
    if etree.QName(root).namespace != SVG_NS or etree.QName(root).localname != "svg":
        raise UnsafeFile("The file is not an SVG drawing (its root is not an <svg> element).")
    clean = _clean_element(root)
    return etree.tostring(clean, xml_declaration=True, encoding="utf-8")


def _clean_element(element: etree._Element, parent: etree._Element | None = None) -> etree._Element:
    """A copy of ``element`` holding only its allowed attributes and children, added to
    ``parent`` (so that it shares the document's namespace declarations)."""
    name = etree.QName(element).localname
    tag = f"{{{SVG_NS}}}{name}"
    if parent is None:
        copy = etree.Element(tag, nsmap={None: SVG_NS, "xlink": XLINK_NS})
    else:
        copy = etree.SubElement(parent, tag)
    for attribute, value in element.attrib.items():
        kept = _clean_attribute(name, etree.QName(attribute), value)
        if kept is not None:
            copy.set(*kept)
    if name == "style":
        copy.text = _clean_stylesheet(element.text or "")
        return copy
    copy.text = element.text
    _clean_children(element, copy)
    return copy


def _clean_children(element: etree._Element, into: etree._Element) -> None:
    """Copy the allowed children of ``element`` into ``into``; a link's drawing is kept without
    the link; anything else is dropped with its content (its trailing text stays)."""
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            _append_text(into, child.tail)
            continue
        child_name = etree.QName(child)
        allowed = child_name.namespace == SVG_NS
        if allowed and child_name.localname in ELEMENTS:
            _clean_element(child, into).tail = child.tail
        elif allowed and child_name.localname in UNWRAPPED:
            _append_text(into, child.text)
            _clean_children(child, into)
            _append_text(into, child.tail)
        else:
            _append_text(into, child.tail)


def _append_text(element: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _clean_attribute(element: str, attribute: etree.QName, value: str) -> tuple[str, str] | None:
    namespace, name = attribute.namespace, attribute.localname
    if name == "href" and namespace in (None, XLINK_NS):
        if element not in HREF_ELEMENTS:
            return None
        target = value.strip()
        if target.startswith("#") or (element == "image" and _EMBEDDED_IMAGE.fullmatch(target)):
            return (f"{{{XLINK_NS}}}href" if namespace else "href", target)
        return None
    if namespace == XML_NS and name in {"space", "lang"}:
        return (f"{{{XML_NS}}}{name}", value)
    if namespace is not None or name not in ATTRIBUTES:
        return None
    if name == "style":
        cleaned = _clean_declarations(value)
        return ("style", cleaned) if cleaned else None
    if not _references_are_local(value):
        return None
    return (name, value)


def _references_are_local(value: str) -> bool:
    """Whether every url(...) in a value points inside the document, and nothing else looks
    like a link or a script."""
    lowered = re.sub(r"\s+", "", value).casefold()
    if "javascript:" in lowered or "expression(" in lowered or "@import" in lowered:
        return False
    return all(target.strip().startswith("#") for _, target in _URL.findall(value))


def _clean_declarations(text: str) -> str:
    """CSS declarations (a style attribute, or a rule's body) keeping allowed properties with
    local references only."""
    kept = []
    for declaration in tinycss2.parse_declaration_list(text, skip_whitespace=True, skip_comments=True):
        if declaration.type != "declaration" or declaration.lower_name not in CSS_PROPERTIES:
            continue
        value = tinycss2.serialize(declaration.value).strip()
        if not _css_value_is_local(declaration.value) or not _references_are_local(value):
            continue
        kept.append(f"{declaration.lower_name}:{value}{' !important' if declaration.important else ''}")
    return ";".join(kept)


def _css_value_is_local(tokens) -> bool:
    for token in tokens:
        if token.type == "url" and not token.value.strip().startswith("#"):
            return False
        if token.type == "function":
            if token.lower_name == "url":
                arguments = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if not (len(arguments) == 1 and getattr(arguments[0], "value", "").startswith("#")):
                    return False
            elif not _css_value_is_local(token.arguments):
                return False
    return True


def _clean_stylesheet(text: str) -> str:
    """A <style> sheet keeping plain rules (no @import, @font-face or other at-rules), each with
    its allowed declarations."""
    rules = []
    for rule in tinycss2.parse_stylesheet(text, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        if "<" in selector or "\\" in selector:
            continue
        body = _clean_declarations(tinycss2.serialize(rule.content))
        if body:
            rules.append(f"{selector}{{{body}}}")
    return "\n".join(rules)


# Serving ----------------------------------------------------------------------------------

# A downloaded user file is never a page of this site: no script, no plugin, no form, nothing
# fetched; a sandbox even if a browser chose to render it.
USER_FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


def user_file_response(file: File, *, content_type: str, filename: str) -> FileResponse:
    """A response for a file someone uploaded: sent as an attachment (an <img> still shows an
    image), with its real type, no sniffing and a sandboxing Content Security Policy."""
    response = FileResponse(file, content_type=content_type, as_attachment=True, filename=filename)
    response["Content-Security-Policy"] = USER_FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
