"""Googlebot's robots.txt verdicts for an analysis, fetched while the engine runs.

The fetch is I/O in a thread of the web worker; the analysis is CPU. Their times overlap,
and the fetch never adds more than `ROBOTS_TXT_TIMEOUT` to a request: a robots.txt not in
by then is "unknown" this time and cached for the next (server/robotstxt)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from server.analysis import Analysis, RobotsTxt
from server.analysis.risks import assess
from server.monitor import private_fetch_allowed
from server.robotstxt import verdicts

ROBOTS_TXT_TIMEOUT = 2.5
_HTTP = ("http:", "https:")


class PendingVerdicts:
    """Verdicts on their way, applied to an analysis once both are done."""

    def __init__(self, future: Future[dict[str, RobotsTxt]] | None) -> None:
        self.future = future

    def applied_to(self, analysis: Analysis) -> Analysis:
        if self.future is None:
            return analysis
        # verdicts() itself stops waiting at its timeout; this bound is only a backstop.
        return assess(analysis, self.future.result(timeout=ROBOTS_TXT_TIMEOUT + 5))


@contextmanager
def robots_txt_alongside(
    config: Mapping[str, Any], urls: Iterable[str]
) -> Iterator[PendingVerdicts]:
    """Start fetching the verdicts for the http(s) `urls` (unless ROBOTS_TXT is off)."""
    wanted = sorted({url for url in urls if url.startswith(_HTTP)})
    if not config.get("ROBOTS_TXT", True) or not wanted:
        yield PendingVerdicts(None)
        return
    allow_private = private_fetch_allowed(config)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="robots-txt")
    try:
        future = pool.submit(
            verdicts, wanted, allow_private=allow_private, timeout=ROBOTS_TXT_TIMEOUT
        )
        yield PendingVerdicts(future)
    finally:
        # A request that failed (a bad site entry...) does not wait for robots.txt.
        pool.shutdown(wait=False)
