"""Bulk import of backlinks from CSV: one link per row — source page URL, target (your
domain or URL prefix), and optionally the agreed target URL, anchor text, rel and check
interval — validated row by row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from server.analysis.urls import without_fragment
from server.store.backlinks import InvalidBacklink, add_backlink, check_terms
from server.store.models import Backlink
from server.store.prospect_csv import InvalidCsv

MAX_ROWS = 10_000
# Accepted header names for each column (lowercased, spaces and dashes as underscores).
COLUMNS = {
    "source_url": ("source_url", "source", "url", "page", "source_page", "referring_page"),
    "target": ("target", "site", "my_site", "domain"),
    "agreed_url": ("agreed_url", "target_url", "link_url", "agreed_target"),
    "agreed_anchor": ("agreed_anchor", "anchor", "anchor_text"),
    "agreed_rel": ("agreed_rel", "rel", "link_type"),
    "interval_hours": ("interval_hours", "interval", "every_hours"),
}
_ORDER = tuple(COLUMNS)  # the columns of a file without a header


@dataclass(slots=True)
class ImportReport:
    created: list[dict[str, Any]] = field(default_factory=list)
    existing: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    new_backlinks: list[Backlink] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"created": self.created, "existing": self.existing, "errors": self.errors}


def _header(row: list[str]) -> dict[str, int] | None:
    names = [c.strip().lower().replace(" ", "_").replace("-", "_") for c in row]
    found = {}
    for column, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[column] = i
                break
    return found if "source_url" in found else None


def _page_url(value: str) -> str:
    text = value.strip()
    if not text.lower().startswith(("http://", "https://")):
        raise InvalidBacklink("source_url", "the source page must be an absolute http(s) URL")
    try:
        return without_fragment(text)
    except ValueError:
        raise InvalidBacklink("source_url", "the source page is not a valid URL") from None


def import_backlinks(
    session: Session, text: str, default_target: str | None = None
) -> ImportReport:
    """Track every valid row (rows with an existing backlink keep its terms); each error
    names its row (1 = the first line of the file)."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InvalidCsv(f"The CSV cannot be read: {exc}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InvalidCsv("The CSV is empty.")
    if len(rows) > MAX_ROWS + 1:
        raise InvalidCsv(f"The CSV has more than {MAX_ROWS} rows.")
    header = _header(rows[0])
    start = 1 if header is not None else 0
    where = header or {name: i for i, name in enumerate(_ORDER)}
    if "target" not in where and not default_target:
        raise InvalidCsv("Give each row a target (a 'target' column), or a target for all rows.")
    report = ImportReport()
    for number, row in enumerate(rows[start:], start=start + 1):

        def cell(name: str, row: list[str] = row) -> str:
            i = where.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        try:
            source = _page_url(cell("source_url"))
            target = cell("target") or default_target or ""
            if not target:
                raise InvalidBacklink("target", "no target")
            terms = check_terms(
                cell("agreed_url"),
                cell("agreed_anchor"),
                cell("agreed_rel"),
                cell("interval_hours"),
            )
            with session.begin_nested():
                backlink, created = add_backlink(session, source, target, terms)
        except InvalidBacklink as exc:
            report.errors.append({"row": number, "field": exc.field, "message": exc.message})
            continue
        entry = {"row": number, "id": backlink.id, "source_url": source, "target": backlink.target}
        (report.created if created else report.existing).append(entry)
        if created:
            report.new_backlinks.append(backlink)
    return report
