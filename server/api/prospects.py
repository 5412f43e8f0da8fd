"""Prospects API: save the page being viewed as a prospect, list/filter, edit, delete,
CSV export and import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.analysis.urls import without_fragment
from server.api.paging import paged
from server.api.payload import (
    analyze_page_request,
    read_json_object,
    read_page_request,
    string_list,
)
from server.errors import ApiError
from server.store import prospect_csv
from server.store.db import get_session
from server.store.jobs import BrokenOutbound, broken_outbound
from server.store.models import Prospect, ProspectPage
from server.store.prospects import (
    InvalidProspect,
    get_prospect,
    list_prospects,
    merge_contact,
    normalize_tags,
    outbound_profile,
    parse_query,
    save_page,
    sites_linked,
    update_prospect,
    verdict,
)

bp = Blueprint("prospects", __name__, url_prefix="/api/v1")

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _broken_json(found: BrokenOutbound | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "job_id": found.job_id,
        "checked": found.checked,
        "broken": found.broken,
        "checked_at": _time(found.finished_at),
    }


def page_json(page: ProspectPage, broken: BrokenOutbound | None = None) -> dict[str, Any]:
    return {
        "id": page.id,
        "url": page.url,
        "title": page.title,
        "first_seen_at": _time(page.first_seen_at),
        "seen_at": _time(page.seen_at),
        "contact": page.contact,
        "outbound": {
            "links": page.links_total,
            "external": page.external,
            "followed_external": page.followed_external,
            "share_followed": page.share_followed,
            "nofollow": page.nofollow,
            "sponsored": page.sponsored,
            "ugc": page.ugc,
            "unique_external_domains": page.unique_external_domains,
            "robots_nofollow": page.robots_nofollow,
            "robots_noindex": page.robots_noindex,
        },
        "my_sites": page.my_sites,
        "competitors": page.competitors,
        "risks": list(page.risks or []),
        # The page's outbound links as the latest finished link check found them: broken
        # ones are a broken-link-building opportunity.
        "broken_outbound": _broken_json(broken),
    }


def prospect_json(prospect: Prospect, *, pages: bool = True) -> dict[str, Any]:
    """The API JSON of a prospect; `pages=False` for list items (page count only)."""
    rating, why = verdict(prospect)
    competitors = sites_linked(prospect.pages, "competitors")
    my_sites = sites_linked(prospect.pages, "my_sites")
    body: dict[str, Any] = {
        "id": prospect.id,
        "domain": prospect.domain,
        "status": prospect.status,
        "notes": prospect.notes,
        "tags": prospect.tags,
        "created_at": _time(prospect.created_at),
        "updated_at": _time(prospect.updated_at),
        "verdict": rating,
        "why": why,
        "links_to_competitor": bool(competitors),
        "links_to_my_site": bool(my_sites),
        "competitors": competitors,
        "my_sites": my_sites,
        "contact": merge_contact([p.contact for p in prospect.pages]),
        "outbound": outbound_profile(prospect.pages),
        "page_count": len(prospect.pages),
    }
    if pages:
        broken = broken_outbound(get_session(), [p.url for p in prospect.pages])
        body["pages"] = [page_json(p, broken.get(p.url)) for p in prospect.pages]
    return body


def _invalid(exc: InvalidProspect) -> ApiError:
    return ApiError(400, f"invalid_{exc.field}", exc.message)


def _text(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"invalid_{field}", f"'{field}' must be a string.")
    return value


def _load(session: Session, prospect_id: int) -> Prospect:
    prospect = get_prospect(session, prospect_id)
    if prospect is None:
        raise ApiError(404, "not_found", f"No prospect with id {prospect_id}.")
    return prospect


@bp.post("/prospects")
def create() -> ResponseReturnValue:
    page = read_page_request(request)
    data = request.get_json(silent=True) or {}
    notes = _text(data, "notes") or ""
    try:
        tags = normalize_tags(string_list(data, "tags"))
        analysis = analyze_page_request(page)
        session = get_session()
        prospect, created = save_page(session, analysis, notes=notes, tags=tags)
        session.commit()
    except InvalidProspect as exc:
        raise _invalid(exc) from None
    body = prospect_json(prospect)
    body["created"] = created
    saved_url = without_fragment(analysis.page.url)
    body["saved_page"] = next((p["id"] for p in body["pages"] if p["url"] == saved_url), None)
    return jsonify(body), 201


@bp.get("/prospects")
def index() -> ResponseReturnValue:
    try:
        query = parse_query(request.args)
    except InvalidProspect as exc:
        raise _invalid(exc) from None
    found = list_prospects(get_session(), query)
    return paged(
        (prospect_json(p, pages=False) for p in found.items),
        found.total,
        found.page,
        found.per_page,
    )


@bp.get("/prospects/<int:prospect_id>")
def show(prospect_id: int) -> ResponseReturnValue:
    return jsonify(prospect_json(_load(get_session(), prospect_id)))


@bp.patch("/prospects/<int:prospect_id>")
def edit(prospect_id: int) -> ResponseReturnValue:
    data = read_json_object(request)
    unknown = set(data) - {"status", "notes", "tags"}
    if unknown:
        raise ApiError(
            400,
            "invalid_field",
            f"Only status, notes and tags can be changed, not {sorted(unknown)}.",
        )
    session = get_session()
    prospect = _load(session, prospect_id)
    status = _text(data, "status")
    notes = _text(data, "notes")
    try:
        tags = normalize_tags(string_list(data, "tags")) if "tags" in data else None
        update_prospect(session, prospect, status=status, notes=notes, tags=tags)
    except InvalidProspect as exc:
        session.rollback()
        raise _invalid(exc) from None
    session.commit()
    return jsonify(prospect_json(_load(session, prospect_id)))


@bp.delete("/prospects/<int:prospect_id>")
def delete(prospect_id: int) -> ResponseReturnValue:
    session = get_session()
    session.delete(_load(session, prospect_id))
    session.commit()
    return "", 204


@bp.get("/prospects.csv")
def export_csv() -> ResponseReturnValue:
    try:
        query = parse_query(request.args)
    except InvalidProspect as exc:
        raise _invalid(exc) from None
    text = prospect_csv.export_prospects(get_session(), query)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="prospects.csv"'},
    )


def _uploaded_csv() -> str:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(400, "missing_file", "Send the CSV as the multipart field 'file'.")
        raw = upload.read(MAX_IMPORT_BYTES + 1)
    elif request.mimetype in ("text/csv", "text/plain", "application/csv"):
        raw = request.get_data(cache=False)
    else:
        raise ApiError(
            415, "unsupported_media_type", "Send the CSV as text/csv or as a multipart file."
        )
    if len(raw) > MAX_IMPORT_BYTES:
        raise ApiError(413, "too_large", f"The CSV is larger than {MAX_IMPORT_BYTES} bytes.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "The CSV must be UTF-8.") from None


@bp.post("/prospects/import")
def import_csv() -> ResponseReturnValue:
    text = _uploaded_csv()
    session = get_session()
    try:
        report = prospect_csv.import_prospects(session, text)
    except prospect_csv.InvalidCsv as exc:
        raise ApiError(400, "invalid_csv", str(exc)) from None
    session.commit()  # every valid row, or none if the server fails midway
    return jsonify(report)
