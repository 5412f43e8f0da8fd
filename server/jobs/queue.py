"""The task queue (huey): SQLite in the instance folder by default — one machine, no other
server — or Redis / PostgreSQL, which workers on several machines share.

The queue only says "work on job N now" (or later); what each job has done and has left is
in the database. A lost message (a worker killed while holding it, a Redis restart) is
replaced by the sweep, which every worker runs at start and every minute."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from server.jobs.runner import job_settings, run_lap
from server.store.db import session_scope
from server.store.job_claims import forget_workers
from server.store.jobs import claim_stalled, delete_finished_jobs, stalled_jobs
from server.store.link_check_cache import prune_cache
from server.store.models import utcnow

log = logging.getLogger(__name__)
_EXTENSION = "linkinspector.queue"
QUEUE_NAME = "linkinspector"


@dataclass(slots=True)
class Queue:
    """The app's huey instance and its tasks."""

    huey: Huey
    run_job: TaskWrapper
    sweep: TaskWrapper
    deliver: TaskWrapper  # send the alerts that are due
    schedule: TaskWrapper  # start a job for the backlinks whose check is due
    url: str

    def start(self, job_id: int, laps: int) -> None:
        """Queue `laps` tasks on a job (workers of several processes can then share it)."""
        for _ in range(laps):
            self.run_job(job_id)

    def queued_job_ids(self) -> set[int]:
        """Jobs that have a task waiting in the queue or its schedule."""
        found: set[int] = set()
        for task in list(self.huey.pending()) + list(self.huey.scheduled()):
            if task.name == "run_job" and task.args:
                found.add(int(task.args[0]))
        return found


def queue_url(app: Flask) -> str:
    url = app.config.get("QUEUE_URL")
    if url:
        return str(url)
    return "sqlite:///" + os.path.join(app.instance_path, "queue.sqlite3")


def _huey(url: str) -> Huey:
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url[7:]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=path, results=False, timeout=30)
    if url.startswith(("redis:", "rediss:", "unix:")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    return PostgresHuey(QUEUE_NAME, dsn=dsn, results=False)


def sweep_jobs(app: Flask, queue: Queue) -> list[int]:
    """Queue tasks for unfinished jobs that no worker has touched for a lease and that have
    no task waiting: their worker died (or their message was lost). Returns their ids."""
    settings = job_settings(app)
    stale_before = utcnow() - settings.lease
    with session_scope(app) as session:
        candidates = stalled_jobs(session, stale_before)
    if not candidates:
        return []
    waiting = queue.queued_job_ids()
    restarted = []
    for job_id in candidates:
        if job_id in waiting:
            continue
        with session_scope(app) as session:
            # Only one sweeper (of several workers) wins a job: it moves the heartbeat.
            won = claim_stalled(session, job_id, stale_before)
        if won:
            queue.start(job_id, settings.parallelism)
            restarted.append(job_id)
    if restarted:
        log.info("resumed jobs %s", restarted)
    return restarted


def tidy(app: Flask) -> None:
    """Drop expired link-check cache entries, workers gone for a day, finished jobs older
    than the retention (backlink checks after a day), and evidence older than its own
    (each backlink's latest stays)."""
    settings = job_settings(app)
    with session_scope(app) as session:
        prune_cache(session, utcnow() - max(settings.cache_age, timedelta(minutes=5)))
        forget_workers(session, utcnow() - timedelta(days=1))
        delete_finished_jobs(session, utcnow() - settings.retention)
        from server.jobs.backlink_checks import KIND as BACKLINK_CHECK
        from server.monitor import monitor_settings
        from server.store.evidence import prune_evidence

        prune_evidence(session, utcnow() - monitor_settings(app).evidence_retention)
        # The schedule makes a backlink-check job nearly every minute; what each found lives
        # on in its backlinks' history, so the jobs themselves go after a day.
        delete_finished_jobs(session, utcnow() - timedelta(days=1), BACKLINK_CHECK)


def make_queue(app: Flask) -> Queue:
    url = queue_url(app)
    huey = _huey(url)
    holder: dict[str, Queue] = {}

    # retries: a lap that fails (the database briefly unreachable) runs again later.
    @huey.task(retries=5, retry_delay=10, name="run_job")
    def run_job(job_id: int) -> None:
        end = run_lap(app, job_id)
        if end.next == "now":
            holder["queue"].run_job(job_id)
        elif end.next == "later":
            holder["queue"].run_job.schedule((job_id,), delay=end.delay)

    @huey.task(name="sweep_jobs")
    def sweep() -> None:
        sweep_jobs(app, holder["queue"])

    @huey.periodic_task(crontab(minute="*"), name="sweep_jobs_every_minute")
    def sweep_every_minute() -> None:
        sweep_jobs(app, holder["queue"])
        tidy(app)

    def schedule_now() -> None:
        from server.jobs.backlink_checks import schedule_due
        from server.monitor import monitor_settings

        if monitor_settings(app).schedule:
            schedule_due(app)

    @huey.task(name="schedule_backlinks_now")
    def schedule() -> None:
        schedule_now()

    @huey.periodic_task(crontab(minute="*"), name="schedule_backlinks")
    def schedule_backlinks() -> None:
        schedule_now()

    @huey.task(name="deliver_alerts")
    def deliver() -> None:
        from server.alerts import deliver_due

        deliver_due(app)

    @huey.periodic_task(crontab(minute="*"), name="deliver_alerts_every_minute")
    def deliver_every_minute() -> None:
        from server.alerts import deliver_due

        deliver_due(app)  # retries that came due, and anything a lost message left

    digest_hour = str(int(app.config.get("ALERT_DIGEST_HOUR", 8)))

    @huey.periodic_task(crontab(minute="0", hour=digest_hour), name="alert_digest")
    def digest() -> None:
        from server.alerts import alert_settings, deliver_due, make_digest

        if alert_settings(app).digest and make_digest(app):
            deliver_due(app)

    queue = holder["queue"] = Queue(
        huey=huey, run_job=run_job, sweep=sweep, deliver=deliver, schedule=schedule, url=url
    )
    return queue


def get_queue(app: Flask) -> Queue:
    """The app's queue, made on first use."""
    queue: Queue | None = app.extensions.get(_EXTENSION)
    if queue is None:
        queue = app.extensions[_EXTENSION] = make_queue(app)
    return queue


def describe(url: str) -> str:
    """The queue's location without its password, for logs and the dashboard."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return url


__all__ = ["Queue", "describe", "get_queue", "make_queue", "queue_url", "sweep_jobs"]
