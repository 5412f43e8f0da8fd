"""Dashboard pages for monitoring: alerts and their deliveries (failures visible, retried
on demand), the evidence a check kept (headers, link HTML and the page's source shown as
text, never rendered; the page as a download), and the bulk CSV import of backlinks."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from server.api.monitoring import evidence_download
from server.dashboard import bp
from server.dashboard.paging import page_number
from server.monitor import notify_alerts, schedule_new
from server.store import backlink_csv
from server.store.alerts import (
    DELIVERY_FILTERS,
    alerts_by_id,
    delivery_counts,
    list_deliveries,
    retry_delivery,
)
from server.store.db import get_session
from server.store.evidence import get_evidence, unzip
from server.store.models import Backlink, utcnow
from server.store.prospect_csv import InvalidCsv

PER_PAGE = 50
SHOWN_HTML = 200_000  # characters of the page's source shown on the evidence page
MAX_UPLOAD = 5 * 1024 * 1024


@bp.get("/alerts")
def alerts() -> ResponseReturnValue:
    state = request.args.get("state") or None
    if state is not None and state not in DELIVERY_FILTERS:
        abort(400, f"'state' must be one of: {', '.join(DELIVERY_FILTERS)}.")
    page = page_number()
    session = get_session()
    items, total = list_deliveries(session, state=state, page=page, per_page=PER_PAGE)
    alert_ids = sorted({i for d in items for i in (d.alert_ids or [])})
    return render_template(
        "dashboard/alerts.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        per_page=PER_PAGE,
        state=state,
        states=DELIVERY_FILTERS,
        counts=delivery_counts(session),
        alerts={a.id: a for a in alerts_by_id(session, alert_ids)},
        configured=bool(
            current_app.config.get("ALERT_WEBHOOK_URL")
            or current_app.config.get("ALERT_APPRISE_URLS")
        ),
    )


@bp.post("/alerts/deliveries/<int:delivery_id>/retry", endpoint="retry_delivery")
def retry(delivery_id: int) -> ResponseReturnValue:
    session = get_session()
    if retry_delivery(session, delivery_id, utcnow()):
        session.commit()
        notify_alerts(current_app._get_current_object())  # type: ignore[attr-defined]
        flash("Queued to be sent again now.", "ok")
    else:
        flash("That delivery was sent already.", "warn")
    return redirect(url_for("dashboard.alerts", state=request.form.get("state") or None), 303)


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int) -> ResponseReturnValue:
    session = get_session()
    found = get_evidence(session, evidence_id)
    if found is None:
        abort(404, f"No evidence with id {evidence_id}.")
    html = unzip(found.page_html) or ""
    return render_template(
        "dashboard/evidence.html",
        evidence=found,
        backlink=session.get(Backlink, found.backlink_id),
        html=html[:SHOWN_HTML],
        cut=len(html) > SHOWN_HTML,
    )


@bp.get("/evidence/<int:evidence_id>/page.html.gz")
def evidence_file(evidence_id: int) -> ResponseReturnValue:
    found = get_evidence(get_session(), evidence_id)
    if found is None:
        abort(404, f"No evidence with id {evidence_id}.")
    rendered = request.args.get("rendered") == "1"
    if rendered and found.rendered_html is None:
        abort(404, "This check did not render the page.")
    return evidence_download(found, rendered)


@bp.post("/backlinks/import", endpoint="import_backlinks")
def import_backlinks() -> ResponseReturnValue:
    upload = request.files.get("file")
    text = request.form.get("csv", "")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            abort(413, "The CSV is larger than 5 MB.")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            flash("Not imported: the CSV must be UTF-8.", "error")
            return redirect(url_for("dashboard.backlinks"), 303)
    session = get_session()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        report = backlink_csv.import_backlinks(
            session, text, request.form.get("target", "").strip() or None
        )
    except InvalidCsv as exc:
        flash(f"Not imported: {exc}", "error")
        return redirect(url_for("dashboard.backlinks"), 303)
    schedule_new(app, report.new_backlinks)
    job_id = None
    if request.form.get("check_now") and report.new_backlinks:
        from server.jobs.backlink_checks import queue_job, start_backlink_checks

        job = start_backlink_checks(app, session, report.new_backlinks, "import")
        job_id = job.id if job is not None else None
    session.commit()
    if job_id is not None:
        queue_job(app, job_id, len(report.new_backlinks))
    message = (
        f"Imported {len(report.created)} new backlinks ({len(report.existing)} already tracked)."
    )
    if job_id is not None:
        message += f" Checking them now: job #{job_id}."
    elif report.created:
        message += " Each gets its first check at its slot in the interval."
    flash(message, "ok")
    for error in report.errors[:10]:
        flash(f"Row {error['row']}: {error['message']}", "error")
    if len(report.errors) > 10:
        flash(f"…and {len(report.errors) - 10} more rows with errors.", "error")
    return redirect(url_for("dashboard.backlinks"), 303)
