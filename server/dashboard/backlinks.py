"""Dashboard pages for watched backlinks: the list with each link's current state and when
it last changed, add, check now (the same check as the API), delete, and full history."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.api.payload import require_page_url
from server.dashboard import bp
from server.dashboard.display import RESULT_LABELS
from server.dashboard.login import local_path
from server.errors import ApiError
from server.monitor import check_backlink, private_fetch_allowed
from server.store import overview
from server.store.backlinks import (
    InvalidBacklink,
    add_backlink,
    delete_backlink,
    get_backlink,
    list_backlinks,
    record_check,
)
from server.store.db import get_session
from server.store.models import CHECK_RESULTS, Backlink

PER_PAGE = 50
RESULT_FILTERS = (*CHECK_RESULTS, "unchecked")


def _load(session: Session, backlink_id: int, *, history: bool = False) -> Backlink:
    backlink = get_backlink(session, backlink_id, history=history)
    if backlink is None:
        abort(404, f"No backlink with id {backlink_id}.")
    return backlink


def _page_number() -> int:
    value = request.args.get("page") or "1"
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 1_000_000:
        abort(400, "'page' must be a whole number from 1 to 1000000.")
    return int(value)


@bp.get("/backlinks")
def backlinks() -> ResponseReturnValue:
    result = request.args.get("result") or None
    if result is not None and result not in RESULT_FILTERS:
        abort(400, f"'result' must be one of: {', '.join(RESULT_FILTERS)}.")
    page = _page_number()
    session = get_session()
    items, total = list_backlinks(session, result=result, page=page, per_page=PER_PAGE)
    ids = [b.id for b in items]
    return render_template(
        "dashboard/backlinks.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        per_page=PER_PAGE,
        result=result,
        counts=overview.result_counts(session),
        latest=overview.latest_checks(session, ids),
        changes=overview.latest_changes(session, ids),
        filters=RESULT_FILTERS,
        form=request.args,
    )


@bp.post("/backlinks", endpoint="add_backlink")
def add() -> ResponseReturnValue:
    source = request.form.get("source_url", "").strip()
    target = request.form.get("target", "").strip()
    session = get_session()
    try:
        if not target:
            raise InvalidBacklink("target", "Give the target: one of your sites or a URL prefix.")
        backlink, created = add_backlink(session, require_page_url(source, "source_url"), target)
    except (ApiError, InvalidBacklink) as exc:
        session.rollback()
        flash(f"Not tracked: {exc.message}", "error")
        return redirect(url_for("dashboard.backlinks"), 303)
    session.commit()
    if created:
        flash(f"Tracking the link from {backlink.source_url} to {backlink.target}.", "ok")
    else:
        flash(f"Already tracked: {backlink.source_url} → {backlink.target}.", "ok")
    return redirect(url_for("dashboard.backlinks"), 303)


@bp.get("/backlinks/<int:backlink_id>")
def backlink(backlink_id: int) -> ResponseReturnValue:
    found = _load(get_session(), backlink_id, history=True)
    return render_template("dashboard/backlink.html", backlink=found)


@bp.post("/backlinks/<int:backlink_id>/check", endpoint="check_backlink")
def check(backlink_id: int) -> ResponseReturnValue:
    """Fetch the source page now and record the result (as `POST /api/v1/backlinks/<id>/check`)."""
    session = get_session()
    found = _load(session, backlink_id)
    source_url, target = found.source_url, found.target
    session.rollback()  # no transaction stays open while the page is fetched
    outcome = check_backlink(
        source_url,
        target,
        allow_private=private_fetch_allowed(current_app.config),
        max_links=int(current_app.config["MAX_LINKS"]),
        robots_txt=bool(current_app.config["ROBOTS_TXT"]),
    )
    made = record_check(session, _load(session, backlink_id), outcome)
    session.commit()
    detail = ", ".join(made.reasons) or made.error_message or ""
    message = f"Checked {source_url}: {RESULT_LABELS[made.result]}"
    flash(
        message + (f" ({detail})" if detail else "") + ".",
        "ok" if made.result == "live-followed" else "warn",
    )
    default = url_for("dashboard.backlink", backlink_id=backlink_id)
    return redirect(local_path(request.form.get("next")) or default, 303)


@bp.post("/backlinks/<int:backlink_id>/delete", endpoint="delete_backlink")
def delete(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    found = _load(session, backlink_id)
    source_url = found.source_url
    delete_backlink(session, found)
    session.commit()
    flash(f"Stopped tracking {source_url}.", "ok")
    return redirect(url_for("dashboard.backlinks"), 303)
