"""`flask --app server worker`: a worker process — huey's consumer with thread workers, a
heartbeat in the database, and a sweep at start that resumes the jobs of dead workers.

SIGTERM (systemd, docker, `kill`) stops it gracefully: laps hand their unfinished items
back at once, so another worker (or this one, restarted) goes on without waiting for a
lease. SIGINT (Ctrl-C) stops it at once; a lease later, the items are taken over."""

from __future__ import annotations

import logging
import os
import socket
import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer

from server.jobs.queue import describe, get_queue
from server.jobs.runner import STOPPING, job_settings
from server.jobs.settings import worker_id
from server.store.db import get_store, session_scope
from server.store.job_claims import worker_gone, worker_seen

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15


class _Consumer(Consumer):  # type: ignore[misc]
    def stop(self, graceful: bool = False) -> None:
        STOPPING.set()  # laps notice within a fraction of a second
        super().stop(graceful=graceful)


def _heartbeat(app: Flask, threads: int, stop: threading.Event) -> None:
    me = worker_id()
    while True:
        try:
            with session_scope(app) as session:
                worker_seen(session, me, socket.gethostname(), os.getpid(), threads)
        except Exception:  # the database may be down for a moment; the jobs will say so
            log.warning("worker heartbeat failed", exc_info=True)
        if stop.wait(HEARTBEAT_SECONDS):
            return


def run_worker(app: Flask, threads: int | None = None) -> None:
    """Run a worker in this process until it is told to stop."""
    settings = job_settings(app)
    threads = threads or settings.worker_threads
    get_store(app)  # the schema is upgraded before any task runs
    # The worker renders most pages (scheduled checks): it keeps Chromium for two minutes
    # between them, where a web process closes it after ten seconds.
    app.config["RENDER_IDLE_CLOSE"] = 120.0
    queue = get_queue(app)
    STOPPING.clear()
    # Jobs whose worker died resume once their leases have run out.
    queue.sweep.schedule(delay=settings.lease.total_seconds() + 1)
    queue.sweep()
    # Backlinks that came due while no worker ran are checked now, not at the next minute.
    queue.schedule()
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(app, threads, stop), daemon=True)
    beat.start()
    consumer = _Consumer(
        queue.huey,
        workers=threads,
        worker_type="thread",
        periodic=True,
        initial_delay=0.05,
        backoff=1.5,
        max_delay=0.25,  # an idle SQLite queue is polled 4 times a second per thread
        scheduler_interval=1,
        check_worker_health=True,
        graceful_signal="TERM",
        shutdown_timeout=15,
    )
    log.info("worker %s: %d threads, queue %s", worker_id(), threads, describe(queue.url))
    try:
        consumer.run()
    finally:
        stop.set()
        try:
            with session_scope(app) as session:
                worker_gone(session, worker_id())
        except Exception:
            log.warning("could not record the worker's exit", exc_info=True)


@click.command("worker")
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=None,
    help="Jobs worked on at once (default LINKINSPECTOR_WORKER_THREADS, 4).",
)
@with_appcontext
def worker_command(threads: int | None) -> None:
    """Run a job worker (link checks, bulk qualification) until stopped."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_worker(current_app._get_current_object(), threads)  # type: ignore[attr-defined]
