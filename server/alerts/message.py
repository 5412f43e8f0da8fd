"""What an alert says: a one-line summary, the JSON a webhook receives, the title and body
an Apprise service (email, chat) shows; and a daily digest of several."""

from __future__ import annotations

from typing import Any

from server.store.monitor_models import Alert

EVENT_PREFIX = "backlink."
_TITLES = {
    "lost": "Backlink lost",
    "nofollow": "Backlink now nofollow",
    "at_risk": "Backlink at risk",
    "drift": "Backlink placement changed",
    "error": "Backlink page failing",
    "recovered": "Backlink recovered",
}


def _time(alert: Alert) -> str:
    return alert.created_at.isoformat().replace("+00:00", "Z")


def alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "created_at": _time(alert),
        "summary": alert.summary,
        "backlink_id": alert.backlink_id,
        "check_id": alert.check_id,
        "details": alert.details,
    }


def webhook_payload(alerts: list[Alert], delivery_id: int, digest: bool) -> dict[str, Any]:
    """The webhook's JSON body: one alert, or a digest of several."""
    if digest:
        return {
            "event": EVENT_PREFIX + "digest",
            "delivery_id": delivery_id,
            "alerts": [alert_json(a) for a in alerts],
        }
    alert = alerts[0]
    return {
        "event": EVENT_PREFIX + alert.kind,
        "delivery_id": delivery_id,
        "alert": alert_json(alert),
    }


def text_message(alerts: list[Alert], digest: bool, dashboard_url: str | None) -> tuple[str, str]:
    """(title, body) for Apprise: plain text, one alert per paragraph."""
    if digest:
        title = f"Link Inspector: {len(alerts)} backlink change{'s' if len(alerts) != 1 else ''}"
    else:
        title = f"Link Inspector: {_TITLES.get(alerts[0].kind, alerts[0].kind)}"
    parts = []
    for alert in alerts:
        lines = [f"{_TITLES.get(alert.kind, alert.kind)}: {alert.summary}"]
        details = alert.details
        lines.append(f"Page: {details.get('source_url')}")
        lines.append(f"Target: {details.get('target')}")
        lines.append(f"Checked: {_time(alert)}")
        if dashboard_url:
            lines.append(f"{dashboard_url.rstrip('/')}/backlinks/{alert.backlink_id}")
        parts.append("\n".join(lines))
    return title, "\n\n".join(parts)
