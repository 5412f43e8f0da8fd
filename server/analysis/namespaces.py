"""Which elements are HTML: SVG and MathML elements share tag names (`a`, `base`, `meta`) with
HTML ones but are not links, bases or robots tags to the browser."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

# Children of these are parsed as HTML again (HTML integration points, MathML text points).
_SVG_HTML_POINTS = frozenset({"foreignObject", "desc", "title"})
_MATH_TEXT_POINTS = frozenset({"mi", "mo", "mn", "ms", "mtext"})
_HTML_ENCODINGS = frozenset({"text/html", "application/xhtml+xml"})


def _child_namespace(parent: LexborNode, parent_ns: str, child_tag: str | None) -> str:
    if child_tag in ("svg", "math"):
        return child_tag
    if parent_ns == "html":
        return "html"
    tag = parent.tag
    if parent_ns == "svg" and tag in _SVG_HTML_POINTS:
        return "html"
    if parent_ns == "math":
        if tag in _MATH_TEXT_POINTS:
            return "html"
        if tag == "annotation-xml":
            encoding = (parent.attributes.get("encoding") or "").strip().lower()
            if encoding in _HTML_ENCODINGS:
                return "html"
    return parent_ns


def is_html_element(node: LexborNode) -> bool:
    """True unless the parser put `node` in the SVG or MathML namespace."""
    path: list[LexborNode] = []
    current: LexborNode | None = node
    while current is not None and current.is_element_node:
        path.append(current)
        if current.tag in ("svg", "math"):
            break
        current = current.parent
    else:
        return True  # no <svg>/<math> above: plain HTML
    namespace = str(path[-1].tag)
    for parent, child in zip(reversed(path), reversed(path[:-1]), strict=False):
        namespace = _child_namespace(parent, namespace, child.tag)
    return namespace == "html"
