"""Backlink monitoring: check a backlink (check.py: fetch, analyse with the page's
indexability, render in Chromium when the link is not in the served HTML), decide what the
check means (state.py: bad news waits for a re-check), measure placement drift (drift.py),
schedule the next check (schedule.py), and record it all with evidence and alerts
(record.py). Workers run the schedule (server/jobs/backlink_checks.py); `check_now` is
the API's, the dashboard's and `recheck`'s way in."""

from __future__ import annotations

from flask import Flask

from server.config import app_settings
from server.monitor.check import check_backlink, classify
from server.monitor.record import AlertRoute, apply_check
from server.monitor.settings import MonitorSettings, private_fetch_allowed
from server.store.backlinks import CheckOutcome
from server.store.db import session_scope
from server.store.models import Backlink, BacklinkCheck

__all__ = [
    "AlertRoute",
    "MonitorSettings",
    "alert_route",
    "check_backlink",
    "check_now",
    "classify",
    "accept_placement",
    "monitor_settings",
    "schedule_new",
    "notify_alerts",
    "private_fetch_allowed",
    "recheck_later",
    "record_outcome",
    "renderer_for",
    "run_check",
]


def monitor_settings(app: Flask) -> MonitorSettings:
    return app_settings(app, "monitor_settings", MonitorSettings.from_config)


def alert_route(app: Flask) -> AlertRoute:
    from server.alerts import alert_settings

    alerts = alert_settings(app)
    return AlertRoute(alerts.destinations(), alerts.kinds, alerts.digest)


def renderer_for(app: Flask) -> object | None:
    """The process's rendering pool, or None when rendering is off (RENDER=never)."""
    if monitor_settings(app).render == "never":
        return None
    from server.render import RenderSettings, get_renderer

    return get_renderer(RenderSettings.from_config(app.config))


def run_check(
    app: Flask,
    source_url: str,
    target: str,
    *,
    on_fetched: object = None,
    politeness: object = None,
) -> CheckOutcome:
    """Check one backlink's page with the app's settings (no database access)."""
    settings = monitor_settings(app)
    renderer = renderer_for(app)
    if renderer is not None and politeness is not None:
        renderer = _Polite(renderer, politeness)
    return check_backlink(
        source_url,
        target,
        allow_private=settings.allow_private,
        max_links=settings.max_links,
        robots_txt=settings.robots_txt,
        render=settings.render,
        renderer=renderer,
        on_fetched=on_fetched,  # type: ignore[arg-type]
    )


class _Polite:
    """A renderer whose pages take slots on their hosts from the given politeness."""

    def __init__(self, renderer: object, politeness: object) -> None:
        self.renderer = renderer
        self.politeness = politeness

    def render(self, url: str, html: str, headers: object) -> object:
        return self.renderer.render(url, html, headers, politeness=self.politeness)  # type: ignore[attr-defined]


def notify_alerts(app: Flask, delay: float = 0.0) -> None:
    """Wake a worker to deliver new alerts (a worker's minute sweep does it anyway)."""
    import logging

    from server.jobs.queue import get_queue

    try:
        queue = get_queue(app)
        if delay:
            queue.deliver.schedule(delay=delay)
        else:
            queue.deliver()
    except Exception:
        logging.getLogger(__name__).warning("could not queue alert delivery", exc_info=True)


def recheck_later(app: Flask) -> None:
    """Wake a worker's scheduler when bad news is due for its re-check (its minute round
    would find it anyway, up to a minute later)."""
    import logging

    from server.jobs.queue import get_queue

    try:
        delay = monitor_settings(app).confirm_delay.total_seconds() + 0.5
        get_queue(app).schedule.schedule(delay=delay)
    except Exception:
        logging.getLogger(__name__).warning("could not queue the re-check", exc_info=True)


def record_outcome(
    app: Flask, session: object, backlink: Backlink, outcome: CheckOutcome, trigger: str
) -> tuple[BacklinkCheck, int]:
    """Record a check in `session` (the caller commits); (the check, alerts raised)."""
    raised: list[int] = []
    check = apply_check(
        session,  # type: ignore[arg-type]
        backlink,
        outcome,
        monitor_settings(app),
        alert_route(app),
        trigger=trigger,
        on_alerts=raised.append,
    )
    return check, sum(raised)


def check_now(app: Flask, backlink_id: int, *, trigger: str = "manual") -> int | None:
    """Fetch the backlink's page now and record what it means; the check's id (None if the
    backlink is gone). No transaction is open while the page is fetched."""
    from server.store.backlinks import get_backlink

    with session_scope(app) as session:
        backlink = get_backlink(session, backlink_id)
        if backlink is None:
            return None
        source_url, target = backlink.source_url, backlink.target
    outcome = run_check(app, source_url, target)
    with session_scope(app) as session:
        backlink = get_backlink(session, backlink_id)
        if backlink is None:
            return None
        check, raised = record_outcome(app, session, backlink, outcome, trigger)
        check_id, pending = check.id, check.confirmation == "pending"
    if raised:
        notify_alerts(app)
    if pending:
        recheck_later(app)
    return check_id


def schedule_new(app: Flask, backlinks: list[Backlink]) -> None:
    """Give newly tracked backlinks their first slot in their interval (spread: a CSV of a
    thousand links is not checked all at once)."""
    from server.monitor.schedule import first_check
    from server.store.models import utcnow

    settings = monitor_settings(app)
    now = utcnow()
    for backlink in backlinks:
        if backlink.next_check_at is None:
            interval = settings.interval_of(backlink.interval_hours)
            backlink.next_check_at = first_check(backlink.id, interval, now)


def accept_placement(backlink: Backlink, check: BacklinkCheck | None) -> None:
    """Take the placement of the latest live check as the one to compare with from now on
    (after a change the site and you agreed on): its drift is cleared."""
    from server.monitor import drift as placement
    from server.monitor.record import agreement_of

    found = None
    if check is not None and check.result in ("live-followed", "live-nofollow"):
        baseline = placement.Placement.from_json(backlink.placement)
        found = placement.placement_of(check.links, agreement_of(backlink), baseline)
    backlink.placement = found.to_json() if found is not None else None
    backlink.last_drift = []
