"""The nesting bound: start tags past depth 512 are dropped before parsing, nothing else is."""

from __future__ import annotations

from server.analysis.nesting import MAX_DEPTH, bound_depth


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
