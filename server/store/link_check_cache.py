"""The last check of each URL, reused for a while (server/jobs/link_checks.py decides how
long), so many users checking the same popular targets do not ask them again and again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.store.db import insert_or_upsert
from server.store.job_models import LinkCheckCache
from server.store.jobs import changed
from server.store.models import url_key, utcnow


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
    return changed(
        session.execute(delete(LinkCheckCache).where(LinkCheckCache.checked_at < older_than))
    )
