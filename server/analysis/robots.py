"""Page-wide robots directives: meta robots / googlebot and the X-Robots-Tag header."""

from __future__ import annotations

from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from server.analysis.model import Robots
from server.analysis.namespaces import is_html_element

_CRAWLER_NAMES = ("robots", "googlebot")
# X-Robots-Tag values whose "name:" prefix is a directive with an argument, not a user agent.
_ARGUMENT_DIRECTIVES = frozenset(
    {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}
)


def _directives(content: str) -> list[str]:
    return [d.strip().lower() for d in content.split(",") if d.strip()]


def _header_directives(value: str) -> list[str]:
    """`googlebot: noindex` applies to us; `otherbot: noindex` does not; plain values do."""
    name, colon, rest = value.partition(":")
    agent = name.strip().lower()
    if colon and " " not in agent and agent not in _ARGUMENT_DIRECTIVES:
        return _directives(rest) if agent in _CRAWLER_NAMES else []
    return _directives(value)


def page_robots(tree: LexborHTMLParser, headers: Iterable[tuple[str, str]] = ()) -> Robots:
    """Collect directives for `robots`/`googlebot` from meta tags and X-Robots-Tag headers."""
    metas = [m for m in tree.css("meta[name][content]") if is_html_element(m)]
    return robots_of(metas, headers)


def robots_of(metas: Iterable[LexborNode], headers: Iterable[tuple[str, str]] = ()) -> Robots:
    """Directives for `robots`/`googlebot` from these HTML meta elements and the headers."""
    directives: list[str] = []
    sources: list[tuple[str, str]] = []
    for meta in metas:
        attrs = meta.attrs
        name = (attrs.get("name") or "").strip().lower()
        if name in _CRAWLER_NAMES:
            content = attrs.get("content") or ""
            sources.append((f"meta {name}", content))
            directives.extend(_directives(content))
    for header, value in headers:
        if header.strip().lower() == "x-robots-tag":
            found = _header_directives(value)
            if found:
                sources.append(("X-Robots-Tag", value))
                directives.extend(found)
    unique = tuple(dict.fromkeys(directives))
    return Robots(
        nofollow="nofollow" in unique or "none" in unique,
        noindex="noindex" in unique or "none" in unique,
        directives=unique,
        sources=tuple(sources),
    )


def robots_reasons(robots: Robots) -> tuple[str, ...]:
    """Why every link on the page is not followed, e.g. ('meta robots: nofollow',)."""
    reasons = []
    for source, content in robots.sources:
        found = _header_directives(content) if source == "X-Robots-Tag" else _directives(content)
        for directive in found:
            if directive in ("nofollow", "none"):
                reasons.append(f"{source}: {directive}")
    return tuple(dict.fromkeys(reasons))
