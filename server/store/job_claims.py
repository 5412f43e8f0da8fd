"""Workers taking job items: claims under a lease, renewed while the worker lives; results
written only while the claim holds (so an item is done once); items handed back on a clean
stop; and the workers' own heartbeats.

A host is worked on by one worker process at a time, whatever the job: a worker claims
items only of hosts no other live worker holds, so the per-host limit each process keeps
(server/fetch/politeness.py) is the limit the host sees, however many workers share the
work. A worker takes no more hosts than its threads can keep busy, leaving the rest to the
others."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from server.store.db import insert_or_upsert
from server.store.job_models import Job, JobItem, Worker
from server.store.jobs import changed
from server.store.models import utcnow

# An item whose worker died this many times while on it is given up (recorded as an error),
# so one URL that kills workers cannot stop a job forever.
MAX_ATTEMPTS = 3
# One claim at a time on PostgreSQL, so two workers never both take a free host.
CLAIM_LOCK_ID = 0x4A4F4253  # "JOBS"


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


@dataclass(frozen=True, slots=True)
class Claim:
    items: list[ClaimedItem]
    exhausted: bool  # nothing of the job is left to claim, by anyone


@dataclass(frozen=True, slots=True)
class ClaimLimits:
    per_host: int = 8  # items of one host this worker keeps claimed
    hosts: int = 64  # hosts this worker holds at once (its threads / the per-host limit)


def _claimable(now: datetime) -> Any:
    return or_(
        JobItem.state == "pending",
        and_(JobItem.state == "claimed", JobItem.lease_until < now),
    )


def _held(now: datetime) -> Any:
    return and_(JobItem.state == "claimed", JobItem.lease_until >= now)


def claim_items(
    session: Session,
    job_id: int,
    worker: str,
    count: int,
    lease: timedelta,
    limits: ClaimLimits | None = None,
) -> Claim:
    """Take up to `count` items of the job that nobody holds (pending, or claimed under a
    lease that ran out), of hosts no other worker holds, for `lease`; the job becomes
    running. Items of hosts this worker already holds come first, then new hosts, in rank
    order (every host's first URL before any host's second)."""
    limits = limits or ClaimLimits()
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK_ID)))
    mine = Counter(
        dict(
            session.execute(
                select(JobItem.host, func.count())
                .where(_held(now), JobItem.claimed_by == worker)
                .group_by(JobItem.host)
            ).all()
        )
    )
    busy = select(JobItem.host).where(_held(now), JobItem.claimed_by != worker)
    candidates = session.execute(
        select(JobItem.id, JobItem.host)
        .where(JobItem.job_id == job_id, _claimable(now), JobItem.host.not_in(busy))
        .order_by(JobItem.rank, JobItem.position)
        .limit(max(count * 4, 500))
    ).all()
    room = max(0, limits.hosts - len(mine))
    chosen: list[int] = []
    for item_id, host in candidates:
        if len(chosen) >= count:
            break
        if host not in mine:
            if room == 0:
                continue
            room -= 1
        if mine[host] >= limits.per_host:
            continue
        mine[host] += 1
        chosen.append(item_id)
    rows: Sequence[Any] = []
    if chosen:
        rows = session.execute(
            update(JobItem)
            .where(JobItem.id.in_(chosen), _claimable(now))
            .values(
                state="claimed",
                claimed_by=worker,
                lease_until=now + lease,
                attempts=JobItem.attempts + 1,
            )
            .returning(JobItem.id, JobItem.position, JobItem.url, JobItem.host, JobItem.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=now)
            .execution_options(synchronize_session=False)
        )
    exhausted = not candidates and not session.scalar(
        select(exists().where(JobItem.job_id == job_id, _claimable(now)))
    )
    beat(session, job_id, now)
    items = sorted((ClaimedItem(*row) for row in rows), key=lambda c: c.position)
    return Claim(items, exhausted)


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
    greatest = func.max if session.get_bind().dialect.name == "sqlite" else func.greatest
    session.execute(
        update(JobItem)
        .where(JobItem.id.in_(ids), JobItem.claimed_by == worker, JobItem.state == "claimed")
        .values(
            state="pending",
            claimed_by=None,
            lease_until=None,
            attempts=greatest(JobItem.attempts - 1, 0),
        )
        .execution_options(synchronize_session=False)
    )


_ITEMS: Table = JobItem.__table__  # type: ignore[assignment]
# One statement for many plain results (link checks): executemany, each row still guarded.
_RECORD = (
    update(_ITEMS)
    .where(
        _ITEMS.c.id == bindparam("item_id"),
        _ITEMS.c.claimed_by == bindparam("worker"),
        _ITEMS.c.state == "claimed",
    )
    .values(
        state="done",
        outcome=bindparam("outcome"),
        result=bindparam("result"),
        finished_at=bindparam("now"),
    )
)


def record_results(
    session: Session, job_id: int, worker: str, results: Sequence[ItemResult]
) -> int:
    """Write results of items this worker still holds; returns how many were written.
    A result for an item whose claim was lost (taken over after its lease ran out) is
    dropped: each item is done once."""
    now = utcnow()
    plain = [r for r in results if r.apply is None]
    written = 0
    if plain:
        written += changed(
            session.connection().execute(
                _RECORD,
                [
                    {
                        "item_id": r.item.id,
                        "worker": worker,
                        "outcome": r.outcome,
                        "result": r.result,
                        "now": now,
                    }
                    for r in plain
                ],
            )
        )
    for found in results:
        if found.apply is None:
            continue
        taken = changed(
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


def next_lease_end(session: Session, job_id: int) -> datetime | None:
    """When the first lease held on the job's unfinished items runs out."""
    return session.scalar(
        select(func.min(JobItem.lease_until)).where(
            JobItem.job_id == job_id, JobItem.state == "claimed"
        )
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
