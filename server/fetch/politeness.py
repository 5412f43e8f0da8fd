"""Politeness: how the server treats the sites it fetches from, shared by every job that runs
in one process — at most `per_host` requests at once to a host, a pause when a host says
`Retry-After` (429, 503) or keeps failing, HEAD skipped for hosts that refuse it, and URLs
that look like actions (log out, delete, unsubscribe) never requested.

`Politeness` holds the per-host state; `Slot` is one piece of work's hold on a host (taken
for a request, kept for the next request to the same host, given back before any wait);
`HostDispatcher` starts queued work only for hosts with a free slot, so a busy or paused
host never ties up the threads that other hosts could use."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_PER_HOST = 2
# A host that answers 5xx this many times in a row is paused, 1 s doubling up to the cap.
SERVER_ERROR_STREAK = 3
MAX_HOST_BACKOFF = 60.0
_IDLE_HOSTS_KEPT = 20_000

# URLs that do something when requested. Each is a regular expression searched in the
# URL's lowercased path and query ("/account/delete?id=3"); a match is never requested.
# Whole path segments and query actions only, so a post titled /how-to-delete-cookies/ is
# still checked. LINKINSPECTOR_ACTION_URL_PATTERNS replaces the list.
DEFAULT_ACTION_PATTERNS: tuple[str, ...] = (
    r"(?:^|/)(?:log-?out|log-?off|sign-?out|sign-?off)(?:\.\w+)?(?:[/?;]|$)",
    r"(?:^|/)(?:delete|remove|destroy|trash|unsubscribe|opt-?out|deactivate|cancel|revoke)"
    r"(?:\.\w+)?(?:[/?;]|$)",
    r"[?&](?:action|do|cmd|op|task|mode)=(?:log-?out|sign-?out|delete|remove|trash|"
    r"unsubscribe|opt-?out|deactivate|cancel|revoke)(?:&|$)",
    r"[?&](?:logout|signout|unsubscribe|delete|remove)(?:[=&]|$)",
)


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Compile action-URL patterns (ValueError naming the pattern that does not compile)."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
    return tuple(compiled)


DEFAULT_ACTION_REGEXES = compile_patterns(DEFAULT_ACTION_PATTERNS)


def action_match(url: str, patterns: Iterable[re.Pattern[str]]) -> str | None:
    """The part of `url` that makes it look like an action ("/logout"), or None."""
    scheme_end = url.find("://")
    rest = url[scheme_end + 3 :] if scheme_end != -1 else url
    slash = rest.find("/")
    question = rest.find("?")
    starts = [i for i in (slash, question) if i != -1]
    tail = rest[min(starts) :] if starts else ""
    tail = tail.split("#", 1)[0].lower()
    for pattern in patterns:
        found = pattern.search(tail)
        if found is not None:
            return found.group(0) or pattern.pattern
    return None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` value asks to wait (delta-seconds or an HTTP date), or None
    when it is missing or unreadable. RFC 9110 section 10.2.3."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # "²" is a digit to isdigit, not to int()
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(slots=True)
class _Host:
    in_flight: int = 0
    peak: int = 0
    not_before: float = 0.0
    head_refused: bool = False
    errors_in_row: int = 0
    last_used: float = 0.0


class Politeness:
    """Per-host limits for one process. Thread-safe; every change wakes the waiters."""

    def __init__(
        self, per_host: int = DEFAULT_PER_HOST, clock: Callable[[], float] = time.monotonic
    ):
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.per_host = per_host
        self.clock = clock
        self.changed = threading.Condition()
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        key = host.lower()
        state = self._hosts.get(key)
        if state is None:
            if len(self._hosts) > _IDLE_HOSTS_KEPT:
                self._forget_idle()
            state = self._hosts[key] = _Host()
        return state

    def _forget_idle(self) -> None:
        now = self.clock()
        for key, state in list(self._hosts.items()):
            if state.in_flight == 0 and state.not_before <= now and now - state.last_used > 600:
                del self._hosts[key]

    def _free(self, state: _Host) -> bool:
        return state.in_flight < self.per_host and state.not_before <= self.clock()

    def _take(self, state: _Host) -> None:
        state.in_flight += 1
        state.peak = max(state.peak, state.in_flight)
        state.last_used = self.clock()

    def try_acquire(self, host: str) -> bool:
        """Take a request slot on `host` if one is free and the host is not paused."""
        with self.changed:
            state = self._host(host)
            if not self._free(state):
                return False
            self._take(state)
            return True

    def acquire(self, host: str, timeout: float | None = None) -> bool:
        """Wait for a request slot on `host` (False if `timeout` seconds pass first)."""
        ends = None if timeout is None else self.clock() + timeout
        with self.changed:
            while True:
                state = self._host(host)
                if self._free(state):
                    self._take(state)
                    return True
                now = self.clock()
                wait = 1.0 if state.not_before <= now else state.not_before - now
                if ends is not None:
                    if now >= ends:
                        return False
                    wait = min(wait, ends - now)
                self.changed.wait(max(wait, 0.001))

    def release(self, host: str) -> None:
        with self.changed:
            state = self._host(host)
            state.in_flight = max(0, state.in_flight - 1)
            self.changed.notify_all()

    def pause(self, host: str, seconds: float) -> None:
        """No new request to `host` for `seconds` (Retry-After, backoff); never shortens."""
        with self.changed:
            state = self._host(host)
            state.not_before = max(state.not_before, self.clock() + seconds)
            self.changed.notify_all()

    def ready_in(self, host: str) -> float:
        """Seconds until `host` may be asked again (0 when it is not paused)."""
        with self.changed:
            return max(0.0, self._host(host).not_before - self.clock())

    def note_head_refused(self, host: str) -> None:
        with self.changed:
            self._host(host).head_refused = True

    def head_refused(self, host: str) -> bool:
        with self.changed:
            state = self._hosts.get(host.lower())
            return state is not None and state.head_refused

    def server_error(self, host: str) -> None:
        """Count a 5xx answer; a streak of them pauses the host (1 s, doubling, capped)."""
        with self.changed:
            state = self._host(host)
            state.errors_in_row += 1
            streak = state.errors_in_row - SERVER_ERROR_STREAK
            if streak >= 0:
                pause = min(MAX_HOST_BACKOFF, 2.0**streak)
                state.not_before = max(state.not_before, self.clock() + pause)

    def answered(self, host: str) -> None:
        """The host answered something other than 5xx: its error streak ends."""
        with self.changed:
            self._host(host).errors_in_row = 0

    def peak(self, host: str) -> int:
        """The most requests ever in flight at once to `host` in this process."""
        with self.changed:
            state = self._hosts.get(host.lower())
            return 0 if state is None else state.peak

    def next_change_in(self, hosts: Iterable[str]) -> float | None:
        """Seconds until the first of `hosts` stops being paused (None if none is paused)."""
        now = self.clock()
        waits = [
            s.not_before - now
            for h in hosts
            if (s := self._hosts.get(h.lower())) is not None and s.not_before > now
        ]
        return min(waits) if waits else None


class Slot:
    """One piece of work's hold on at most one host at a time."""

    def __init__(self, politeness: Politeness, held: str | None = None) -> None:
        self.politeness = politeness
        self.held = held.lower() if held else None

    def use(self, host: str, timeout: float | None = None) -> bool:
        """Hold a slot on `host` (keeping the one held if it is the same host)."""
        host = host.lower()
        if self.held == host:
            return True
        self.release()
        if not self.politeness.acquire(host, timeout):
            return False
        self.held = host
        return True

    def release(self) -> None:
        if self.held is not None:
            self.politeness.release(self.held)
            self.held = None

    def sleep(self, seconds: float) -> None:
        """Wait without holding any host."""
        self.release()
        time.sleep(seconds)


@dataclass(slots=True)
class _Queued:
    work: Callable[[Slot], Any]
    future: Future[Any]


class HostDispatcher:
    """Runs queued work on a thread pool, starting a piece only when its host has a free slot
    (taken on its behalf and handed over as its `Slot`), hosts taken in turn."""

    def __init__(self, politeness: Politeness, threads: int = 64) -> None:
        self.politeness = politeness
        self.threads = threads
        self._queues: dict[str, deque[_Queued]] = {}
        self._running = 0
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fetch")
        self._thread: threading.Thread | None = None

    def submit(self, host: str, work: Callable[[Slot], T]) -> Future[T]:
        """Queue `work(slot)` for `host`; the future holds its result (or exception)."""
        future: Future[T] = Future()
        with self.politeness.changed:
            self._queues.setdefault(host.lower(), deque()).append(_Queued(work, future))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._schedule, name="host-dispatcher", daemon=True
                )
                self._thread.start()
            self.politeness.changed.notify_all()
        return future

    def queued(self) -> int:
        with self.politeness.changed:
            return sum(len(q) for q in self._queues.values())

    def _start_ready(self) -> bool:
        started = False
        for host in list(self._queues):
            if self._running >= self.threads:
                break
            queue = self._queues[host]
            while queue and queue[0].future.cancelled():
                queue.popleft()
            if not queue:
                del self._queues[host]
                continue
            state = self.politeness._host(host)
            if not self.politeness._free(state):
                continue
            item = queue.popleft()
            if not item.future.set_running_or_notify_cancel():
                continue
            self.politeness._take(state)
            self._running += 1
            started = True
            # Taken in turn: this host goes to the back of the line.
            del self._queues[host]
            if queue:
                self._queues[host] = queue
            self._pool.submit(self._run, host, item)
        return started

    def _schedule(self) -> None:
        with self.politeness.changed:
            while True:
                if not self._start_ready():
                    paused = self.politeness.next_change_in(self._queues)
                    wait = 1.0 if paused is None else min(1.0, max(paused, 0.001))
                    self.politeness.changed.wait(wait)

    def _run(self, host: str, item: _Queued) -> None:
        slot = Slot(self.politeness, held=host)
        next_item: _Queued | None = item
        try:
            while next_item is not None:
                try:
                    next_item.future.set_result(next_item.work(slot))
                except BaseException as exc:
                    next_item.future.set_exception(exc)
                next_item = self._next_for(slot)
        finally:
            slot.release()
            with self.politeness.changed:
                self._running -= 1
                self.politeness.changed.notify_all()

    def _next_for(self, slot: Slot) -> _Queued | None:
        """The host's next queued piece, run on the slot still held: no hand-over between
        threads, no wait for the scheduler (None when the slot moved or the host paused)."""
        host = slot.held
        if host is None:
            return None
        with self.politeness.changed:
            queue = self._queues.get(host)
            if not queue or self.politeness.ready_in(host) > 0:
                return None
            while queue:
                item = queue.popleft()
                if item.future.set_running_or_notify_cancel():
                    return item
            return None


_SHARED_LOCK = threading.Lock()
_SHARED: dict[tuple[int, int], HostDispatcher] = {}


def shared_dispatcher(per_host: int = DEFAULT_PER_HOST, threads: int = 128) -> HostDispatcher:
    """The process's dispatcher (and politeness) for these limits: every job in a worker
    process shares it, so a host sees at most `per_host` requests from this process."""
    with _SHARED_LOCK:
        key = (per_host, threads)
        dispatcher = _SHARED.get(key)
        if dispatcher is None:
            dispatcher = _SHARED[key] = HostDispatcher(Politeness(per_host), threads)
        return dispatcher
