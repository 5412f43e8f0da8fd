"""What a search engine can see of a link: origin (served HTML or script), hidden, and the
risks that follow from the page's robots.txt, noindex, canonical and frames."""

from __future__ import annotations

from server.analysis import FrameDocument, RobotsTxt, analyze
from server.analysis.risks import assess

PAGE = "https://example.com/post"
DISALLOWED = RobotsTxt("disallowed", "https://example.com/robots.txt", "Disallow: /post")


def test_links_not_in_the_served_html_were_added_by_script() -> None:
    live = '<a href="/a">a</a><a href="/late">late</a><a href="/a">a again</a>'
    served = '<a href="/a">a</a>'
    links = analyze(live, PAGE, served_html=served).links
    assert [link.origin for link in links] == ["html", "script", "script"]
    assert [link.risks for link in links] == [(), ("script_only",), ("script_only",)]


def test_origin_is_unknown_without_the_served_html() -> None:
    link = analyze('<a href="/a">a</a>', PAGE).links[0]
    assert link.origin is None and link.risks == ()


def test_served_html_resolves_against_its_own_base() -> None:
    served = '<base href="https://example.com/x/"><a href="y">y</a>'
    link = analyze('<a href="https://example.com/x/y">y</a>', PAGE, served_html=served).links[0]
    assert link.origin == "html"


def test_links_in_a_served_declarative_shadow_root_come_from_the_html() -> None:
    html = '<div><template shadowrootmode="open"><a href="/s">s</a></template></div>'
    link = analyze(html, PAGE, served_html=html).links[0]
    assert link.shadow and link.origin == "html"


def test_hidden_comes_from_the_live_links_matched_by_href_in_order() -> None:
    html = '<a href="/a">a</a><a href="/b">b</a><a href="/a">a2</a>'
    live = [
        ("https://example.com/a", False),
        ("https://example.com/b", True),
        ("https://example.com/a", True),
    ]
    links = analyze(html, PAGE, live_links=live).links
    assert [link.hidden for link in links] == [False, True, True]
    assert links[1].risks == ("hidden",)


def test_a_link_the_live_dom_does_not_hold_does_not_shift_the_others() -> None:
    # <noscript> content is text in a live DOM with scripts on, an element when re-parsed.
    html = '<a href="/a">a</a><noscript><a href="/z">z</a></noscript><a href="/b">b</a>'
    live = [("https://example.com/a", True), ("https://example.com/b", False)]
    links = analyze(html, PAGE, live_links=live).links
    assert [link.hidden for link in links] == [True, None, False]


def test_hidden_is_unknown_without_live_links() -> None:
    assert analyze('<a href="/a">a</a>', PAGE).links[0].hidden is None


def test_page_level_risks_apply_to_every_link_of_the_document() -> None:
    html = (
        '<meta name="robots" content="noindex"><link rel="canonical" href="/other">'
        '<a href="https://mysite.com/">me</a>'
    )
    result = analyze(html, PAGE, sites=["mysite.com"], robots_txt={PAGE: DISALLOWED})
    link = result.links[0]
    assert link.follow
    assert link.risks == ("robots_txt_disallowed", "noindex", "canonical_elsewhere")
    assert result.page.robots_txt == DISALLOWED
    assert result.sites[0].followed and result.sites[0].risks == link.risks
    assert result.summary.at_risk == 1
    assert result.page.warnings[0].startswith("robots.txt blocks Googlebot from this page")


def test_a_canonical_to_the_page_itself_is_no_risk() -> None:
    html = '<link rel="canonical" href="https://example.com/post#top"><a href="/a">a</a>'
    assert analyze(html, PAGE).links[0].risks == ()


def test_the_best_link_decides_a_sites_risks() -> None:
    html = (
        '<a href="https://mysite.com/1" rel="nofollow">1</a>'
        '<a href="https://mysite.com/2">2</a><a href="https://mysite.com/3">3</a>'
    )
    live = [
        ("https://mysite.com/1", False),
        ("https://mysite.com/2", True),
        ("https://mysite.com/3", False),
    ]
    match = analyze(html, PAGE, sites=["mysite.com"], live_links=live).sites[0]
    assert match.followed and match.risks == ()


def test_frame_links_carry_the_frames_own_risks() -> None:
    frame = FrameDocument(
        url="https://w.test/embed",
        html='<meta name="robots" content="noindex"><a href="https://mysite.com/">me</a>',
    )
    srcdoc = FrameDocument(
        url="about:srcdoc", html='<a href="https://mysite.com/x">x</a>', parent=0
    )
    verdicts = {"https://w.test/embed": DISALLOWED}
    result = analyze("<p>page</p>", PAGE, frames=[frame, srcdoc], robots_txt=verdicts)
    assert [link.risks for link in result.links] == [
        ("robots_txt_disallowed", "noindex", "in_frame"),
        ("robots_txt_disallowed", "in_frame"),  # a srcdoc frame is crawled with its parent
    ]
    assert result.page.robots_txt.status == "unknown"
    assert result.page.frames[0].robots_txt == DISALLOWED


def test_robots_txt_verdicts_given_later_replace_earlier_ones() -> None:
    result = analyze('<a href="/a">a</a>', PAGE)
    assert result.links[0].risks == ()
    blocked = assess(result, {PAGE: DISALLOWED})
    assert blocked.links[0].risks == ("robots_txt_disallowed",)
    allowed = assess(blocked, {PAGE: RobotsTxt("allowed", "https://example.com/robots.txt")})
    assert allowed.links[0].risks == ()
    assert not any(w.startswith("robots.txt") for w in allowed.page.warnings)
    assert allowed.summary.at_risk == 0
