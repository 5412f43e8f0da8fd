"""Backlinks API: track a link I won, list, show with history, delete, check now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.api.payload import read_json_object, require_page_url
from server.errors import ApiError
from server.monitor import check_backlink, private_fetch_allowed
from server.store.backlinks import (
    InvalidBacklink,
    add_backlink,
    delete_backlink,
    get_backlink,
    list_backlinks,
    record_check,
)
from server.store.db import get_session
from server.store.models import Backlink, BacklinkCheck

bp = Blueprint("backlinks", __name__, url_prefix="/api/v1")


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def check_json(check: BacklinkCheck) -> dict[str, Any]:
    return {
        "id": check.id,
        "checked_at": _time(check.checked_at),
        "result": check.result,
        "previous_result": check.previous_result,
        "changed": check.changed,
        "reasons": check.reasons,
        "links": check.links,
        "http_status": check.http_status,
        "error": (
            {"code": check.error_code, "message": check.error_message} if check.error_code else None
        ),
        "final_url": check.final_url,
        "risks": list(check.risks or []),
    }


def backlink_json(backlink: Backlink, *, history: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": backlink.id,
        "source_url": backlink.source_url,
        "source_domain": backlink.source_domain,
        "target": backlink.target,
        "created_at": _time(backlink.created_at),
        "last_checked_at": _time(backlink.last_checked_at),
        "last_result": backlink.last_result,
        "last_http_status": backlink.last_http_status,
        "last_changed_at": _time(backlink.last_changed_at),
        "last_risks": list(backlink.last_risks or []),
    }
    if history:
        body["history"] = [check_json(c) for c in backlink.checks]
    return body


def _load(session: Session, backlink_id: int, *, history: bool = False) -> Backlink:
    backlink = get_backlink(session, backlink_id, history=history)
    if backlink is None:
        raise ApiError(404, "not_found", f"No backlink with id {backlink_id}.")
    return backlink


def _positive(name: str, default: int, maximum: int) -> int:
    value = request.args.get(name) or ""
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= maximum:
        raise ApiError(
            400, f"invalid_{name}", f"'{name}' must be a whole number from 1 to {maximum}."
        )
    return int(value)


@bp.post("/backlinks")
def create() -> ResponseReturnValue:
    data = read_json_object(request)
    try:
        source_url = require_page_url(data.get("source_url"), "source_url")
    except ApiError as exc:
        raise ApiError(400, "invalid_source_url", exc.message) from None
    target = data.get("target")
    if not isinstance(target, str) or not target.strip():
        raise ApiError(400, "invalid_target", "'target' must be a domain or an http(s) URL prefix.")
    session = get_session()
    try:
        backlink, created = add_backlink(session, source_url, target)
    except InvalidBacklink as exc:
        raise ApiError(400, f"invalid_{exc.field}", exc.message) from None
    session.commit()
    body = backlink_json(backlink)
    body["created"] = created
    return jsonify(body), 201 if created else 200


@bp.get("/backlinks")
def index() -> ResponseReturnValue:
    page = _positive("page", 1, 1_000_000)
    per_page = _positive("per_page", 50, 200)
    try:
        items, total = list_backlinks(
            get_session(), result=request.args.get("result") or None, page=page, per_page=per_page
        )
    except InvalidBacklink as exc:
        raise ApiError(400, f"invalid_{exc.field}", exc.message) from None
    return jsonify(
        {
            "items": [backlink_json(b) for b in items],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
    )


@bp.get("/backlinks/<int:backlink_id>")
def show(backlink_id: int) -> ResponseReturnValue:
    return jsonify(backlink_json(_load(get_session(), backlink_id, history=True), history=True))


@bp.delete("/backlinks/<int:backlink_id>")
def delete(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    delete_backlink(session, _load(session, backlink_id))
    session.commit()
    return "", 204


@bp.post("/backlinks/<int:backlink_id>/check")
def check(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    backlink = _load(session, backlink_id)
    source_url, target = backlink.source_url, backlink.target
    # No transaction stays open while the page is fetched.
    session.rollback()
    outcome = check_backlink(
        source_url,
        target,
        allow_private=private_fetch_allowed(current_app.config),
        max_links=int(current_app.config["MAX_LINKS"]),
        robots_txt=bool(current_app.config["ROBOTS_TXT"]),
    )
    backlink = _load(session, backlink_id)
    made = record_check(session, backlink, outcome)
    session.commit()
    body = backlink_json(_load(session, backlink_id, history=True), history=True)
    body["check"] = check_json(made)
    return jsonify(body)
