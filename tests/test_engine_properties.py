"""Engine properties on any input: it returns, hrefs are canonical URLs, counts add up."""

from __future__ import annotations

import ada_url
from html_strategies import HTML_DOCUMENTS, PAGE_URLS, SITES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.analysis import Analysis, analyze

# Deterministic (derandomize) and bounded: the whole module stays well under 30 s.
PROPERTIES = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
NOT_FOLLOWED = ("nofollow", "sponsored", "ugc")


def assert_consistent(result: Analysis) -> None:
    links = result.links
    summary = result.summary
    assert [link.index for link in links] == list(range(len(links)))
    assert summary.total == len(links)
    assert summary.internal + summary.external + summary.other == summary.total
    assert summary.followed_external <= summary.external
    assert summary.followed_external == sum(1 for x in links if x.kind == "external" and x.follow)
    assert summary.not_followed == sum(1 for x in links if not x.follow)
    for token in NOT_FOLLOWED:
        assert getattr(summary, token) == sum(
            1 for x in links if f"rel={token}" in x.nofollow_reasons
        )
    assert summary.at_risk == sum(1 for x in links if x.risks)
    for link in links:
        assert link.follow is (not link.nofollow_reasons)
        # Google reads rel split on whitespace and commas: whatever relList holds, its
        # comma-separated parts that say nofollow / sponsored / ugc stop following.
        rel_says_no = any(p in NOT_FOLLOWED for t in link.rel for p in t.split(","))
        if rel_says_no or result.page.robots.nofollow:
            assert not link.follow
        assert len(set(link.rel)) == len(link.rel)
        assert all(t == t.lower() and t and not any(c in t for c in " \t\n\f\r") for t in link.rel)
        if link.scheme in ("http", "https"):
            # Every http(s) href is a canonical URL: parsing it again gives it back.
            assert ada_url.URL(link.href).href == link.href
            assert link.kind in ("internal", "external", "other")
            assert link.domain is not None
        else:
            assert link.kind == "other"
    for match in (*result.sites, *result.competitors):
        assert match.linked is bool(match.links)
        assert all(0 <= i < len(links) for i in match.links)
        assert match.followed is any(links[i].follow for i in match.links)


@PROPERTIES
@given(html=st.text(), url=PAGE_URLS)
def test_any_string_is_analysed_without_raising(html: str, url: str) -> None:
    assert_consistent(analyze(html, url))


@PROPERTIES
@given(
    html=HTML_DOCUMENTS,
    url=PAGE_URLS,
    sites=SITES,
    competitors=SITES,
    charset=st.sampled_from([None, "utf-8", "windows-1252", "shift_jis", "bogus", ""]),
    header=st.sampled_from([None, "nofollow", "googlebot: none", "otherbot: nofollow", "noindex"]),
)
def test_html_ish_documents_give_consistent_analyses(
    html: str,
    url: str,
    sites: list[str],
    competitors: list[str],
    charset: str | None,
    header: str | None,
) -> None:
    headers = [("X-Robots-Tag", header)] if header is not None else None
    result = analyze(
        html, url, sites=sites, competitors=competitors, charset=charset, headers=headers
    )
    assert_consistent(result)


@PROPERTIES
@given(html=HTML_DOCUMENTS, cap=st.integers(min_value=0, max_value=5))
def test_the_link_cap_truncates_to_a_prefix(html: str, cap: int) -> None:
    full = analyze(html, "https://example.com/")
    capped = analyze(html, "https://example.com/", max_links=cap)
    assert_consistent(capped)
    assert capped.links == full.links[:cap]
    assert capped.page.truncated is (len(full.links) > cap)
