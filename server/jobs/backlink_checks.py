"""The `backlink-check` job: check tracked backlinks — the ones the schedule finds due, a
CSV import's first checks — each on a slot of its source page's host (the same per-host
politeness as every other job; given back once the page is in, before analysis and
rendering), recorded with its item's result in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from server.fetch.addresses import parse_target
from server.fetch.model import FetchError
from server.fetch.politeness import Politeness, Slot, shared_dispatcher
from server.jobs.settings import JobSettings
from server.monitor import notify_alerts, recheck_later, record_outcome, run_check
from server.store.backlinks import CheckOutcome, get_backlink
from server.store.job_claims import ClaimedItem, ItemResult
from server.store.job_models import Job
from server.store.jobs import NewItem
from server.store.models import Backlink

KIND = "backlink-check"


@dataclass(slots=True)
class Context:
    app: Flask
    backlinks: list[list[Any]]  # [backlink id, target] by item position
    trigger: str
    politeness: Politeness
    raised: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)  # checks whose bad news awaits a re-check


def backlink_items(backlinks: Sequence[Backlink]) -> tuple[list[NewItem], dict[str, Any]]:
    """A job's items and params for these backlinks (one item each; a source page that is
    no valid URL any more is checked all the same and recorded as an error)."""
    items = []
    for backlink in backlinks:
        try:
            host = parse_target(backlink.source_url).hostname.lower()
        except FetchError:
            host = "invalid"
        items.append(NewItem(url=backlink.source_url, host=host))
    return items, {"backlinks": [[b.id, b.target] for b in backlinks]}


class BacklinkChecks:
    name = KIND
    window = 64
    error_outcome = "error"

    def prepare(self, app: Flask, job: Job, settings: JobSettings) -> Context:
        dispatcher = shared_dispatcher(settings.per_host, settings.fetch_threads)
        return Context(
            app=app,
            backlinks=list(job.params.get("backlinks", [])),
            trigger=str(job.params.get("trigger", "scheduled")),
            politeness=dispatcher.politeness,
        )

    def before(
        self, context: Context, session: Session, items: list[ClaimedItem]
    ) -> list[ItemResult]:
        return []

    def work(self, context: Context, item: ClaimedItem, slot: Slot) -> ItemResult:
        backlink_id, target = context.backlinks[item.position]
        outcome = run_check(
            context.app, item.url, target, on_fetched=slot.release, politeness=context.politeness
        )
        base = {
            "backlink_id": backlink_id,
            "url": item.url,
            "target": target,
            "result": outcome.result,
            "rendered": outcome.rendered,
        }
        return ItemResult(
            item, outcome.result, base, self._recorder(context, backlink_id, outcome, base)
        )

    def _recorder(
        self, context: Context, backlink_id: int, outcome: CheckOutcome, base: dict[str, Any]
    ) -> Callable[[Session], dict[str, Any]]:
        def record(session: Session) -> dict[str, Any]:
            backlink = get_backlink(session, backlink_id)
            if backlink is None:  # deleted while it was being checked
                return {**base, "check_id": None}
            check, raised = record_outcome(context.app, session, backlink, outcome, context.trigger)
            context.raised.append(raised)
            if check.confirmation == "pending":
                context.pending.append(check.id)
            return {
                **base,
                "check_id": check.id,
                "changed": check.changed,
                "confirmation": check.confirmation,
            }

        return record

    def after(self, context: Context, session: Session, results: list[ItemResult]) -> None:
        # Both are queued a moment later: this batch commits first.
        if any(context.raised):
            context.raised.clear()
            notify_alerts(context.app, delay=1.0)
        if context.pending:
            context.pending.clear()
            recheck_later(context.app)


def start_backlink_checks(
    app: Flask, session: Session, backlinks: Sequence[Backlink], trigger: str
) -> Job | None:
    """Create a job checking `backlinks` in `session` (the caller commits, then queues it
    with `queue_job`); None when there are none."""
    from server.store.jobs import create_job

    if not backlinks:
        return None
    items, params = backlink_items(backlinks)
    return create_job(session, KIND, items, params={**params, "trigger": trigger})


def queue_job(app: Flask, job_id: int, items: int) -> None:
    """Wake workers for a committed job (a worker's sweep starts it anyway if this fails)."""
    import logging

    from server.jobs.queue import get_queue
    from server.jobs.runner import job_settings

    laps = min(job_settings(app).parallelism, max(1, items // 10))
    try:
        get_queue(app).start(job_id, laps)
    except Exception:
        logging.getLogger(__name__).exception("could not queue job %s", job_id)


def schedule_due(app: Flask, *, now: datetime | None = None, limit: int = 5000) -> int | None:
    """Start a job for the backlinks whose check is due (their slot in their interval, or a
    confirming re-check); give a slot to those that have none. Returns the job's id."""
    from sqlalchemy import func, select

    from server.monitor import monitor_settings
    from server.monitor.schedule import first_check, next_check
    from server.store.backlinks import scheduled_ids
    from server.store.db import session_scope
    from server.store.models import utcnow

    settings = monitor_settings(app)
    now = now or utcnow()
    with session_scope(app) as session:
        if session.get_bind().dialect.name == "postgresql":
            # One scheduler at a time across workers; the others find nothing due after it.
            session.execute(select(func.pg_advisory_xact_lock(SCHEDULE_LOCK_ID)))
        ready = []
        for backlink in scheduled_ids(session, now, limit):
            interval = settings.interval_of(backlink.interval_hours)
            if backlink.next_check_at is None:
                # Tracked before schedules existed, or just added: its slot in the interval.
                backlink.next_check_at = first_check(backlink.id, interval, now)
                continue
            # Moved on at once so no other scheduler takes it; the check sets it again.
            backlink.next_check_at = next_check(backlink.id, interval, now)
            ready.append(backlink)
        job = start_backlink_checks(app, session, ready, "scheduled")
        job_id = job.id if job is not None else None
    if job_id is not None:
        queue_job(app, job_id, len(ready))
    return job_id


SCHEDULE_LOCK_ID = 0x4D4F4E49  # "MONI"
