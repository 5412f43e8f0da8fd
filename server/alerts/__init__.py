"""Alerts when a backlink's state changes: raised once per change in the database (by
server/monitor), delivered by workers to a signed webhook and to Apprise destinations,
retried with a growing delay, and visible with their failures in the dashboard."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask

from server.alerts.message import text_message, webhook_payload
from server.alerts.send import notify_apprise, post_webhook
from server.alerts.settings import AlertSettings
from server.config import app_settings
from server.store.alerts import (
    alerts_by_id,
    claim_deliveries,
    finish_delivery,
    queue_deliveries,
    undigested,
)
from server.store.db import session_scope
from server.store.models import utcnow
from server.store.monitor_models import Alert, AlertDelivery

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)

__all__ = ["AlertSettings", "alert_settings", "deliver_due", "make_digest"]


def alert_settings(app: Flask) -> AlertSettings:
    return app_settings(app, "alert_settings", AlertSettings.from_config)


def _send(settings: AlertSettings, delivery: AlertDelivery, alerts: list[Alert]) -> str | None:
    url = settings.url_of(delivery.channel_key)
    if url is None:
        return "this destination is no longer configured"
    if not alerts:
        return None  # its backlink (and alerts) were deleted meanwhile: nothing to say
    digest = delivery.alert_id is None
    if delivery.channel == "webhook":
        assert settings.webhook_secret is not None  # checked at start (server/config.py)
        return post_webhook(
            url, settings.webhook_secret, webhook_payload(alerts, delivery.id, digest)
        )
    title, body = text_message(alerts, digest, settings.dashboard_url)
    return notify_apprise(url, title, body)


def deliver_due(app: Flask, *, now: datetime | None = None, rounds: int = 20) -> int:
    """Send every delivery that is due, a few at a time; returns how many were attempted."""
    settings = alert_settings(app)
    attempted = 0
    for _ in range(rounds):
        with session_scope(app) as session:
            claimed = claim_deliveries(session, now or utcnow(), LEASE, limit=20)
            batches = [(d, alerts_by_id(session, list(d.alert_ids))) for d in claimed]
        if not batches:
            break
        # Sent outside any transaction: a slow destination holds no database lock.
        for delivery, alerts in batches:
            delivery_id = delivery.id
            try:
                error = _send(settings, delivery, alerts)
            except Exception as exc:  # a bug in one channel must not stop the others
                log.exception("alert delivery %s failed", delivery_id)
                error = f"{type(exc).__name__} while sending"
            with session_scope(app) as session:
                state = finish_delivery(
                    session,
                    delivery_id,
                    error=error,
                    now=utcnow(),
                    max_attempts=settings.max_attempts,
                )
            if error is not None:
                log.warning("alert delivery %s (%s): %s", delivery_id, delivery.channel, state)
            attempted += 1
    return attempted


def make_digest(app: Flask, *, now: datetime | None = None) -> int:
    """Bundle the alerts no digest carried yet into one delivery per destination; returns
    how many alerts it carried."""
    settings = alert_settings(app)
    now = now or utcnow()
    with session_scope(app) as session:
        alerts = undigested(session, now)
        if not alerts:
            return 0
        for alert in alerts:
            alert.digested_at = now
        queue_deliveries(
            session, [a.id for a in alerts], settings.destinations(), now, single=False
        )
    return len(alerts)
