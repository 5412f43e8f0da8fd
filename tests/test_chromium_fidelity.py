"""Differential test: the engine against real headless Chromium (JavaScript off, loopback only).

For every corpus page and every hand-written rule page, Chromium's `a.href` / `relList` (HTML
namespace `a[href]`, `area[href]`) and meta robots/googlebot must equal the engine's, link for
link, in order. The one allowed difference is a named quirk of non-http(s) URLs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Playwright

from tests.chromium_view import Chromium, Comparison, check_page, launch
from tests.fidelity_pages import PAGES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_PAGES = sorted(p.name for p in CORPUS.glob("*.html")) if CORPUS.is_dir() else []
EXPECTED_CORPUS_PAGES = 130

_results: dict[str, Comparison] = {}


@pytest.fixture(scope="module")
def chromium(playwright: Playwright) -> Iterator[Chromium]:
    yield from launch(playwright)


def _checked(chromium: Chromium, name: str) -> Comparison:
    if name not in _results:
        if name in PAGES:
            body, content_type = PAGES[name]
            _results[name] = check_page(chromium, name, body, content_type)
        else:
            body = (CORPUS / name).read_bytes()
            _results[name] = check_page(chromium, name, body, "text/html")
    return _results[name]


def test_corpus_is_beside_the_repository() -> None:
    assert CORPUS.is_dir(), f"the page corpus is missing: expected {CORPUS}"
    assert len(CORPUS_PAGES) == EXPECTED_CORPUS_PAGES


@pytest.mark.parametrize("name", CORPUS_PAGES)
def test_corpus_page_links_match_chromium(chromium: Chromium, name: str) -> None:
    result = _checked(chromium, name)
    assert result.failures == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_rule_page_links_match_chromium(chromium: Chromium, name: str) -> None:
    result = _checked(chromium, name)
    assert result.links > 0 or name == "base-in-svg"
    assert result.failures == []


def test_requests_other_than_the_page_are_aborted(chromium: Chromium) -> None:
    """The route handler serves only the page under test: nothing is fetched from anywhere."""
    with pytest.raises(PlaywrightError, match="ERR_FAILED"):
        chromium.page.goto("https://example.com/", wait_until="commit")
    assert chromium.aborted[-1] == "https://example.com/"


def test_agreement_summary(chromium: Chromium, capsys: pytest.CaptureFixture[str]) -> None:
    """Print the agreement figures; every http(s) link must agree."""
    names = [*CORPUS_PAGES, *sorted(PAGES)]
    results = [_checked(chromium, name) for name in names]
    links = sum(r.links for r in results)
    http = sum(r.http_links for r in results)
    equal = sum(r.equal for r in results)
    http_equal = sum(r.http_equal for r in results)
    quirks = [q for r in results for q in r.quirks]
    failures = [f"{r.name}: {f}" for r in results for f in r.failures]
    with capsys.disabled():
        print(
            f"\nChromium differential: {len(CORPUS_PAGES)} corpus + {len(PAGES)} rule pages, "
            f"{links} links compared, {equal} equal ({100 * equal / max(links, 1):.2f} %); "
            f"http(s): {http_equal} of {http} equal ({100 * http_equal / max(http, 1):.2f} %); "
            f"{len(quirks)} allowed quirks (non-http), "
            f"{len(failures)} failures"
        )
        for quirk in quirks:
            print(f"  quirk: {quirk[:300]}")
    assert failures == []
    assert equal + len(quirks) == links
    assert http_equal == http
