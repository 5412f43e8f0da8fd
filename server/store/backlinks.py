"""Watched backlinks: add (one per source page and target), list, delete, and record each
check as history, noting when the result changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from server.analysis.sites import InvalidSite, parse_site
from server.store.db import insert_or_upsert
from server.store.models import CHECK_RESULTS, Backlink, BacklinkCheck, url_key, utcnow
from server.store.prospects import domain_of

MAX_PER_PAGE = 200


class InvalidBacklink(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What one check of a backlink found."""

    result: str
    reasons: tuple[str, ...] = ()
    links: tuple[dict[str, Any], ...] = field(default=())
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    final_url: str | None = None
    # Why a live link may still not count (the analysis's risks of the best link found).
    risks: tuple[str, ...] = ()


def normalize_target(target: str) -> str:
    """A domain or an http(s) URL prefix, trimmed; InvalidBacklink if it is neither."""
    text = target.strip()
    try:
        rule = parse_site(text)
    except InvalidSite as exc:
        raise InvalidBacklink("target", str(exc)) from None
    # A bare domain is case-insensitive: `MySite.com` and `mysite.com` are one target.
    return rule.label.lower() if "://" not in text else text


def add_backlink(session: Session, source_url: str, target: str) -> tuple[Backlink, bool]:
    """The backlink for (source_url, target), created unless it exists; (backlink, created)."""
    target = normalize_target(target)
    try:
        source_domain = domain_of(source_url)
    except ValueError as exc:
        raise InvalidBacklink("source_url", str(exc)) from None
    key = url_key(source_url, target)
    statement = (
        insert_or_upsert(session, Backlink)
        .values(
            source_url=source_url,
            target=target,
            key=key,
            source_domain=source_domain,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Backlink.id)
    )
    created = session.execute(statement).first() is not None
    backlink = session.scalars(select(Backlink).where(Backlink.key == key)).one()
    return backlink, created


def get_backlink(session: Session, backlink_id: int, *, history: bool = False) -> Backlink | None:
    statement = (
        select(Backlink).where(Backlink.id == backlink_id).execution_options(populate_existing=True)
    )
    if history:
        statement = statement.options(selectinload(Backlink.checks))
    return session.scalars(statement).one_or_none()


def list_backlinks(
    session: Session, *, result: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Backlink], int]:
    """One page of backlinks, newest first; `result` filters on the last check
    ("unchecked" for never checked)."""
    statement = select(Backlink)
    if result == "unchecked":
        statement = statement.where(Backlink.last_result.is_(None))
    elif result is not None:
        if result not in CHECK_RESULTS:
            raise InvalidBacklink(
                "result", f"'result' must be one of: {', '.join(CHECK_RESULTS)}, unchecked."
            )
        statement = statement.where(Backlink.last_result == result)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = session.scalars(
        statement.order_by(Backlink.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(items), total


def delete_backlink(session: Session, backlink: Backlink) -> None:
    session.delete(backlink)
    session.flush()


def due_backlink_ids(session: Session, older_than: timedelta | None) -> list[int]:
    """Backlinks never checked or last checked before now - older_than (all if None)."""
    statement = select(Backlink.id).order_by(Backlink.id)
    if older_than is not None:
        cutoff = utcnow() - older_than
        statement = statement.where(
            or_(Backlink.last_checked_at.is_(None), Backlink.last_checked_at <= cutoff)
        )
    return list(session.scalars(statement).all())


def record_check(
    session: Session, backlink: Backlink, outcome: CheckOutcome, *, now: datetime | None = None
) -> BacklinkCheck:
    """Append a check to the history and update the backlink's current state."""
    now = now or utcnow()
    previous = backlink.last_result
    risks = list(outcome.risks)
    # A link that becomes (or stops being) at risk has changed as much as one lost.
    changed = previous is not None and (
        previous != outcome.result or list(backlink.last_risks or []) != risks
    )
    check = BacklinkCheck(
        backlink_id=backlink.id,
        checked_at=now,
        result=outcome.result,
        previous_result=previous,
        changed=changed,
        reasons=list(outcome.reasons),
        links=list(outcome.links),
        http_status=outcome.http_status,
        error_code=outcome.error_code,
        error_message=outcome.error_message,
        final_url=outcome.final_url,
        risks=risks,
    )
    session.add(check)
    backlink.last_checked_at = now
    backlink.last_result = outcome.result
    backlink.last_http_status = outcome.http_status
    backlink.last_risks = risks
    if changed:
        backlink.last_changed_at = now
    session.flush()
    return check
