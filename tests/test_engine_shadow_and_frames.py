"""Every link of the live page: declarative shadow roots, inert templates and frames, each
link saying where it lives."""

from __future__ import annotations

import pytest

from server.analysis import FrameDocument, analyze

PAGE = "https://example.com/dir/page"


def hrefs(html: str, **kwargs: object) -> list[str]:
    return [link.href for link in analyze(html, PAGE, **kwargs).links]  # type: ignore[arg-type]


def test_links_in_a_declarative_shadow_root_are_links_of_the_page() -> None:
    html = (
        '<div><template shadowrootmode="open"><a href="/in-shadow">s</a></template>'
        '<a href="/light">l</a></div>'
    )
    links = analyze(html, PAGE).links
    assert [(link.href, link.shadow) for link in links] == [
        ("https://example.com/in-shadow", True),
        ("https://example.com/light", False),
    ]


def test_closed_and_nested_declarative_shadow_roots_are_read_in_shadow_including_order() -> None:
    html = (
        '<a href="/first">1</a>'
        '<my-card><template shadowrootmode="closed">'
        '<a href="/outer">o</a>'
        '<span><template shadowrootmode="OPEN"><a href="/nested">n</a></template></span>'
        '<slot></slot></template><a href="/slotted">s</a></my-card>'
        '<a href="/last">z</a>'
    )
    assert hrefs(html) == [
        "https://example.com/first",
        "https://example.com/outer",
        "https://example.com/nested",
        "https://example.com/slotted",
        "https://example.com/last",
    ]


def test_a_plain_template_stays_inert() -> None:
    html = (
        '<template><a href="/inert">i</a></template>'
        '<div><template shadowrootmode="sideways"><a href="/bad-mode">b</a></template></div>'
        '<a href="/real">r</a>'
    )
    assert hrefs(html) == ["https://example.com/real"]


def test_a_shadow_root_on_an_element_that_cannot_host_one_stays_inert() -> None:
    # attachShadow() refuses <a>, <td>, <ul>...: the parser keeps the template as a template.
    html = (
        '<ul><template shadowrootmode="open"><a href="/x">x</a></template></ul><a href="/y">y</a>'
    )
    assert hrefs(html) == ["https://example.com/y"]


def test_only_the_first_declarative_shadow_root_of_a_host_is_attached() -> None:
    html = (
        '<div><template shadowrootmode="open"><a href="/one">1</a></template>'
        '<template shadowrootmode="open"><a href="/two">2</a></template></div>'
    )
    assert hrefs(html) == ["https://example.com/one"]


def test_shadow_links_take_the_position_of_their_host() -> None:
    html = (
        '<footer><div><template shadowrootmode="open"><nav><a href="/f">f</a></nav>'
        "</template></div></footer>"
        '<main><div><template shadowrootmode="open"><nav><a href="/n">n</a></nav></template>'
        '</div><x-widget><template shadowrootmode="open"><a href="/m">m</a></template>'
        "</x-widget></main>"
    )
    positions = [link.position for link in analyze(html, PAGE).links]
    assert positions == ["footer", "nav", "main"]


def test_svg_links_in_a_shadow_root_are_not_html_links() -> None:
    html = (
        '<div><template shadowrootmode="open"><svg><a href="/svg">s</a></svg>'
        '<a href="/html">h</a></template></div>'
    )
    assert hrefs(html) == ["https://example.com/html"]


def test_frame_links_resolve_against_the_frames_own_base_and_obey_its_robots() -> None:
    frame = FrameDocument(
        url="https://widgets.test/embed/w.html",
        html=(
            '<head><base href="/root/"><meta name="robots" content="nofollow"></head>'
            '<a href="x">x</a>'
        ),
    )
    result = analyze('<a href="p">p</a>', PAGE, frames=[frame])
    page_link, frame_link = result.links
    assert page_link.href == "https://example.com/dir/p" and page_link.follow
    assert page_link.frame is None and page_link.frame_url is None
    assert frame_link.href == "https://widgets.test/root/x"
    assert not frame_link.follow
    assert frame_link.nofollow_reasons == ("meta robots: nofollow",)
    assert frame_link.frame == 0 and frame_link.frame_url == "https://widgets.test/embed/w.html"
    assert frame_link.kind == "external"  # internal means the page's own site
    assert not result.page.robots.nofollow
    assert result.page.frames[0].robots.nofollow
    assert result.page.frames[0].base_url == "https://widgets.test/root/"
    assert result.page.frames[0].links == 1


def test_srcdoc_frame_resolves_against_its_parents_base_url() -> None:
    outer = FrameDocument(url="https://other.test/a/frame.html", html="<p>frame</p>")
    srcdoc = FrameDocument(url="about:srcdoc", html='<a href="deep">d</a>', parent=0)
    top_srcdoc = FrameDocument(url="about:srcdoc", html='<base href="b/"><a href="y">y</a>')
    result = analyze(
        '<base href="https://cdn.test/base/">', PAGE, frames=[outer, srcdoc, top_srcdoc]
    )
    assert [(link.href, link.frame) for link in result.links] == [
        ("https://other.test/a/deep", 1),
        ("https://cdn.test/base/b/y", 2),
    ]


def test_the_link_cap_counts_frame_links_after_the_pages_own() -> None:
    frame = FrameDocument(url="https://f.test/", html='<a href="/1">1</a><a href="/2">2</a>')
    result = analyze('<a href="/0">0</a>', PAGE, frames=[frame], max_links=2)
    assert [link.href for link in result.links] == [
        "https://example.com/0",
        "https://f.test/1",
    ]
    assert result.page.truncated
    assert result.page.frames[0].links == 1


def test_a_frame_whose_parent_is_not_an_earlier_frame_is_a_value_error() -> None:
    for parent in (0, 5, -1):
        with pytest.raises(ValueError, match="parent"):
            analyze("", PAGE, frames=[FrameDocument(url="about:srcdoc", html="", parent=parent)])
