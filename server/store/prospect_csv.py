"""Prospects as CSV: export (safe to open in a spreadsheet) and import of domains or URLs,
validated row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.store.models import Prospect
from server.store.prospects import (
    InvalidProspect,
    ProspectQuery,
    add_tags,
    check_notes,
    check_status,
    domain_of,
    ensure_prospect,
    list_prospects,
    merge_contact,
    normalize_tags,
    outbound_profile,
    sites_linked,
    verdict,
)

MAX_IMPORT_ROWS = 10_000
EXPORT_BATCH = 200
EXPORT_COLUMNS = (
    "id",
    "domain",
    "status",
    "tags",
    "notes",
    "verdict",
    "why",
    "competitors_linked",
    "my_sites_linked",
    "emails",
    "contact_pages",
    "write_for_us",
    "social",
    "pages",
    "page_urls",
    "external_links",
    "share_followed",
    "created_at",
    "updated_at",
)
# A cell starting with one of these is a formula to Excel / LibreOffice / Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class InvalidCsv(ValueError):
    """The upload as a whole cannot be read (not a per-row problem)."""


def safe_cell(value: Any) -> str:
    """The cell text, with a leading ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(prospect: Prospect) -> list[str]:
    rating, why = verdict(prospect)
    contact = merge_contact([p.contact for p in prospect.pages])
    profile = outbound_profile(prospect.pages)

    def sites(field: str) -> str:
        return "; ".join(
            f"{s['site']} ({'followed' if s['followed'] else 'nofollow'})"
            for s in sites_linked(prospect.pages, field)
        )

    values = [
        prospect.id,
        prospect.domain,
        prospect.status,
        "; ".join(prospect.tags),
        prospect.notes,
        rating,
        why,
        sites("competitors"),
        sites("my_sites"),
        "; ".join(contact["emails"]),
        "; ".join(contact["contact_pages"]),
        "; ".join(contact["write_for_us"]),
        "; ".join(s["url"] for s in contact["social"]),
        len(prospect.pages),
        "; ".join(p.url for p in prospect.pages),
        profile["external"],
        "" if profile["share_followed"] is None else profile["share_followed"],
        prospect.created_at.isoformat(),
        prospect.updated_at.isoformat(),
    ]
    return [safe_cell(v) for v in values]


def _all(session: Session, query: ProspectQuery) -> Iterator[Prospect]:
    page = 1
    while True:
        found = list_prospects(session, replace(query, page=page, per_page=EXPORT_BATCH))
        yield from found.items
        if page * EXPORT_BATCH >= found.total or not found.items:
            return
        page += 1


def export_prospects(session: Session, query: ProspectQuery) -> str:
    """Every prospect matching the query's filters (not its pagination) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for prospect in _all(session, query):
        writer.writerow(_row(prospect))
    return out.getvalue()


def _import_domain(value: str) -> str:
    """A registrable domain from a cell holding a domain or an http(s) URL."""
    text = value.strip()
    if "://" in text:
        if not text.lower().startswith(("http://", "https://")):
            raise InvalidProspect("url", f"'{text}' is not an http(s) URL.")
        return domain_of(text)
    if any(c in text for c in "/?#@ \t") or "." not in text:
        raise InvalidProspect("domain", f"'{text}' is not a domain or an http(s) URL.")
    return domain_of("http://" + text)


def _header(first: list[str]) -> dict[str, int] | None:
    names = [c.strip().lower() for c in first]
    if "domain" in names or "url" in names:
        return {name: i for i, name in enumerate(names)}
    return None


def import_prospects(session: Session, text: str) -> dict[str, Any]:
    """Create a prospect per row (a domain or URL; optional status, notes, tags columns).

    Rows are numbered as lines of the file (the header is row 1). Returns
    {"created": [...], "existing": [...], "errors": [...]} with a row number on each entry."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InvalidCsv(f"The CSV cannot be read: {exc}") from None
    if not rows:
        raise InvalidCsv("The CSV is empty.")
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise InvalidCsv(f"The CSV has more than {MAX_IMPORT_ROWS} rows.")
    header = _header(rows[0])
    start = 1 if header is not None else 0
    columns = header or {"domain": 0}
    value_column = columns.get("url", columns.get("domain", 0))
    created: list[dict[str, Any]] = []
    existing: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for number, row in enumerate(rows[start:], start=start + 1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            i = columns.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        value = cells[value_column] if value_column < len(cells) else ""
        try:
            if not value:
                raise InvalidProspect("domain", "The row has no domain or URL.")
            domain = _import_domain(value)
            status = check_status(cell("status")) if cell("status") else None
            notes = check_notes(cell("notes"))
            tags = normalize_tags(t for t in cell("tags").replace(",", ";").split(";") if t.strip())
        except InvalidProspect as exc:
            errors.append({"row": number, "value": value, "error": exc.message})
            continue
        entry = {"row": number, "domain": domain}
        if ensure_prospect(session, domain):
            prospect = session.scalars(select(Prospect).where(Prospect.domain == domain)).one()
            if status:
                prospect.status = status
            prospect.notes = notes
            created.append(entry | {"id": prospect.id})
        else:
            prospect = session.scalars(select(Prospect).where(Prospect.domain == domain)).one()
            existing.append(entry | {"id": prospect.id})
        add_tags(session, prospect.id, tags)
    session.commit()
    return {"created": created, "existing": existing, "errors": errors}
