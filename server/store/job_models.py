"""The stored side of background jobs: each job, each of its items (one URL: claimed by a
worker under a lease, then done with its result), the link-check cache, and the workers
seen. The task queue only wakes workers up; what is done and what is left lives here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.store.models import Base, UtcDateTime, utcnow

JOB_STATUSES = ("queued", "running", "done", "cancelled", "failed")
FINISHED_STATUSES = frozenset({"done", "cancelled", "failed"})
ITEM_STATES = ("pending", "claimed", "done")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Job(Base):
    """A piece of background work over a list of URLs (a link check, a bulk qualification)."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint(_in("status", JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    # What the job was asked besides its URLs (sites, competitors, tags, refresh...).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The page whose links a link check is about (the popup's page), for prospect signals.
    source_url: Mapped[str | None] = mapped_column(Text)
    source_key: Mapped[str | None] = mapped_column(String(64), index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Last sign of life of a worker on this job: a stale one means its worker died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    # Items per outcome, written when the job finishes (counted live before).
    summary: Mapped[dict[str, int] | None] = mapped_column(JSON)


class JobItem(Base):
    """One URL of a job. A worker claims it (state `claimed`, `claimed_by`, `lease_until`)
    and records its result (state `done`) only while it still holds the claim, so an item is
    done once; a claim whose lease ran out (its worker died) can be taken by another."""

    __tablename__ = "job_items"
    __table_args__ = (
        CheckConstraint(_in("state", ITEM_STATES), name="state"),
        UniqueConstraint("job_id", "position", name="uq_job_items_position"),
        Index("ix_job_items_claim", "job_id", "state", "rank", "position"),
        # Which hosts each worker holds, across jobs (claimed rows are few among done ones).
        Index("ix_job_items_held", "state", "host", "claimed_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # in the request's list
    # The item's place among its host's items: claiming by rank takes every host's first
    # URL before any host's second, so the hosts' slots fill up in parallel.
    rank: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(96))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LinkCheckCache(Base):
    """The last check of a URL, reused for a while so many users checking the same popular
    targets do not ask them again and again."""

    __tablename__ = "link_check_cache"

    url_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Worker(Base):
    """A worker process, as last seen (so the dashboard can say when none is running)."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    threads: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
