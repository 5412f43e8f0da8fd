"""Jobs in the database: create one with its items, claim items under a lease (safe with
many workers on SQLite and PostgreSQL), record results only while the claim holds, cancel,
finish, read progress and results, and the link-check cache."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from server.store.db import insert_or_upsert
from server.store.job_models import FINISHED_STATUSES, Job, JobItem, LinkCheckCache, Worker
from server.store.models import url_key, utcnow

# An item whose worker died this many times while on it is given up (recorded as "error"),
# so one URL that kills workers cannot stop a job forever.
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class NewItem:
    url: str
    host: str


@dataclass(frozen=True, slots=True)
class ClaimedItem:
    id: int
    position: int
    url: str
    host: str
    attempts: int


@dataclass(slots=True)
class ItemResult:
    """What a worker found for one claimed item; `apply`, when given, writes the rest of
    the item's effect (a saved prospect) in the same transaction, and returns the result."""

    item: ClaimedItem
    outcome: str
    result: dict[str, Any]
    apply: Callable[[Session], dict[str, Any]] | None = None


def create_job(
    session: Session,
    kind: str,
    items: Sequence[NewItem],
    *,
    params: dict[str, Any] | None = None,
    source_url: str | None = None,
) -> Job:
    """A queued job with one item per URL, ranked so that claims take the hosts in turn."""
    now = utcnow()
    job = Job(
        kind=kind,
        status="queued",
        params=params or {},
        source_url=source_url,
        source_key=url_key(source_url) if source_url else None,
        total=len(items),
        created_at=now,
        heartbeat_at=now,
    )
    session.add(job)
    session.flush()
    per_host: Counter[str] = Counter()
    rows = []
    for position, item in enumerate(items):
        rows.append(
            {
                "job_id": job.id,
                "position": position,
                "rank": per_host[item.host],
                "url": item.url,
                "host": item.host,
                "state": "pending",
                "attempts": 0,
            }
        )
        per_host[item.host] += 1
    for start in range(0, len(rows), 1000):
        session.execute(insert(JobItem), rows[start : start + 1000])
    return job


def _changed(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def get_job(session: Session, job_id: int) -> Job | None:
    return session.scalars(
        select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
    ).one_or_none()


def list_jobs(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Job], int]:
    statement = select(Job)
    if status is not None:
        statement = statement.where(Job.status == status)
    if kind is not None:
        statement = statement.where(Job.kind == kind)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    jobs = session.scalars(
        statement.order_by(Job.created_at.desc(), Job.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(jobs), total


def cancel_job(session: Session, job: Job) -> bool:
    """Cancel a queued or running job (True), or leave a finished one alone (False)."""
    changed = _changed(
        session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status.in_(("queued", "running")))
            .values(status="cancelled", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    session.expire(job)
    if changed:
        store_summary(session, job.id)
    return bool(changed)


def fail_job(session: Session, job_id: int, error: str) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(("queued", "running")))
        .values(status="failed", finished_at=utcnow(), error=error[:2000])
        .execution_options(synchronize_session=False)
    )
    store_summary(session, job_id)


def job_status(session: Session, job_id: int) -> str | None:
    return session.scalar(select(Job.status).where(Job.id == job_id))


def _claimable(now: datetime) -> Any:
    return or_(
        JobItem.state == "pending",
        and_(JobItem.state == "claimed", JobItem.lease_until < now),
    )


def claim_items(
    session: Session, job_id: int, worker: str, count: int, lease: timedelta
) -> list[ClaimedItem]:
    """Take up to `count` items of a running or queued job that nobody holds (pending, or
    claimed under a lease that ran out), for `lease`; the job becomes running."""
    now = utcnow()
    chosen = (
        select(JobItem.id)
        .where(JobItem.job_id == job_id, _claimable(now))
        .order_by(JobItem.rank, JobItem.position)
        .limit(count)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two workers claiming at once each skip the rows the other is taking.
        chosen = chosen.with_for_update(skip_locked=True)
    rows = session.execute(
        update(JobItem)
        .where(JobItem.id.in_(chosen.scalar_subquery()))
        .values(
            state="claimed",
            claimed_by=worker,
            lease_until=now + lease,
            attempts=JobItem.attempts + 1,
        )
        .returning(JobItem.id, JobItem.position, JobItem.url, JobItem.host, JobItem.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    if rows:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=now)
            .execution_options(synchronize_session=False)
        )
    beat(session, job_id, now)
    return sorted((ClaimedItem(*row) for row in rows), key=lambda c: c.position)


def beat(session: Session, job_id: int, now: datetime | None = None) -> None:
    """Record a sign of life on the job (a worker is on it)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(heartbeat_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def renew_leases(session: Session, job_id: int, worker: str, lease: timedelta) -> None:
    """Extend the leases this worker holds on the job's items."""
    now = utcnow()
    session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.claimed_by == worker, JobItem.state == "claimed")
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    beat(session, job_id, now)


def release_items(session: Session, worker: str, item_ids: Iterable[int]) -> None:
    """Give claimed items back unfinished (a worker stopping): the next worker takes them
    at once, without waiting for their lease, and without counting an attempt."""
    ids = list(item_ids)
    if not ids:
        return
    session.execute(
        update(JobItem)
        .where(JobItem.id.in_(ids), JobItem.claimed_by == worker, JobItem.state == "claimed")
        .values(
            state="pending",
            claimed_by=None,
            lease_until=None,
            attempts=func.max(JobItem.attempts - 1, 0)
            if session.get_bind().dialect.name == "sqlite"
            else func.greatest(JobItem.attempts - 1, 0),
        )
        .execution_options(synchronize_session=False)
    )


def record_results(
    session: Session, job_id: int, worker: str, results: Sequence[ItemResult]
) -> int:
    """Write results of items this worker still holds; returns how many were written.
    A result for an item whose claim was lost (taken over after its lease ran out) is
    dropped: each item is done once."""
    now = utcnow()
    written = 0
    for found in results:
        taken = _changed(
            session.execute(
                update(JobItem)
                .where(
                    JobItem.id == found.item.id,
                    JobItem.claimed_by == worker,
                    JobItem.state == "claimed",
                )
                .values(state="done", outcome=found.outcome, result=found.result, finished_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if not taken:
            continue
        written += 1
        if found.apply is not None:
            outcome = found.outcome
            try:
                with session.begin_nested():  # one item's failed save undoes only itself
                    result = found.apply(session)
            except Exception as exc:
                outcome = "failed"
                error = {"code": "save_failed", "message": str(exc)[:500]}
                result = {**found.result, "error": error}
            session.execute(
                update(JobItem)
                .where(JobItem.id == found.item.id)
                .values(result=result, outcome=outcome)
                .execution_options(synchronize_session=False)
            )
    beat(session, job_id, now)
    return written


def remaining(session: Session, job_id: int) -> int:
    """Items of the job not done yet."""
    return (
        session.scalar(
            select(func.count())
            .select_from(JobItem)
            .where(JobItem.job_id == job_id, JobItem.state != "done")
        )
        or 0
    )


def next_lease_end(session: Session, job_id: int) -> datetime | None:
    """When the first lease held on the job's unfinished items runs out."""
    return session.scalar(
        select(func.min(JobItem.lease_until)).where(
            JobItem.job_id == job_id, JobItem.state == "claimed"
        )
    )


def finish_if_complete(session: Session, job_id: int) -> bool:
    """Mark the job done when every item is; True if this call did."""
    if remaining(session, job_id):
        return False
    changed = _changed(
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_(("queued", "running")))
            .values(status="done", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    if changed:
        store_summary(session, job_id)
    return bool(changed)


def outcome_counts(session: Session, job_id: int) -> dict[str, int]:
    """Done items per outcome."""
    rows = session.execute(
        select(JobItem.outcome, func.count())
        .where(JobItem.job_id == job_id, JobItem.state == "done")
        .group_by(JobItem.outcome)
    ).all()
    return {outcome: count for outcome, count in rows if outcome is not None}


def store_summary(session: Session, job_id: int) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(summary=outcome_counts(session, job_id))
        .execution_options(synchronize_session=False)
    )


def progress(session: Session, job: Job) -> tuple[int, dict[str, int]]:
    """(items done, done items per outcome): from the stored summary once finished."""
    counts = (
        job.summary
        if job.status in FINISHED_STATUSES and job.summary is not None
        else outcome_counts(session, job.id)
    )
    return sum(counts.values()), dict(counts)


def item_results(
    session: Session,
    job_id: int,
    *,
    offset: int = 0,
    limit: int | None = None,
    outcome: str | None = None,
) -> tuple[list[JobItem], int]:
    """Done items in request order (optionally of one outcome), and how many there are."""
    statement = select(JobItem).where(JobItem.job_id == job_id, JobItem.state == "done")
    if outcome is not None:
        statement = statement.where(JobItem.outcome == outcome)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    statement = statement.order_by(JobItem.position).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement).all()), total


def stalled_jobs(session: Session, stale_before: datetime) -> list[int]:
    """Unfinished jobs that no worker has shown a sign of life on since `stale_before`."""
    return list(
        session.scalars(
            select(Job.id)
            .where(
                Job.status.in_(("queued", "running")),
                or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before),
            )
            .order_by(Job.id)
        ).all()
    )


def claim_stalled(session: Session, job_id: int, stale_before: datetime) -> bool:
    """Move a stalled job's heartbeat to now; True for the one sweeper that did it."""
    return bool(
        _changed(
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.heartbeat_at < stale_before)
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )
    )


# --- the link-check cache ----------------------------------------------------------------


def cached_checks(
    session: Session, urls: Iterable[str], max_age: timedelta
) -> dict[str, dict[str, Any]]:
    """The cached result of each URL checked within `max_age`, by URL."""
    keys = {url_key(url): url for url in urls}
    if not keys:
        return {}
    rows = session.execute(
        select(LinkCheckCache.url, LinkCheckCache.result).where(
            LinkCheckCache.url_key.in_(list(keys)),
            LinkCheckCache.checked_at >= utcnow() - max_age,
        )
    ).all()
    return {url: result for url, result in rows}


def cache_checks(session: Session, entries: Iterable[tuple[str, dict[str, Any], datetime]]) -> None:
    """Store (url, result, checked_at) as the latest check of each URL."""
    rows = {url_key(url): (url, result, at) for url, result, at in entries}
    for key, (url, result, at) in rows.items():
        statement = insert_or_upsert(session, LinkCheckCache).values(
            url_key=key, url=url, result=result, checked_at=at
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["url_key"], set_={"url": url, "result": result, "checked_at": at}
            )
        )


def prune_cache(session: Session, older_than: datetime) -> int:
    return _changed(
        session.execute(delete(LinkCheckCache).where(LinkCheckCache.checked_at < older_than))
    )


# --- workers -------------------------------------------------------------------------------


def worker_seen(session: Session, worker_id: str, hostname: str, pid: int, threads: int) -> None:
    now = utcnow()
    statement = insert_or_upsert(session, Worker).values(
        id=worker_id, hostname=hostname, pid=pid, threads=threads, started_at=now, seen_at=now
    )
    session.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"seen_at": now}))


def worker_gone(session: Session, worker_id: str) -> None:
    session.execute(delete(Worker).where(Worker.id == worker_id))


def live_workers(session: Session, seen_since: datetime) -> list[Worker]:
    return list(
        session.scalars(
            select(Worker).where(Worker.seen_at >= seen_since).order_by(Worker.started_at)
        ).all()
    )


def forget_workers(session: Session, seen_before: datetime) -> None:
    session.execute(delete(Worker).where(Worker.seen_at < seen_before))
