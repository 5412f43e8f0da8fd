"""Monitoring API: alerts raised by backlink checks with their deliveries, deliveries by
state (failed ones retried on demand), and the evidence a check kept — as JSON, and the
page's HTML as a gzip download (never served as a page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from server.alerts.message import alert_json
from server.api.paging import page_args, paged, query_number
from server.errors import ApiError
from server.store.alerts import (
    DELIVERY_FILTERS,
    deliveries_of,
    list_alerts,
    list_deliveries,
    retry_delivery,
)
from server.store.db import get_session
from server.store.evidence import get_evidence, list_evidence
from server.store.models import utcnow
from server.store.monitor_models import AlertDelivery, BacklinkEvidence

bp = Blueprint("monitoring", __name__, url_prefix="/api/v1")


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def delivery_json(delivery: AlertDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "alert_id": delivery.alert_id,
        "alert_ids": list(delivery.alert_ids or []),
        "digest": delivery.alert_id is None,
        "channel": delivery.channel,
        "destination": delivery.destination,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": _time(delivery.next_attempt_at) if delivery.state == "pending" else None,
        "last_error": delivery.last_error,
        "created_at": _time(delivery.created_at),
        "sent_at": _time(delivery.sent_at),
    }


def evidence_json(evidence: BacklinkEvidence) -> dict[str, Any]:
    return {
        "id": evidence.id,
        "backlink_id": evidence.backlink_id,
        "check_id": evidence.check_id,
        "created_at": _time(evidence.created_at),
        "final_url": evidence.final_url,
        "http_status": evidence.http_status,
        "headers": [list(pair) for pair in evidence.headers],
        "link_html": list(evidence.link_html),
        "page_bytes": evidence.page_bytes,
        "rendered": evidence.rendered_html is not None,
    }


@bp.get("/alerts")
def alerts() -> ResponseReturnValue:
    page, per_page = page_args()
    backlink_id = query_number("backlink_id", None, 2**31)
    session = get_session()
    items, total = list_alerts(session, backlink_id=backlink_id, page=page, per_page=per_page)
    sent = deliveries_of(session, [a.id for a in items])
    return paged(
        (
            {**alert_json(a), "deliveries": [delivery_json(d) for d in sent.get(a.id, [])]}
            for a in items
        ),
        total,
        page,
        per_page,
    )


@bp.get("/alert-deliveries")
def deliveries() -> ResponseReturnValue:
    page, per_page = page_args()
    state = request.args.get("state") or None
    if state is not None and state not in DELIVERY_FILTERS:
        raise ApiError(
            400, "invalid_state", f"'state' must be one of: {', '.join(DELIVERY_FILTERS)}."
        )
    items, total = list_deliveries(get_session(), state=state, page=page, per_page=per_page)
    return paged((delivery_json(d) for d in items), total, page, per_page)


@bp.post("/alert-deliveries/<int:delivery_id>/retry")
def retry(delivery_id: int) -> ResponseReturnValue:
    session = get_session()
    delivery = session.get(AlertDelivery, delivery_id)
    if delivery is None:
        raise ApiError(404, "not_found", f"No alert delivery with id {delivery_id}.")
    if not retry_delivery(session, delivery_id, utcnow()):
        raise ApiError(409, "already_sent", "This delivery was sent (or is being sent) already.")
    session.commit()
    from flask import current_app

    from server.monitor import notify_alerts

    notify_alerts(current_app._get_current_object())  # type: ignore[attr-defined]
    session.refresh(delivery)
    return jsonify(delivery_json(delivery))


@bp.get("/backlinks/<int:backlink_id>/evidence")
def backlink_evidence(backlink_id: int) -> ResponseReturnValue:
    from server.api.backlinks import _load

    session = get_session()
    _load(session, backlink_id)
    return jsonify({"items": [evidence_json(e) for e in list_evidence(session, backlink_id)]})


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int) -> ResponseReturnValue:
    found = get_evidence(get_session(), evidence_id)
    if found is None:
        raise ApiError(404, "not_found", f"No evidence with id {evidence_id}.")
    return jsonify(evidence_json(found))


def evidence_download(found: BacklinkEvidence, rendered: bool) -> Response:
    """The page's HTML exactly as kept, gzip-compressed, as an attachment: a browser saves
    it and never renders it (hostile page content stays inert)."""
    data = found.rendered_html if rendered else found.page_html
    name = f"evidence-{found.id}-{'rendered' if rendered else 'served'}.html.gz"
    return Response(
        data or b"",
        mimetype="application/gzip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@bp.get("/evidence/<int:evidence_id>/page.html.gz")
def evidence_page(evidence_id: int) -> ResponseReturnValue:
    found = get_evidence(get_session(), evidence_id)
    if found is None:
        raise ApiError(404, "not_found", f"No evidence with id {evidence_id}.")
    rendered = (request.args.get("rendered") or "").lower() in ("1", "true", "yes")
    if rendered and found.rendered_html is None:
        raise ApiError(404, "not_rendered", "This check did not render the page.")
    return evidence_download(found, rendered)
