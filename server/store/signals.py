"""What a saved page says about its site as a prospect: how to contact it (mailto addresses,
contact/about pages, "write for us" pages, social profiles) and its outbound link profile."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from server.analysis import Analysis, Link, risks

MAX_PER_KIND = 20
CONTACT_KINDS = ("emails", "contact_pages", "about_pages", "write_for_us", "social")

_CONTACT = re.compile(r"\b(contact|kontakt|contacto|get in touch|reach us|impressum)", re.I)
_ABOUT = re.compile(r"\b(about|about[-_ ]us|our team|who we are|team)\b", re.I)
_WRITE_FOR_US = re.compile(
    r"write[-_ ]?for[-_ ]?us|guest[-_ ]?(post|blog|author|article|contribut)"
    r"|contribut(e|or|ors|ing)|submit[-_ ](an[-_ ])?(article|post|guest)"
    r"|submission[-_ ]guidelines|become[-_ ]an?[-_ ](author|writer|contributor)",
    re.I,
)
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"'/]{1,253}\.[^@\s<>\"'/]{2,63}$")

# Social networks by registrable domain; paths that are share buttons, not profiles.
SOCIAL_NETWORKS = {
    "twitter.com": "x",
    "x.com": "x",
    "facebook.com": "facebook",
    "linkedin.com": "linkedin",
    "instagram.com": "instagram",
    "youtube.com": "youtube",
    "pinterest.com": "pinterest",
    "tiktok.com": "tiktok",
    "github.com": "github",
    "threads.net": "threads",
    "bsky.app": "bluesky",
    "medium.com": "medium",
    "reddit.com": "reddit",
}
_SHARE_PATHS = re.compile(
    r"^/(intent|share|sharer|sharing|shareArticle|pin/create|submit|home\b|dialog)", re.I
)


def _email_addresses(href: str) -> list[str]:
    """`mailto:a@x.com,b@y.org?subject=..` -> the valid addresses, lowercased."""
    body = href.split(":", 1)[1] if ":" in href else ""
    body = unquote(body.split("?", 1)[0])
    out = []
    for part in body.split(","):
        address = part.strip().lower()
        if _EMAIL.match(address):
            out.append(address)
    return out


def _path_and_text(link: Link) -> str:
    path = urlsplit(link.href).path.replace("/", " ")
    return f"{path} {link.text} {link.image_alt or ''}"


def _social_profile(link: Link) -> str | None:
    if link.kind != "external" or link.domain not in SOCIAL_NETWORKS:
        return None
    path = urlsplit(link.href).path
    if path in ("", "/") or _SHARE_PATHS.match(path):
        return None
    return SOCIAL_NETWORKS[link.domain]


def _add(bucket: list[Any], item: Any) -> None:
    if item not in bucket and len(bucket) < MAX_PER_KIND:
        bucket.append(item)


def contact_signals(analysis: Analysis) -> dict[str, list[Any]]:
    """Contact signals found in the page's links (and the page's own URL)."""
    found: dict[str, list[Any]] = {kind: [] for kind in CONTACT_KINDS}
    own_path = urlsplit(analysis.page.url).path.replace("/", " ")
    for pattern, kind in ((_WRITE_FOR_US, "write_for_us"), (_CONTACT, "contact_pages")):
        if pattern.search(f"{own_path} {analysis.page.title or ''}"):
            _add(found[kind], analysis.page.url)
    for link in analysis.links:
        if link.scheme == "mailto":
            for address in _email_addresses(link.href):
                _add(found["emails"], address)
            continue
        if link.kind == "internal":
            words = _path_and_text(link)
            url = link.href.split("#", 1)[0]
            if _WRITE_FOR_US.search(words):
                _add(found["write_for_us"], url)
            elif _CONTACT.search(words):
                _add(found["contact_pages"], url)
            elif _ABOUT.search(words):
                _add(found["about_pages"], url)
            continue
        network = _social_profile(link)
        if network is not None:
            _add(found["social"], {"network": network, "url": link.href})
    return found


def merge_contact(pages: list[dict[str, list[Any]]]) -> dict[str, list[Any]]:
    """The union of several pages' contact signals, first seen first."""
    merged: dict[str, list[Any]] = {kind: [] for kind in CONTACT_KINDS}
    for signals in pages:
        for kind in CONTACT_KINDS:
            for item in signals.get(kind, []):
                _add(merged[kind], item)
    return merged


def site_links(matches: Any) -> list[dict[str, Any]]:
    """The sites (mine or competitors') a page links to: [{"site", "followed", "links",
    "risks"}], risks being those of the best link (followed first, then fewest risks)."""
    return [
        {"site": m.site, "followed": m.followed, "links": len(m.links), "risks": list(m.risks)}
        for m in matches
        if m.linked
    ]


def page_risks(analysis: Analysis) -> list[str]:
    """The page-wide risks of an analysed page: what stops any link on it from counting."""
    return list(risks.page_risks(analysis.page))
