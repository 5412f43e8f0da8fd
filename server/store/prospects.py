"""Prospects: save an analysed page under its site's prospect (an upsert, safe under
concurrency), list/filter/sort them, edit status, notes and tags, and say why a site is worth
pitching."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from server.analysis import Analysis
from server.analysis.urls import parse_url, registrable_domain, without_fragment
from server.store.db import insert_or_upsert
from server.store.models import (
    MAX_TAG_LENGTH,
    PROSPECT_STATUSES,
    Prospect,
    ProspectPage,
    ProspectTag,
    url_key,
    utcnow,
)
from server.store.signals import contact_signals, merge_contact, page_risks, site_links

MAX_TAGS = 50
MAX_NOTES = 20_000
MAX_PER_PAGE = 200
SORTS = {
    "domain": (Prospect.domain.asc(),),
    "-domain": (Prospect.domain.desc(),),
    "updated": (Prospect.updated_at.asc(), Prospect.id.asc()),
    "-updated": (Prospect.updated_at.desc(), Prospect.id.desc()),
    "created": (Prospect.created_at.asc(), Prospect.id.asc()),
    "-created": (Prospect.created_at.desc(), Prospect.id.desc()),
    "status": (Prospect.status.asc(), Prospect.domain.asc()),
    "-status": (Prospect.status.desc(), Prospect.domain.asc()),
}


class InvalidProspect(ValueError):
    """A field of a prospect or of a prospect query that cannot be accepted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ProspectQuery:
    status: str | None = None
    tag: str | None = None
    links_to_competitor: bool | None = None
    q: str | None = None
    sort: str = "-updated"
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True, slots=True)
class ProspectList:
    items: list[Prospect]
    total: int
    page: int
    per_page: int


def normalize_tags(value: Iterable[str]) -> list[str]:
    """Trimmed, lowercased, unique tags; raises InvalidProspect for an empty or long tag."""
    tags: list[str] = []
    for raw in value:
        tag = " ".join(raw.split()).lower()
        if not tag:
            raise InvalidProspect("tags", "A tag cannot be empty.")
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidProspect("tags", f"A tag is at most {MAX_TAG_LENGTH} characters.")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidProspect("tags", f"A prospect takes at most {MAX_TAGS} tags.")
    return tags


def check_notes(notes: str) -> str:
    if len(notes) > MAX_NOTES:
        raise InvalidProspect("notes", f"Notes are at most {MAX_NOTES} characters.")
    return notes


def check_status(status: str) -> str:
    if status not in PROSPECT_STATUSES:
        raise InvalidProspect("status", f"Status must be one of: {', '.join(PROSPECT_STATUSES)}.")
    return status


def domain_of(url: str) -> str:
    """The registrable domain of an http(s) URL (InvalidProspect if it has none)."""
    try:
        host = parse_url(url).hostname
    except ValueError:
        raise InvalidProspect("url", f"'{url}' is not a valid URL.") from None
    domain = registrable_domain(host) if host else None
    if not domain:
        raise InvalidProspect("url", f"'{url}' has no domain.")
    return domain


def ensure_prospect(session: Session, domain: str, *, now: datetime | None = None) -> bool:
    """Create the prospect for `domain` unless it exists; True if this call created it.

    INSERT .. ON CONFLICT DO NOTHING: two workers saving the same new site at once both
    succeed and end up with one row."""
    now = now or utcnow()
    statement = (
        insert_or_upsert(session, Prospect)
        .values(domain=domain, status="new", notes="", created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["domain"])
        .returning(Prospect.id)
    )
    return session.execute(statement).first() is not None


def add_tags(session: Session, prospect_id: int, tags: Sequence[str]) -> None:
    if not tags:
        return
    statement = (
        insert_or_upsert(session, ProspectTag)
        .values([{"prospect_id": prospect_id, "tag": t} for t in tags])
        .on_conflict_do_nothing(index_elements=["prospect_id", "tag"])
    )
    session.execute(statement)


def _append_notes(existing: str, notes: str) -> str:
    if not notes or notes in existing:
        return existing
    return check_notes(f"{existing}\n{notes}" if existing else notes)


def save_page(
    session: Session,
    analysis: Analysis,
    *,
    notes: str = "",
    tags: Sequence[str] = (),
    now: datetime | None = None,
) -> tuple[Prospect, bool]:
    """Store an analysed page under its site's prospect, in one transaction.

    Returns (prospect, created). Saving the same URL again updates that page."""
    now = now or utcnow()
    page = analysis.page
    page_url = without_fragment(page.url)  # `/post#comments` is the page `/post`
    domain = domain_of(page_url)
    created = ensure_prospect(session, domain, now=now)
    prospect = session.scalars(
        select(Prospect).where(Prospect.domain == domain).with_for_update()
    ).one()
    my_sites = site_links(analysis.sites)
    competitors = site_links(analysis.competitors)
    summary = analysis.summary
    values = {
        "title": page.title,
        "seen_at": now,
        "contact": contact_signals(analysis),
        "links_total": summary.total,
        "external": summary.external,
        "followed_external": summary.followed_external,
        "nofollow": summary.nofollow,
        "sponsored": summary.sponsored,
        "ugc": summary.ugc,
        "unique_external_domains": summary.unique_external_domains,
        "robots_nofollow": page.robots.nofollow,
        "robots_noindex": page.robots.noindex,
        "my_sites": my_sites,
        "competitors": competitors,
        "links_to_my_site": bool(my_sites),
        "links_to_competitor": bool(competitors),
        "risks": page_risks(analysis),
    }
    statement = (
        insert_or_upsert(session, ProspectPage)
        .values(
            prospect_id=prospect.id,
            url=page_url,
            url_key=url_key(page_url),
            first_seen_at=now,
            **values,
        )
        .on_conflict_do_update(index_elements=["prospect_id", "url_key"], set_=values)
    )
    session.execute(statement)
    add_tags(session, prospect.id, tags)
    prospect.notes = _append_notes(prospect.notes, notes)
    prospect.updated_at = now
    session.flush()
    session.expire(prospect)
    return get_prospect(session, prospect.id) or prospect, created


def get_prospect(session: Session, prospect_id: int) -> Prospect | None:
    return session.scalars(
        select(Prospect)
        .where(Prospect.id == prospect_id)
        .options(selectinload(Prospect.pages), selectinload(Prospect.tag_rows))
        .execution_options(populate_existing=True)
    ).one_or_none()


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: ProspectQuery) -> Select[Prospect]:
    statement = select(Prospect)
    if query.status is not None:
        statement = statement.where(Prospect.status == query.status)
    if query.tag is not None:
        statement = statement.where(
            exists().where(ProspectTag.prospect_id == Prospect.id, ProspectTag.tag == query.tag)
        )
    if query.links_to_competitor is not None:
        linked = exists().where(
            ProspectPage.prospect_id == Prospect.id, ProspectPage.links_to_competitor.is_(True)
        )
        statement = statement.where(linked if query.links_to_competitor else ~linked)
    if query.q:
        pattern = _like(query.q)
        in_pages = exists().where(
            ProspectPage.prospect_id == Prospect.id,
            or_(
                func.lower(ProspectPage.title).like(pattern, escape="\\"),
                func.lower(ProspectPage.url).like(pattern, escape="\\"),
            ),
        )
        statement = statement.where(
            or_(
                func.lower(Prospect.domain).like(pattern, escape="\\"),
                func.lower(Prospect.notes).like(pattern, escape="\\"),
                in_pages,
            )
        )
    return statement


def list_prospects(session: Session, query: ProspectQuery) -> ProspectList:
    """One page of prospects matching `query`, with the total count."""
    statement = _filtered(query)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = session.scalars(
        statement.order_by(*SORTS[query.sort])
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
        .options(selectinload(Prospect.pages), selectinload(Prospect.tag_rows))
    ).all()
    return ProspectList(list(items), total, query.page, query.per_page)


def _flag(args: Mapping[str, str], field: str) -> bool | None:
    value = args.get(field)
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidProspect(field, f"'{field}' must be true or false.")


def _positive(args: Mapping[str, str], field: str, default: int, maximum: int) -> int:
    value = args.get(field)
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= maximum:
        raise InvalidProspect(field, f"'{field}' must be a whole number from 1 to {maximum}.")
    return int(value)


def parse_query(args: Mapping[str, str]) -> ProspectQuery:
    """Query-string filters -> ProspectQuery; InvalidProspect names the bad field."""
    status = args.get("status") or None
    if status is not None:
        check_status(status)
    tag = args.get("tag") or None
    if tag is not None:
        tag = normalize_tags([tag])[0]
    sort = args.get("sort") or "-updated"
    if sort not in SORTS:
        raise InvalidProspect("sort", f"'sort' must be one of: {', '.join(SORTS)}.")
    q = (args.get("q") or "").strip() or None
    if q is not None and len(q) > 200:
        raise InvalidProspect("q", "'q' is at most 200 characters.")
    return ProspectQuery(
        status=status,
        tag=tag,
        links_to_competitor=_flag(args, "links_to_competitor"),
        q=q,
        sort=sort,
        page=_positive(args, "page", 1, 1_000_000),
        per_page=_positive(args, "per_page", 50, MAX_PER_PAGE),
    )


def update_prospect(
    session: Session,
    prospect: Prospect,
    *,
    status: str | None = None,
    notes: str | None = None,
    tags: Sequence[str] | None = None,
) -> Prospect:
    """Set status / notes / tags (tags replace the old set); validated."""
    if status is not None:
        prospect.status = check_status(status)
    if notes is not None:
        prospect.notes = check_notes(notes)
    if tags is not None:
        wanted = normalize_tags(tags)
        prospect.tag_rows = [row for row in prospect.tag_rows if row.tag in wanted] + [
            ProspectTag(tag=t) for t in wanted if t not in prospect.tags
        ]
    prospect.updated_at = utcnow()
    session.flush()
    return prospect


def delete_prospect(session: Session, prospect: Prospect) -> None:
    session.delete(prospect)
    session.flush()


def sites_linked(pages: Sequence[ProspectPage], field: str) -> list[dict[str, Any]]:
    """Sites linked from any page: [{"site", "followed", "pages", "risks"}], followed if any
    page's link is; risks those of the page whose link counts most (followed, fewest risks),
    page-wide risks (noindex, robots.txt...) included."""
    found: dict[str, dict[str, Any]] = {}
    best: dict[str, tuple[bool, int]] = {}
    for page in pages:
        for match in getattr(page, field):
            site = match["site"]
            entry = found.setdefault(
                site, {"site": site, "followed": False, "pages": 0, "risks": []}
            )
            entry["followed"] = entry["followed"] or bool(match["followed"])
            entry["pages"] += 1
            risks = list(dict.fromkeys([*(page.risks or []), *match.get("risks", [])]))
            rank = (not match["followed"], len(risks))
            if site not in best or rank < best[site]:
                best[site] = rank
                entry["risks"] = risks
    return list(found.values())


def outbound_profile(pages: Sequence[ProspectPage]) -> dict[str, Any]:
    """External-link profile over all saved pages."""
    external = sum(p.external for p in pages)
    followed = sum(p.followed_external for p in pages)
    return {
        "pages": len(pages),
        "external": external,
        "followed_external": followed,
        "share_followed": round(followed / external, 3) if external else None,
        "sponsored": sum(p.sponsored for p in pages),
        "ugc": sum(p.ugc for p in pages),
        "nofollow": sum(p.nofollow for p in pages),
        "robots_nofollow_pages": sum(1 for p in pages if p.robots_nofollow),
    }


def _names(entries: list[dict[str, Any]]) -> str:
    return ", ".join(e["site"] for e in entries[:3]) + (" …" if len(entries) > 3 else "")


def verdict(prospect: Prospect) -> tuple[str, str]:
    """(rating, why): rating is best / good / poor / unknown; why is one line for a human."""
    pages = prospect.pages
    competitors = sites_linked(pages, "competitors")
    mine = sites_linked(pages, "my_sites")
    contact = merge_contact([p.contact for p in pages])
    profile = outbound_profile(pages)
    followed_comp = [c for c in competitors if c["followed"]]
    followed_mine = [m for m in mine if m["followed"]]
    if followed_mine:
        at_risk = all(m["risks"] for m in followed_mine)
        why = f"Already links to your site {_names(followed_mine)} (followed"
        if at_risk:
            codes = ", ".join(dict.fromkeys(r for m in followed_mine for r in m["risks"]))
            why += f", but at risk: {codes}"
        return "won", why + ") — track it as a backlink."
    if mine:
        # A nofollow, sponsored or ugc link is a mention, not a won link: worth asking again.
        return "good", (
            f"Links to your site {_names(mine)}, but not followed (nofollow, sponsored or ugc) "
            "— ask for a followed link."
        )
    if pages and profile["robots_nofollow_pages"] == len(pages):
        return (
            "poor",
            "Every saved page is nofollow (meta robots / X-Robots-Tag): links pass no value.",
        )
    if followed_comp:
        return "best", (
            f"Links to competitor {_names(followed_comp)} (followed) — best kind of prospect: "
            "they already link to sites like yours."
        )
    if competitors:
        return "good", (
            f"Links to competitor {_names(competitors)} (nofollow) — they cover your topic, "
            "but their links may be nofollow."
        )
    share = profile["share_followed"]
    if share is not None and profile["external"] >= 5 and share < 0.2:
        return "poor", f"Only {round(share * 100)}% of external links are followed."
    if contact["write_for_us"]:
        return "good", "Has a 'write for us' / guest post page — pitch a guest post."
    if not pages:
        return "unknown", "No page saved yet: save a page of this site from the extension."
    return "unknown", "No link to a competitor seen yet — save more pages of this site."
