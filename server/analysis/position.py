"""Where a link sits on the page: header, footer, aside (outermost wins), nav, main, body."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from server.analysis.model import Position

# Elements and ARIA landmark roles for each region.
_REGIONS: dict[Position, tuple[str, ...]] = {
    "header": ("header", "[role~=banner i]"),
    "footer": ("footer", "[role~=contentinfo i]"),
    "aside": ("aside", "[role~=complementary i]"),
    "nav": ("nav", "[role~=navigation i]"),
    "main": ("main", "article", "[role~=main i]", "[role~=article i]"),
}
_OUTER: tuple[Position, ...] = ("header", "footer", "aside")
_ROLE_TO_REGION = {"banner": "header", "contentinfo": "footer", "complementary": "aside"}


def _links_inside(tree: LexborHTMLParser, region: Position) -> set[int]:
    selector = ", ".join(f"{r} a[href], {r} area[href]" for r in _REGIONS[region])
    return {node.mem_id for node in tree.css(selector)}


def _outer_region_of(node: LexborNode) -> Position | None:
    """Walk up from the link; the last header/footer/aside met is the outermost."""
    found: Position | None = None
    parent = node.parent
    while parent is not None:
        tag = parent.tag
        if tag in _OUTER:
            found = tag  # type: ignore[assignment]
        else:
            role = (parent.attributes.get("role") or "").lower().split() if parent.tag else []
            for token in role:
                if token in _ROLE_TO_REGION:
                    found = _ROLE_TO_REGION[token]  # type: ignore[assignment]
                    break
        parent = parent.parent
    return found


def link_positions(tree: LexborHTMLParser, links: list[LexborNode]) -> list[Position]:
    """Position of each link, in the order given."""
    inside = {region: _links_inside(tree, region) for region in _REGIONS}
    positions: list[Position] = []
    for node in links:
        key = node.mem_id
        outer = [region for region in _OUTER if key in inside[region]]
        if len(outer) == 1:
            positions.append(outer[0])
        elif outer:
            positions.append(_outer_region_of(node) or outer[0])
        elif key in inside["nav"]:
            positions.append("nav")
        elif key in inside["main"]:
            positions.append("main")
        else:
            positions.append("body")
    return positions
