"""Googlebot's robots.txt verdict on a page: may Google crawl it (and so see its links)?

`verdicts(urls, allow_private=..., timeout=...)` fetches each distinct robots.txt once
(SSRF-safe, through server/fetch), in parallel, keeps it per origin (cache.py), and answers
every URL with a `RobotsTxt(status, url, rule)`; it never raises and never waits longer than
`timeout`. The decision itself (rules.py) is Google's open-source parser, google/robotstxt,
ported to Python; the fetch rules (outcome.py) are Google's documented ones.

Why our own port rather than a library: Google's test suite (robots_test.cc: 145 checks of
IsUserAgentAllowed, plus its parser-statistics tests read as verdicts, accepted typos and
user-agent details: 192 cases, tests/google_robotstxt_cases.py, each confirmed against
Google's C++) run against the candidates, each fed the file as UTF-8 text:
- protego 0.7.0 (Scrapy's, BSD): 171/192. Reads "User-agent: Foo Bar" as the agent "foo bar"
  (Google: "foo"); matches a group's name as a substring of the crawler's ("Google" applies to
  Googlebot; "Googlebot/2.1" does not); lets an unknown line end a group; decodes %-escapes
  ("%62%61%7A" matches "/baz"); misses a UTF-8 BOM left in the text, "* anything" as the
  global group, key prefixes ("Disallowed:"), and the 16 KiB line cut.
- robotspy 0.13.0 (MIT): 171/192. None of the typos Google accepts ("useragent",
  "dissallow", ...); "\\r" line endings; BOM; "index.html" allowing its directory; decodes
  %-escapes; "*bot" read as "*"; key prefixes; the line cut.
- fast-robotstxt 1.1.0 (Apache-2.0, ctypes bindings to a fork of Google's C++, cp311
  manylinux wheel): 187/192. The fork deliberately changed matching (it %-decodes both sides,
  so "%62%61%7A" matches "/baz", and parses URLs with ada); its Python API takes text only,
  so a partial BOM cannot reach it. One maintainer, first released in 2026.
- gpyrobotstxt 1.0.0: 190/192 (the two partial-BOM cases, for the same text-only reason),
  but GPL-3.0, which this project does not ship.
None exposes the deciding line except fast-robotstxt (a line number), and correcting any of
them in a layer means re-doing group selection, line parsing and matching: the whole of
robots.cc. The port (rules.py, after google/robotstxt's robots.cc, Apache-2.0) is ~280 lines
and passes all 192 cases; while it was written it also agreed with Google's C++, verdicts and
deciding lines, on ~200,000 generated files, agents and URLs (a one-off comparison: Google's
code is not vendored here). No dependency was added.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from server.analysis.model import RobotsTxt
from server.robotstxt.cache import NOT_IN_TIME, RobotsCache, robots_txt_url, shared_cache
from server.robotstxt.outcome import Outcome, fetch_outcome
from server.robotstxt.rules import GOOGLEBOT, MAX_BYTES, RobotsFile, Rule, Verdict

__all__ = [
    "DEFAULT_TIMEOUT",
    "GOOGLEBOT",
    "MAX_BYTES",
    "NOT_IN_TIME",
    "Outcome",
    "RobotsCache",
    "RobotsFile",
    "Rule",
    "Verdict",
    "fetch_outcome",
    "robots_txt_url",
    "verdicts",
]

log = logging.getLogger(__name__)

# How long a request waits for robots.txt files in all; later fetches still fill the cache.
DEFAULT_TIMEOUT = 2.5


def verdicts(
    urls: Iterable[str],
    *,
    allow_private: bool,
    timeout: float = DEFAULT_TIMEOUT,
    cache: RobotsCache | None = None,
) -> dict[str, RobotsTxt]:
    """Googlebot's robots.txt verdict for each URL (keyed by the URL as given); never raises.

    A robots.txt not fetched within `timeout` seconds gives "unknown" ("robots.txt could not
    be fetched in time") while its fetch goes on and fills the cache for the next call."""
    urls = list(urls)
    try:
        return (cache if cache is not None else shared_cache()).verdicts(
            urls, allow_private=allow_private, timeout=timeout
        )
    except Exception as error:
        log.exception("robots.txt verdicts failed")
        reason = f"robots.txt could not be checked: {error}"
        return {url: RobotsTxt("unknown", None, reason) for url in urls}
