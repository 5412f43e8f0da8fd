"""The summary counts and page-level warnings of an analysis."""

from __future__ import annotations

from collections.abc import Sequence

from server.analysis.model import Link, Robots, Summary

MANY_EXTERNAL_LINKS = 100


def summarize(links: Sequence[Link]) -> Summary:
    external = [link for link in links if link.kind == "external"]
    return Summary(
        total=len(links),
        internal=sum(1 for link in links if link.kind == "internal"),
        external=len(external),
        other=sum(1 for link in links if link.kind == "other"),
        followed_external=sum(1 for link in external if link.follow),
        not_followed=sum(1 for link in links if not link.follow),
        nofollow=sum(1 for link in links if "nofollow" in link.rel),
        sponsored=sum(1 for link in links if "sponsored" in link.rel),
        ugc=sum(1 for link in links if "ugc" in link.rel),
        unique_external_domains=len({link.domain for link in external}),
    )


def page_warnings(
    robots: Robots,
    summary: Summary,
    *,
    page_url: str,
    canonical: str | None,
    truncated_at: int | None,
) -> tuple[str, ...]:
    warnings = []
    if robots.noindex:
        warnings.append("This page is noindex: a link from it may pass no value.")
    if robots.nofollow:
        warnings.append("Robots directives make every link on this page nofollow.")
    if canonical is not None and canonical.split("#")[0] != page_url.split("#")[0]:
        warnings.append(f"The canonical URL is another page: {canonical}")
    if summary.external > MANY_EXTERNAL_LINKS:
        warnings.append(f"{summary.external} external links on this page: each passes less value.")
    if truncated_at is not None:
        warnings.append(f"Only the first {truncated_at} links were analysed.")
    return tuple(warnings)
