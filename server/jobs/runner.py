"""One task's turn ("lap") on a job: claim items under a lease, hand them to the process's
host dispatcher, write results as they come (a few per transaction, each only while the
claim holds), renew the leases, stop on cancel or shutdown, and say what comes next.

A lap ends after `lap_seconds` and queues its successor, so a long job moves between
workers and shares them with other jobs; a lap that finds nothing left to claim while other
workers still hold items comes back when their leases would run out, which is how a job
resumes after a worker is killed."""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from flask import Flask

from server.config import app_settings
from server.fetch.politeness import Slot, shared_dispatcher
from server.jobs.kind import Kind
from server.jobs.kinds import KINDS
from server.jobs.settings import JobSettings, worker_id
from server.store.db import session_scope
from server.store.job_claims import (
    MAX_ATTEMPTS,
    ClaimedItem,
    ClaimLimits,
    ItemResult,
    claim_items,
    next_lease_end,
    record_results,
    release_items,
    renew_leases,
)
from server.store.job_models import FINISHED_STATUSES
from server.store.jobs import fail_job, finish_if_complete, get_job, job_status
from server.store.models import utcnow

log = logging.getLogger(__name__)

# Set when the worker process is shutting down: laps stop claiming and hand their items back.
STOPPING = threading.Event()
_FLUSH_EVERY = 0.1  # seconds between result writes (what a SIGKILL can cost)
_FLUSH_COUNT = 100  # or this many results, whichever comes first
_STATUS_EVERY = 0.5  # seconds between looks at the job's status (cancelled?)
_CLAIM_EVERY = 0.1  # seconds between claims while the lap has room for more items
_BLOCKED_RETRY = 2.0  # seconds before a lap whose hosts others hold looks again
_STOP_GRACE = 2.0  # seconds a stopping lap waits for requests already under way


@dataclass(frozen=True, slots=True)
class LapEnd:
    """What should follow a lap: nothing, another lap now, or one after `delay` seconds."""

    next: str  # "none" | "now" | "later"
    delay: float = 0.0


def job_settings(app: Flask) -> JobSettings:
    return app_settings(app, "job_settings", JobSettings.from_config)


def run_lap(app: Flask, job_id: int) -> LapEnd:
    """Work on job `job_id` for one lap."""
    settings = job_settings(app)
    with session_scope(app) as session:
        job = get_job(session, job_id)
        if job is None or job.status in FINISHED_STATUSES:
            return LapEnd("none")
        kind = KINDS.get(job.kind)
        if kind is None:
            fail_job(session, job_id, f"no worker knows the job kind {job.kind!r}")
            return LapEnd("none")
        context = kind.prepare(app, job, settings)
    return _Lap(app, job_id, kind, context, settings).run()


class _Lap:
    def __init__(
        self, app: Flask, job_id: int, kind: Kind, context: Any, settings: JobSettings
    ) -> None:
        self.app = app
        self.job_id = job_id
        self.kind = kind
        self.context = context
        self.settings = settings
        self.worker = worker_id()
        self.dispatcher = shared_dispatcher(settings.per_host, settings.fetch_threads)
        self.outstanding: dict[int, tuple[ClaimedItem, Future[ItemResult]]] = {}
        self.finished: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.buffer: list[ItemResult] = []
        self.exhausted = False  # nothing of the job is left to claim, by anyone
        self.blocked = False  # the last claim got nothing: other workers hold those hosts
        self.cancelled = False
        self.limits = ClaimLimits(
            per_host=settings.per_host * 8,
            hosts=max(1, -(-settings.fetch_threads // settings.per_host)),
        )

    def run(self) -> LapEnd:
        started = time.monotonic()
        deadline = started + self.settings.lap_seconds
        next_status = next_claim = last_flush = last_renew = started
        renew_every = self.settings.lease.total_seconds() / 3
        while True:
            now = time.monotonic()
            if now >= next_status:
                next_status = now + _STATUS_EVERY
                with session_scope(self.app) as session:
                    status = job_status(session, self.job_id)
                self.cancelled = status not in ("queued", "running")
            if self.cancelled or STOPPING.is_set():
                break
            if (
                not self.exhausted
                and now < deadline
                and now >= next_claim
                and len(self.outstanding) <= self.kind.window * 0.6
            ):
                self._claim(self.kind.window - len(self.outstanding))
                next_claim = now + _CLAIM_EVERY
            self._collect(timeout=0.05 if self.buffer else 0.1)
            now = time.monotonic()
            if self.buffer and (
                len(self.buffer) >= _FLUSH_COUNT
                or now - last_flush >= _FLUSH_EVERY
                or not self.outstanding
            ):
                self._flush()
                last_flush = now
            if now - last_renew >= renew_every and self.outstanding:
                with session_scope(self.app) as session:
                    renew_leases(session, self.job_id, self.worker, self.settings.lease)
                last_renew = now
            if (
                not self.outstanding
                and not self.buffer
                and (self.exhausted or self.blocked or now >= deadline)
            ):
                break
        return self._end()

    def _claim(self, count: int) -> None:
        with session_scope(self.app) as session:
            claim = claim_items(
                session, self.job_id, self.worker, count, self.settings.lease, self.limits
            )
            items = claim.items
            self.exhausted = claim.exhausted
            self.blocked = not items and not claim.exhausted
            if not items:
                return
            known = {r.item.id: r for r in self.kind.before(self.context, session, items)}
        for item in items:
            if item.id in known:
                self.buffer.append(known[item.id])
            elif item.attempts > MAX_ATTEMPTS:
                self.buffer.append(
                    self._error(item, f"given up: a worker stopped {MAX_ATTEMPTS} times on it")
                )
            else:
                future = self.dispatcher.submit(item.host, self._worker_for(item))
                self.outstanding[item.id] = (item, future)
                future.add_done_callback(self._done_callback(item.id))

    def _done_callback(self, item_id: int) -> Any:
        def done(_future: Future[ItemResult]) -> None:
            self.finished.put(item_id)

        return done

    def _worker_for(self, item: ClaimedItem) -> Any:
        def work(slot: Slot) -> ItemResult:
            try:
                return self.kind.work(self.context, item, slot)
            except Exception as exc:  # a bug on one URL must not stop the job
                # The type and the frames, never the message: it may quote the URL or page.
                frames = "".join(traceback.format_tb(exc.__traceback__))
                log.error(
                    "job %s: item %s failed with %s\n%s",
                    self.job_id,
                    item.id,
                    type(exc).__name__,
                    frames,
                )
                return self._error(item, f"{type(exc).__name__}: the worker failed on this URL")

        return work

    def _error(self, item: ClaimedItem, message: str) -> ItemResult:
        outcome = self.kind.error_outcome
        return ItemResult(
            item,
            outcome,
            {"url": item.url, "result": outcome, "error": {"code": "error", "message": message}},
        )

    def _collect(self, timeout: float) -> None:
        try:
            item_id = self.finished.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            entry = self.outstanding.pop(item_id, None)
            if entry is not None and not entry[1].cancelled():
                self.buffer.append(entry[1].result())
            try:
                item_id = self.finished.get_nowait()
            except queue.Empty:
                return

    def _flush(self) -> None:
        results, self.buffer = self.buffer, []
        with session_scope(self.app) as session:
            record_results(session, self.job_id, self.worker, results)
            self.kind.after(self.context, session, results)

    def _end(self) -> LapEnd:
        if self.cancelled:
            for _item, future in self.outstanding.values():
                future.cancel()
            return LapEnd("none")
        if STOPPING.is_set():
            # Keep what finishes in a moment; give the rest back for the next worker.
            for _item, future in self.outstanding.values():
                future.cancel()
            ends = time.monotonic() + _STOP_GRACE
            while self.outstanding and time.monotonic() < ends:
                self._collect(timeout=0.1)
                if all(f.cancelled() for _i, f in self.outstanding.values()):
                    break
            if self.buffer:
                self._flush()
            with session_scope(self.app) as session:
                release_items(session, self.worker, self.outstanding)
            return LapEnd("now")
        with session_scope(self.app) as session:
            if finish_if_complete(session, self.job_id):
                return LapEnd("none")
            if self.blocked:
                return LapEnd("later", min(_BLOCKED_RETRY, self.settings.lease.total_seconds()))
            if not self.exhausted:
                return LapEnd("now")
            # Others hold what is left: look again when their leases would run out.
            lease_end = next_lease_end(session, self.job_id)
        lease = self.settings.lease.total_seconds()
        delay = lease if lease_end is None else (lease_end - utcnow()).total_seconds() + 0.5
        return LapEnd("later", min(max(delay, 1.0), lease + 1.0))


def run_until_done(app: Flask, job_id: int, *, laps: int = 1000) -> None:
    """Run laps in this thread until the job finishes (tests, and the CLI's --now)."""
    for _ in range(laps):
        end = run_lap(app, job_id)
        if end.next == "none":
            return
        if end.next == "later":
            time.sleep(end.delay)


__all__ = ["STOPPING", "LapEnd", "job_settings", "run_lap", "run_until_done"]
