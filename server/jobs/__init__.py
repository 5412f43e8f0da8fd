"""Background jobs on a task queue (huey): link checks and bulk prospect qualification.

The API and the dashboard create a job (`start_job`) and read it; workers (`flask --app
server worker`) do it. Jobs and their items live in the database (server/store/jobs.py);
the queue only wakes workers up."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from server.jobs.queue import get_queue
from server.jobs.runner import job_settings
from server.store.db import get_session
from server.store.job_models import Job
from server.store.jobs import NewItem, create_job

log = logging.getLogger(__name__)


def start_job(
    app: Flask,
    kind: str,
    items: list[NewItem],
    *,
    params: dict[str, Any] | None = None,
    source_url: str | None = None,
) -> Job:
    """Store a new job (committed) and queue it; a queue that cannot be reached now leaves
    it queued for the next sweep of a worker."""
    session = get_session()
    job = create_job(session, kind, items, params=params, source_url=source_url)
    session.commit()
    laps = min(job_settings(app).parallelism, max(1, len(items) // 10))
    try:
        get_queue(app).start(job.id, laps)
    except Exception:
        log.exception("could not queue job %s; a worker's sweep will pick it up", job.id)
    return job


def init_app(app: Flask) -> None:
    from server.jobs.worker import worker_command

    app.cli.add_command(worker_command)


__all__ = ["init_app", "start_job"]
