"""Typed results of an analysis; turned into JSON once, at the API edge."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["internal", "external", "other"]
Position = Literal["header", "footer", "aside", "nav", "main", "body"]
Origin = Literal["html", "script"]
# Why a search engine may not credit a link, in the order they are reported.
RISKS = (
    "robots_txt_disallowed",
    "noindex",
    "canonical_elsewhere",
    "in_frame",
    "hidden",
    "script_only",
)


@dataclass(slots=True)
class Link:
    """One `a[href]` or `area[href]`, as the browser resolves it.

    Not frozen: a page makes thousands, and a frozen dataclass's __init__ costs five times
    as much (2.0 µs against 0.4). Its fields, in this order, are its JSON object."""

    index: int
    tag: str
    href: str
    raw_href: str
    text: str
    image_alt: str | None
    rel: tuple[str, ...]
    rel_raw: str | None
    follow: bool
    nofollow_reasons: tuple[str, ...]
    kind: Kind
    scheme: str
    host: str | None
    domain: str | None
    position: Position
    target: str | None
    warnings: tuple[str, ...]
    redirect_to: str | None
    # Where it lives: the frame (index in page.frames, and its document URL; None for the
    # page itself) and whether it is inside a shadow tree.
    frame: int | None = None
    frame_url: str | None = None
    shadow: bool = False
    # What a search engine can see of it: in the served HTML or added by script (None:
    # the served HTML was not given), hidden from visitors (None: unknown), and risks.
    origin: Origin | None = None
    hidden: bool | None = None
    risks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Robots:
    """Page-wide robots directives from meta robots/googlebot and X-Robots-Tag."""

    nofollow: bool
    noindex: bool
    directives: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]


RobotsTxtStatus = Literal["allowed", "disallowed", "unknown"]


@dataclass(frozen=True, slots=True)
class RobotsTxt:
    """Googlebot's verdict on one URL from its site's robots.txt.

    `url` is the robots.txt consulted (None when none could be named), `rule` the line that
    decided (e.g. "Disallow: /private/"), or a plain reason when the status is unknown."""

    status: RobotsTxtStatus
    url: str | None = None
    rule: str | None = None


UNKNOWN_ROBOTS_TXT = RobotsTxt("unknown")


@dataclass(frozen=True, slots=True)
class Frame:
    """A frame document read with the page: its links resolve against its own base URL and
    obey its own robots directives."""

    url: str
    base_url: str
    parent: int | None  # index in Page.frames of the document holding it; None: the page
    robots: Robots
    canonical: str | None
    links: int
    robots_txt: RobotsTxt = UNKNOWN_ROBOTS_TXT


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    base_url: str
    title: str | None
    canonical: str | None
    lang: str | None
    charset: str | None
    robots: Robots
    warnings: tuple[str, ...]
    truncated: bool
    robots_txt: RobotsTxt = UNKNOWN_ROBOTS_TXT
    frames: tuple[Frame, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    total: int
    internal: int
    external: int
    other: int
    followed_external: int
    not_followed: int
    nofollow: int
    sponsored: int
    ugc: int
    unique_external_domains: int
    hidden: int = 0
    script_only: int = 0
    at_risk: int = 0


@dataclass(frozen=True, slots=True)
class SiteMatch:
    """Whether the page links to one of my sites (or a competitor's)."""

    site: str
    linked: bool
    followed: bool
    links: tuple[int, ...]
    # The risks of the best of those links: followed before not, then the fewest risks.
    risks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Analysis:
    page: Page
    links: tuple[Link, ...]
    summary: Summary
    sites: tuple[SiteMatch, ...] = field(default=())
    competitors: tuple[SiteMatch, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The API JSON: `sites` merges my sites into one verdict; competitors stay apart.

        Links stay Link dataclasses, which the app's JSON provider (orjson) writes field by
        field: building a dict per link took longer than encoding it."""
        mine = [_match_json(m) for m in self.sites]
        linked_indices = sorted({i for m in self.sites for i in m.links})
        best = best_match(self.sites)
        return {
            "page": _page_json(self.page),
            "links": self.links,
            "summary": asdict(self.summary),
            "sites": {
                "linked": any(m.linked for m in self.sites),
                "followed": any(m.followed for m in self.sites),
                "links": linked_indices,
                "risks": list(best.risks) if best is not None else [],
                "matches": mine,
            },
            "competitors": [_match_json(m) for m in self.competitors],
        }


def best_match(matches: tuple[SiteMatch, ...]) -> SiteMatch | None:
    """The linked match whose best link counts most: followed first, then fewest risks."""
    linked = [m for m in matches if m.linked]
    if not linked:
        return None
    return min(linked, key=lambda m: (not m.followed, len(m.risks)))


def _match_json(match: SiteMatch) -> dict[str, Any]:
    return {
        "site": match.site,
        "linked": match.linked,
        "followed": match.followed,
        "links": list(match.links),
        "risks": list(match.risks),
    }


def _robots_json(robots: Robots) -> dict[str, Any]:
    return {
        "nofollow": robots.nofollow,
        "noindex": robots.noindex,
        "directives": list(robots.directives),
        "sources": [{"source": s, "content": c} for s, c in robots.sources],
    }


def _robots_txt_json(verdict: RobotsTxt) -> dict[str, Any]:
    return {"status": verdict.status, "url": verdict.url, "rule": verdict.rule}


def _page_json(page: Page) -> dict[str, Any]:
    return {
        "url": page.url,
        "base_url": page.base_url,
        "title": page.title,
        "canonical": page.canonical,
        "lang": page.lang,
        "charset": page.charset,
        "robots": _robots_json(page.robots),
        "robots_txt": _robots_txt_json(page.robots_txt),
        "warnings": list(page.warnings),
        "truncated": page.truncated,
        "frames": [
            {
                "url": frame.url,
                "base_url": frame.base_url,
                "parent": frame.parent,
                "robots": _robots_json(frame.robots),
                "canonical": frame.canonical,
                "robots_txt": _robots_txt_json(frame.robots_txt),
                "links": frame.links,
            }
            for frame in page.frames
        ],
    }
