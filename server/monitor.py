"""Checking a backlink: fetch its source page from the server, run the engine with the
target as my site, and say live-followed / live-nofollow (and why) / missing / error."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from server.analysis import Analysis
from server.bounded import AnalysisBusy, PageTooComplex, analyze
from server.store.backlinks import CheckOutcome

MAX_LINKS_KEPT = 20
Fetcher = Callable[..., Any]
log = logging.getLogger(__name__)


def private_fetch_allowed(config: Mapping[str, Any]) -> bool:
    """ALLOW_PRIVATE_FETCH, read strictly: only true / 1 / yes / on turn it on (an env value
    such as "no" must not count as a non-empty, truthy string)."""
    value = config.get("ALLOW_PRIVATE_FETCH", False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value is True or value == 1


def classify(
    analysis: Analysis, final_url: str | None = None, status: int | None = None
) -> CheckOutcome:
    """The result for an analysis run with `sites=[target]`."""
    match = analysis.sites[0] if analysis.sites else None
    if match is None or not match.linked:
        return CheckOutcome("missing", http_status=status, final_url=final_url)
    found = [analysis.links[i] for i in match.links]
    kept = tuple(
        {
            "href": link.href,
            "text": link.text or link.image_alt or "",
            "rel": list(link.rel),
            "follow": link.follow,
            "nofollow_reasons": list(link.nofollow_reasons),
            "risks": list(link.risks),
        }
        for link in found[:MAX_LINKS_KEPT]
    )
    if match.followed:
        return CheckOutcome(
            "live-followed",
            links=kept,
            http_status=status,
            final_url=final_url,
            risks=match.risks,
        )
    reasons = tuple(dict.fromkeys(r for link in found for r in link.nofollow_reasons))
    return CheckOutcome(
        "live-nofollow",
        reasons=reasons,
        links=kept,
        http_status=status,
        final_url=final_url,
        risks=match.risks,
    )


def default_fetcher() -> Fetcher:
    from server.fetch import fetch_page  # the one network client of the server

    return fetch_page


def check_backlink(
    source_url: str,
    target: str,
    *,
    allow_private: bool = False,
    fetch: Fetcher | None = None,
    max_links: int | None = None,
    robots_txt: bool = True,
) -> CheckOutcome:
    """Fetch `source_url` and look for a link to `target`, with Googlebot's robots.txt
    verdict on the page unless `robots_txt` is off; never raises for a bad page."""
    from server.fetch import FetchError
    from server.robotstxt import verdicts

    fetch = fetch or default_fetcher()
    try:
        page = fetch(source_url, allow_private=allow_private)
    except FetchError as exc:
        return CheckOutcome(
            "error",
            http_status=exc.status,
            error_code=exc.code,
            error_message=exc.message,
        )
    except Exception as exc:  # a fetcher bug must not stop a recheck of every backlink
        log.exception("fetching %s failed", source_url)
        return CheckOutcome("error", error_code="fetch_failed", error_message=repr(exc)[:500])
    found = verdicts([page.url], allow_private=allow_private) if robots_txt else {}
    try:
        analysis = analyze(
            page.html,
            page.url,
            sites=[target],
            charset=page.charset,
            headers=page.headers,
            max_links=max_links,
            robots_txt=found,
        )
    except PageTooComplex as exc:
        return CheckOutcome(
            "error",
            http_status=page.status,
            error_code="page_too_complex",
            error_message=exc.message,
            final_url=page.url,
        )
    except (ValueError, AnalysisBusy) as exc:
        return CheckOutcome(
            "error",
            http_status=page.status,
            error_code="analysis_busy" if isinstance(exc, AnalysisBusy) else "analysis_failed",
            error_message=str(exc),
            final_url=page.url,
        )
    return classify(analysis, final_url=page.url, status=page.status)
