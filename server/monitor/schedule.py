"""When each backlink is next checked: on its own interval, at its own moment within it.

Each backlink keeps a fixed phase in its interval, the fractional part of its id times the
golden ratio (a Weyl sequence): consecutive ids — a CSV import of a thousand links — land
spread evenly over the interval instead of all at once, whatever the number, and a
backlink's slot stays put across restarts and workers without any shared counter."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

_GOLDEN = (math.sqrt(5) - 1) / 2
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def phase(backlink_id: int) -> float:
    """The backlink's place in its interval, in [0, 1)."""
    return (backlink_id * _GOLDEN) % 1.0


def next_slot(backlink_id: int, interval: timedelta, after: datetime) -> datetime:
    """The first moment strictly after `after` that is this backlink's slot."""
    period = interval.total_seconds()
    offset = phase(backlink_id) * period
    since = (after - _EPOCH).total_seconds()
    turns = math.floor((since - offset) / period) + 1
    return _EPOCH + timedelta(seconds=turns * period + offset)


def next_check(backlink_id: int, interval: timedelta, checked_at: datetime) -> datetime:
    """When to check again after a check at `checked_at`: the backlink's first slot at least
    half an interval later, so a check out of turn ("Check now") is not followed by a
    scheduled one minutes later, and scheduled checks keep their slot."""
    return next_slot(backlink_id, interval, checked_at + interval / 2)


def first_check(backlink_id: int, interval: timedelta, added_at: datetime) -> datetime:
    """When a newly tracked backlink is first due: its slot in the coming interval."""
    return next_slot(backlink_id, interval, added_at)
