"""Counts and look-ups the dashboard shows beside a page of results: known tags, prospects
per status, backlinks per result, and the latest (and latest changed) check of backlinks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.store.models import Backlink, BacklinkCheck, Prospect, ProspectTag


def known_tags(session: Session) -> list[str]:
    """Every tag used on a prospect, sorted."""
    return list(session.scalars(select(ProspectTag.tag).distinct().order_by(ProspectTag.tag)))


def status_counts(session: Session) -> dict[str, int]:
    """How many prospects have each status (statuses with none are left out)."""
    rows = session.execute(select(Prospect.status, func.count()).group_by(Prospect.status))
    return {status: count for status, count in rows}


def result_counts(session: Session) -> dict[str, int]:
    """How many backlinks have each last result; never-checked ones under "unchecked"."""
    rows = session.execute(
        select(Backlink.last_result, func.count()).group_by(Backlink.last_result)
    )
    return {result or "unchecked": count for result, count in rows}


def _latest(session: Session, ids: Sequence[int], *, changed: bool) -> dict[int, BacklinkCheck]:
    if not ids:
        return {}
    newest = select(func.max(BacklinkCheck.id)).where(BacklinkCheck.backlink_id.in_(ids))
    if changed:
        newest = newest.where(BacklinkCheck.changed.is_(True))
    newest = newest.group_by(BacklinkCheck.backlink_id)
    checks = session.scalars(select(BacklinkCheck).where(BacklinkCheck.id.in_(newest)))
    return {check.backlink_id: check for check in checks}


def latest_checks(session: Session, ids: Sequence[int]) -> dict[int, BacklinkCheck]:
    """The most recent check of each of these backlinks (absent if never checked)."""
    return _latest(session, ids, changed=False)


def latest_changes(session: Session, ids: Sequence[int]) -> dict[int, BacklinkCheck]:
    """The most recent check that changed the result, for each of these backlinks."""
    return _latest(session, ids, changed=True)
