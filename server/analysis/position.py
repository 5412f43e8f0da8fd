"""Where a link sits on the page: header, footer, aside (outermost wins), nav, main, body."""

from __future__ import annotations

from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from server.analysis.model import Position

# Elements and ARIA landmark roles for each region.
_TAG_REGION: dict[str, Position] = {
    "header": "header",
    "footer": "footer",
    "aside": "aside",
    "nav": "nav",
    "main": "main",
    "article": "main",
}
_ROLE_REGION: dict[str, Position] = {
    "banner": "header",
    "contentinfo": "footer",
    "complementary": "aside",
    "navigation": "nav",
    "main": "main",
    "article": "main",
}
_OUTER: tuple[Position, ...] = ("header", "footer", "aside")
_REGION_SELECTOR = "header, footer, aside, nav, main, article, [role]"
_LINKS = "a[href], area[href]"


def _regions_of(node: LexborNode) -> set[Position]:
    found: set[Position] = set()
    tag = node.tag
    if tag in _TAG_REGION:
        found.add(_TAG_REGION[tag])
    role = node.attrs.get("role")
    if role:
        for token in role.lower().split():
            if token in _ROLE_REGION:
                found.add(_ROLE_REGION[token])
    return found


def _outer_region_of(node: LexborNode) -> Position | None:
    """Walk up from the link; the last header/footer/aside met is the outermost."""
    found: Position | None = None
    parent = node.parent
    while parent is not None:
        tag = parent.tag
        if tag in _OUTER:
            found = tag  # type: ignore[assignment]
        elif parent.is_element_node:
            for token in (parent.attrs.get("role") or "").lower().split():
                region = _ROLE_REGION.get(token)
                if region in _OUTER:
                    found = region
                    break
        parent = parent.parent
    return found


def positions_in(regions: Sequence[LexborNode], links: Sequence[LexborNode]) -> list[Position]:
    """Position of each link, given the page's region candidates (in tree order)."""
    inside: dict[Position, set[int]] = {
        "header": set(),
        "footer": set(),
        "aside": set(),
        "nav": set(),
        "main": set(),
    }
    for container in regions:
        kinds = _regions_of(container)
        if not kinds:
            continue
        # Each container's own subtree only: far cheaper than a selector pass per region.
        ids = {node.mem_id for node in container.css(_LINKS)}
        ids.discard(container.mem_id)  # css() matches the container itself; regions contain
        if not ids:
            continue
        for kind in kinds:
            inside[kind] |= ids
    positions: list[Position] = []
    header, footer, aside = inside["header"], inside["footer"], inside["aside"]
    nav, main = inside["nav"], inside["main"]
    for node in links:
        key = node.mem_id
        outer: list[Position] = []
        if key in header:
            outer.append("header")
        if key in footer:
            outer.append("footer")
        if key in aside:
            outer.append("aside")
        if len(outer) == 1:
            positions.append(outer[0])
        elif outer:
            positions.append(_outer_region_of(node) or outer[0])
        elif key in nav:
            positions.append("nav")
        elif key in main:
            positions.append("main")
        else:
            positions.append("body")
    return positions


def link_positions(tree: LexborHTMLParser, links: list[LexborNode]) -> list[Position]:
    """Position of each link, in the order given."""
    return positions_in(tree.css(_REGION_SELECTOR), links)


def element_position(node: LexborNode | None) -> Position:
    """The region `node` itself sits in, counting `node` (a shadow host can be a <footer>);
    the walk stops at the top of its tree (a document, or a shadow root's fragment)."""
    outer: Position | None = None
    nav = main = False
    while node is not None and node.is_element_node:
        regions = _regions_of(node)
        for region in _OUTER:
            if region in regions:
                outer = region  # walking up: the last one met is the outermost
                break
        nav = nav or "nav" in regions
        main = main or "main" in regions
        node = node.parent
    return outer or ("nav" if nav else "main" if main else "body")


def combine(outer: Position | None, inner: Position) -> Position:
    """The position of a link at `inner` in a shadow tree whose host sits at `outer`."""
    if outer is None:
        return inner
    for position in (outer, inner):
        if position in _OUTER:
            return position
    for position in ("nav", "main"):
        if position in (outer, inner):
            return position  # type: ignore[return-value]
    return "body"
