"""Alerts in the database: raised once per change (a unique check + kind), one delivery
per configured destination (or one digest a day), claimed by a worker under a lease, marked
sent, or retried with a growing delay until the last attempt fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from server.store.db import insert_or_upsert
from server.store.jobs import changed
from server.store.monitor_models import Alert, AlertDelivery


@dataclass(frozen=True, slots=True)
class Destination:
    """A configured alert destination: its channel, a stable key (a hash of its URL) and a
    label safe to show (no credentials)."""

    channel: str  # webhook | apprise
    key: str
    label: str


def raise_alert(
    session: Session,
    *,
    backlink_id: int,
    check_id: int,
    kind: str,
    summary: str,
    details: dict[str, Any],
    destinations: list[Destination],
    digest: bool,
    now: datetime,
) -> Alert | None:
    """The alert for this change, with its deliveries queued (none in digest mode); None if
    this check already raised one of this kind."""
    inserted = session.execute(
        insert_or_upsert(session, Alert)
        .values(
            backlink_id=backlink_id,
            check_id=check_id,
            kind=kind,
            created_at=now,
            summary=summary,
            details=details,
            # Sent one by one: no digest will carry it (should digests be turned on later).
            digested_at=None if digest else now,
        )
        .on_conflict_do_nothing(index_elements=["check_id", "kind"])
        .returning(Alert.id)
    ).first()
    if inserted is None:
        return None
    alert = session.get(Alert, inserted[0])
    assert alert is not None
    if not digest:
        queue_deliveries(session, [alert.id], destinations, now, single=True)
    return alert


def queue_deliveries(
    session: Session,
    alert_ids: list[int],
    destinations: list[Destination],
    now: datetime,
    *,
    single: bool,
) -> list[AlertDelivery]:
    """One pending delivery per destination: of one alert (`single`), or a digest of many."""
    made = []
    for destination in destinations:
        delivery = AlertDelivery(
            alert_id=alert_ids[0] if single else None,
            alert_ids=list(alert_ids),
            channel=destination.channel,
            channel_key=destination.key,
            destination=destination.label,
            state="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        made.append(delivery)
    session.flush()
    return made


def claim_deliveries(
    session: Session, now: datetime, lease: timedelta, limit: int = 50
) -> list[AlertDelivery]:
    """Due deliveries (pending and due, or sending under a lease that ran out: its worker
    died), now `sending` under a lease held by the caller."""
    statement = (
        select(AlertDelivery)
        .where(
            or_(
                (AlertDelivery.state == "pending") & (AlertDelivery.next_attempt_at <= now),
                (AlertDelivery.state == "sending") & (AlertDelivery.lease_until < now),
            )
        )
        .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    found = list(session.scalars(statement).all())
    for delivery in found:
        delivery.state = "sending"
        delivery.lease_until = now + lease
    session.flush()
    return found


def finish_delivery(
    session: Session,
    delivery_id: int,
    *,
    error: str | None,
    now: datetime,
    max_attempts: int,
) -> str:
    """Record an attempt: sent, or pending again after 1, 2, 4... minutes (at most 6 h),
    or failed after `max_attempts`. Returns the new state."""
    delivery = session.get(AlertDelivery, delivery_id)
    if delivery is None:
        return "gone"
    delivery.attempts += 1
    delivery.lease_until = None
    if error is None:
        delivery.state = "sent"
        delivery.sent_at = now
        delivery.last_error = None
    elif delivery.attempts >= max_attempts:
        delivery.state = "failed"
        delivery.last_error = error[:2000]
    else:
        delivery.state = "pending"
        delivery.last_error = error[:2000]
        wait = min(timedelta(hours=6), timedelta(minutes=2 ** (delivery.attempts - 1)))
        delivery.next_attempt_at = now + wait
    session.flush()
    return delivery.state


def retry_delivery(session: Session, delivery_id: int, now: datetime) -> bool:
    """Send a failed (or waiting) delivery again at once; False if it was sent already."""
    return bool(
        changed(
            session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.id == delivery_id, AlertDelivery.state.in_(("failed", "pending"))
                )
                .values(state="pending", next_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
        )
    )


def alerts_by_id(session: Session, ids: list[int]) -> list[Alert]:
    if not ids:
        return []
    return list(session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)).all())


def undigested(session: Session, before: datetime) -> list[Alert]:
    """Alerts raised before `before` that no digest carried yet."""
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.digested_at.is_(None), Alert.created_at < before)
            .order_by(Alert.id)
        ).all()
    )


def list_alerts(
    session: Session, *, backlink_id: int | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Alert], int]:
    statement = select(Alert)
    if backlink_id is not None:
        statement = statement.where(Alert.backlink_id == backlink_id)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = session.scalars(
        statement.order_by(Alert.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(items), total


def deliveries_of(session: Session, alert_ids: list[int]) -> dict[int, list[AlertDelivery]]:
    """Each alert's own deliveries (digests are listed by `list_deliveries`)."""
    if not alert_ids:
        return {}
    found: dict[int, list[AlertDelivery]] = {}
    for delivery in session.scalars(
        select(AlertDelivery)
        .where(AlertDelivery.alert_id.in_(alert_ids))
        .order_by(AlertDelivery.id)
    ):
        found.setdefault(int(delivery.alert_id or 0), []).append(delivery)
    return found


DELIVERY_FILTERS = ("pending", "sending", "sent", "failed")


def list_deliveries(
    session: Session, *, state: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[AlertDelivery], int]:
    statement = select(AlertDelivery)
    if state is not None:
        statement = statement.where(AlertDelivery.state == state)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = session.scalars(
        statement.order_by(AlertDelivery.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(items), total


def delivery_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(AlertDelivery.state, func.count()).group_by(AlertDelivery.state))
    return {state: count for state, count in rows}
