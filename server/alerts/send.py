"""Sending one message to one destination: the webhook through the server's one network
client (server/fetch), or an Apprise URL through Apprise. Each returns None when the
destination took the message, else why not."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

import orjson

from server.fetch import DEFAULT_USER_AGENT, FetchError
from server.fetch.probe import probe

SIGNATURE_HEADER = "X-LinkInspector-Signature"
TIMESTAMP_HEADER = "X-LinkInspector-Timestamp"
DELIVERY_HEADER = "X-LinkInspector-Delivery"
EVENT_HEADER = "X-LinkInspector-Event"
WEBHOOK_TIMEOUT = 15.0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256, keyed with the shared secret, of the timestamp, a
    dot and the body: a receiver recomputes it, compares in constant time, and refuses old
    timestamps (a replayed request)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + mac.hexdigest()


def post_webhook(
    url: str, secret: str, payload: dict[str, Any], *, allow_private: bool = True
) -> str | None:
    """POST the payload as JSON, signed. The webhook URL is the operator's own setting, so
    it may be on the private network (a self-hosted automation server) unless told not to;
    every other rule of the fetcher holds (no redirect followed, time bounded)."""
    body = orjson.dumps(payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: str(payload.get("event", "")),
        DELIVERY_HEADER: str(payload.get("delivery_id", "")),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    try:
        answer = probe(
            url,
            method="POST",
            allow_private=allow_private,
            total_timeout=WEBHOOK_TIMEOUT,
            body_bytes=1024,
            user_agent=DEFAULT_USER_AGENT,
            content=body,
            headers=headers,
        )
    except FetchError as exc:
        return exc.message
    if 200 <= answer.status < 300:
        return None
    if 300 <= answer.status < 400:
        return f"the webhook answered HTTP {answer.status}; redirects are not followed"
    return f"the webhook answered HTTP {answer.status}"


def notify_apprise(url: str, title: str, body: str) -> str | None:
    """Send through Apprise (email, Slack, Discord, Telegram... by the URL's scheme)."""
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        return "Apprise does not understand this URL (see its documentation for the service)"
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    if ok:
        return None
    lines = [line for line in captured.getvalue().splitlines() if line.strip()]
    # Apprise's own words, which name the service and the reason (never our URL's secrets:
    # it logs hosts and statuses, not credentials).
    return (lines[-1].split(" - ", 2)[-1] if lines else "Apprise could not send it")[:500]
