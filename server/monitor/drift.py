"""Placement drift: how the link found on the page differs from what was agreed with the
site (target URL, anchor text, followed or sponsored) or, for what was not agreed, from the
placement first seen live (where on the page, how many links).

Pure: the links are the dicts a check keeps (href, text, rel, follow, nofollow_reasons,
position)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DRIFT_KINDS = (
    "anchor_changed",
    "rel_changed",
    "target_changed",
    "moved",
    "duplicated",
    "removed",
)
REL_KINDS = ("followed", "sponsored", "ugc", "nofollow")

LinkFound = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Agreement:
    """What was agreed for the placement; None where nothing was."""

    url: str | None = None
    anchor: str | None = None
    rel: str | None = None  # one of REL_KINDS


@dataclass(frozen=True, slots=True)
class Placement:
    """The link that stands for the placement, and how many links to the target there are."""

    href: str
    text: str
    rel: str
    position: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "href": self.href,
            "text": self.text,
            "rel": self.rel,
            "position": self.position,
            "count": self.count,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Placement | None:
        if not data:
            return None
        return cls(
            href=str(data.get("href", "")),
            text=str(data.get("text", "")),
            rel=str(data.get("rel", "followed")),
            position=str(data.get("position", "body")),
            count=int(data.get("count", 1)),
        )


def rel_kind(link: LinkFound) -> str:
    """followed, sponsored, ugc or nofollow, as search engines read the link (sponsored
    first: `rel="sponsored nofollow"` is a correctly marked paid link)."""
    reasons = set(link.get("nofollow_reasons") or ())
    if "rel=sponsored" in reasons:
        return "sponsored"
    if "rel=ugc" in reasons:
        return "ugc"
    return "followed" if link.get("follow") else "nofollow"


def same_text(a: str, b: str) -> bool:
    """Anchor texts compare with whitespace collapsed and case folded."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def same_url(a: str, b: str) -> bool:
    """Link targets compare without their fragment."""
    return a.split("#", 1)[0] == b.split("#", 1)[0]


# Where a placement usually is: in the content, rather than in a site-wide header or footer.
_CONTENT = {"main": 2, "body": 1}


def _score(
    link: LinkFound, agreement: Agreement, baseline: Placement | None
) -> tuple[int, int, int, int, int]:
    """Which found link is the placement: the one that points where, and says what, was
    agreed (or first seen), where it was — its rel is what drift is about, so it counts
    last."""
    href, text = str(link.get("href", "")), str(link.get("text", ""))
    url = agreement.url or (baseline.href if baseline else None)
    anchor = (
        agreement.anchor if agreement.anchor is not None else (baseline.text if baseline else None)
    )
    position = str(link.get("position") or "body")
    return (
        int(url is not None and same_url(href, url)),
        int(anchor is not None and same_text(text, anchor)),
        int(position == baseline.position) if baseline else _CONTENT.get(position, 0),
        int((agreement.rel or (baseline.rel if baseline else None)) == rel_kind(link)),
        int(bool(link.get("follow"))),
    )


def placement_of(
    links: Sequence[LinkFound], agreement: Agreement, baseline: Placement | None = None
) -> Placement | None:
    """The link that stands for the placement (see `_score`; the first of equals)."""
    if not links:
        return None
    best = max(links, key=lambda link: _score(link, agreement, baseline))
    return Placement(
        href=str(best.get("href", "")),
        text=str(best.get("text", "")),
        rel=rel_kind(best),
        position=str(best.get("position") or "body"),
        count=len(links),
    )


def drift(
    links: Sequence[LinkFound], agreement: Agreement, baseline: Placement | None
) -> tuple[str, ...]:
    """The drift kinds of the links found now (none when no link is found: that is a lost
    link, not drift)."""
    now = placement_of(links, agreement, baseline)
    if now is None:
        return ()
    found: list[str] = []
    anchor = agreement.anchor
    if anchor is None and baseline is not None:
        anchor = baseline.text
    if anchor is not None and not same_text(now.text, anchor):
        found.append("anchor_changed")
    rel = agreement.rel or (baseline.rel if baseline else None)
    if rel is not None and now.rel != rel:
        found.append("rel_changed")
    url = agreement.url or (baseline.href if baseline else None)
    if url is not None and not same_url(now.href, url):
        found.append("target_changed")
    if baseline is not None:
        if now.position != baseline.position:
            found.append("moved")
        if now.count > baseline.count:
            found.append("duplicated")
        elif now.count < baseline.count:
            found.append("removed")
    return tuple(found)


def describe(
    kind: str, now: Placement | None, expected: Agreement, baseline: Placement | None
) -> str:
    """One plain sentence for a drift kind, for alerts and the dashboard."""
    if now is None:
        return kind
    if kind == "anchor_changed":
        was = expected.anchor
        if was is None and baseline is not None:
            was = baseline.text
        return f"anchor text is “{now.text}”, not “{was}”"
    if kind == "rel_changed":
        was = expected.rel or (baseline.rel if baseline else "")
        return f"the link is {now.rel}, not {was}"
    if kind == "target_changed":
        was = expected.url or (baseline.href if baseline else "")
        return f"the link points to {now.href}, not {was}"
    if kind == "moved" and baseline is not None:
        return f"the link moved from {baseline.position} to {now.position}"
    if kind in ("duplicated", "removed") and baseline is not None:
        return f"{now.count} links to the target, where there were {baseline.count}"
    return kind
