"""The nesting bound: start tags past depth 512 are dropped before parsing, nothing else is."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from server.analysis.nesting import MAX_DEPTH, MAX_REOPENED, bound_depth


def test_start_tags_past_the_depth_limit_are_dropped() -> None:
    html, flattened = bound_depth("<div>" * 5000)
    assert flattened
    assert html.count("<div>") == MAX_DEPTH


def test_links_images_and_text_past_the_limit_are_kept() -> None:
    deep = "<div>" * 5000 + 'text<span><a href="/x"><img alt="logo"></a></span>'
    html, flattened = bound_depth(deep)
    assert flattened
    assert html.endswith('text<a href="/x"><img alt="logo"></a></span>')


def test_a_long_but_shallow_page_is_returned_untouched() -> None:
    page = "<div><p>para<ul><li>one<li>two</ul></div>" * 2000
    html, flattened = bound_depth(page)
    assert not flattened
    assert html is page


def test_unclosed_paragraphs_and_list_items_do_not_count_as_nesting() -> None:
    page = "<body>" + "<p>para" * 3000 + "<ul>" + "<li>item" * 3000 + "</ul>"
    assert bound_depth(page) == (page, False)


def test_self_closing_svg_elements_do_not_count_as_nesting() -> None:
    page = "<svg>" + "<path d='M0'/>" * 5000 + "</svg>"
    assert bound_depth(page) == (page, False)


def test_tags_inside_scripts_and_comments_do_not_count() -> None:
    page = "<script>" + "<div>" * 5000 + "</script><!--" + "<div>" * 5000 + "-->"
    assert bound_depth(page) == (page, False)


def test_unmatched_end_tags_do_not_hide_nesting() -> None:
    html, flattened = bound_depth("<div></span>" * 5000)
    assert flattened
    assert html.count("<div>") == MAX_DEPTH


def test_end_tags_close_their_element_so_siblings_stay_shallow() -> None:
    page = "<div><span>x</span></div>" * 5000
    assert bound_depth(page) == (page, False)


def test_a_table_hides_an_outer_element_from_end_tags() -> None:
    # `</div>` does not close a div outside a table: the parser ignores it, so do we.
    html, flattened = bound_depth("<div><table></div>" * 3000)
    assert flattened


def reopened_elements(html: str) -> int:
    """How many elements Lexbor builds for `html`: the parser's work, counted."""
    return len(LexborHTMLParser(html).css("*"))


def parsed_depth(html: str) -> int:
    """How deep Lexbor nests the elements of `html`."""
    deepest = 0
    for node in LexborHTMLParser(html).css("*"):
        depth = 0
        while node.parent is not None:
            node, depth = node.parent, depth + 1
        deepest = max(deepest, depth)
    return deepest


def test_formatting_tags_reopened_by_each_paragraph_are_closed_past_the_budget() -> None:
    # Unbounded, each <p> makes the next text reopen every <b> so far: 45 million elements.
    page = "".join(f"<b id={i}><p>x" for i in range(3 * MAX_DEPTH * 6))
    html, flattened = bound_depth(page)
    assert flattened
    assert reopened_elements(html) < 2 * MAX_REOPENED + 4 * page.count("<")


def test_formatting_tags_reopened_after_each_end_tag_are_closed_past_the_budget() -> None:
    page = "<div>" * 400 + "".join(f"<b id={i}>" for i in range(400)) + "</div>x" * 400
    html, flattened = bound_depth(page)
    assert flattened
    assert reopened_elements(html) < 2 * MAX_REOPENED + 4 * page.count("<")


def test_alike_formatting_tags_reopened_in_every_paragraph_are_bounded() -> None:
    tags = ["b", "i", "u", "s", "em", "tt", "big", "code", "font", "nobr", "small", "strike"] * 3
    page = "<p>" + "".join(f"<{t}>" for t in tags) + "<p>x" * 20_000
    html, flattened = bound_depth(page)
    assert flattened
    assert reopened_elements(html) < 2 * MAX_REOPENED + 4 * page.count("<")


def test_a_page_that_reopens_a_few_formatting_tags_is_untouched() -> None:
    page = "<p><b>bold" + "<p>more bold text" * 3000
    assert bound_depth(page) == (page, False)


def test_a_sloppy_but_normal_page_with_unclosed_font_tags_is_untouched() -> None:
    row = '<font face="Arial"><p>text <a href="/x">link</a><br><img src=i.png><p>more'
    page = row * 500
    assert bound_depth(page) == (page, False)


def test_end_tags_inside_quoted_attribute_values_close_nothing() -> None:
    html, flattened = bound_depth('<div title="x></div>">' * 5000)
    assert flattened
    assert parsed_depth(html) <= MAX_DEPTH + 4  # and html, body, a leaf


def test_end_tags_inside_bogus_comments_close_nothing() -> None:
    html, flattened = bound_depth("<div><!x </div>" * 5000)
    assert flattened
    assert parsed_depth(html) <= MAX_DEPTH + 4  # and html, body, a leaf


def test_end_tags_inside_an_escaped_script_close_nothing() -> None:
    page = "<div><script><!--<script></script></div></script>" * 5000
    html, flattened = bound_depth(page)
    assert flattened
    assert parsed_depth(html) <= MAX_DEPTH + 4  # and html, body, a leaf


def test_end_tags_inside_svg_cdata_close_nothing() -> None:
    html, flattened = bound_depth("<div><svg><![CDATA[ > </div> ]]></svg>" * 5000)
    assert flattened
    assert parsed_depth(html) <= MAX_DEPTH + 4  # and html, body, a leaf


def test_a_script_ends_at_its_end_tag_so_what_follows_is_markup() -> None:
    page = ("<div><script>if (a < b) x = '</div>';</script></div>" * 3000) + "<p>end"
    assert bound_depth(page) == (page, False)
