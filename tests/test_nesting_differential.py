"""The C nesting scan gives, byte for byte, what its Python model (tests/nesting_model.py) gives:
on the real pages, on the attack pages, and on generated tag soup with small limits, so that
dropping start tags and closing formatting elements happen on short pages too."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.analysis._nesting import bound
from server.analysis.nesting import MAX_DEPTH, MAX_REOPENED
from tests import nesting_model

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# Markup pieces chosen to hit each branch of the model: every set of tag names, attribute
# values hiding '>' and end tags, comments and bogus comments, CDATA, raw text and the script
# escape states, foreign content and its break-outs, and text in all three string widths.
_NAMES = [
    "a", "area", "b", "B", "i", "em", "font", "nobr", "code", "strong", "u", "p", "P", "div",
    "span", "li", "dd", "option", "tr", "td", "th", "table", "caption", "template", "object",
    "marquee", "applet", "form", "button", "html", "body", "br", "img", "hr", "input", "meta",
    "svg", "math", "foreignObject", "desc", "mi", "annotation-xml", "path", "h1", "ul", "pre",
    "plaintext", "xmp", "title", "textarea", "style", "iframe", "script", "sCrIpT", "x-el", "é",
]  # fmt: skip
_PIECES = st.one_of(
    st.sampled_from(_NAMES).map(lambda n: f"<{n}>"),
    st.sampled_from(_NAMES).map(lambda n: f"</{n}>"),
    st.tuples(st.sampled_from(_NAMES), st.sampled_from(["1", "2", "x>y", "</div>"])).map(
        lambda t: f'<{t[0]} id="{t[1]}">'
    ),
    st.sampled_from(_NAMES).map(lambda n: f"<{n}/>"),
    st.sampled_from(
        [
            "text", " ", "é", "Ā", "😀", "<", ">", "=", '"', "'", "/", "-", "<!--", "-->", "<!-->",
            "<!x ", "<?php ", "</ x>", "</3", "<![CDATA[", "]]>", "<script>", "</script>",
            "<!--<script>", "</script >", "<div title='a>b'>", "<div title=\"a", "<b id=a=b>",
            "<DIV\t>", "</DIV\n>", "<a href='/x'>", "<td><b>", "<p>x",
        ]
    ),
)  # fmt: skip


def assert_same(html: str, max_depth: int = MAX_DEPTH, max_reopened: int = MAX_REOPENED) -> None:
    expected = nesting_model.bound_depth(html, max_depth, max_reopened)
    got = bound(html, max_depth, max_reopened)
    assert got == expected
    if not got[1]:
        assert got[0] is html


_FORMATTING_PIECES = st.sampled_from(
    ["<b>", "<b>", "<i>", "<b id=1>", "<b id=2>", "<font size=2>", "<nobr>", "<a>", "</b>",
     "</i>", "</a>", "<p>", "<p>x", "</p>", "<div>", "</div>", "x", "<td>", "</td>", "<table>",
     "<svg>", "<math>", "<mi>", "<desc>", "</svg>", "<br>", "<img>", "<span>x"]
)  # fmt: skip


def assert_same_at_every_limit(html: str) -> None:
    """Each limit crossed at a different place: the output then shows the model's depth at
    every start tag and its reopening count at every step, not only where the default
    limits fall."""
    for max_depth in range(1, 13):
        assert_same(html, max_depth, 10**6)
    for max_reopened in range(41):
        assert_same(html, 10**6, max_reopened)


@given(st.lists(st.one_of(_PIECES, _FORMATTING_PIECES), max_size=100))
@settings(max_examples=1500, deadline=None)
def test_the_c_scan_matches_its_model_on_generated_tag_soup(pieces: list[str]) -> None:
    assert_same_at_every_limit("".join(pieces))


@given(st.lists(_FORMATTING_PIECES, min_size=20, max_size=150))
@settings(max_examples=800, deadline=None)
def test_the_c_scan_matches_its_model_on_left_open_formatting_tags(pieces: list[str]) -> None:
    assert_same_at_every_limit("".join(pieces))


@given(st.text(alphabet="<>/!-=\"' abpditrsvgcmx\t\n", max_size=300))
@settings(max_examples=1000, deadline=None)
def test_the_c_scan_matches_its_model_on_random_markup_characters(html: str) -> None:
    assert_same_at_every_limit(html)


# Pages that end inside a token, and names around the C's 16-character name table.
_ENDINGS = [
    "",
    "<",
    "</",
    "<!",
    "<!-",
    "<!--",
    "<!--x",
    "<![CDATA[",
    "<svg><![CDATA[",
    "<svg><![CDATA[x]]",
    "<?",
    "</ ",
    "<a",
    "<a ",
    "<a b",
    "<a b=",
    '<a b="',
    "<a b='x",
    "<a b=x",
    "<script",
    "<script>",
    "<script><!--",
    "<script><!--<script",
    "<script><!--<script>",
    "<script><!--<script></script",
    "<style>",
    "<style></style",
    "<textarea>x</textarea",
    "<" + "a" * 15 + ">",
    "<" + "a" * 16 + ">",
    "<ANNOTATION-XML>",
    "<plaintext>",
    "<b>" * 70,
    "<b😀>",
    "</b😀>",
    "<math><mi><b>",
    "<table><td><b><p>x</td>x",
    "<nobr><nobr>",
    "<a><a>",
    "<template><b></template>x",
]


@pytest.mark.parametrize("ending", _ENDINGS)
def test_the_c_scan_matches_its_model_when_a_page_ends_mid_token(ending: str) -> None:
    for start in _ENDINGS:
        for max_depth, max_reopened in ((1, 0), (2, 3), (MAX_DEPTH, MAX_REOPENED)):
            assert_same(start + ending, max_depth, max_reopened)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the page corpus is beside the repository")
def test_the_c_scan_matches_its_model_on_every_corpus_page() -> None:
    pages = sorted(CORPUS.glob("*.html"))
    assert len(pages) >= 100
    for page in pages:
        html = page.read_bytes().decode("utf-8", "replace")
        assert_same(html)
        assert_same(html, 24, 200)  # and with limits real pages do reach


@pytest.mark.parametrize(
    "page",
    [
        "<div>" * 5000,
        "<div></span>" * 5000,
        "".join(f"<b id={i}><p>x" for i in range(3000)),
        "<div>" * 400 + "".join(f"<b id={i}>" for i in range(400)) + "</div>x" * 400,
        '<div title="x></div>">' * 5000,
        "<div><!x </div>" * 5000,
        "<div><script><!--<script></script></div></script>" * 5000,
        "<div><svg><![CDATA[ > </div> ]]></svg>" * 5000,
        "<table><td>" * 2000 + "<b><i><u>x" * 2000,
        "<svg>" + "<g>" * 3000 + "<p>" + "<b>" * 100,
        ("<div>" * 600 + "Ā😀<a href=/x>é</a>") * 5,
    ],
    ids=lambda page: page[:24],
)
def test_the_c_scan_matches_its_model_on_attack_pages(page: str) -> None:
    assert_same(page)
