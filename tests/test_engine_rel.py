"""rel tokens, follow status and its reasons, rel lint."""

from __future__ import annotations

from server.analysis import analyze

PAGE = "https://example.com/"


def first(html: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return analyze(html, PAGE, **kwargs).links[0]  # type: ignore[arg-type]


def test_rel_tokens_are_lowercased_unique_and_ordered_like_rellist() -> None:
    link = first('<a href="https://o.test/" rel=" NoFollow\tnoopener nofollow\nUGC ">x</a>')
    assert link.rel == ("nofollow", "noopener", "ugc")


def test_rel_splits_on_ascii_whitespace_only() -> None:
    link = first('<a href="https://o.test/" rel="nofollow\u00a0ugc">x</a>')
    assert link.rel == ("nofollow\u00a0ugc",)
    # No engine documents a no-break space as a separator: the likely reading, flagged.
    assert link.nofollow_reasons == ("rel=nofollow", "rel=ugc")
    assert any("ambiguous" in w for w in link.warnings)


def test_plain_link_is_followed() -> None:
    link = first('<a href="https://o.test/">x</a>')
    assert link.follow and link.nofollow_reasons == ()


def test_nofollow_sponsored_and_ugc_each_stop_following() -> None:
    for token in ("nofollow", "sponsored", "ugc"):
        link = first(f'<a href="https://o.test/" rel="noopener {token}">x</a>')
        assert not link.follow
        assert link.nofollow_reasons == (f"rel={token}",)


def test_comma_joined_nofollow_is_not_followed_as_google_documents() -> None:
    # https://developers.google.com/search/docs/crawling-indexing/qualify-outbound-links:
    # "space or comma-separated", e.g. rel="ugc,nofollow".
    link = first('<a href="https://o.test/" rel="ugc,nofollow">x</a>')
    assert not link.follow
    assert link.nofollow_reasons == ("rel=ugc", "rel=nofollow")
    assert link.rel == ("ugc,nofollow",)  # relList: the browser's one token stays as it is
    assert link.warnings == ()


def test_comma_joined_browser_values_are_flagged_as_not_applied_by_browsers() -> None:
    link = first('<a href="https://o.test/" rel="nofollow,noopener">x</a>')
    assert not link.follow and link.nofollow_reasons == ("rel=nofollow",)
    assert len(link.warnings) == 1
    assert "noopener is not applied" in link.warnings[0]
    assert "Google documents commas" in link.warnings[0]


def test_comma_and_space_mixed_read_every_value_once() -> None:
    link = first('<a href="https://o.test/" rel="sponsored, nofollow ,sponsored">x</a>')
    assert link.nofollow_reasons == ("rel=sponsored", "rel=nofollow")
    assert link.rel == ("sponsored,", "nofollow", ",sponsored")


def test_semicolon_joined_nofollow_is_read_as_nofollow_with_an_ambiguity_warning() -> None:
    link = first('<a href="https://o.test/" rel="sponsored;noopener">x</a>')
    assert not link.follow
    assert link.nofollow_reasons == ("rel=sponsored",)
    assert len(link.warnings) == 1
    assert "ambiguous" in link.warnings[0] and "read here as sponsored" in link.warnings[0]


def test_semicolon_joined_values_without_nofollow_stay_followed() -> None:
    link = first('<a href="https://o.test/" rel="noopener;noreferrer">x</a>')
    assert link.follow
    assert any("browsers read one unknown value" in w for w in link.warnings)


def test_comma_joined_misspelling_is_still_flagged() -> None:
    link = first('<a href="https://o.test/" rel="no-follow,external">x</a>')
    assert link.follow
    assert any("misspelling" in w for w in link.warnings)


def test_summary_counts_rel_as_search_engines_read_it() -> None:
    html = (
        '<a href="https://a.test/" rel="nofollow,noopener">1</a>'
        '<a href="https://b.test/" rel="ugc,sponsored">2</a>'
        '<a href="https://c.test/" rel="nofollow">3</a>'
    )
    summary = analyze(html, PAGE).summary
    assert (summary.nofollow, summary.sponsored, summary.ugc) == (2, 1, 1)
    assert summary.followed_external == 0


def test_dofollow_and_follow_are_flagged_as_meaningless() -> None:
    assert any("dofollow" in w for w in first('<a href="/" rel="dofollow">x</a>').warnings)
    assert any("'follow'" in w for w in first('<a href="/" rel="follow">x</a>').warnings)


def test_empty_rel_is_flagged() -> None:
    assert first('<a href="/" rel="  ">x</a>').warnings == ("empty rel attribute",)
    assert first('<a href="/">x</a>').warnings == ()


def test_meta_robots_nofollow_makes_every_link_nofollow_with_reason() -> None:
    link = first('<meta name="robots" content="index, NoFollow"><a href="https://o.test/">x</a>')
    assert not link.follow
    assert link.nofollow_reasons == ("meta robots: nofollow",)


def test_meta_googlebot_none_makes_every_link_nofollow() -> None:
    link = first('<meta name="googlebot" content="none"><a href="https://o.test/">x</a>')
    assert link.nofollow_reasons == ("meta googlebot: none",)


def test_meta_for_other_crawlers_is_not_applied() -> None:
    link = first('<meta name="bingbot" content="nofollow"><a href="https://o.test/">x</a>')
    assert link.follow


def test_x_robots_tag_header_nofollow_applies() -> None:
    link = first('<a href="https://o.test/">x</a>', headers={"X-Robots-Tag": "noindex, nofollow"})
    assert link.nofollow_reasons == ("X-Robots-Tag: nofollow",)


def test_x_robots_tag_for_googlebot_applies_and_for_other_bots_does_not() -> None:
    html = '<a href="https://o.test/">x</a>'
    assert not first(html, headers=[("x-robots-tag", "googlebot: nofollow")]).follow
    assert first(html, headers=[("X-Robots-Tag", "otherbot: nofollow")]).follow
    assert first(html, headers=[("X-Robots-Tag", "unavailable_after: 1 Jan 2020")]).follow


def test_rel_and_page_reasons_are_both_reported() -> None:
    html = '<meta name="robots" content="nofollow"><a href="https://o.test/" rel="ugc">x</a>'
    assert first(html).nofollow_reasons == ("rel=ugc", "meta robots: nofollow")
