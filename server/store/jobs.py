"""Jobs in the database: create one with its items (ranked so that claims take hosts in
turn), read, list, cancel, fail or finish it, and read its progress and results. How
workers claim and record items: server/store/job_claims.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from server.store.job_models import FINISHED_STATUSES, Job, JobItem
from server.store.models import url_key, utcnow


@dataclass(frozen=True, slots=True)
class NewItem:
    url: str
    host: str


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


def changed(result: Any) -> int:
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
    not_kind: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Job], int]:
    statement = select(Job)
    if status is not None:
        statement = statement.where(Job.status == status)
    if kind is not None:
        statement = statement.where(Job.kind == kind)
    if not_kind is not None:
        statement = statement.where(Job.kind != not_kind)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    jobs = session.scalars(
        statement.order_by(Job.created_at.desc(), Job.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(jobs), total


def cancel_job(session: Session, job: Job) -> bool:
    """Cancel a queued or running job (True), or leave a finished one alone (False)."""
    updated = changed(
        session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status.in_(("queued", "running")))
            .values(status="cancelled", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    session.expire(job)
    if updated:
        # Its items' hosts are free for other jobs at once, not when the leases run out.
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job.id, JobItem.state == "claimed")
            .values(state="pending", claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        store_summary(session, job.id)
    return bool(updated)


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


def finish_if_complete(session: Session, job_id: int) -> bool:
    """Mark the job done when every item is; True if this call did."""
    if remaining(session, job_id):
        return False
    updated = changed(
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_(("queued", "running")))
            .values(status="done", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    if updated:
        store_summary(session, job_id)
    return bool(updated)


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
        changed(
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.heartbeat_at < stale_before)
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )
    )


@dataclass(frozen=True, slots=True)
class BrokenOutbound:
    """What the latest finished link check of a page's links found broken."""

    job_id: int
    broken: int
    checked: int
    finished_at: datetime | None


def broken_outbound(session: Session, page_urls: Iterable[str]) -> dict[str, BrokenOutbound]:
    """For each page URL that was the source of a finished link check, its latest one."""
    keys = {url_key(url): url for url in page_urls}
    if not keys:
        return {}
    jobs = session.scalars(
        select(Job)
        .where(Job.source_key.in_(list(keys)), Job.kind == "link-check", Job.status == "done")
        .order_by(Job.finished_at.desc(), Job.id.desc())
    ).all()
    found: dict[str, BrokenOutbound] = {}
    for job in jobs:
        url = keys.get(job.source_key or "")
        if url is None or url in found:
            continue
        counts = job.summary or {}
        found[url] = BrokenOutbound(
            job.id, int(counts.get("broken", 0)), sum(counts.values()), job.finished_at
        )
    return found


def delete_finished_jobs(
    session: Session, finished_before: datetime, kind: str | None = None
) -> int:
    """Delete jobs (and their items) that finished before `finished_before` (of one kind)."""
    statement = delete(Job).where(
        Job.status.in_(FINISHED_STATUSES), Job.finished_at < finished_before
    )
    if kind is not None:
        statement = statement.where(Job.kind == kind)
    return changed(session.execute(statement.execution_options(synchronize_session=False)))
