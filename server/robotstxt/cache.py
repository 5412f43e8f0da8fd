"""Robots.txt outcomes per origin, per process: fetched in parallel, once, and kept a while.

Google caches a robots.txt for up to 24 hours, so the copy Googlebot obeys may be a day old;
we cannot know which copy it holds. We keep a file for an hour: a site owner who has just fixed
robots.txt sees the new verdict soon, and a link builder browsing fifty pages of one site costs
that site one fetch. Failures (5xx, 429, network) are kept two minutes: often transient, they
are retried soon, but not on every page view of a struggling site.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait

import ada_url

from server.analysis.model import RobotsTxt
from server.robotstxt.outcome import Outcome, fetch_outcome

log = logging.getLogger(__name__)

TTL = 3600.0
ERROR_TTL = 120.0
MAX_ENTRIES = 1024
# Of robots.txt read (each at most 500 KiB). Parsed and indexed, a file takes about twelve
# times its size: ~50 MB per process at worst; a typical file is a few KB.
MAX_CACHED_BYTES = 4 * 1024 * 1024
MAX_IN_FLIGHT = 256
WORKERS = 8
NOT_IN_TIME = "robots.txt could not be fetched in time"

Key = tuple[str, bool]  # (robots.txt URL, allow_private): a private fetch never serves a public one
Fetch = Callable[..., Outcome]


def robots_txt_url(url: str) -> tuple[str, str] | RobotsTxt:
    """(the page URL as a browser serialises it, its robots.txt URL), or an "unknown" verdict
    saying why `url` has none. robots.txt covers one scheme + host + port."""
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        return RobotsTxt("unknown", None, "not a valid URL")
    if parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        return RobotsTxt("unknown", None, "robots.txt applies to http and https URLs only")
    # ada's host carries the port only when it is not the scheme's default.
    return str(parsed.href), f"{parsed.protocol}//{parsed.host}/robots.txt"


class RobotsCache:
    """Outcomes by origin: bounded (entries and bytes), expiring, safe to share between threads."""

    def __init__(
        self,
        *,
        fetch: Fetch = fetch_outcome,
        ttl: float = TTL,
        error_ttl: float = ERROR_TTL,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_CACHED_BYTES,
        max_in_flight: int = MAX_IN_FLIGHT,
        workers: int = WORKERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._max_in_flight = max_in_flight
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, tuple[float, Outcome]] = OrderedDict()  # LRU order
        self._bytes = 0
        self._in_flight: dict[Key, Future[Outcome]] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="robotstxt")
        self.fetches = 0  # fetches started, for tests and curiosity

    def verdicts(
        self, urls: Iterable[str], *, allow_private: bool, timeout: float
    ) -> dict[str, RobotsTxt]:
        """Googlebot's verdict for each URL, waiting at most `timeout` seconds in all."""
        deadline = self._clock() + max(timeout, 0.0)
        results: dict[str, RobotsTxt] = {}
        wanted: dict[str, tuple[str, Key]] = {}  # page URL -> (serialised URL, origin)
        for url in urls:
            if url in results or url in wanted:
                continue
            found = robots_txt_url(url)
            if isinstance(found, RobotsTxt):
                results[url] = found
            else:
                wanted[url] = (found[0], (found[1], allow_private))
        outcomes: dict[Key, Outcome | Future[Outcome]] = {}
        for _href, key in wanted.values():
            if key not in outcomes:
                outcomes[key] = self._outcome(key)
        pending = [found for found in outcomes.values() if isinstance(found, Future)]
        if pending:
            wait(pending, timeout=max(deadline - self._clock(), 0.0))
        for url, (href, key) in wanted.items():
            results[url] = _verdict(outcomes[key], key, href)
        return results

    def _outcome(self, key: Key) -> Outcome | Future[Outcome]:
        """The cached outcome, else the fetch under way, else a new fetch."""
        now = self._clock()
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and cached[0] > now:
                self._entries.move_to_end(key)
                return cached[1]
            if cached is not None:
                self._drop(key)
            future = self._in_flight.get(key)
            if future is not None:
                return future
            if len(self._in_flight) >= self._max_in_flight:
                return Outcome(key[0], reason="too many robots.txt fetches under way; try again")
            future = self._pool.submit(self._fetch, key[0], allow_private=key[1])
            self._in_flight[key] = future
            self.fetches += 1
        future.add_done_callback(lambda done: self._store(key, done))
        return future

    def _store(self, key: Key, future: Future[Outcome]) -> None:
        if future.cancelled():  # closed before it started: nothing learnt
            with self._lock:
                self._in_flight.pop(key, None)
            return
        try:
            outcome = future.result()
        except Exception as error:  # fetch_outcome never raises; a replaced fetch might
            log.exception("robots.txt fetch of %s failed", key[0])
            outcome = Outcome(key[0], reason=f"robots.txt could not be fetched: {error}")
        expires = self._clock() + (self._error_ttl if outcome.is_error else self._ttl)
        with self._lock:
            self._in_flight.pop(key, None)
            self._drop(key)
            self._entries[key] = (expires, outcome)
            self._bytes += _size(outcome)
            while self._entries and (
                len(self._entries) > self._max_entries or self._bytes > self._max_bytes
            ):
                self._drop(next(iter(self._entries)))  # the least recently used

    def _drop(self, key: Key) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= _size(entry[1])

    def close(self) -> None:
        """Stop taking fetches; those under way finish in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _verdict(found: Outcome | Future[Outcome], key: Key, href: str) -> RobotsTxt:
    if isinstance(found, Future):
        if not found.done():  # it goes on, and fills the cache for next time
            return RobotsTxt("unknown", key[0], NOT_IN_TIME)
        try:
            found = found.result()
        except Exception:  # fetch_outcome never raises; a replaced fetch might
            return RobotsTxt("unknown", key[0], "robots.txt could not be fetched")
    return found.verdict(href)


def _size(outcome: Outcome) -> int:
    return 0 if outcome.file is None else outcome.file.size


_shared: RobotsCache | None = None
_shared_pid = 0
_shared_lock = threading.Lock()


def shared_cache() -> RobotsCache:
    """The process's cache, made on first use (a forked worker makes its own: threads do not
    survive a fork)."""
    global _shared, _shared_pid
    with _shared_lock:
        if _shared is None or _shared_pid != os.getpid():
            _shared, _shared_pid = RobotsCache(), os.getpid()
        return _shared
