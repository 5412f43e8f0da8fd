"""Dashboard pages for background jobs: the list with progress and cancel, one job's results
(filter by result, CSV), forms that start a link check or a bulk qualification, and the
CSV import of prospects from the prospects page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.analysis.sites import InvalidSite, parse_sites
from server.dashboard import bp
from server.dashboard.paging import page_number
from server.dashboard.prospects import tags_from_text
from server.jobs import start_job
from server.jobs.backlink_checks import KIND as BACKLINK_CHECK
from server.jobs.link_checks import KIND as LINK_CHECK
from server.jobs.prospect_bulk import KIND as PROSPECT_BULK
from server.jobs.runner import job_settings
from server.jobs.urls import InvalidUrls, job_items, urls_from_text
from server.store import prospect_csv
from server.store.db import get_session
from server.store.job_claims import live_workers
from server.store.job_models import FINISHED_STATUSES, Job
from server.store.jobs import cancel_job, get_job, item_results, list_jobs, progress
from server.store.models import utcnow
from server.store.prospect_csv import safe_cell
from server.store.prospects import InvalidProspect, normalize_tags

PER_PAGE = 50
RESULTS_PER_PAGE = 100
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
KIND_LABELS = {
    LINK_CHECK: "Link check",
    PROSPECT_BULK: "Qualify prospects",
    BACKLINK_CHECK: "Backlink checks",
}
RESULT_COLUMNS = {
    BACKLINK_CHECK: ("url", "target", "result", "rendered", "confirmation", "backlink_id"),
    LINK_CHECK: ("url", "result", "http_status", "final_url", "redirects", "detail", "checked_at"),
    PROSPECT_BULK: ("url", "result", "domain", "verdict", "why", "http_status", "error"),
}


def _load(db: Session, job_id: int) -> Job:
    job = get_job(db, job_id)
    if job is None:
        abort(404, f"No job with id {job_id}.")
    return job


def _workers(db: Session) -> list[Any]:
    return live_workers(db, utcnow() - timedelta(minutes=1))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


@bp.get("/jobs")
def jobs() -> ResponseReturnValue:
    page = page_number()
    db = get_session()
    # Backlink checks (the monitor's schedule starts one nearly every minute) are listed only
    # when asked for: their results are on each backlink's timeline.
    monitor = request.args.get("kind") == BACKLINK_CHECK
    items, total = list_jobs(
        db,
        kind=BACKLINK_CHECK if monitor else None,
        not_kind=None if monitor else BACKLINK_CHECK,
        page=page,
        per_page=PER_PAGE,
    )
    rows = [(job, *progress(db, job)) for job in items]
    return render_template(
        "dashboard/jobs.html",
        monitor=monitor,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        per_page=PER_PAGE,
        workers=_workers(db),
        busy=any(job.status not in FINISHED_STATUSES for job in items),
        kinds=KIND_LABELS,
        form=session.get("job_form", {}),
    )


def _show_results(job: Job, outcome: str | None, page: int) -> tuple[list[Any], int]:
    items, total = item_results(
        get_session(),
        job.id,
        offset=(page - 1) * RESULTS_PER_PAGE,
        limit=RESULTS_PER_PAGE,
        outcome=outcome,
    )
    return items, total


@bp.get("/jobs/<int:job_id>")
def job(job_id: int) -> ResponseReturnValue:
    db = get_session()
    found = _load(db, job_id)
    done, counts = progress(db, found)
    outcome = request.args.get("result") or None
    if outcome is not None and outcome not in counts:
        outcome = None
    page = page_number()
    items, matching = _show_results(found, outcome, page)
    return render_template(
        "dashboard/job.html",
        job=found,
        done=done,
        counts=counts,
        outcome=outcome,
        items=items,
        matching=matching,
        page=page,
        pages=max(1, -(-matching // RESULTS_PER_PAGE)),
        per_page=RESULTS_PER_PAGE,
        kinds=KIND_LABELS,
        workers=_workers(db),
    )


@bp.get("/jobs/<int:job_id>.csv")
def job_csv(job_id: int) -> ResponseReturnValue:
    db = get_session()
    found = _load(db, job_id)
    columns = RESULT_COLUMNS.get(found.kind, ("url", "result"))
    items, _ = item_results(db, found.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        result = {"url": item.url, "result": item.outcome, **(item.result or {})}
        row = []
        for column in columns:
            value = result.get(column)
            if column == "redirects":
                value = " -> ".join(f"{h['status']} {h['url']}" for h in value or [])
            elif column == "error" and isinstance(value, dict):
                value = f"{value.get('code')}: {value.get('message')}"
            row.append(safe_cell(value))
        writer.writerow(row)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="job-{found.id}.csv"'},
    )


@bp.post("/jobs/<int:job_id>/cancel", endpoint="cancel_job")
def cancel(job_id: int) -> ResponseReturnValue:
    db = get_session()
    found = _load(db, job_id)
    if cancel_job(db, found):
        db.commit()
        flash(f"Job {job_id} cancelled; what it had finished is kept.", "ok")
    else:
        flash(f"Job {job_id} had already finished.", "warn")
    return redirect(url_for("dashboard.job", job_id=job_id), 303)


def _urls_from_form() -> list[Any] | None:
    text = request.form.get("urls", "")
    try:
        return job_items(urls_from_text(text), limit=job_settings(current_app).max_urls)
    except InvalidUrls as exc:
        flash(exc.message, "error")
        return None


@bp.post("/jobs/link-check", endpoint="start_link_check")
def start_link_check() -> ResponseReturnValue:
    items = _urls_from_form()
    if items is None:
        return redirect(url_for("dashboard.jobs"), 303)
    refresh = request.form.get("refresh") == "on"
    started = start_job(current_app, LINK_CHECK, items, params={"refresh": refresh})
    flash(f"Checking {len(items)} URL{'s' if len(items) != 1 else ''} in the background.", "ok")
    return redirect(url_for("dashboard.job", job_id=started.id), 303)


@bp.post("/prospects/qualify", endpoint="qualify_prospects")
def qualify() -> ResponseReturnValue:
    back = url_for("dashboard.prospects")
    items = _urls_from_form()
    if items is None:
        return redirect(back, 303)
    sites = _lines(request.form.get("sites", ""))
    competitors = _lines(request.form.get("competitors", ""))
    try:
        parse_sites(sites)
        parse_sites(competitors)
        tags = normalize_tags(tags_from_text(request.form.get("tags", "")))
    except (InvalidSite, InvalidProspect) as exc:
        flash(str(exc), "error")
        return redirect(back, 303)
    # Remembered for the next list, in the signed session cookie only.
    session["job_form"] = {"sites": "\n".join(sites), "competitors": "\n".join(competitors)}
    params = {"sites": sites, "competitors": competitors, "tags": tags, "notes": ""}
    started = start_job(current_app, PROSPECT_BULK, items, params=params)
    flash(
        f"Qualifying {len(items)} URL{'s' if len(items) != 1 else ''} in the background: "
        "each page is fetched, analysed and saved as a prospect.",
        "ok",
    )
    return redirect(url_for("dashboard.job", job_id=started.id), 303)


@bp.post("/prospects/import", endpoint="import_prospects")
def import_csv() -> ResponseReturnValue:
    back = url_for("dashboard.prospects")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a CSV file to import.", "error")
        return redirect(back, 303)
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        flash(f"The CSV is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", "error")
        return redirect(back, 303)
    try:
        text = raw.decode("utf-8-sig")
        db = get_session()
        report = prospect_csv.import_prospects(db, text)
        db.commit()
    except UnicodeDecodeError:
        flash("The CSV must be UTF-8.", "error")
        return redirect(back, 303)
    except prospect_csv.InvalidCsv as exc:
        flash(str(exc), "error")
        return redirect(back, 303)
    created, existing, errors = report["created"], report["existing"], report["errors"]
    flash(f"Imported: {len(created)} new, {len(existing)} already there.", "ok")
    for error in errors[:10]:
        flash(f"Row {error['row']} ({error['value']}): {error['error']}", "warn")
    if len(errors) > 10:
        flash(f"…and {len(errors) - 10} more rows with errors.", "warn")
    return redirect(back, 303)
