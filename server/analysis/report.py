"""The summary counts and page-level warnings of an analysis."""

from __future__ import annotations

from collections.abc import Sequence

from server.analysis.model import Link, Robots, Summary


def summarize(links: Sequence[Link]) -> Summary:
    """Counts over every link; nofollow / sponsored / ugc as search engines read rel."""
    external = [link for link in links if link.kind == "external"]
    return Summary(
        total=len(links),
        internal=sum(1 for link in links if link.kind == "internal"),
        external=len(external),
        other=sum(1 for link in links if link.kind == "other"),
        followed_external=sum(1 for link in external if link.follow),
        not_followed=sum(1 for link in links if not link.follow),
        nofollow=sum(1 for link in links if "rel=nofollow" in link.nofollow_reasons),
        sponsored=sum(1 for link in links if "rel=sponsored" in link.nofollow_reasons),
        ugc=sum(1 for link in links if "rel=ugc" in link.nofollow_reasons),
        unique_external_domains=len({link.domain for link in external}),
        hidden=sum(1 for link in links if link.hidden),
        script_only=sum(1 for link in links if link.origin == "script"),
        at_risk=sum(1 for link in links if link.risks),
    )


def page_warnings(
    robots: Robots,
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
    if truncated_at is not None:
        warnings.append(f"Only the first {truncated_at} links were analysed.")
    return tuple(warnings)
