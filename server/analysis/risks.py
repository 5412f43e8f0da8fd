"""Why a search engine may not credit a link even when it is followed: the page's robots.txt,
noindex and canonical, the frame it sits in, and what the live page shows of it.

- robots_txt_disallowed: Google does not crawl a URL its robots.txt disallows, so it never
  sees the links there (https://developers.google.com/search/docs/crawling-indexing/robots/intro).
- noindex: Google drops a noindex page from its results
  (https://developers.google.com/search/docs/crawling-indexing/block-indexing), and has said
  (Search Central office hours, December 2017) that it stops following the links of a page
  that stays noindex.
- canonical_elsewhere: Google consolidates signals on the canonical URL and may never crawl a
  duplicate often (https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls).
- in_frame: a frame is a page of its own; Google may fold what it renders in a frame into the
  embedding page, or index it under the frame's URL, with no promise either way (see
  `indexifembedded`, https://developers.google.com/search/docs/crawling-indexing/robots-meta-tag).
- hidden: text and links hidden from visitors can be ignored or count as spam
  (https://developers.google.com/search/docs/essentials/spam-policies#hidden-text-and-links).
- script_only: Google renders JavaScript, later and not always; other engines may not
  (https://developers.google.com/search/docs/crawling-indexing/javascript/javascript-seo-basics).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from server.analysis import report
from server.analysis.model import (
    Analysis,
    Link,
    Page,
    RobotsTxt,
    SiteMatch,
)

_HTTP = ("http:", "https:")
ROBOTS_TXT_WARNING = "robots.txt blocks Googlebot from this page"


def _elsewhere(canonical: str | None, url: str) -> bool:
    return canonical is not None and canonical.split("#")[0] != url.split("#")[0]


def _is_http(url: str) -> bool:
    return url.startswith(_HTTP)


def governing_urls(page: Page) -> list[str]:
    """The URL whose robots.txt decides for each document: the page, then each frame (a
    srcdoc or about:blank frame is crawled as part of the document holding it)."""
    urls = [page.url]
    for frame in page.frames:
        if _is_http(frame.url):
            urls.append(frame.url)
        else:
            urls.append(urls[frame.parent + 1] if frame.parent is not None else page.url)
    return urls


def _document_risks(
    url: str, canonical: str | None, noindex: bool, verdict: RobotsTxt, framed: bool
) -> tuple[str, ...]:
    risks = []
    if verdict.status == "disallowed":
        risks.append("robots_txt_disallowed")
    if noindex:
        risks.append("noindex")
    if _is_http(url) and _elsewhere(canonical, url):
        risks.append("canonical_elsewhere")
    if framed:
        risks.append("in_frame")
    return tuple(risks)


def page_risks(page: Page) -> tuple[str, ...]:
    """The risks every link of the page itself shares (robots.txt, noindex, canonical)."""
    return _document_risks(page.url, page.canonical, page.robots.noindex, page.robots_txt, False)


def _best_risks(links: tuple[Link, ...], indices: tuple[int, ...]) -> tuple[str, ...]:
    if not indices:
        return ()
    best = min((links[i] for i in indices), key=lambda link: (not link.follow, len(link.risks)))
    return best.risks


def _with_risks(match: SiteMatch, links: tuple[Link, ...]) -> SiteMatch:
    return replace(match, risks=_best_risks(links, match.links))


def _page_warnings(page: Page, verdict: RobotsTxt) -> tuple[str, ...]:
    kept = tuple(w for w in page.warnings if not w.startswith(ROBOTS_TXT_WARNING))
    if verdict.status != "disallowed":
        return kept
    rule = f" ({verdict.rule})" if verdict.rule else ""
    return (f"{ROBOTS_TXT_WARNING}{rule}: Google cannot crawl it to see its links.", *kept)


def assess(analysis: Analysis, robots_txt: Mapping[str, RobotsTxt] | None = None) -> Analysis:
    """The analysis with every link's risks, the summary and the site verdicts worked out
    again, given Googlebot's robots.txt verdicts by URL (documents not in `robots_txt` keep
    the verdict they have). Sets each link's `risks` in place: a page makes thousands."""
    page = analysis.page
    robots_txt = robots_txt or {}
    urls = governing_urls(page)
    verdicts = [robots_txt.get(urls[0], page.robots_txt)] + [
        robots_txt.get(url, frame.robots_txt)
        for url, frame in zip(urls[1:], page.frames, strict=True)
    ]
    frames = tuple(
        replace(frame, robots_txt=verdict)
        for frame, verdict in zip(page.frames, verdicts[1:], strict=True)
    )
    per_document = [
        _document_risks(page.url, page.canonical, page.robots.noindex, verdicts[0], False)
    ] + [
        _document_risks(f.url, f.canonical, f.robots.noindex, v, True)
        for f, v in zip(frames, verdicts[1:], strict=True)
    ]
    for link in analysis.links:
        risks = per_document[0 if link.frame is None else link.frame + 1]
        if link.hidden:
            risks += ("hidden",)
        if link.origin == "script":
            risks += ("script_only",)
        link.risks = risks
    page = replace(
        page,
        robots_txt=verdicts[0],
        frames=frames,
        warnings=_page_warnings(page, verdicts[0]),
    )
    links = analysis.links
    return Analysis(
        page=page,
        links=links,
        summary=report.summarize(links),
        sites=tuple(_with_risks(m, links) for m in analysis.sites),
        competitors=tuple(_with_risks(m, links) for m in analysis.competitors),
    )
