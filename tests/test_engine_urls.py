"""How the engine resolves hrefs: as Chromium's `a.href` does."""

from __future__ import annotations

from server.analysis import analyze

PAGE = "https://www.example.com/dir/page.html"


def hrefs(html: str, url: str = PAGE, **kwargs: object) -> list[str]:
    return [link.href for link in analyze(html, url, **kwargs).links]  # type: ignore[arg-type]


def test_relative_href_resolves_against_page_url() -> None:
    assert hrefs('<a href="../up?x=1">u</a>') == ["https://www.example.com/up?x=1"]


def test_first_base_href_sets_the_document_base() -> None:
    html = '<base href="/other/"><base href="https://ignored.test/"><a href="x">x</a>'
    assert hrefs(html) == ["https://www.example.com/other/x"]


def test_base_href_is_itself_resolved_against_the_page_url() -> None:
    result = analyze('<base href="sub/"><a href="x">x</a>', PAGE)
    assert result.page.base_url == "https://www.example.com/dir/sub/"
    assert result.links[0].href == "https://www.example.com/dir/sub/x"


def test_base_without_href_is_skipped_for_the_first_with_href() -> None:
    html = '<base target="_blank"><base href="https://cdn.example.net/"><a href="x">x</a>'
    assert hrefs(html) == ["https://cdn.example.net/x"]


def test_javascript_and_data_base_urls_are_ignored() -> None:
    assert hrefs('<base href="javascript:alert(1)"><a href="x">x</a>') == [
        "https://www.example.com/dir/x"
    ]
    assert hrefs('<base href="data:text/html,hi"><a href="x">x</a>') == [
        "https://www.example.com/dir/x"
    ]


def test_whitespace_tabs_and_newlines_are_removed_from_hrefs() -> None:
    html = '<a href="  \n https://exa\tmple.org/a\nb  ">x</a>'
    assert hrefs(html) == ["https://example.org/ab"]


def test_idn_hosts_become_punycode() -> None:
    assert hrefs('<a href="https://bücher.de/ä">x</a>') == ["https://xn--bcher-kva.de/%C3%A4"]


def test_default_ports_are_dropped_and_host_lowercased() -> None:
    assert hrefs('<a href="HTTPS://Example.ORG:443/a">x</a>') == ["https://example.org/a"]
    assert hrefs('<a href="http://example.org:80/">x</a>') == ["http://example.org/"]


def test_backslashes_are_slashes_in_special_urls() -> None:
    assert hrefs('<a href="\\\\cdn.example.net\\a\\b">x</a>') == ["https://cdn.example.net/a/b"]


def test_query_is_encoded_in_the_document_charset() -> None:
    html = '<a href="/s?q=café">x</a>'
    assert hrefs(html, charset="windows-1252") == ["https://www.example.com/s?q=caf%E9"]
    assert hrefs(html, charset="utf-8") == ["https://www.example.com/s?q=caf%C3%A9"]
    assert hrefs(html) == ["https://www.example.com/s?q=caf%C3%A9"]


def test_characters_the_charset_cannot_encode_become_numeric_references() -> None:
    assert hrefs('<a href="/s?q=€→">x</a>', charset="iso-8859-1") == [
        "https://www.example.com/s?q=%80%26%238594%3B"
    ]


def test_path_and_fragment_stay_utf8_whatever_the_charset() -> None:
    assert hrefs('<a href="/é?q=é#é">x</a>', charset="windows-1252") == [
        "https://www.example.com/%C3%A9?q=%E9#%C3%A9"
    ]


def test_unparseable_href_is_reported_as_written_like_a_href() -> None:
    link = analyze('<a href="http://exa mple.com/">x</a>', PAGE).links[0]
    assert link.href == "http://exa mple.com/"
    assert link.kind == "other"
    assert any("not a valid URL" in w for w in link.warnings)


def test_area_links_are_links_and_svg_links_are_not() -> None:
    html = (
        '<map name="m"><area href="/area" alt="Map spot"></map>'
        '<svg><a href="/svg">s</a><foreignObject><a href="/html-in-svg">h</a></foreignObject></svg>'
    )
    result = analyze(html, PAGE)
    assert [(link.tag, link.href) for link in result.links] == [
        ("area", "https://www.example.com/area"),
        ("a", "https://www.example.com/html-in-svg"),
    ]
    assert result.links[0].image_alt == "Map spot"


def test_anchor_without_href_is_not_a_link() -> None:
    assert hrefs('<a name="top">t</a><a href="">self</a>') == [PAGE]
