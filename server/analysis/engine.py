"""analyze(): parse -> resolve -> classify -> report, with no web framework in sight."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from server.analysis import document, position, redirects, rel, report, robots, urls
from server.analysis.model import Analysis, Kind, Link, Page
from server.analysis.sites import LinkTarget, match_sites, parse_sites

MAX_TEXT = 500
# document.baseURI in Chromium when the <base href> does not parse.
NO_BASE = "about:blank"
_HTTP = ("http:", "https:")


def _collapse(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _header_pairs(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        return tuple(headers.items())
    return tuple(headers)


def _base_url(node: LexborNode | None, page_url: str, codec: str | None) -> str | None:
    """The first HTML <base href> resolved against the page URL; None when it does not parse,
    as then Chromium resolves no relative URL at all. Chromium ignores data: and javascript:
    bases."""
    if node is None:
        return page_url
    try:
        base = urls.parse_url(node.attrs.get("href") or "", page_url, codec)
    except ValueError:
        return None
    if base.protocol in ("data:", "javascript:"):
        return page_url
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
    """Resolves and classifies each distinct raw href once per page; real pages repeat many."""

    def __init__(self, base: str | None, codec: str | None, page_url: str) -> None:
        self.base = base
        self.codec = codec
        self.page_no_fragment = urls.without_fragment(page_url)
        self.page_domain = urls.registrable_domain(str(urls.parse_url(page_url).hostname))
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
        if "#" in href and urls.without_fragment(href) == self.page_no_fragment:
            kind = "other"
        else:
            kind = "internal" if domain == self.page_domain else "external"
        redirect_to = redirects.redirect_target(host, pathname, search)
        return _Destination(
            href, scheme.rstrip(":"), host or None, domain, kind, pathname + search, redirect_to, ()
        )


class _RelReader:
    """rel tokens, reasons and lint of each distinct rel value once per page."""

    def __init__(self, page_reasons: tuple[str, ...]) -> None:
        self.page_reasons = page_reasons
        self.cache: dict[str | None, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}

    def read(self, value: str | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(tokens, not-followed reasons, warnings) for a rel attribute value."""
        hit = self.cache.get(value)
        if hit is None:
            tokens = rel.rel_tokens(value)
            hit = (
                tokens,
                rel.rel_reasons(tokens) + self.page_reasons,
                rel.rel_warnings(value, tokens),
            )
            self.cache[value] = hit
        return hit


def analyze(
    html: str,
    url: str,
    *,
    sites: Iterable[str] = (),
    competitors: Iterable[str] = (),
    charset: str | None = None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    max_links: int | None = None,
) -> Analysis:
    """Every link of `html` (served at `url`) as the browser resolves it, with follow status,
    position, warnings, a summary and whether it links to `sites` / `competitors`.

    Raises ValueError if `url` is not an absolute URL, InvalidSite for a bad site entry."""
    site_rules = parse_sites(sites)
    competitor_rules = parse_sites(competitors)
    page_url = str(urls.parse_url(url).href)
    codec = urls.query_codec(charset)
    tree = LexborHTMLParser(html)
    nodes_of = document.scan(tree)
    base = _base_url(nodes_of.base, page_url, codec)
    page_robots = robots.robots_of(nodes_of.metas, _header_pairs(headers))
    page_reasons = robots.robots_reasons(page_robots)
    nodes = nodes_of.links
    truncated_at = None
    if max_links is not None and len(nodes) > max_links:
        nodes = nodes[:max_links]
        truncated_at = max_links
    positions = position.positions_in(nodes_of.regions, nodes)
    resolver = _Resolver(base, codec, page_url)
    rels = _RelReader(page_reasons)
    want_targets = bool(site_rules or competitor_rules)

    links: list[Link] = []
    targets: list[LinkTarget] = []
    for index, (node, where) in enumerate(zip(nodes, positions, strict=True)):
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
            )
        )

    summary = report.summarize(links)
    canonical = _canonical(nodes_of.link_elements, base, codec)
    root = tree.root
    lang = root.attributes.get("lang") if root is not None else None
    page = Page(
        url=page_url,
        base_url=base if base is not None else NO_BASE,
        title=_collapse(nodes_of.title.text()) if nodes_of.title is not None else None,
        canonical=canonical,
        lang=lang,
        charset=charset,
        robots=page_robots,
        warnings=report.page_warnings(
            page_robots,
            summary,
            page_url=page_url,
            canonical=canonical,
            truncated_at=truncated_at,
        ),
        truncated=truncated_at is not None,
    )
    return Analysis(
        page=page,
        links=tuple(links),
        summary=summary,
        sites=match_sites(site_rules, targets),
        competitors=match_sites(competitor_rules, targets),
    )
