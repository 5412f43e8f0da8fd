"""Watched backlinks: add (one per source page and target), list, delete, and record each
check as history, noting when the result changed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from server.analysis.sites import InvalidSite, parse_site
from server.store.db import insert_or_upsert
from server.store.models import CHECK_RESULTS, Backlink, BacklinkCheck, url_key, utcnow
from server.store.prospects import domain_of

MAX_PER_PAGE = 200


class InvalidBacklink(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class PageSnapshot:
    """The page a check read, kept as evidence when the check changes the backlink's state."""

    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    html: str
    rendered_html: str | None = None


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What one check of a backlink found."""

    result: str
    reasons: tuple[str, ...] = ()
    links: tuple[dict[str, Any], ...] = field(default=())
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    final_url: str | None = None
    # Why a live link may still not count (the analysis's risks of the best link found).
    risks: tuple[str, ...] = ()
    # The page was rendered in Chromium too; or why it could not be.
    rendered: bool = False
    render_note: str | None = None
    page: PageSnapshot | None = None
    link_html: tuple[str, ...] = ()

    def with_page(self, page: PageSnapshot, link_html: tuple[str, ...]) -> CheckOutcome:
        return replace(self, page=page, link_html=link_html)

    def with_render_note(self, note: str) -> CheckOutcome:
        return replace(self, render_note=note)

    def rendered_in(self, note: str | None = None) -> CheckOutcome:
        return replace(self, rendered=True, render_note=note)


def normalize_target(target: str) -> str:
    """A domain or an http(s) URL prefix, trimmed; InvalidBacklink if it is neither."""
    text = target.strip()
    try:
        rule = parse_site(text)
    except InvalidSite as exc:
        raise InvalidBacklink("target", str(exc)) from None
    # A bare domain is case-insensitive: `MySite.com` and `mysite.com` are one target.
    return rule.label.lower() if "://" not in text else text


AGREED_RELS = ("followed", "sponsored", "ugc", "nofollow")
MAX_INTERVAL_HOURS = 24 * 365


@dataclass(frozen=True, slots=True)
class Terms:
    """What a tracked backlink is checked against, and how often (None: not agreed / the
    global interval)."""

    agreed_url: str | None = None
    agreed_anchor: str | None = None
    agreed_rel: str | None = None
    interval_hours: int | None = None


def check_terms(
    agreed_url: Any = None, agreed_anchor: Any = None, agreed_rel: Any = None, interval: Any = None
) -> Terms:
    """Terms from user input (empty text counts as not given); InvalidBacklink names the
    field that is wrong."""
    url = agreed_url.strip() if isinstance(agreed_url, str) else agreed_url
    if url in (None, ""):
        url = None
    elif not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        raise InvalidBacklink("agreed_url", "'agreed_url' must be an absolute http(s) URL.")
    anchor = agreed_anchor.strip() if isinstance(agreed_anchor, str) else agreed_anchor
    if anchor in (None, ""):
        anchor = None
    elif not isinstance(anchor, str) or len(anchor) > 500:
        raise InvalidBacklink("agreed_anchor", "'agreed_anchor' must be text (500 characters).")
    rel = agreed_rel.strip().lower() if isinstance(agreed_rel, str) else agreed_rel
    if rel in (None, ""):
        rel = None
    elif rel not in AGREED_RELS:
        raise InvalidBacklink(
            "agreed_rel", f"'agreed_rel' must be one of: {', '.join(AGREED_RELS)}."
        )
    # ASCII digits only: "²" is a digit to str.isdigit, not to int().
    if isinstance(interval, str) and interval.strip().isascii() and interval.strip().isdigit():
        interval = int(interval.strip())
    if interval in (None, ""):
        interval = None
    elif (
        isinstance(interval, bool)
        or not isinstance(interval, int)
        or not 1 <= interval <= MAX_INTERVAL_HOURS
    ):
        raise InvalidBacklink(
            "interval_hours",
            f"'interval_hours' must be a whole number of hours from 1 to {MAX_INTERVAL_HOURS}.",
        )
    return Terms(url, anchor, rel, interval)


def add_backlink(
    session: Session, source_url: str, target: str, terms: Terms | None = None
) -> tuple[Backlink, bool]:
    """The backlink for (source_url, target), created unless it exists (then its terms are
    left as they are); (backlink, created)."""
    target = normalize_target(target)
    terms = terms or Terms()
    try:
        source_domain = domain_of(source_url)
    except ValueError as exc:
        raise InvalidBacklink("source_url", str(exc)) from None
    key = url_key(source_url, target)
    statement = (
        insert_or_upsert(session, Backlink)
        .values(
            source_url=source_url,
            target=target,
            key=key,
            source_domain=source_domain,
            created_at=utcnow(),
            agreed_url=terms.agreed_url,
            agreed_anchor=terms.agreed_anchor,
            agreed_rel=terms.agreed_rel,
            interval_hours=terms.interval_hours,
            last_drift=[],
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Backlink.id)
    )
    created = session.execute(statement).first() is not None
    backlink = session.scalars(
        select(Backlink).where(Backlink.key == key).execution_options(populate_existing=True)
    ).one()
    return backlink, created


def set_terms(session: Session, backlink: Backlink, terms: Terms, given: set[str]) -> None:
    """Change the fields of `terms` named in `given` (others stay)."""
    for name in ("agreed_url", "agreed_anchor", "agreed_rel", "interval_hours"):
        if name in given:
            setattr(backlink, name, getattr(terms, name))
    session.flush()


def get_backlink(session: Session, backlink_id: int, *, history: bool = False) -> Backlink | None:
    statement = (
        select(Backlink).where(Backlink.id == backlink_id).execution_options(populate_existing=True)
    )
    if history:
        statement = statement.options(selectinload(Backlink.checks))
    return session.scalars(statement).one_or_none()


BACKLINK_FILTERS = ("at_risk", "drift", "pending")


def list_backlinks(
    session: Session,
    *,
    result: str | None = None,
    show: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Backlink], int]:
    """One page of backlinks, newest first; `result` filters on the last check
    ("unchecked" for never checked), `show` on at_risk / drift / pending (a re-check due)."""
    statement = select(Backlink)
    if result == "unchecked":
        statement = statement.where(Backlink.last_result.is_(None))
    elif result is not None:
        if result not in CHECK_RESULTS:
            raise InvalidBacklink(
                "result", f"'result' must be one of: {', '.join(CHECK_RESULTS)}, unchecked."
            )
        statement = statement.where(Backlink.last_result == result)
    if show is not None:
        if show not in BACKLINK_FILTERS:
            raise InvalidBacklink("show", f"'show' must be one of: {', '.join(BACKLINK_FILTERS)}.")
        statement = statement.where(_shows(show))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = session.scalars(
        statement.order_by(Backlink.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(items), total


def _shows(show: str) -> Any:
    if show == "at_risk":
        return func.json_array_length(Backlink.last_risks) > 0
    if show == "drift":
        return func.json_array_length(Backlink.last_drift) > 0
    return Backlink.pending_check_id.is_not(None)


def filter_counts(session: Session) -> dict[str, int]:
    """How many backlinks each of BACKLINK_FILTERS shows."""
    return {
        show: session.scalar(select(func.count()).select_from(Backlink).where(_shows(show))) or 0
        for show in BACKLINK_FILTERS
    }


def delete_backlink(session: Session, backlink: Backlink) -> None:
    session.delete(backlink)
    session.flush()


def due_backlink_ids(session: Session, older_than: timedelta | None) -> list[int]:
    """Backlinks never checked, last checked before now - older_than, or with bad news whose
    re-check is due (all if older_than is None)."""
    statement = select(Backlink.id).order_by(Backlink.id)
    if older_than is not None:
        now = utcnow()
        statement = statement.where(
            or_(
                Backlink.last_checked_at.is_(None),
                Backlink.last_checked_at <= now - older_than,
                Backlink.pending_check_id.is_not(None) & (Backlink.next_check_at <= now),
            )
        )
    return list(session.scalars(statement).all())


def scheduled_ids(session: Session, now: datetime, limit: int) -> list[Backlink]:
    """Backlinks whose next check is due (their slot, or a confirming re-check), oldest
    first, and those that have no slot yet."""
    return list(
        session.scalars(
            select(Backlink)
            .where(or_(Backlink.next_check_at.is_(None), Backlink.next_check_at <= now))
            .order_by(Backlink.next_check_at.is_not(None), Backlink.next_check_at, Backlink.id)
            .limit(limit)
        ).all()
    )


def append_check(
    session: Session,
    backlink: Backlink,
    outcome: CheckOutcome,
    *,
    now: datetime,
    drift: tuple[str, ...],
    changed: bool,
    confirmation: str | None,
    trigger: str,
) -> BacklinkCheck:
    """Add a check to the backlink's history (its state is the caller's business)."""
    check = BacklinkCheck(
        backlink_id=backlink.id,
        checked_at=now,
        result=outcome.result,
        previous_result=backlink.last_result,
        changed=changed,
        reasons=list(outcome.reasons),
        links=list(outcome.links),
        http_status=outcome.http_status,
        error_code=outcome.error_code,
        error_message=outcome.error_message,
        final_url=outcome.final_url,
        risks=list(outcome.risks),
        drift=list(drift),
        rendered=outcome.rendered,
        render_note=outcome.render_note,
        confirmation=confirmation,
        trigger=trigger,
    )
    session.add(check)
    session.flush()
    return check


def set_confirmation(session: Session, check_id: int, value: str) -> None:
    check = session.get(BacklinkCheck, check_id)
    if check is not None:
        check.confirmation = value
