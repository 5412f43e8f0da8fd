"""The tree is the browser's tree, even on broken markup."""

from __future__ import annotations

from server.analysis import analyze

PAGE = "https://example.com/"


def texts(html: str) -> list[tuple[str, str]]:
    return [(link.href, link.text) for link in analyze(html, PAGE).links]


def test_nested_anchor_closes_the_outer_one() -> None:
    assert texts('<a href="/1">one <a href="/2">two</a></a>') == [
        ("https://example.com/1", "one"),
        ("https://example.com/2", "two"),
    ]


def test_misnested_formatting_keeps_the_anchor_text() -> None:
    assert texts('<a href="/1"><b>bold</a> after</b>') == [("https://example.com/1", "bold")]


def test_links_in_tables_are_foster_parented_not_lost() -> None:
    assert texts('<table><a href="/f">fostered</a><tr><td>x</td></tr></table>') == [
        ("https://example.com/f", "fostered")
    ]


def test_template_content_is_not_a_link() -> None:
    assert texts('<template><a href="/t">t</a></template><a href="/real">r</a>') == [
        ("https://example.com/real", "r")
    ]


def test_textarea_and_comment_content_is_not_a_link() -> None:
    html = '<textarea><a href="/no">no</a></textarea><!-- <a href="/c">c</a> -->'
    assert texts(html + '<a href="/yes">yes</a>') == [("https://example.com/yes", "yes")]


def test_content_after_html_end_is_still_in_the_body() -> None:
    assert texts('<html><body></body></html><a href="/late">late</a>') == [
        ("https://example.com/late", "late")
    ]


def test_anchor_text_is_whitespace_collapsed() -> None:
    assert texts('<a href="/x">\n  Read\t the <em>whole</em>\n story </a>') == [
        ("https://example.com/x", "Read the whole story")
    ]


def test_image_link_reports_the_alt_text() -> None:
    link = analyze('<a href="/x"><img src="l.png" alt=" Our  logo "></a>', PAGE).links[0]
    assert link.text == ""
    assert link.image_alt == "Our logo"


def test_nul_bytes_and_garbage_do_not_break_parsing() -> None:
    result = analyze('\x00<a href="/x\x00y">a\x00b</a><<<>>>&&&;<a', PAGE)
    assert result.links[0].href.startswith("https://example.com/x")


def test_page_facts_title_lang_canonical() -> None:
    html = (
        '<html lang="fr-CA"><head><title>  Le   titre </title>'
        '<link rel="Canonical" href="/canon"></head></html>'
    )
    page = analyze(html, "https://example.com/a?b=1").page
    assert (page.title, page.lang, page.canonical) == (
        "Le titre",
        "fr-CA",
        "https://example.com/canon",
    )
    assert any("canonical" in w for w in page.warnings)
