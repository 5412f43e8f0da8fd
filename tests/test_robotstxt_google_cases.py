"""Our robots.txt decision against every case of Google's own test suite (google/robotstxt)."""

from __future__ import annotations

import pytest

from server.robotstxt.rules import MAX_BYTES, RobotsFile, escape_pattern, path_params_query
from tests.google_robotstxt_cases import CASES, ESCAPES, PATHS, Case


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_decides_as_googles_parser(case: Case) -> None:
    assert RobotsFile.parse(case.robotstxt).check(case.url, case.agent).allowed is case.allowed


@pytest.mark.parametrize(("url", "path"), PATHS)
def test_matches_against_the_path_params_and_query_as_google_extracts_them(
    url: str, path: str
) -> None:
    assert path_params_query(url) == path


@pytest.mark.parametrize(("value", "escaped"), ESCAPES)
def test_normalises_patterns_percent_encoding_as_google_does(value: str, escaped: str) -> None:
    assert escape_pattern(value.encode("utf-8")) == escaped.encode("ascii")


def test_reads_only_the_first_500_kib_as_google_does() -> None:
    # https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt
    # "Content which is after the maximum file size is ignored."
    head = b"User-agent: *\nDisallow: /early\n"
    filler = b"# " + b"x" * (MAX_BYTES - len(head) - 3) + b"\n"
    body = head + filler + b"Disallow: /late\n"
    robots = RobotsFile.parse(body)
    assert robots.size == MAX_BYTES
    assert not robots.check("https://example.org/early").allowed
    assert robots.check("https://example.org/late").allowed
    assert not RobotsFile.parse(head + b"Disallow: /late\n").check("https://e.org/late").allowed


def test_a_rule_cut_at_the_500_kib_boundary_is_read_as_far_as_it_goes() -> None:
    head = b"User-agent: *\n"
    filler = b"#" * (MAX_BYTES - len(head) - len(b"\nDisallow: /pri"))
    body = head + filler + b"\nDisallow: /private/\n"
    assert len(body[:MAX_BYTES].rsplit(b"\n", 1)[1]) == len(b"Disallow: /pri")
    verdict = RobotsFile.parse(body).check("https://example.org/prize")
    assert not verdict.allowed and str(verdict.rule) == "Disallow: /pri"


@pytest.mark.parametrize(
    ("robotstxt", "url", "rule"),
    [
        (b"User-agent: *\nDisallow: /private/\n", "https://e.org/private/x", "Disallow: /private/"),
        (b"User-agent: *\nDisallow: /\nAllow: /blog/\n", "https://e.org/blog/p", "Allow: /blog/"),
        # On equal length Allow wins, and it is the line reported.
        (b"User-agent: *\nDisallow: /a\nAllow: /a\n", "https://e.org/a", "Allow: /a"),
        # The longest of several matching Disallow lines is the one that decided.
        (b"User-agent: *\nDisallow: /\nDisallow: /shop/*?sort=\n", "https://e.org/shop/x?sort=1",
         "Disallow: /shop/*?sort="),
        # A typo Google accepts is reported under the key Google read it as.
        (b"User-agent: googlebot\ndissallow: /tmp # old\n", "https://e.org/tmp/1",
         "Disallow: /tmp"),
        # Googlebot's own group beats "*": its matching line decides.
        (b"User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nAllow: /\n", "https://e.org/x",
         "Allow: /"),
        (b"User-agent: *\nAllow: /a/index.html\nDisallow: /\n", "https://e.org/a/",
         "Allow: /a/index.html"),
    ],
)  # fmt: skip
def test_reports_the_rule_that_decided(robotstxt: bytes, url: str, rule: str) -> None:
    verdict = RobotsFile.parse(robotstxt).check(url)
    assert str(verdict.rule) == rule


@pytest.mark.parametrize(
    "robotstxt",
    [
        b"",
        b"User-agent: Bingbot\nDisallow: /\n",
        b"User-agent: *\nDisallow: /\nUser-agent: Googlebot\nDisallow: /nothing-here\n",
    ],
)
def test_no_rule_decides_when_no_rule_matches_for_googlebot(robotstxt: bytes) -> None:
    verdict = RobotsFile.parse(robotstxt).check("https://example.org/page")
    assert verdict.allowed and verdict.rule is None


def test_an_empty_disallow_is_the_line_that_lets_everything_through() -> None:
    # Google's matcher reports this line too (matching_line): it matched and blocks nothing.
    verdict = RobotsFile.parse(
        b"User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nDisallow:\n"
    ).check("https://example.org/page")
    assert verdict.allowed and str(verdict.rule) == "Disallow:" and verdict.rule.line == 5


def test_a_pattern_full_of_wildcards_matches_piece_by_piece() -> None:
    # Hostile files exist: 2000 wildcards would make a backtracking regex run for ages.
    pattern = b"/" + b"*a" * 2000 + b"b$"
    robots = RobotsFile.parse(b"User-agent: *\nDisallow: " + pattern + b"\n")
    assert robots.check("https://example.org/" + "a" * 16_000).allowed
    assert not robots.check("https://example.org/" + "a" * 4_000 + "b").allowed
    assert robots.check("https://example.org/" + "a" * 4_000 + "bc").allowed


def test_a_non_utf8_file_is_matched_byte_for_byte_as_googles_parser_does() -> None:
    # Google's parser reads bytes: a Latin-1 "é" (0xE9) becomes the pattern "%E9", which a
    # browser-encoded UTF-8 path (%C3%A9) does not match, and a Latin-1-encoded query does.
    robots = RobotsFile.parse(b"User-agent: *\nDisallow: /caf\xe9\nDisallow: /q?s=caf\xe9\n")
    assert robots.check("https://example.org/caf%C3%A9").allowed
    assert not robots.check("https://example.org/q?s=caf%E9").allowed
    assert str(robots.check("https://example.org/q?s=caf%E9").rule) == "Disallow: /q?s=caf\ufffd"
