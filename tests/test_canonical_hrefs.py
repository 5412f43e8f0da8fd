"""The fast way for hrefs already in canonical form gives what the URL parser gives, always."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from server.analysis import urls

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BASES = [
    "https://www.example.com/dir/page.html?q=1#top",
    "http://example.org:8080/a/b/",
    "https://[::1]/x",
    "https://user:pw@example.com/dir/",
    "https://xn--bcher-kva.example/",
]


def parsed(raw: str, base: str) -> tuple[str, str, str, str, str] | None:
    """resolve() through ada alone, or None where the URL parser fails."""
    try:
        href = str(urls.parse_url(raw, base).href)
    except ValueError:
        return None
    parts = urls.ada_url.parse_url(href, attributes=("protocol", "hostname", "pathname", "search"))
    return (
        href,
        str(parts["protocol"]),
        str(parts["hostname"]),
        str(parts["pathname"]),
        str(parts["search"]),
    )


def assert_same(raw: str, base: str) -> bool:
    fast = urls._resolve_canonical(raw, base)
    if fast is not None:
        assert fast == parsed(raw, base), raw
    return fast is not None


@pytest.mark.parametrize(
    "raw",
    [
        "https://example.com/a/./b",
        "https://example.com/a/../b",
        "https://example.com/a/%2e%2E/b",
        "https://example.com/a/.%2e",
        "https://example.com/.",
        "https://example.com/.well-known/x",
        "https://example.com/a..b/..c/...",
        "https://EXAMPLE.com/",
        "https://example.com:443/",
        "https://example.com:8443/",
        "https://1.2.3.4/",
        "https://example.123/",
        "https://example.0x1f/",
        "https://xn--bcher-kva.example/",
        "https://b\u00fccher.example/",
        "https://example.com",
        "https://example.com/?",
        "https://example.com/?#",
        "https://example.com/a'b?c'd#e'f",
        "https://example.com/a|b",
        "https://example.com/a b",
        "https://example.com/%zz/%41",
        "https://user@example.com/",
        "https://example.com//double//slash",
        "https://example.com/a?b=1&c=%20#x",
        "/absolute/path?x=1#y",
        "/./x",
        "/a/../b",
        "//example.net/x",
        "/%2e/x",
        "/",
        "/?",
        "/#",
    ],
)
def test_tricky_hrefs_are_resolved_as_the_url_parser_does(raw: str) -> None:
    for base in BASES:
        assert_same(raw, base)


def test_dot_segments_ports_and_foreign_hosts_never_take_the_fast_way() -> None:
    base = BASES[0]
    for raw in (
        "https://example.com/a/./b",
        "https://example.com:8443/",
        "https://1.2.3.4/",
        "https://xn--bcher-kva.example/",
        "/a/../b",
        "https://EXAMPLE.com/",
    ):
        assert urls._resolve_canonical(raw, base) is None, raw


def test_most_corpus_links_take_the_fast_way_and_all_agree_with_the_parser() -> None:
    hrefs = set()
    for page in sorted(CORPUS.glob("*.html")):
        tree = LexborHTMLParser(page.read_bytes().decode("utf-8", "replace"))
        hrefs.update(node.attrs.get("href") or "" for node in tree.css("a[href], area[href]"))
    fast = sum(assert_same(raw, base) for raw in hrefs for base in BASES[:2])
    assert fast > len(hrefs)  # over half of them, for each of the two bases


_URL_CHARS = st.sampled_from(list("aZ09-._~!$&'()*+,;=:@/?#%2eE|\\ \t[]^`{}\"<>") + ["xn--", ".."])


@settings(max_examples=400, deadline=None)
@given(
    prefix=st.sampled_from(["https://example.com", "http://a.b-c.org", "/", "https://x.io/p"]),
    rest=st.lists(_URL_CHARS, max_size=12).map("".join),
    base=st.sampled_from(BASES),
)
def test_generated_hrefs_agree_with_the_url_parser(prefix: str, rest: str, base: str) -> None:
    assert_same(prefix + rest, base)
