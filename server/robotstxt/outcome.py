"""Fetching one site's robots.txt and reading the answer as Google does.

Google's rules, https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt
("How Google interprets the robots.txt specification"):
- the file at /robots.txt of a scheme + host + port applies to that scheme + host + port only;
- 2xx: the file is read — its first 500 KiB ("content which is after the maximum file size is
  ignored"), as UTF-8, whatever the media type;
- 3xx: "Google follows at least five redirect hops ... and then stops and treats it as a 404";
- 4xx except 429: "Google's crawlers treat all 4xx errors, except 429, as if a valid robots.txt
  file didn't exist" — no crawl restrictions;
- 429 and 5xx: Google treats the whole site as disallowed while that lasts, then falls back on
  its cached copy for up to 30 days. We cannot know Google's cached copy nor how long the error
  has lasted, and our one fetch may not be what Googlebot saw: the verdict is "unknown";
- network and DNS errors, timeouts: "treated as a server error" — "unknown" too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from server.analysis.model import RobotsTxt, RobotsTxtStatus
from server.fetch import FetchError, fetch_text
from server.robotstxt.rules import GOOGLEBOT, MAX_BYTES, RobotsFile

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
# A background fetch may take this long; a verdict waits far less (see verdicts' timeout).
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 7.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What fetching one robots.txt told us: a file to read, or a status and its reason."""

    robots_url: str
    file: RobotsFile | None = None
    status: RobotsTxtStatus = "unknown"  # without a file: "allowed" (no restrictions) or unknown
    reason: str | None = None

    @property
    def is_error(self) -> bool:
        """A failure Google would retry soon (5xx, 429, network): kept for a short while only."""
        return self.file is None and self.status == "unknown"

    def verdict(self, url: str, agent: str = GOOGLEBOT) -> RobotsTxt:
        """The verdict on `url` (an absolute, browser-serialised URL of this origin)."""
        if self.file is None:
            return RobotsTxt(self.status, self.robots_url, self.reason)
        decided = self.file.check(url, agent)
        rule = None if decided.rule is None else str(decided.rule)
        return RobotsTxt("allowed" if decided.allowed else "disallowed", self.robots_url, rule)


def fetch_outcome(robots_url: str, *, allow_private: bool) -> Outcome:
    """GET `robots_url` through the server's one network client; never raises."""
    try:
        fetched = fetch_text(
            robots_url,
            allow_private=allow_private,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            max_bytes=MAX_BYTES,
            max_redirects=MAX_REDIRECTS,
        )
    except FetchError as error:
        return failed(robots_url, error)
    except Exception as error:  # a verdict must never take a request down with it
        log.exception("robots.txt fetch of %s failed", robots_url)
        return Outcome(robots_url, reason=f"robots.txt could not be fetched: {error}")
    return Outcome(robots_url, RobotsFile.parse(fetched.body))


def failed(robots_url: str, error: FetchError) -> Outcome:
    """Google's reading of a fetch that did not return a file."""
    status = error.status
    if error.code == "http_status" and status is not None:
        if 400 <= status < 500 and status != 429:
            return Outcome(
                robots_url,
                status="allowed",
                reason=f"no robots.txt (HTTP {status}): no restrictions",
            )
        return Outcome(robots_url, reason=f"robots.txt answered HTTP {status}")
    if error.code == "too_many_redirects":
        return Outcome(
            robots_url,
            status="allowed",
            reason=f"robots.txt redirects more than {MAX_REDIRECTS} times: "
            "Google reads that as no robots.txt, no restrictions",
        )
    if error.code == "blocked_address":
        return Outcome(robots_url, reason=f"robots.txt: {error.message}")
    return Outcome(robots_url, reason=f"robots.txt could not be fetched: {error.message}")
