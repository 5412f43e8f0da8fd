"""analyze(): parse -> resolve -> classify -> report, with no web framework in sight."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from server.analysis import (
    document,
    live,
    position,
    redirects,
    rel,
    report,
    risks,
    robots,
    shadow,
    urls,
)
from server.analysis.live import LiveLink
from server.analysis.model import (
    Analysis,
    Frame,
    Kind,
    Link,
    Page,
    Position,
    Robots,
    RobotsTxt,
)
from server.analysis.shadow import TreeLinks
from server.analysis.sites import LinkTarget, match_sites, parse_sites

MAX_TEXT = 500
# document.baseURI in Chromium when the <base href> does not parse.
NO_BASE = "about:blank"
_HTTP = ("http:", "https:")
Headers = Mapping[str, str] | Iterable[tuple[str, str]] | None


def _collapse(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _header_pairs(headers: Headers) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        return tuple(headers.items())
    return tuple(headers)


def _base_url(node: LexborNode | None, address: str | None, codec: str | None) -> str | None:
    """The first HTML <base href> resolved against the document's address; None when it does
    not parse, as then Chromium resolves no relative URL at all. Chromium ignores data: and
    javascript: bases."""
    if node is None:
        return address
    try:
        raw = node.attrs.get("href") or ""
        base = urls.parse_url(raw, address, codec) if address else urls.parse_url(raw)
    except ValueError:
        return None
    if base.protocol in ("data:", "javascript:"):
        return address
    return str(base.href)


def _canonical(nodes: list[LexborNode], base: str | None, codec: str | None) -> str | None:
    """The first <link rel=canonical href>, resolved."""
    for node in nodes:
        attrs = node.attrs
        if "canonical" in rel.rel_tokens(attrs.get("rel")):
            try:
                return urls.resolve(attrs.get("href") or "", base, codec)[0]
            except ValueError:
                return None
    return None


def _image_alt(node: LexborNode, tag: str, attrs: dict[str, str | None]) -> str | None:
    if tag == "area":
        return _collapse(attrs.get("alt") or "") or None
    # A walk of the (small) link subtree: css_first() compiles its selector on every call.
    for child in node.traverse(include_text=False):
        if child.tag == "img":
            alt = child.attrs.get("alt")
            if alt is not None:
                return _collapse(alt) or None
    return None


_BAD_HREF = ("the href is not a valid URL; browsers cannot follow it",)


class _Destination(NamedTuple):
    """What one distinct raw href resolves to on this page (a tuple: built per distinct href,
    it is on the hot path, where a frozen dataclass costs three times as much)."""

    href: str
    scheme: str
    host: str | None
    domain: str | None
    kind: Kind
    path: str
    redirect_to: str | None
    warnings: tuple[str, ...]


class _Resolver:
    """Resolves and classifies each distinct raw href once per document; pages repeat many."""

    def __init__(
        self, base: str | None, codec: str | None, document_url: str, page_domain: str | None
    ) -> None:
        self.base = base
        self.codec = codec
        self.document_no_fragment = urls.without_fragment(document_url)
        self.page_domain = page_domain
        self.cache: dict[str, _Destination] = {}

    def destination(self, raw: str) -> _Destination:
        hit = self.cache.get(raw)
        if hit is None:
            hit = self.cache[raw] = self._classify(raw)
        return hit

    def _classify(self, raw: str) -> _Destination:
        try:
            href, scheme, host, pathname, search = urls.resolve(raw, self.base, self.codec)
        except ValueError:
            # a.href returns the attribute itself when it does not parse.
            return _Destination(raw, "", None, None, "other", "", None, _BAD_HREF)
        if scheme not in _HTTP:
            return _Destination(href, scheme.rstrip(":"), host or None, None, "other", "", None, ())
        domain = urls.registrable_domain(host)
        kind: Kind
        if "#" in href and urls.without_fragment(href) == self.document_no_fragment:
            kind = "other"
        else:
            # Internal means the page's own site, for links in frames too.
            kind = "internal" if domain == self.page_domain else "external"
        redirect_to = redirects.redirect_target(host, pathname, search)
        return _Destination(
            href, scheme.rstrip(":"), host or None, domain, kind, pathname + search, redirect_to, ()
        )


class _RelReader:
    """rel tokens, reasons and lint of each distinct rel value once per document."""

    def __init__(self, page_reasons: tuple[str, ...]) -> None:
        self.page_reasons = page_reasons
        self.cache: dict[str | None, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}

    def read(self, value: str | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(relList tokens, not-followed reasons, warnings) for a rel attribute value."""
        hit = self.cache.get(value)
        if hit is None:
            tokens = rel.rel_tokens(value)
            hit = (
                tokens,
                rel.rel_reasons(value) + self.page_reasons,
                rel.rel_warnings(value, tokens),
            )
            self.cache[value] = hit
        return hit


@dataclass(frozen=True, slots=True)
class FrameDocument:
    """A frame's document as the browser holds it, read beside the page.

    `url` is its location (http(s), or about:srcdoc / about:blank, which resolve against the
    base URL of the document holding them); `parent` the index of that document in the
    frames given, None for the page itself."""

    url: str
    html: str
    charset: str | None = None
    headers: Headers = None
    served_html: str | None = None
    live_links: Sequence[LiveLink] | None = None
    parent: int | None = None


@dataclass(slots=True)
class _Document:
    """One parsed document (the page or a frame): what the analysis reads of it."""

    tree: LexborHTMLParser  # owns the nodes below: keep it alive as long as they are used
    base: str | None
    robots: Robots
    canonical: str | None
    title: str | None
    nodes: list[LexborNode]
    shadow: list[bool] | None  # None: no shadow tree on the page
    positions: list[Position]
    total: int  # links in the document, past the cap too


def _links_of(tree: LexborHTMLParser, nodes_of: document.PageNodes) -> TreeLinks:
    if tree.root is not None and nodes_of.shadow_roots:
        return shadow.tree_links(tree.root)
    nodes = nodes_of.links
    return TreeLinks(nodes, [], position.positions_in(nodes_of.regions, nodes))


def _read(
    html: str, address: str | None, headers: Headers, codec: str | None, max_links: int | None
) -> _Document:
    """Parse one document whose links resolve against `address` (its URL, or for a srcdoc
    frame the base URL of the document holding it) and its own <base>."""
    tree = LexborHTMLParser(html)
    nodes_of = document.scan(tree)
    base = _base_url(nodes_of.base, address, codec)
    found = _links_of(tree, nodes_of)
    nodes = found.nodes if max_links is None else found.nodes[:max_links]
    return _Document(
        tree=tree,
        base=base,
        robots=robots.robots_of(nodes_of.metas, _header_pairs(headers)),
        canonical=_canonical(nodes_of.link_elements, base, codec),
        title=_collapse(nodes_of.title.text()) if nodes_of.title is not None else None,
        nodes=nodes,
        shadow=found.shadow[: len(nodes)] if found.shadow else None,
        positions=found.positions[: len(nodes)],
        total=len(found.nodes),
    )


def _served_hrefs(
    html: str, address: str | None, codec: str | None, page_domain: str | None, document_url: str
) -> list[str]:
    """The hrefs of the links in the HTML the site's server sent, shadow roots included."""
    tree = LexborHTMLParser(html)
    nodes_of = document.scan(tree)
    resolver = _Resolver(_base_url(nodes_of.base, address, codec), codec, document_url, page_domain)
    found = _links_of(tree, nodes_of)
    return [resolver.destination(n.attributes.get("href") or "").href for n in found.nodes]


def _address(url: str, parent_base: str | None) -> str | None:
    """What a document's relative URLs and <base> resolve against: its URL, or for a frame
    with no URL of its own (about:srcdoc, about:blank) its parent's base URL (HTML's
    fallback base URL)."""
    return url if url.startswith(_HTTP) else parent_base


def analyze(
    html: str,
    url: str,
    *,
    sites: Iterable[str] = (),
    competitors: Iterable[str] = (),
    charset: str | None = None,
    headers: Headers = None,
    max_links: int | None = None,
    served_html: str | None = None,
    live_links: Sequence[LiveLink] | None = None,
    frames: Sequence[FrameDocument] = (),
    robots_txt: Mapping[str, RobotsTxt] | None = None,
) -> Analysis:
    """Every link of `html` (served at `url`) and of its `frames` as the browser resolves it,
    with follow status, position, where it lives, risks, a summary and whether it links to
    `sites` / `competitors`. `served_html` (the HTML before scripts ran) tells each link's
    origin, `live_links` (href, hidden) its visibility, `robots_txt` Googlebot's verdict by
    document URL.

    Raises ValueError if `url` is not an absolute URL or a frame's parent is not an earlier
    frame, InvalidSite for a bad site entry."""
    site_rules = parse_sites(sites)
    competitor_rules = parse_sites(competitors)
    page_url = str(urls.parse_url(url).href)
    page_domain = urls.registrable_domain(str(urls.parse_url(page_url).hostname))
    want_targets = bool(site_rules or competitor_rules)
    documents = [
        FrameDocument(page_url, html, charset, headers, served_html, live_links, None),
        *frames,
    ]
    links: list[Link] = []
    targets: list[LinkTarget] = []
    read: list[_Document] = []
    truncated_at = None
    for number, source in enumerate(documents[1:]):
        if source.parent is not None and not 0 <= source.parent < number:
            raise ValueError(f"frame {number}'s parent must be an earlier frame, or None")
    for number, source in enumerate(documents):
        parent = read[source.parent + 1] if source.parent is not None else read[0] if read else None
        address = _address(source.url, parent.base if parent is not None else None)
        room = None if max_links is None else max(0, max_links - len(links))
        codec = urls.query_codec(source.charset)
        doc = _read(source.html, address, source.headers, codec, room)
        read.append(doc)
        if room is not None and doc.total > room:
            truncated_at = max_links
        frame = None if number == 0 else number - 1
        resolver = _Resolver(doc.base, codec, source.url, page_domain)
        rels = _RelReader(robots.robots_reasons(doc.robots))
        first = len(links)
        for node, where, in_shadow in zip(
            doc.nodes, doc.positions, doc.shadow or repeat(False), strict=False
        ):
            index = len(links)
            attrs = node.attributes
            tag = node.tag or "a"
            raw = attrs.get("href") or ""
            dest = resolver.destination(raw)
            rel_raw = attrs.get("rel")
            tokens, reasons, warnings = rels.read(rel_raw)
            if dest.warnings:
                warnings += dest.warnings
            if want_targets and dest.domain is not None:
                targets.append(LinkTarget(index, dest.host or "", dest.path, not reasons))
            text = _collapse(node.text())
            links.append(
                Link(
                    index=index,
                    tag=tag,
                    href=dest.href,
                    raw_href=raw,
                    text=text,
                    image_alt=None if text and tag == "a" else _image_alt(node, tag, attrs),
                    rel=tokens,
                    rel_raw=rel_raw,
                    follow=not reasons,
                    nofollow_reasons=reasons,
                    kind=dest.kind,
                    scheme=dest.scheme,
                    host=dest.host,
                    domain=dest.domain,
                    position=where,
                    target=attrs.get("target"),
                    warnings=warnings,
                    redirect_to=dest.redirect_to,
                    frame=frame,
                    frame_url=None if frame is None else source.url,
                    shadow=in_shadow,
                )
            )
        mine = links[first:]
        hrefs = [link.href for link in mine]
        if source.live_links is not None:
            for link, hidden in zip(mine, live.align(hrefs, source.live_links), strict=True):
                link.hidden = hidden
        if source.served_html is not None:
            served = _served_hrefs(source.served_html, address, codec, page_domain, source.url)
            for link, origin in zip(mine, live.origins(hrefs, served), strict=True):
                link.origin = origin

    top = read[0]
    root = top.tree.root
    page = Page(
        url=page_url,
        base_url=top.base if top.base is not None else NO_BASE,
        title=top.title,
        canonical=top.canonical,
        lang=root.attributes.get("lang") if root is not None else None,
        charset=charset,
        robots=top.robots,
        warnings=report.page_warnings(
            top.robots,
            page_url=page_url,
            canonical=top.canonical,
            truncated_at=truncated_at,
        ),
        truncated=truncated_at is not None,
        frames=tuple(
            Frame(
                url=source.url,
                base_url=doc.base if doc.base is not None else NO_BASE,
                parent=source.parent,
                robots=doc.robots,
                canonical=doc.canonical,
                links=len(doc.nodes),
            )
            for source, doc in zip(documents[1:], read[1:], strict=True)
        ),
    )
    return risks.assess(
        Analysis(
            page=page,
            links=tuple(links),
            summary=report.summarize(()),
            sites=match_sites(site_rules, targets),
            competitors=match_sites(competitor_rules, targets),
        ),
        robots_txt,
    )
