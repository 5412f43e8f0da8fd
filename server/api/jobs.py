"""Jobs API: start a link check or a bulk qualification (202 + Location), read a job's
progress and results, cancel it. The work itself happens in workers (server/jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.analysis.sites import InvalidSite, parse_sites
from server.api.paging import page_args, paged, query_number
from server.api.payload import read_json_object, require_page_url, string_list
from server.errors import ApiError
from server.jobs import start_job
from server.jobs.backlink_checks import KIND as BACKLINK_CHECK
from server.jobs.link_checks import KIND as LINK_CHECK
from server.jobs.prospect_bulk import KIND as PROSPECT_BULK
from server.jobs.runner import job_settings
from server.jobs.urls import InvalidUrls, job_items
from server.store.db import get_session
from server.store.job_models import JOB_STATUSES, Job
from server.store.jobs import cancel_job, get_job, item_results, list_jobs, progress
from server.store.prospects import InvalidProspect, check_notes, normalize_tags

bp = Blueprint("jobs", __name__, url_prefix="/api/v1")

KINDS = (LINK_CHECK, PROSPECT_BULK, BACKLINK_CHECK)


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def result_json(
    position: int, outcome: str | None, result: dict[str, Any] | None
) -> dict[str, Any]:
    """One done item as the API shows it: its index in the request, then its result."""
    body: dict[str, Any] = {"index": position}
    body.update(result or {})
    body.setdefault("result", outcome)
    return body


def job_json(
    session: Session,
    job: Job,
    *,
    results: bool = True,
    offset: int = 0,
    limit: int | None = None,
    outcome: str | None = None,
) -> dict[str, Any]:
    """A job: status, progress, counts per result, and (unless `results` is off) the
    results of its done items in request order."""
    done, counts = progress(session, job)
    body: dict[str, Any] = {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "total": job.total,
        "done": done,
        "created_at": _time(job.created_at),
        "started_at": _time(job.started_at),
        "finished_at": _time(job.finished_at),
        "counts": counts,
        "error": job.error,
        "source_url": job.source_url,
        "params": job.params,
    }
    if results:
        items, matching = item_results(session, job.id, offset=offset, limit=limit, outcome=outcome)
        body["results"] = [result_json(i.position, i.outcome, i.result) for i in items]
        body["results_total"] = matching
    return body


def _created(session: Session, job: Job) -> ResponseReturnValue:
    response = jsonify(job_json(session, job))
    response.status_code = 202
    response.headers["Location"] = url_for("jobs.show", job_id=job.id)
    return response


def _items(data: dict[str, Any]) -> Any:
    urls = data.get("urls")
    if not isinstance(urls, list):
        raise ApiError(400, "invalid_urls", "'urls' must be a list of http(s) URLs.")
    try:
        return job_items(urls, limit=job_settings(current_app).max_urls)
    except InvalidUrls as exc:
        raise ApiError(400, "invalid_urls", exc.message) from None


def _source_url(data: dict[str, Any]) -> str | None:
    value = data.get("source_url")
    if value is None:
        return None
    try:
        return require_page_url(value, "source_url")
    except ApiError as exc:
        raise ApiError(400, "invalid_source_url", exc.message) from None


@bp.post("/link-checks")
def create_link_check() -> ResponseReturnValue:
    data = read_json_object(request)
    items = _items(data)
    refresh = data.get("refresh", False)
    if not isinstance(refresh, bool):
        raise ApiError(400, "invalid_refresh", "'refresh' must be true or false.")
    job = start_job(
        current_app,
        LINK_CHECK,
        items,
        params={"refresh": refresh},
        source_url=_source_url(data),
    )
    return _created(get_session(), job)


@bp.post("/prospects/bulk")
def create_prospect_bulk() -> ResponseReturnValue:
    data = read_json_object(request)
    items = _items(data)
    sites = string_list(data, "sites")
    competitors = string_list(data, "competitors")
    try:
        parse_sites(sites)
        parse_sites(competitors)
    except InvalidSite as exc:
        raise ApiError(400, "invalid_site", str(exc)) from None
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise ApiError(400, "invalid_notes", "'notes' must be a string.")
    try:
        tags = normalize_tags(string_list(data, "tags"))
        check_notes(notes)
    except InvalidProspect as exc:
        raise ApiError(400, f"invalid_{exc.field}", exc.message) from None
    params = {
        "sites": list(sites),
        "competitors": list(competitors),
        "tags": tags,
        "notes": notes,
    }
    job = start_job(current_app, PROSPECT_BULK, items, params=params)
    return _created(get_session(), job)


def _load(session: Session, job_id: int) -> Job:
    job = get_job(session, job_id)
    if job is None:
        raise ApiError(404, "not_found", f"No job with id {job_id}.")
    return job


@bp.get("/jobs")
def index() -> ResponseReturnValue:
    status = request.args.get("status") or None
    if status is not None and status not in JOB_STATUSES:
        raise ApiError(
            400, "invalid_status", f"'status' must be one of: {', '.join(JOB_STATUSES)}."
        )
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise ApiError(400, "invalid_kind", f"'kind' must be one of: {', '.join(KINDS)}.")
    page, per_page = page_args()
    session = get_session()
    jobs, total = list_jobs(session, status=status, kind=kind, page=page, per_page=per_page)
    return paged((job_json(session, j, results=False) for j in jobs), total, page, per_page)


@bp.get("/jobs/<int:job_id>")
def show(job_id: int) -> ResponseReturnValue:
    session = get_session()
    job = _load(session, job_id)
    flag = (request.args.get("results") or "true").lower()
    if flag not in ("true", "false"):
        raise ApiError(400, "invalid_results", "'results' must be true or false.")
    outcome = request.args.get("result") or None
    if outcome is not None and (len(outcome) > 16 or not outcome.replace("_", "").isalpha()):
        raise ApiError(400, "invalid_result", "'result' must be a result name such as broken.")
    return jsonify(
        job_json(
            session,
            job,
            results=flag == "true",
            offset=query_number("offset", 0, 1_000_000, minimum=0),
            limit=query_number("limit", None, 10_000),
            outcome=outcome,
        )
    )


@bp.delete("/jobs/<int:job_id>")
def cancel(job_id: int) -> ResponseReturnValue:
    session = get_session()
    job = _load(session, job_id)
    if job.status in ("done", "failed"):
        raise ApiError(409, "job_finished", f"Job {job_id} has already finished ({job.status}).")
    cancel_job(session, job)
    session.commit()
    return jsonify(job_json(session, _load(session, job_id), results=False))
