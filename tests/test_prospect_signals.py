"""Contact signals read from a saved page's links (pure: no database)."""

from __future__ import annotations

from server.analysis import analyze
from server.store.signals import contact_signals, merge_contact


def signals(html: str, url: str = "https://blog.com/post") -> dict[str, list[object]]:
    return contact_signals(analyze(html, url))


def test_mailto_links_give_every_valid_address_once() -> None:
    found = signals(
        '<a href="mailto:A@Blog.com,b@blog.com?subject=x">1</a>'
        '<a href="mailto:a@blog.com">2</a><a href="mailto:not-an-address">3</a>'
        '<a href="mailto:%20c%40blog.com">4</a>'
    )
    assert found["emails"] == ["a@blog.com", "b@blog.com", "c@blog.com"]


def test_write_for_us_pages_are_found_by_path_or_anchor_text() -> None:
    found = signals(
        '<a href="/write-for-us/">Pitch</a>'
        '<a href="/p/123">Guest Post Guidelines</a>'
        '<a href="/contributors">Our contributors</a>'
        '<a href="https://other.com/write-for-us">Theirs</a>'
    )
    assert found["write_for_us"] == [
        "https://blog.com/write-for-us/",
        "https://blog.com/p/123",
        "https://blog.com/contributors",
    ]


def test_contact_and_about_pages_are_internal_links_only() -> None:
    found = signals(
        '<a href="/contact-us">Contact</a><a href="/p/9">Get in touch</a>'
        '<a href="/about">About</a><a href="/team">Meet us</a>'
        '<a href="https://other.com/contact">Their contact</a>'
    )
    assert found["contact_pages"] == ["https://blog.com/contact-us", "https://blog.com/p/9"]
    assert found["about_pages"] == ["https://blog.com/about", "https://blog.com/team"]


def test_social_profiles_are_kept_and_share_buttons_are_not() -> None:
    found = signals(
        '<a href="https://twitter.com/blog">t</a><a href="https://x.com/intent/post?x=1">s</a>'
        '<a href="https://www.facebook.com/sharer/sharer.php?u=1">s</a>'
        '<a href="https://www.linkedin.com/company/blog">l</a>'
        '<a href="https://www.youtube.com/">home</a>'
    )
    assert found["social"] == [
        {"network": "x", "url": "https://twitter.com/blog"},
        {"network": "linkedin", "url": "https://www.linkedin.com/company/blog"},
    ]


def test_the_saved_page_itself_can_be_the_write_for_us_page() -> None:
    found = signals("<title>Write for us</title>", "https://blog.com/guest-posting")
    assert found["write_for_us"] == ["https://blog.com/guest-posting"]


def test_signals_of_several_pages_merge_without_repeats() -> None:
    a = signals('<a href="mailto:a@blog.com">m</a><a href="/contact">c</a>')
    b = signals('<a href="mailto:a@blog.com">m</a><a href="mailto:b@blog.com">m</a>')
    merged = merge_contact([a, b])
    assert merged["emails"] == ["a@blog.com", "b@blog.com"]
    assert merged["contact_pages"] == ["https://blog.com/contact"]
