"""Two CSS passes over the parsed page collect every element the analysis reads.

Each full-document selector pass costs about a fifth of the parse; the engine used eleven.
Lexbor returns a selector list's matches in tree order (an element matching two selectors
twice in a row), so one pass gives the links and one the base, metas and regions in order
(links apart: they are most of the matches and need no sorting out in Python)."""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from server.analysis.namespaces import is_html_element

REGION_TAGS = frozenset({"header", "footer", "aside", "nav", "main", "article"})
_LINKS = "a[href], area[href]"
_OTHERS = (
    "base[href], meta[name][content], link[href], title, svg, math, template[shadowrootmode], "
    "header, footer, aside, nav, main, article, [role]"
)
# SVG/MathML links are out of scope; only these can be, and most of them are not.
_FOREIGN_LINKS = "svg a[href], math a[href]"


@dataclass(slots=True)
class PageNodes:
    """The elements of one page the analysis needs, each list in tree order."""

    links: list[LexborNode] = field(default_factory=list)
    base: LexborNode | None = None
    metas: list[LexborNode] = field(default_factory=list)
    title: LexborNode | None = None
    link_elements: list[LexborNode] = field(default_factory=list)
    regions: list[LexborNode] = field(default_factory=list)
    foreign: bool = False
    # A <template shadowrootmode> somewhere: links may live in declarative shadow roots.
    shadow_roots: bool = False


def scan(tree: LexborHTMLParser) -> PageNodes:
    """Links (HTML namespace only), the first HTML <base href>, metas, title, <link href>s and
    the landmark candidates of `tree`."""
    page = PageNodes(links=tree.css(_LINKS))
    last = -1
    bases: list[LexborNode] = []
    for node in tree.css(_OTHERS):
        key = node.mem_id
        if key == last:
            continue
        last = key
        tag = node.tag
        attrs = node.attrs
        # Any of these may also match only through [role]: check what each really has.
        if tag == "meta":
            if "name" in attrs and "content" in attrs:
                page.metas.append(node)
        elif tag == "base":
            if "href" in attrs:
                bases.append(node)
        elif tag == "link":
            if "href" in attrs:
                page.link_elements.append(node)
        elif tag == "title":
            if page.title is None:
                page.title = node
        elif tag in ("svg", "math"):
            page.foreign = True
        elif tag == "template":
            page.shadow_roots = True
        if tag in REGION_TAGS or "role" in attrs:
            page.regions.append(node)
    if page.foreign:
        foreign = {n.mem_id for n in tree.css(_FOREIGN_LINKS) if not is_html_element(n)}
        if foreign:
            page.links = [n for n in page.links if n.mem_id not in foreign]
        bases = [n for n in bases if is_html_element(n)]
        page.metas = [n for n in page.metas if is_html_element(n)]
    page.base = bases[0] if bases else None
    return page
