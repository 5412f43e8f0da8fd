"""Schedules: each backlink has a fixed slot in its interval; a thousand backlinks tracked
at once are spread evenly over it, a check out of turn moves the next one at least half an
interval away, and the worker's scheduler starts one job for what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from server.jobs.backlink_checks import schedule_due
from server.monitor import schedule_new
from server.monitor.schedule import first_check, next_check, next_slot, phase
from server.store.backlinks import add_backlink
from server.store.db import session_scope
from server.store.job_models import Job, JobItem
from server.store.models import Backlink, utcnow

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_thousand_backlinks_are_spread_evenly_over_the_interval() -> None:
    due = sorted(first_check(backlink_id, DAY, NOW) for backlink_id in range(1, 1001))
    assert due[0] > NOW and due[-1] <= NOW + DAY
    # Even: a hundredth of the day holds 10 on average; the golden-ratio slots keep every
    # hundredth between 8 and 12 (all at once would put 1,000 in one).
    buckets = [0] * 100
    for when in due:
        buckets[int((when - NOW) / DAY * 100)] += 1
    assert min(buckets) >= 8 and max(buckets) <= 12, buckets
    gaps = [(b - a).total_seconds() for a, b in zip(due, due[1:], strict=False)]
    assert max(gaps) <= 2.7 * DAY.total_seconds() / 1000


def test_a_backlink_keeps_its_slot_and_a_check_out_of_turn_waits_half_an_interval() -> None:
    slot = next_slot(7, DAY, NOW)
    assert next_slot(7, DAY, slot) == slot + DAY  # the same moment every day
    assert abs(((slot - datetime(2000, 1, 1, tzinfo=UTC)) / DAY) % 1 - phase(7)) < 1e-6
    # Checked on time: the next check is a day later.
    assert next_check(7, DAY, slot + timedelta(seconds=30)) == slot + DAY
    # Checked by hand an hour before its slot: the slot is skipped, not run an hour later.
    assert next_check(7, DAY, slot - timedelta(hours=1)) == slot + DAY
    # A backlink with its own interval keeps to it.
    week = timedelta(days=7)
    assert next_check(7, week, NOW) - NOW >= week / 2


@pytest.mark.databases
def test_the_scheduler_starts_one_job_for_the_due_backlinks_only(app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        made = [
            add_backlink(session, f"https://blog{i}.example/post", "mysite.com")[0]
            for i in range(1000)
        ]
        schedule_new(app, made)
        slots = sorted(b.next_check_at for b in made)
        assert slots[-1] - slots[0] > timedelta(hours=23)
        # Ten are due now, the rest are not.
        for backlink in made[:10]:
            backlink.next_check_at = utcnow() - timedelta(minutes=1)
    job_id = schedule_due(app)
    assert job_id is not None
    with session_scope(app) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.kind == "backlink-check" and job.total == 10
        urls = set(session.scalars(select(JobItem.url).where(JobItem.job_id == job_id)))
        assert urls == {f"https://blog{i}.example/post" for i in range(10)}
        # Moved to their next slot at once: a second scheduler finds nothing.
        moved = session.scalars(select(Backlink).where(Backlink.id.in_([b.id for b in made[:10]])))
        assert all(b.next_check_at > utcnow() + timedelta(hours=11) for b in moved)
    assert schedule_due(app) is None
