"""Checking a backlink: fetch its source page from the server, run the engine with the
target as my site (and Googlebot's robots.txt verdict, so the page's indexability — noindex,
canonical elsewhere, robots.txt — comes back as the link's risks), and say live-followed /
live-nofollow (and why) / missing / error. When the link is not in the served HTML, the page
is rendered in headless Chromium (server/render): a link added by a script is
`live-followed` with the risk `script_only`, not `missing`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from server.analysis import Analysis
from server.bounded import AnalysisBusy, PageTooComplex
from server.bounded import analyze as bounded_analyze
from server.store.backlinks import CheckOutcome, PageSnapshot

MAX_LINKS_KEPT = 20
MAX_LINK_HTML = 2000
# A page that is not there any more has lost its link; anything else that is not a page
# (timeouts, 5xx, refusals) is an error, never "missing".
GONE_STATUSES = frozenset({404, 410})
Fetcher = Callable[..., Any]
log = logging.getLogger(__name__)


def _kept(analysis: Analysis, indices: tuple[int, ...]) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "href": link.href,
            "text": link.text or link.image_alt or "",
            "rel": list(link.rel),
            "follow": link.follow,
            "nofollow_reasons": list(link.nofollow_reasons),
            "risks": list(link.risks),
            "position": link.position,
            "origin": link.origin,
            "raw_href": link.raw_href,
        }
        for link in (analysis.links[i] for i in indices[:MAX_LINKS_KEPT])
    )


def classify(
    analysis: Analysis, final_url: str | None = None, status: int | None = None
) -> CheckOutcome:
    """The result for an analysis run with `sites=[target]`."""
    match = analysis.sites[0] if analysis.sites else None
    if match is None or not match.linked:
        return CheckOutcome("missing", http_status=status, final_url=final_url)
    kept = _kept(analysis, match.links)
    if match.followed:
        return CheckOutcome(
            "live-followed", links=kept, http_status=status, final_url=final_url, risks=match.risks
        )
    found = [analysis.links[i] for i in match.links]
    reasons = tuple(dict.fromkeys(r for link in found for r in link.nofollow_reasons))
    return CheckOutcome(
        "live-nofollow",
        reasons=reasons,
        links=kept,
        http_status=status,
        final_url=final_url,
        risks=match.risks,
    )


def link_html(html: str, links: tuple[dict[str, Any], ...]) -> tuple[str, ...]:
    """The source of each element whose href is one of the found links' (for evidence)."""
    wanted = {str(link.get("raw_href")) for link in links}
    if not wanted:
        return ()
    found: list[str] = []
    for node in LexborHTMLParser(html).css("a[href], area[href]"):
        if node.attributes.get("href") in wanted:
            found.append((node.html or "")[:MAX_LINK_HTML])
            if len(found) >= MAX_LINKS_KEPT:
                break
    return tuple(found)


def default_fetcher() -> Fetcher:
    from server.fetch import fetch_page  # the one network client of the server

    return fetch_page


class _AnalysisFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def analyze(html: str, url: str, **kwargs: Any) -> Analysis:
    """The engine within the server's analysis budget (server/bounded: a child process with a
    CPU, memory and wall-clock limit), its failures as one exception."""
    try:
        return bounded_analyze(html, url, **kwargs)
    except PageTooComplex as exc:
        raise _AnalysisFailed("page_too_complex", exc.message) from None
    except AnalysisBusy as exc:
        raise _AnalysisFailed("analysis_busy", str(exc)) from None
    except ValueError as exc:
        raise _AnalysisFailed("analysis_failed", str(exc)) from None


def _failed(code: str, message: str, status: int | None = None, **extra: Any) -> CheckOutcome:
    result = "missing" if code == "http_status" and status in GONE_STATUSES else "error"
    return CheckOutcome(result, http_status=status, error_code=code, error_message=message, **extra)


def check_backlink(
    source_url: str,
    target: str,
    *,
    allow_private: bool = False,
    fetch: Fetcher | None = None,
    max_links: int | None = None,
    robots_txt: bool = True,
    render: str = "never",
    renderer: Any = None,
    on_fetched: Callable[[], None] | None = None,
) -> CheckOutcome:
    """Fetch `source_url` and look for a link to `target`, with Googlebot's robots.txt
    verdict on the page unless `robots_txt` is off, rendering the page in Chromium when the
    link is not in the served HTML (`render`: auto) or always; never raises for a bad page.
    `on_fetched` runs once the page is in (a job gives its hold on the host back there)."""
    from server.fetch import FetchError
    from server.robotstxt import verdicts

    fetch = fetch or default_fetcher()
    try:
        page = fetch(source_url, allow_private=allow_private)
    except FetchError as exc:
        return _failed(exc.code, exc.message, exc.status)
    except Exception as exc:  # a fetcher bug must not stop a recheck of every backlink
        log.exception("fetching a backlink's source page failed")
        return _failed("fetch_failed", repr(exc)[:500])
    finally:
        if on_fetched is not None:
            on_fetched()
    snapshot = PageSnapshot(page.url, page.status, tuple(page.headers), page.html)
    found = verdicts([page.url], allow_private=allow_private) if robots_txt else {}
    common: dict[str, Any] = {
        "sites": [target],
        "charset": page.charset,
        "headers": page.headers,
        "max_links": max_links,
        "robots_txt": found,
    }
    try:
        served = classify(analyze(page.html, page.url, **common), page.url, page.status)
    except _AnalysisFailed as exc:
        return _failed(exc.code, exc.message, page.status, final_url=page.url)
    if render == "never" or (render == "auto" and served.result != "missing"):
        return served.with_page(snapshot, link_html(page.html, served.links))
    from server.render import RenderError

    if renderer is None:
        return served.with_page(snapshot, ()).with_render_note("no renderer configured")
    try:
        rendered = renderer.render(page.url, page.html, page.headers)
    except RenderError as exc:
        note = f"not rendered: {exc.message}"
        return served.with_page(snapshot, link_html(page.html, served.links)).with_render_note(note)
    try:
        analysis = analyze(
            rendered.html,
            page.url,
            served_html=page.html,
            live_links=rendered.live_links,
            **common,
        )
    except _AnalysisFailed as exc:
        return _failed(exc.code, exc.message, page.status, final_url=page.url)
    outcome = classify(analysis, page.url, page.status)
    snapshot = PageSnapshot(page.url, page.status, tuple(page.headers), page.html, rendered.html)
    return outcome.with_page(snapshot, link_html(rendered.html, outcome.links)).rendered_in(
        rendered.note
    )
