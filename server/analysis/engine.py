"""analyze(): parse -> resolve -> classify -> report, with no web framework in sight."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from selectolax.lexbor import LexborHTMLParser, LexborNode

from server.analysis import position, redirects, rel, report, robots, urls
from server.analysis.model import Analysis, Kind, Link, Page
from server.analysis.namespaces import is_html_element
from server.analysis.sites import LinkTarget, match_sites, parse_sites

MAX_TEXT = 500
# document.baseURI in Chromium when the <base href> does not parse.
NO_BASE = "about:blank"
_HTTP = ("http:", "https:")
_LINKS = "a[href], area[href]"
# SVG/MathML links are out of scope; only these can be, and most of them are not.
_FOREIGN_LINKS = "svg a[href], math a[href]"


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


def _link_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    nodes = tree.css(_LINKS)
    foreign = {n.mem_id for n in tree.css(_FOREIGN_LINKS) if not is_html_element(n)}
    if foreign:
        nodes = [n for n in nodes if n.mem_id not in foreign]
    return nodes


def _base_url(tree: LexborHTMLParser, page_url: str, codec: str | None) -> str | None:
    """The first HTML <base href> in tree order, resolved against the page URL; None when it
    does not parse, as then Chromium resolves no relative URL at all. Chromium ignores data:
    and javascript: bases."""
    node = next((n for n in tree.css("base[href]") if is_html_element(n)), None)
    if node is None:
        return page_url
    try:
        base = urls.parse_url(node.attributes.get("href") or "", page_url, codec)
    except ValueError:
        return None
    if base.protocol in ("data:", "javascript:"):
        return page_url
    return str(base.href)


def _title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    return _collapse(node.text()) if node is not None else None


def _canonical(tree: LexborHTMLParser, base: str | None, codec: str | None) -> str | None:
    node = tree.css_first("link[rel~=canonical i][href]")
    if node is None:
        return None
    try:
        return str(urls.parse_url(node.attributes.get("href") or "", base, codec).href)
    except ValueError:
        return None


def _image_alt(node: LexborNode, tag: str, attrs: dict[str, str | None]) -> str | None:
    if tag == "area":
        return _collapse(attrs.get("alt") or "") or None
    img = node.css_first("img[alt]")
    return _collapse(img.attributes.get("alt") or "") or None if img is not None else None


class _Resolver:
    """Resolves each distinct raw href once per page; real pages repeat many."""

    def __init__(self, base: str | None, codec: str | None) -> None:
        self.base = base
        self.codec = codec
        self.cache: dict[str, tuple[str, str, str, str, str, bool]] = {}

    def resolve(self, raw: str) -> tuple[str, str, str, str, str, bool]:
        """(href, scheme, host, pathname, search, ok) for a raw href attribute value."""
        hit = self.cache.get(raw)
        if hit is None:
            try:
                url = urls.parse_url(raw, self.base, self.codec)
                hit = (url.href, url.protocol, url.hostname, url.pathname, url.search, True)
            except ValueError:
                # a.href returns the attribute itself when it does not parse.
                hit = (raw, "", "", "", "", False)
            self.cache[raw] = hit
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
    base = _base_url(tree, page_url, codec)
    page_robots = robots.page_robots(tree, _header_pairs(headers))
    page_reasons = robots.robots_reasons(page_robots)
    page_domain = urls.registrable_domain(str(urls.parse_url(page_url).hostname))
    page_no_fragment = urls.without_fragment(page_url)

    nodes = _link_nodes(tree)
    truncated_at = None
    if max_links is not None and len(nodes) > max_links:
        nodes = nodes[:max_links]
        truncated_at = max_links
    positions = position.link_positions(tree, nodes)
    resolver = _Resolver(base, codec)

    links: list[Link] = []
    targets: list[LinkTarget] = []
    for index, (node, where) in enumerate(zip(nodes, positions, strict=True)):
        attrs = node.attributes
        tag = node.tag or "a"
        raw = attrs.get("href") or ""
        href, scheme, host, pathname, search, ok = resolver.resolve(raw)
        rel_raw = attrs.get("rel")
        tokens = rel.rel_tokens(rel_raw)
        reasons = rel.rel_reasons(tokens) + page_reasons
        warnings = rel.rel_warnings(rel_raw, tokens)
        kind: Kind = "other"
        domain = None
        redirect_to = None
        if not ok:
            warnings += ("the href is not a valid URL; browsers cannot follow it",)
        elif scheme in _HTTP:
            domain = urls.registrable_domain(host)
            if "#" in href and urls.without_fragment(href) == page_no_fragment:
                kind = "other"
            else:
                kind = "internal" if domain == page_domain else "external"
            redirect_to = redirects.redirect_target(host, pathname, search)
            targets.append(LinkTarget(index, host, pathname + search, not reasons))
        text = _collapse(node.text())
        links.append(
            Link(
                index=index,
                tag=tag,
                href=href,
                raw_href=raw,
                text=text,
                image_alt=None if text and tag == "a" else _image_alt(node, tag, attrs),
                rel=tokens,
                rel_raw=rel_raw,
                follow=not reasons,
                nofollow_reasons=reasons,
                kind=kind,
                scheme=scheme.rstrip(":"),
                host=host or None,
                domain=domain,
                position=where,
                target=attrs.get("target"),
                warnings=warnings,
                redirect_to=redirect_to,
            )
        )

    summary = report.summarize(links)
    canonical = _canonical(tree, base, codec)
    root = tree.root
    lang = root.attributes.get("lang") if root is not None else None
    page = Page(
        url=page_url,
        base_url=base if base is not None else NO_BASE,
        title=_title(tree),
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
