"""Dashboard pages for prospects: the filtered list with inline status and notes edits, one
prospect's pages and signals, edits, delete, and the CSV export of the current filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask import session as session_cookie
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from server.dashboard import bp
from server.dashboard.display import STATUS_LABELS
from server.dashboard.login import local_path
from server.store import overview, prospect_csv
from server.store.db import get_session
from server.store.jobs import broken_outbound
from server.store.models import Prospect
from server.store.prospects import (
    InvalidProspect,
    ProspectQuery,
    delete_prospect,
    get_prospect,
    list_prospects,
    merge_contact,
    outbound_profile,
    parse_query,
    sites_linked,
    update_prospect,
    verdict,
)

SORT_LABELS = {
    "-updated": "Recently updated",
    "updated": "Least recently updated",
    "-created": "Newest first",
    "created": "Oldest first",
    "domain": "Domain A–Z",
    "-domain": "Domain Z–A",
    "status": "Status",
}


@dataclass(frozen=True, slots=True)
class ProspectView:
    """A prospect with what the pages derive from its saved pages."""

    prospect: Prospect
    rating: str
    why: str
    competitors: list[dict[str, Any]]
    my_sites: list[dict[str, Any]]
    contact: dict[str, list[Any]]
    outbound: dict[str, Any]


def view_of(prospect: Prospect) -> ProspectView:
    rating, why = verdict(prospect)
    return ProspectView(
        prospect=prospect,
        rating=rating,
        why=why,
        competitors=sites_linked(prospect.pages, "competitors"),
        my_sites=sites_linked(prospect.pages, "my_sites"),
        contact=merge_contact([p.contact for p in prospect.pages]),
        outbound=outbound_profile(prospect.pages),
    )


def _query() -> ProspectQuery:
    try:
        return parse_query(request.args)
    except InvalidProspect as exc:
        abort(400, exc.message)


def _filters() -> dict[str, Any]:
    """The list's query string without its page number (the CSV holds every page)."""
    return {k: v for k, v in request.args.items() if k not in ("page", "per_page")}


def _load(session: Session, prospect_id: int) -> Prospect:
    prospect = get_prospect(session, prospect_id)
    if prospect is None:
        abort(404, f"No prospect with id {prospect_id}.")
    return prospect


def _back(default: str) -> ResponseReturnValue:
    return redirect(local_path(request.form.get("next")) or default, 303)


def tags_from_text(text: str) -> list[str]:
    """`seo, Gardening;blogs` -> ["seo", "Gardening", "blogs"] (normalised by the store)."""
    return [t for t in text.replace(";", ",").split(",") if t.strip()]


@bp.get("/")
def prospects() -> ResponseReturnValue:
    query = _query()
    session = get_session()
    found = list_prospects(session, query)
    best = list_prospects(session, ProspectQuery(links_to_competitor=True, per_page=1)).total
    return render_template(
        "dashboard/prospects.html",
        query=query,
        found=found,
        rows=[view_of(p) for p in found.items],
        pages=max(1, -(-found.total // found.per_page)),
        best=best,
        tags=overview.known_tags(session),
        counts=overview.status_counts(session),
        sort_labels=SORT_LABELS,
        csv_url=url_for("dashboard.export_csv", **_filters()),
        job_form=session_cookie.get("job_form", {}),
    )


@bp.get("/prospects.csv")
def export_csv() -> ResponseReturnValue:
    text = prospect_csv.export_prospects(get_session(), _query())
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="prospects.csv"'},
    )


@bp.get("/prospects/<int:prospect_id>")
def prospect(prospect_id: int) -> ResponseReturnValue:
    session = get_session()
    found = _load(session, prospect_id)
    broken = broken_outbound(session, [page.url for page in found.pages])
    return render_template("dashboard/prospect.html", view=view_of(found), broken=broken)


@bp.post("/prospects/<int:prospect_id>", endpoint="update_prospect")
def update(prospect_id: int) -> ResponseReturnValue:
    """Change whichever of status / notes / tags the form sends."""
    session = get_session()
    found = _load(session, prospect_id)
    form = request.form
    notes = form.get("notes")
    tags = form.get("tags")
    try:
        update_prospect(
            session,
            found,
            status=form.get("status") or None,
            notes=notes.replace("\r\n", "\n") if notes is not None else None,
            tags=tags_from_text(tags) if tags is not None else None,
        )
    except InvalidProspect as exc:
        session.rollback()
        flash(f"{found.domain}: {exc.message}", "error")
        return _back(url_for("dashboard.prospect", prospect_id=prospect_id))
    session.commit()
    changed = [name for name in ("status", "notes", "tags") if form.get(name) is not None]
    if changed == ["status"]:
        flash(f"{found.domain}: status set to {STATUS_LABELS[found.status]}.", "ok")
    else:
        flash(f"{found.domain}: {', '.join(changed) or 'nothing'} saved.", "ok")
    return _back(url_for("dashboard.prospect", prospect_id=prospect_id))


@bp.post("/prospects/<int:prospect_id>/delete", endpoint="delete_prospect")
def delete(prospect_id: int) -> ResponseReturnValue:
    session = get_session()
    found = _load(session, prospect_id)
    domain = found.domain
    delete_prospect(session, found)
    session.commit()
    flash(f"Deleted the prospect {domain}.", "ok")
    return redirect(url_for("dashboard.prospects"), 303)
