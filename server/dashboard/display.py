"""How stored values are shown in the templates: times, status and result labels, links
that are safe to put in an href, and URLs of the current page with one query value changed.

Everything stored came from hostile pages: templates autoescape it, and an href only ever
gets an http(s) URL (never `javascript:` or `data:`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, request, url_for

from server.dashboard.csrf import FIELD as CSRF_FIELD
from server.dashboard.csrf import csrf_token
from server.store.models import PROSPECT_STATUSES

STATUS_LABELS = {
    "new": "New",
    "qualified": "Qualified",
    "contacted": "Contacted",
    "replied": "Replied",
    "won": "Won",
    "rejected": "Rejected",
}
RESULT_LABELS = {
    "live-followed": "Live · followed",
    "live-nofollow": "Live · nofollow",
    "missing": "Missing",
    "error": "Error",
    None: "Not checked",
    "unchecked": "Not checked",
}
JOB_STATUS_LABELS = {
    "queued": "Queued",
    "running": "Running",
    "done": "Done",
    "cancelled": "Cancelled",
    "failed": "Failed",
}
# Results of job items: link checks, then bulk qualification.
OUTCOME_LABELS = {
    "ok": "OK",
    "redirect": "Redirect",
    "broken": "Broken",
    "server_error": "Server error",
    "blocked": "Blocked",
    "timeout": "Timeout",
    "unreachable": "Unreachable",
    "refused": "Refused",
    "skipped": "Skipped (action URL)",
    "error": "Error",
    "saved": "Saved",
    "failed": "Failed",
    "live-followed": "Live · followed",
    "live-nofollow": "Live · nofollow",
    "missing": "Missing",
}
# Why a live link may still not count, in the words the extension uses.
RISK_LABELS = {
    "robots_txt_disallowed": "blocked by robots.txt",
    "noindex": "noindex page",
    "canonical_elsewhere": "canonical is another URL",
    "in_frame": "inside a frame",
    "hidden": "hidden",
    "script_only": "added by script",
}
DRIFT_LABELS = {
    "anchor_changed": "anchor changed",
    "rel_changed": "rel changed",
    "target_changed": "target changed",
    "moved": "moved on the page",
    "duplicated": "duplicated",
    "removed": "a link removed",
}
ALERT_LABELS = {
    "lost": "Lost",
    "nofollow": "Now nofollow",
    "at_risk": "At risk",
    "drift": "Placement drift",
    "error": "Page failing",
    "recovered": "Recovered",
}
DELIVERY_LABELS = {
    "pending": "Waiting to send",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
}
FILTER_LABELS = {"at_risk": "At risk", "drift": "Drift", "pending": "Re-check due"}
VERDICT_LABELS = {
    "best": "Best prospect",
    "good": "Good prospect",
    "won": "Links to you",
    "poor": "Poor prospect",
    "unknown": "Unrated",
}


def when(value: datetime | None) -> str:
    """`2026-11-27 17:20 UTC`, or an em dash for never."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else ""


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """A short relative time: `just now`, `5 min ago`, `3 h ago`, `12 days ago`."""
    if value is None:
        return "never"
    seconds = int(((now or datetime.now(UTC)) - value).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"


def http_href(url: Any) -> str | None:
    """The URL if it is http(s) (safe in an href), else None: render it as text only."""
    if not isinstance(url, str):
        return None
    lowered = url.strip().lower()
    return url if lowered.startswith(("http://", "https://")) else None


def page_url(**changes: Any) -> str:
    """This page's URL with some query values replaced (None drops one); page resets to 1
    unless given."""
    args: dict[str, Any] = request.args.to_dict()
    if "page" not in changes:
        args.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "":
            args.pop(name, None)
        else:
            args[name] = str(value)
    return url_for(str(request.endpoint), **(request.view_args or {}) | args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(when=when, iso=iso, ago=ago, http_href=http_href)
    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        CSRF_FIELD=CSRF_FIELD,
        page_url=page_url,
        STATUSES=PROSPECT_STATUSES,
        STATUS_LABELS=STATUS_LABELS,
        RESULT_LABELS=RESULT_LABELS,
        RISK_LABELS=RISK_LABELS,
        VERDICT_LABELS=VERDICT_LABELS,
        JOB_STATUS_LABELS=JOB_STATUS_LABELS,
        OUTCOME_LABELS=OUTCOME_LABELS,
        DRIFT_LABELS=DRIFT_LABELS,
        ALERT_LABELS=ALERT_LABELS,
        DELIVERY_LABELS=DELIVERY_LABELS,
        FILTER_LABELS=FILTER_LABELS,
    )
