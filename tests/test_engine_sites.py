"""Does this page link to my site, or to my competitors'?"""

from __future__ import annotations

import pytest

from server.analysis import InvalidSite, analyze

PAGE = "https://blog.test/post"
HTML = (
    '<a href="https://www.mysite.com/">home</a>'
    '<a href="https://shop.mysite.com/p" rel="nofollow">shop</a>'
    '<a href="https://mysite.com.evil.net/">evil</a>'
    '<a href="https://notmysite.com/">not</a>'
    '<a href="https://rival.org/blog/post-1" rel="sponsored">rival</a>'
)


def test_domain_entry_matches_domain_www_and_subdomains_only() -> None:
    match = analyze(HTML, PAGE, sites=["mysite.com"]).sites[0]
    assert match.links == (0, 1)
    assert match.linked and match.followed


def test_www_in_the_entry_still_matches_the_bare_domain_and_subdomains() -> None:
    assert analyze(HTML, PAGE, sites=["WWW.MySite.com/"]).sites[0].links == (0, 1)


def test_lookalike_domains_never_match() -> None:
    for entry in ("mysite.com.evil.net", "notmysite.com"):
        match = analyze(HTML, PAGE, sites=[entry]).sites[0]
        assert len(match.links) == 1
    assert analyze(HTML, PAGE, sites=["site.com"]).sites[0].links == ()


def test_url_prefix_entry_matches_only_under_the_prefix() -> None:
    match = analyze(HTML, PAGE, competitors=["https://rival.org/blog/"]).competitors[0]
    assert match.links == (4,)
    assert match.linked and not match.followed
    assert analyze(HTML, PAGE, competitors=["https://rival.org/shop/"]).competitors[0].links == ()


def test_only_nofollow_links_mean_linked_but_not_followed() -> None:
    match = analyze(HTML, PAGE, sites=["shop.mysite.com"]).sites[0]
    assert match.linked and not match.followed


def test_api_json_merges_my_sites_and_lists_competitors() -> None:
    body = analyze(
        HTML, PAGE, sites=["mysite.com", "other.test"], competitors=["rival.org"]
    ).to_json()
    assert body["sites"]["linked"] and body["sites"]["links"] == [0, 1]
    assert [m["site"] for m in body["sites"]["matches"]] == ["mysite.com", "other.test"]
    assert body["competitors"] == [
        {"site": "rival.org", "linked": True, "followed": False, "links": [4], "risks": []}
    ]
    assert body["sites"]["risks"] == []


def test_invalid_site_entries_are_rejected() -> None:
    for entry in ("not a domain", "ftp://x.test/", "localhostish"):
        with pytest.raises(InvalidSite):
            analyze(HTML, PAGE, sites=[entry])
