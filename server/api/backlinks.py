"""Backlinks API: track a link I won (with the placement agreed), list with filters, show
with history, change the agreement or interval, delete, check now, import a CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.api.paging import page_args, paged
from server.api.payload import read_json_object, require_page_url
from server.errors import ApiError
from server.monitor import accept_placement, check_now, schedule_new
from server.store import backlink_csv
from server.store.backlinks import (
    InvalidBacklink,
    add_backlink,
    check_terms,
    delete_backlink,
    get_backlink,
    list_backlinks,
    set_terms,
)
from server.store.db import get_session
from server.store.evidence import evidence_of_checks
from server.store.models import Backlink, BacklinkCheck
from server.store.prospect_csv import InvalidCsv

bp = Blueprint("backlinks", __name__, url_prefix="/api/v1")
TERMS = ("agreed_url", "agreed_anchor", "agreed_rel", "interval_hours")


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def check_json(check: BacklinkCheck, evidence_id: int | None = None) -> dict[str, Any]:
    return {
        "id": check.id,
        "checked_at": _time(check.checked_at),
        "result": check.result,
        "previous_result": check.previous_result,
        "changed": check.changed,
        "reasons": check.reasons,
        "links": [{k: v for k, v in link.items() if k != "raw_href"} for link in check.links],
        "http_status": check.http_status,
        "error": (
            {"code": check.error_code, "message": check.error_message} if check.error_code else None
        ),
        "final_url": check.final_url,
        "risks": list(check.risks or []),
        "drift": list(check.drift or []),
        "rendered": bool(check.rendered),
        "render_note": check.render_note,
        "confirmation": check.confirmation,
        "trigger": check.trigger,
        "evidence_id": evidence_id,
    }


def backlink_json(
    backlink: Backlink, *, history: bool = False, session: Session | None = None
) -> dict[str, Any]:
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
        "last_drift": list(backlink.last_drift or []),
        "agreement": {
            "url": backlink.agreed_url,
            "anchor": backlink.agreed_anchor,
            "rel": backlink.agreed_rel,
        },
        "placement": backlink.placement,
        "interval_hours": backlink.interval_hours,
        "next_check_at": _time(backlink.next_check_at),
        "pending_check_id": backlink.pending_check_id,
    }
    if history:
        evidence = evidence_of_checks(session, [c.id for c in backlink.checks]) if session else {}
        body["history"] = [check_json(c, evidence.get(c.id)) for c in backlink.checks]
    return body


def _load(session: Session, backlink_id: int, *, history: bool = False) -> Backlink:
    backlink = get_backlink(session, backlink_id, history=history)
    if backlink is None:
        raise ApiError(404, "not_found", f"No backlink with id {backlink_id}.")
    return backlink


def _invalid(exc: InvalidBacklink) -> ApiError:
    return ApiError(400, f"invalid_{exc.field}", exc.message)


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
        terms = check_terms(*(data.get(name) for name in TERMS))
        backlink, created = add_backlink(session, source_url, target, terms)
    except InvalidBacklink as exc:
        raise _invalid(exc) from None
    if created:
        schedule_new(current_app._get_current_object(), [backlink])  # type: ignore[attr-defined]
    session.commit()
    body = backlink_json(backlink)
    body["created"] = created
    return jsonify(body), 201 if created else 200


@bp.get("/backlinks")
def index() -> ResponseReturnValue:
    page, per_page = page_args()
    try:
        items, total = list_backlinks(
            get_session(),
            result=request.args.get("result") or None,
            show=request.args.get("show") or None,
            page=page,
            per_page=per_page,
        )
    except InvalidBacklink as exc:
        raise _invalid(exc) from None
    return paged((backlink_json(b) for b in items), total, page, per_page)


@bp.get("/backlinks/<int:backlink_id>")
def show(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    return jsonify(
        backlink_json(_load(session, backlink_id, history=True), history=True, session=session)
    )


@bp.patch("/backlinks/<int:backlink_id>")
def edit(backlink_id: int) -> ResponseReturnValue:
    data = read_json_object(request)
    unknown = sorted(set(data) - {*TERMS, "accept_placement"})
    if unknown:
        raise ApiError(400, "invalid_field", f"Unknown fields: {', '.join(unknown)}.")
    accept = data.get("accept_placement", False)
    if not isinstance(accept, bool):
        raise ApiError(400, "invalid_accept_placement", "'accept_placement' must be true or false.")
    session = get_session()
    backlink = _load(session, backlink_id, history=True)
    try:
        terms = check_terms(*(data.get(name) for name in TERMS))
    except InvalidBacklink as exc:
        raise _invalid(exc) from None
    set_terms(session, backlink, terms, set(data))
    if accept:
        accept_placement(backlink, backlink.checks[0] if backlink.checks else None)
    session.commit()
    return show(backlink_id)


@bp.delete("/backlinks/<int:backlink_id>")
def delete(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    delete_backlink(session, _load(session, backlink_id))
    session.commit()
    return "", 204


@bp.post("/backlinks/<int:backlink_id>/check")
def check(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    _load(session, backlink_id)
    session.rollback()  # no transaction stays open while the page is fetched
    check_id = check_now(current_app._get_current_object(), backlink_id)  # type: ignore[attr-defined]
    if check_id is None:
        raise ApiError(404, "not_found", f"No backlink with id {backlink_id}.")
    backlink = _load(session, backlink_id, history=True)
    body = backlink_json(backlink, history=True, session=session)
    body["check"] = next(c for c in body["history"] if c["id"] == check_id)
    return jsonify(body)


@bp.post("/backlinks/import")
def import_csv() -> ResponseReturnValue:
    from server.api.prospects import _uploaded_csv

    text = _uploaded_csv()
    check = (request.args.get("check") or "").lower()
    if check not in ("", "now", "scheduled"):
        raise ApiError(400, "invalid_check", "'check' must be now or scheduled.")
    session = get_session()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        report = backlink_csv.import_backlinks(session, text, request.args.get("target") or None)
    except InvalidCsv as exc:
        raise ApiError(400, "invalid_csv", str(exc)) from None
    schedule_new(app, report.new_backlinks)
    job_id = None
    if check == "now" and report.new_backlinks:
        from server.jobs.backlink_checks import queue_job, start_backlink_checks

        job = start_backlink_checks(app, session, report.new_backlinks, "import")
        job_id = job.id if job is not None else None
    session.commit()  # every valid row, or none if the server fails midway
    if job_id is not None:
        queue_job(app, job_id, len(report.new_backlinks))
    return jsonify({**report.to_json(), "job_id": job_id})
