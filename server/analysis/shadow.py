"""Declarative shadow roots: which `<template shadowrootmode>` Chromium's parser turns into a
shadow root, and the links of a tree in shadow-including tree order.

The HTML standard ("insert an HTML element for a template start tag"): a template whose
`shadowrootmode` is `open` or `closed` becomes the shadow root of its parent element when
that element may host one (`attachShadow`'s list, or a custom element name) and has no
shadow root yet; otherwise it stays an ordinary, inert template. Links in a shadow root are
live links of the page; links in an ordinary template are not. The extension serialises
every live shadow root, open or closed, this way (`Element.getHTML`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from server.analysis import position
from server.analysis.model import Position
from server.analysis.namespaces import is_html_element

# DOM standard, attachShadow(): the elements that may host a shadow root.
_HOST_TAGS = frozenset(
    {
        "article",
        "aside",
        "blockquote",
        "body",
        "div",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "main",
        "nav",
        "p",
        "section",
        "span",
    }
)
# HTML standard, "valid custom element name": reserved names and the name production.
_RESERVED = frozenset(
    {
        "annotation-xml",
        "color-profile",
        "font-face",
        "font-face-src",
        "font-face-uri",
        "font-face-format",
        "font-face-name",
        "missing-glyph",
    }
)
_CUSTOM_NAME = re.compile(r"[a-z][^A-Z\s/>]*-[^A-Z\s/>]*")
_LINKS = "a[href], area[href]"
_LINKS_AND_ROOTS = "a[href], area[href], template[shadowrootmode]"
_REGIONS = "header, footer, aside, nav, main, article, [role]"


def may_host_shadow_root(tag: str | None) -> bool:
    if tag is None:
        return False
    return tag in _HOST_TAGS or (tag not in _RESERVED and _CUSTOM_NAME.fullmatch(tag) is not None)


@dataclass(slots=True)
class TreeLinks:
    """The links of one document, shadow trees included, in shadow-including tree order."""

    nodes: list[LexborNode]
    shadow: list[bool]
    positions: list[Position]


def _roots(container: LexborNode) -> dict[int, LexborNode]:
    """The templates under `container` that become shadow roots -> their content fragments."""
    roots: dict[int, LexborNode] = {}
    hosts: set[int] = set()
    for fragment in container.template_fragments():
        template = fragment.parent
        if template is None:
            continue
        mode = (template.attrs.get("shadowrootmode") or "").strip().lower()
        host = template.parent
        if mode not in ("open", "closed") or host is None or not host.is_element_node:
            continue
        if host.mem_id in hosts or not may_host_shadow_root(host.tag):
            continue
        if not is_html_element(template) or not is_html_element(host):
            continue
        hosts.add(host.mem_id)
        roots[template.mem_id] = fragment
    return roots


def _walk(
    container: LexborNode,
    in_shadow: bool,
    outer: Position | None,
    out: TreeLinks,
) -> None:
    """Append the links of `container` (a document root or a shadow root's fragment), each
    shadow root's links where its template stands: right after its host, before the host's
    own children, as the DOM's shadow-including order has it."""
    roots = _roots(container)
    matches = container.css(_LINKS_AND_ROOTS if roots else _LINKS)
    links = [n for n in matches if n.tag != "template" and is_html_element(n)]
    inner = position.positions_in(container.css(_REGIONS), links)
    where = dict(zip((n.mem_id for n in links), inner, strict=True))
    for node in matches:
        if node.tag == "template":
            fragment = roots.get(node.mem_id)
            if fragment is not None:
                host_position = position.element_position(node.parent)
                _walk(fragment, True, position.combine(outer, host_position), out)
            continue
        spot = where.get(node.mem_id)
        if spot is None:  # an SVG or MathML <a>
            continue
        out.nodes.append(node)
        out.shadow.append(in_shadow)
        out.positions.append(position.combine(outer, spot))


def tree_links(root: LexborNode) -> TreeLinks:
    """Every link of the document under `root`, shadow roots included."""
    out = TreeLinks([], [], [])
    _walk(root, False, None, out)
    return out
