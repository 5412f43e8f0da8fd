"""Engine rules found by the Chromium differential test, one focused test per fix."""

from __future__ import annotations

from server.analysis import analyze

PAGE = "http://example.com/dir/page.html"


def hrefs(html: str, charset: str | None = None) -> list[str]:
    return [link.href for link in analyze(html, PAGE, charset=charset).links]


def test_links_in_svg_desc_and_title_are_html_links() -> None:
    html = '<svg><a href="/svg">s</a><desc><a href="/desc">d</a></desc><title><a href="/t">t</a>'
    assert hrefs(html) == ["http://example.com/desc", "http://example.com/t"]


def test_links_in_mathml_text_points_are_html_links() -> None:
    html = (
        '<math><a href="/m">m</a><mi><a href="/mi">i</a></mi>'
        '<annotation-xml><a href="/ax">a</a></annotation-xml>'
        '<annotation-xml encoding="Text/HTML"><a href="/html">h</a></annotation-xml></math>'
    )
    assert hrefs(html) == ["http://example.com/mi", "http://example.com/html"]


def test_svg_inside_an_integration_point_is_svg_again() -> None:
    assert hrefs('<svg><desc><svg><a href="/inner">i</a></svg></desc></svg>') == []


def test_base_in_svg_is_not_the_document_base() -> None:
    html = '<svg><base href="https://svg.example/"></base></svg><a href="x">x</a>'
    assert hrefs(html) == ["http://example.com/dir/x"]


def test_meta_robots_written_in_svg_breaks_out_and_counts() -> None:
    # <meta> is one of the tags that close foreign content: Chromium makes it an HTML meta.
    result = analyze('<svg><g><meta name="robots" content="nofollow"></g></svg>', PAGE)
    assert result.page.robots.nofollow is True


def test_unparseable_base_leaves_relative_hrefs_unresolved() -> None:
    result = analyze(
        '<base href="http://[::1"><a href="x">x</a><a href="https://a.test/">a</a>', PAGE
    )
    assert [link.href for link in result.links] == ["x", "https://a.test/"]
    assert result.page.base_url == "about:blank"


def test_pipe_in_path_is_percent_encoded_as_chromium_does() -> None:
    assert hrefs('<a href="/a|b?c|d">x</a>') == ["http://example.com/a%7Cb?c|d"]


def test_quote_in_userinfo_is_percent_encoded_as_chromium_does() -> None:
    assert hrefs("<a href=\"http://o'k:p'w@example.com/\">x</a>") == [
        "http://o%27k:p%27w@example.com/"
    ]


def test_windows_1252_query_passes_c1_controls_through() -> None:
    assert hrefs('<a href="/q?\u0081\u00e9">x</a>', "windows-1252") == [
        "http://example.com/q?%81%E9"
    ]


def test_shift_jis_query_keeps_ascii_bytes_literal() -> None:
    # U+65E5 U+672C is 0x93 0xFA 0x96 0x7B: the trail byte '{' stays as it is.
    assert hrefs('<a href="/q?\u65e5\u672c">x</a>', "Shift_JIS") == [
        "http://example.com/q?%93%FA%96{"
    ]


def test_shift_jis_query_maps_yen_and_overline_to_ascii() -> None:
    assert hrefs('<a href="/q?\u00a5\u203e">x</a>', "Shift_JIS") == ["http://example.com/q?\\~"]


def test_shift_jis_query_has_no_best_fit_or_private_use_mappings() -> None:
    # Python's cp932 encodes these; the browser's Shift_JIS encoder does not.
    assert hrefs('<a href="/q?\u00a2\u301c\ue000">x</a>', "Shift_JIS") == [
        "http://example.com/q?%26%23162%3B%26%2312316%3B%26%2357344%3B"
    ]


def test_gbk_query_encodes_the_euro_sign_as_0x80() -> None:
    assert hrefs('<a href="/q?\u20ac">x</a>', "GBK") == ["http://example.com/q?%80"]


def test_elements_with_a_role_keep_their_own_meaning() -> None:
    html = (
        '<meta name="robots" content="nofollow" role="x"><svg role="img"><a href="/svg">s</a></svg>'
        '<a role="button">no href</a><nav role="navigation"><a href="/n" role="link">n</a></nav>'
    )
    result = analyze(html, PAGE)
    assert [(link.href, link.position) for link in result.links] == [
        ("http://example.com/n", "nav")
    ]
    assert result.page.robots.nofollow is True
