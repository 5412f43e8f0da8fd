"""internal / external / other by registrable domain, position, redirect wrappers, summary."""

from __future__ import annotations

from server.analysis import analyze

PAGE = "https://www.example.co.uk/post"


def kinds(html: str, url: str = PAGE) -> list[str]:
    return [link.kind for link in analyze(html, url).links]


def test_subdomains_of_one_registrable_domain_are_internal() -> None:
    assert kinds('<a href="https://blog.example.co.uk/">b</a>') == ["internal"]


def test_other_registrable_domains_are_external() -> None:
    assert kinds('<a href="https://example.com/">x</a><a href="//co.uk/">y</a>') == [
        "external",
        "external",
    ]


def test_private_suffixes_make_sibling_sites_external() -> None:
    assert kinds('<a href="https://b.github.io/">b</a>', "https://a.github.io/") == ["external"]
    assert kinds('<a href="https://a.github.io/x">a</a>', "https://a.github.io/") == ["internal"]


def test_non_http_schemes_and_same_page_fragments_are_other() -> None:
    html = (
        '<a href="mailto:a@b.c">m</a><a href="tel:+1">t</a><a href="javascript:void(0)">j</a>'
        '<a href="data:text/plain,x">d</a><a href="#comments">f</a>'
    )
    result = analyze(html, PAGE)
    assert [link.kind for link in result.links] == ["other"] * 5
    assert [link.scheme for link in result.links] == [
        "mailto",
        "tel",
        "javascript",
        "data",
        "https",
    ]


def test_ip_hosts_are_their_own_site() -> None:
    assert kinds('<a href="http://10.0.0.1/">a</a>', "http://10.0.0.1/x") == ["internal"]
    assert kinds('<a href="http://10.0.0.2/">a</a>', "http://10.0.0.1/x") == ["external"]


def test_domain_field_is_the_registrable_domain() -> None:
    link = analyze('<a href="https://news.bbc.co.uk/a">x</a>', PAGE).links[0]
    assert (link.host, link.domain) == ("news.bbc.co.uk", "bbc.co.uk")


def positions(html: str) -> list[str]:
    return [link.position for link in analyze(html, PAGE).links]


def test_position_outermost_region_wins_so_footer_nav_is_footer() -> None:
    assert positions('<footer><nav><a href="/a">a</a></nav></footer>') == ["footer"]
    assert positions('<aside><header><a href="/a">a</a></header></aside>') == ["aside"]


def test_position_nav_main_article_and_body() -> None:
    html = (
        '<nav><a href="/n">n</a></nav><main><a href="/m">m</a></main>'
        '<article><a href="/a">a</a></article><p><a href="/b">b</a></p>'
    )
    assert positions(html) == ["nav", "main", "main", "body"]


def test_position_counts_aria_landmark_roles() -> None:
    html = (
        '<div role="banner"><a href="/h">h</a></div>'
        '<div role="contentinfo"><div role="navigation"><a href="/f">f</a></div></div>'
        '<div role="complementary"><a href="/s">s</a></div>'
        '<div role="navigation"><a href="/n">n</a></div><div role="main"><a href="/m">m</a></div>'
    )
    assert positions(html) == ["header", "footer", "aside", "nav", "main"]


def test_redirect_wrappers_report_their_destination() -> None:
    html = (
        '<a href="https://www.google.com/url?q=https%3A%2F%2Fdest.test%2Fp&sa=D">g</a>'
        '<a href="https://out.example.net/go?url=https://dest.test/q">o</a>'
        '<a href="https://l.facebook.com/l.php?u=http%3A%2F%2Fdest.test%2F">f</a>'
        '<a href="https://example.net/search?q=https://dest.test/">not a wrapper</a>'
    )
    assert [link.redirect_to for link in analyze(html, PAGE).links] == [
        "https://dest.test/p",
        "https://dest.test/q",
        "http://dest.test/",
        None,
    ]


def test_summary_counts() -> None:
    html = (
        '<a href="/i">i</a><a href="https://a.test/">a</a><a href="https://a.test/2" rel=nofollow>'
        'n</a><a href="https://b.test/" rel="sponsored">s</a>'
        '<a href="https://c.test/" rel=ugc>u</a>'
        '<a href="mailto:x@y.z">m</a>'
    )
    summary = analyze(html, PAGE).summary
    assert (summary.total, summary.internal, summary.external, summary.other) == (6, 1, 4, 1)
    assert (summary.followed_external, summary.not_followed) == (1, 3)
    assert (summary.nofollow, summary.sponsored, summary.ugc) == (1, 1, 1)
    assert summary.unique_external_domains == 3


def test_noindex_is_a_page_warning_and_many_external_links_are_only_counted() -> None:
    # "Each passes less value" past 100 links is an obsolete rule: Google dropped the
    # 100-links guideline in 2008; the count stays in the summary.
    links = "".join(f'<a href="https://s{i}.test/">x</a>' for i in range(150))
    result = analyze('<meta name="robots" content="noindex">' + links, PAGE)
    assert any("noindex" in w for w in result.page.warnings)
    assert not any("external links" in w for w in result.page.warnings)
    assert result.summary.external == 150


def test_link_cap_truncates_and_says_so() -> None:
    links = "".join(f'<a href="/{i}">x</a>' for i in range(10))
    result = analyze(links, PAGE, max_links=3)
    assert len(result.links) == 3
    assert result.page.truncated
    assert any("first 3 links" in w for w in result.page.warnings)


def test_target_attribute_is_reported() -> None:
    assert analyze('<a href="/" target="_blank">x</a>', PAGE).links[0].target == "_blank"
