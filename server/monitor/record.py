"""Recording a check: decide what it means for the backlink (server/monitor/state.py),
write it to the history, move the state and the schedule, keep evidence of state changes,
and raise one alert per change — all in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from server.monitor import drift as placement
from server.monitor.schedule import next_check
from server.monitor.settings import MonitorSettings
from server.monitor.state import Change, Decision, State, decide
from server.store.alerts import Destination, raise_alert
from server.store.backlinks import CheckOutcome, append_check, set_confirmation
from server.store.evidence import save_evidence
from server.store.models import Backlink, BacklinkCheck, utcnow

_RESULT_WORDS = {
    "live-followed": "live and followed",
    "live-nofollow": "live but not followed",
    "missing": "missing",
    "error": "failing",
}
RISK_WORDS = {
    "robots_txt_disallowed": "robots.txt blocks Googlebot from the page",
    "noindex": "the page is noindex",
    "canonical_elsewhere": "the page's canonical is another URL",
    "in_frame": "the link is inside a frame",
    "hidden": "the link is hidden",
    "script_only": "the link is added by a script",
}


@dataclass(frozen=True, slots=True)
class AlertRoute:
    """Where alerts go and which kinds are wanted (server/alerts settings)."""

    destinations: list[Destination]
    kinds: frozenset[str]
    digest: bool


def agreement_of(backlink: Backlink) -> placement.Agreement:
    return placement.Agreement(backlink.agreed_url, backlink.agreed_anchor, backlink.agreed_rel)


def _summary(
    backlink: Backlink, change: Change, outcome: CheckOutcome, drift_text: list[str]
) -> str:
    page, target = backlink.source_url, backlink.target
    if change.kind == "lost":
        gone = f" (HTTP {outcome.http_status})" if outcome.http_status else ""
        return f"{page} no longer links to {target}{gone}"
    if change.kind == "nofollow":
        why = ", ".join(outcome.reasons) or "nofollow"
        return f"the link on {page} to {target} is not followed any more ({why})"
    if change.kind == "error":
        return f"{page} cannot be checked: {outcome.error_message or outcome.error_code}"
    if change.kind == "at_risk":
        return f"the link on {page} to {target} may not count: " + "; ".join(
            RISK_WORDS.get(r, r) for r in change.items
        )
    if change.kind == "drift":
        return f"the link on {page} to {target} changed: " + "; ".join(drift_text)
    return f"the link on {page} to {target} is {_RESULT_WORDS[outcome.result]} again"


def _raise(
    session: Session,
    backlink: Backlink,
    check: BacklinkCheck,
    decision: Decision,
    outcome: CheckOutcome,
    route: AlertRoute,
    now: datetime,
) -> int:
    raised = 0
    agreement = agreement_of(backlink)
    baseline = placement.Placement.from_json(backlink.placement)
    now_placement = placement.placement_of(outcome.links, agreement, baseline)
    for change in decision.changes:
        if change.kind not in route.kinds:
            continue
        drift_text = (
            [placement.describe(kind, now_placement, agreement, baseline) for kind in change.items]
            if change.kind == "drift"
            else []
        )
        details = {
            "source_url": backlink.source_url,
            "target": backlink.target,
            "before": check.previous_result,
            "after": outcome.result,
            "items": list(change.items),
            "risks": list(outcome.risks),
            "drift": list(check.drift),
            "drift_text": drift_text,
            "http_status": outcome.http_status,
            "error": (
                {"code": outcome.error_code, "message": outcome.error_message}
                if outcome.error_code
                else None
            ),
            "final_url": outcome.final_url,
            "links": [
                {k: link.get(k) for k in ("href", "text", "rel", "follow", "position")}
                for link in outcome.links[:5]
            ],
        }
        alert = raise_alert(
            session,
            backlink_id=backlink.id,
            check_id=check.id,
            kind=change.kind,
            summary=_summary(backlink, change, outcome, drift_text),
            details=details,
            destinations=route.destinations,
            digest=route.digest,
            now=now,
        )
        raised += alert is not None
    return raised


def apply_check(
    session: Session,
    backlink: Backlink,
    outcome: CheckOutcome,
    settings: MonitorSettings,
    route: AlertRoute,
    *,
    trigger: str = "manual",
    now: datetime | None = None,
    on_alerts: Callable[[int], None] | None = None,
) -> BacklinkCheck:
    """Record `outcome` for `backlink` and do what it means; returns the history row."""
    now = now or utcnow()
    agreement = agreement_of(backlink)
    baseline = placement.Placement.from_json(backlink.placement)
    live = outcome.result in ("live-followed", "live-nofollow")
    drift = placement.drift(outcome.links, agreement, baseline) if live else ()
    before = State(
        backlink.last_result, tuple(backlink.last_risks or ()), tuple(backlink.last_drift or ())
    )
    after = State(outcome.result, tuple(outcome.risks), drift)
    pending = backlink.pending_check_id
    decision = decide(before, after, pending is not None)
    check = append_check(
        session,
        backlink,
        outcome,
        now=now,
        drift=drift,
        changed=decision.changed,
        confirmation="pending" if decision.action == "suspect" else None,
        trigger=trigger,
    )
    interval = settings.interval_of(backlink.interval_hours)
    backlink.last_checked_at = now
    if decision.action == "suspect":
        # Nothing changes yet: the same page is asked again after the delay.
        backlink.pending_check_id = check.id
        backlink.next_check_at = now + settings.confirm_delay
    else:
        if pending is not None:
            confirmed = decision.action == "confirm"
            set_confirmation(session, pending, "confirmed" if confirmed else "dismissed")
            backlink.pending_check_id = None
        backlink.last_result = outcome.result
        backlink.last_http_status = outcome.http_status
        backlink.last_risks = list(outcome.risks)
        backlink.last_drift = list(drift)
        if decision.changed:
            backlink.last_changed_at = now
        if live and backlink.placement is None:
            first = placement.placement_of(outcome.links, agreement)
            backlink.placement = first.to_json() if first is not None else None
        backlink.next_check_at = next_check(backlink.id, interval, now)
    # Proof of the first placement, of bad news when first seen, and of each change.
    if before.result is None or decision.action == "suspect" or decision.changed:
        save_evidence(session, check, outcome, now)
    raised = _raise(session, backlink, check, decision, outcome, route, now)
    session.flush()
    if raised and on_alerts is not None:
        on_alerts(raised)
    return check
