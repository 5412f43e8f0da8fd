"""Dashboard pages for watched backlinks: the list with each link's current state and when
it last changed (filters: at risk, drift, re-check due), add with the agreed placement,
import a CSV, check now (the same check as the API), delete, and the timeline of checks
with their evidence and alerts."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.api.payload import require_page_url
from server.dashboard import bp
from server.dashboard.display import RESULT_LABELS
from server.dashboard.login import local_path
from server.dashboard.paging import page_number
from server.errors import ApiError
from server.monitor import accept_placement, check_now, monitor_settings, schedule_new
from server.store import overview
from server.store.alerts import deliveries_of, list_alerts
from server.store.backlinks import (
    BACKLINK_FILTERS,
    InvalidBacklink,
    add_backlink,
    check_terms,
    delete_backlink,
    filter_counts,
    get_backlink,
    list_backlinks,
    set_terms,
)
from server.store.db import get_session
from server.store.evidence import evidence_of_checks
from server.store.models import CHECK_RESULTS, Backlink, BacklinkCheck

PER_PAGE = 50
RESULT_FILTERS = (*CHECK_RESULTS, "unchecked")
TERM_FIELDS = ("agreed_url", "agreed_anchor", "agreed_rel", "interval_hours")


def _load(session: Session, backlink_id: int, *, history: bool = False) -> Backlink:
    backlink = get_backlink(session, backlink_id, history=history)
    if backlink is None:
        abort(404, f"No backlink with id {backlink_id}.")
    return backlink


@bp.get("/backlinks")
def backlinks() -> ResponseReturnValue:
    result = request.args.get("result") or None
    if result is not None and result not in RESULT_FILTERS:
        abort(400, f"'result' must be one of: {', '.join(RESULT_FILTERS)}.")
    show = request.args.get("show") or None
    if show is not None and show not in BACKLINK_FILTERS:
        abort(400, f"'show' must be one of: {', '.join(BACKLINK_FILTERS)}.")
    page = page_number()
    session = get_session()
    items, total = list_backlinks(session, result=result, show=show, page=page, per_page=PER_PAGE)
    ids = [b.id for b in items]
    return render_template(
        "dashboard/backlinks.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        per_page=PER_PAGE,
        result=result,
        show=show,
        shows=BACKLINK_FILTERS,
        show_counts=filter_counts(session),
        render=monitor_settings(current_app._get_current_object()).render,  # type: ignore[attr-defined]
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
        terms = check_terms(*(request.form.get(name) for name in TERM_FIELDS))
        backlink, created = add_backlink(
            session, require_page_url(source, "source_url"), target, terms
        )
    except (ApiError, InvalidBacklink) as exc:
        session.rollback()
        flash(f"Not tracked: {exc.message}", "error")
        return redirect(url_for("dashboard.backlinks"), 303)
    if created:
        schedule_new(current_app._get_current_object(), [backlink])  # type: ignore[attr-defined]
    session.commit()
    if created:
        flash(f"Tracking the link from {backlink.source_url} to {backlink.target}.", "ok")
    else:
        flash(f"Already tracked: {backlink.source_url} → {backlink.target}.", "ok")
    return redirect(url_for("dashboard.backlinks"), 303)


@bp.get("/backlinks/<int:backlink_id>")
def backlink(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    found = _load(session, backlink_id, history=True)
    alerts, _total = list_alerts(session, backlink_id=backlink_id, per_page=200)
    by_check: dict[int, list] = {}
    for alert in alerts:
        by_check.setdefault(alert.check_id, []).append(alert)
    return render_template(
        "dashboard/backlink.html",
        backlink=found,
        evidence=evidence_of_checks(session, [c.id for c in found.checks]),
        alerts=by_check,
        deliveries=deliveries_of(session, [a.id for a in alerts]),
        settings=monitor_settings(current_app._get_current_object()),  # type: ignore[attr-defined]
    )


@bp.post("/backlinks/<int:backlink_id>/check", endpoint="check_backlink")
def check(backlink_id: int) -> ResponseReturnValue:
    """Fetch the source page now and record the result (as `POST /api/v1/backlinks/<id>/check`)."""
    session = get_session()
    found = _load(session, backlink_id)
    source_url = found.source_url
    session.rollback()  # no transaction stays open while the page is fetched
    check_id = check_now(current_app._get_current_object(), backlink_id)  # type: ignore[attr-defined]
    made = session.get(BacklinkCheck, check_id) if check_id is not None else None
    if made is None:
        abort(404, f"No backlink with id {backlink_id}.")
    detail = ", ".join(made.reasons) or made.error_message or ""
    message = f"Checked {source_url}: {RESULT_LABELS[made.result]}"
    if made.confirmation == "pending":
        message += " — to be confirmed by a re-check before anything changes"
    flash(
        message + (f" ({detail})" if detail else "") + ".",
        "ok" if made.result == "live-followed" and not made.drift else "warn",
    )
    default = url_for("dashboard.backlink", backlink_id=backlink_id)
    return redirect(local_path(request.form.get("next")) or default, 303)


@bp.post("/backlinks/<int:backlink_id>/terms", endpoint="backlink_terms")
def terms(backlink_id: int) -> ResponseReturnValue:
    """Change the agreed placement and the interval; or take the current placement."""
    session = get_session()
    found = _load(session, backlink_id, history=True)
    if request.form.get("accept_placement"):
        accept_placement(found, found.checks[0] if found.checks else None)
        session.commit()
        flash("The current placement is now the one compared with.", "ok")
    else:
        try:
            agreed = check_terms(*(request.form.get(name) for name in TERM_FIELDS))
        except InvalidBacklink as exc:
            flash(f"Not saved: {exc.message}", "error")
            return redirect(url_for("dashboard.backlink", backlink_id=backlink_id), 303)
        set_terms(session, found, agreed, set(TERM_FIELDS))
        session.commit()
        flash("Saved; the next check compares the link with it.", "ok")
    return redirect(url_for("dashboard.backlink", backlink_id=backlink_id), 303)


@bp.post("/backlinks/<int:backlink_id>/delete", endpoint="delete_backlink")
def delete(backlink_id: int) -> ResponseReturnValue:
    session = get_session()
    found = _load(session, backlink_id)
    source_url = found.source_url
    delete_backlink(session, found)
    session.commit()
    flash(f"Stopped tracking {source_url}.", "ok")
    return redirect(url_for("dashboard.backlinks"), 303)
