"""Matching links against my sites and competitors: a domain or a URL prefix per entry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ada_url

from server.analysis.model import SiteMatch


class InvalidSite(ValueError):
    """A site entry that is neither a domain nor an http(s) URL prefix."""


@dataclass(frozen=True, slots=True)
class SiteRule:
    label: str
    host: str
    path_prefix: str | None


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """What site matching needs to know of one http(s) link."""

    index: int
    host: str
    path: str
    follow: bool


def _bare_host(host: str) -> str:
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def parse_site(entry: str) -> SiteRule:
    """`example.com` covers the domain and its subdomains; `https://example.com/blog/` a prefix."""
    text = entry.strip()
    has_scheme = "://" in text
    try:
        url = ada_url.URL(text if has_scheme else f"http://{text}")
    except ValueError:
        raise InvalidSite(f"'{entry}' is not a domain or an http(s) URL") from None
    if url.protocol not in ("http:", "https:") or not url.hostname:
        raise InvalidSite(f"'{entry}' is not a domain or an http(s) URL")
    host = _bare_host(url.hostname)
    if "." not in host and host != "localhost" and not host.startswith("["):
        raise InvalidSite(f"'{entry}' has no top-level domain")
    path = url.pathname + url.search
    return SiteRule(label=text, host=host, path_prefix=None if path in ("", "/") else path)


def parse_sites(entries: Iterable[str]) -> tuple[SiteRule, ...]:
    return tuple(parse_site(e) for e in entries if e.strip())


def rule_matches(rule: SiteRule, host: str, path: str) -> bool:
    """Label-aligned host match: `example.com.evil.net` and `notexample.com` never match."""
    bare = _bare_host(host)
    if rule.path_prefix is None:
        return bare == rule.host or bare.endswith("." + rule.host)
    return bare == rule.host and path.startswith(rule.path_prefix)


def match_sites(rules: Sequence[SiteRule], links: Sequence[LinkTarget]) -> tuple[SiteMatch, ...]:
    """For each rule: linked?, which link indices, any of them followed?"""
    matches = []
    for rule in rules:
        hits = [link for link in links if rule_matches(rule, link.host, link.path)]
        matches.append(
            SiteMatch(
                site=rule.label,
                linked=bool(hits),
                followed=any(link.follow for link in hits),
                links=tuple(link.index for link in hits),
            )
        )
    return tuple(matches)
