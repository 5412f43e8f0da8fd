"""The stored things: prospects (sites to pitch) with the pages seen, and watched backlinks
with every check made. Times are UTC; JSON columns hold lists/objects read as a whole."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

PROSPECT_STATUSES = ("new", "qualified", "contacted", "replied", "won", "rejected")
CHECK_RESULTS = ("live-followed", "live-nofollow", "missing", "error")
MAX_TAG_LENGTH = 64

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def url_key(*parts: str) -> str:
    """A fixed-size unique key for URLs of any length (PostgreSQL btree entries are bounded)."""
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Prospect(Base):
    """A site to pitch, one per registrable domain."""

    __tablename__ = "prospects"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in PROSPECT_STATUSES) + ")", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    pages: Mapped[list[ProspectPage]] = relationship(
        back_populates="prospect",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProspectPage.seen_at.desc()",
    )
    tag_rows: Mapped[list[ProspectTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ProspectTag.tag"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class ProspectTag(Base):
    """One tag on one prospect (a table, so `tag=` filters the same way on every database)."""

    __tablename__ = "prospect_tags"

    prospect_id: Mapped[int] = mapped_column(
        ForeignKey("prospects.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(MAX_TAG_LENGTH), primary_key=True, index=True)


class ProspectPage(Base):
    """A page of a prospect's site that was saved, and what it showed when last saved."""

    __tablename__ = "prospect_pages"
    __table_args__ = (UniqueConstraint("prospect_id", "url_key", name="uq_prospect_pages_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prospect_id: Mapped[int] = mapped_column(
        ForeignKey("prospects.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Contact signals: {"emails": [...], "contact_pages": [...], "about_pages": [...],
    # "write_for_us": [...], "social": [{"network", "url"}]}
    contact: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Outbound profile, copied from the analysis summary.
    links_total: Mapped[int] = mapped_column(Integer, default=0)
    external: Mapped[int] = mapped_column(Integer, default=0)
    followed_external: Mapped[int] = mapped_column(Integer, default=0)
    nofollow: Mapped[int] = mapped_column(Integer, default=0)
    sponsored: Mapped[int] = mapped_column(Integer, default=0)
    ugc: Mapped[int] = mapped_column(Integer, default=0)
    unique_external_domains: Mapped[int] = mapped_column(Integer, default=0)
    robots_nofollow: Mapped[bool] = mapped_column(Boolean, default=False)
    robots_noindex: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which of my sites / competitors it links to: [{"site", "followed", "links": n}]
    my_sites: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    competitors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    links_to_my_site: Mapped[bool] = mapped_column(Boolean, default=False)
    links_to_competitor: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Why a link from this page may not count: robots_txt_disallowed, noindex,
    # canonical_elsewhere (the page-wide risks of the analysis).
    risks: Mapped[list[str]] = mapped_column(JSON, default=list)

    prospect: Mapped[Prospect] = relationship(back_populates="pages")

    @property
    def share_followed(self) -> float | None:
        """Share of external links that are followed (None without external links)."""
        return round(self.followed_external / self.external, 3) if self.external else None


class Backlink(Base):
    """A link I won (source page -> my site or URL prefix) that is rechecked over time."""

    __tablename__ = "backlinks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_url: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    source_domain: Mapped[str] = mapped_column(String(253), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    last_result: Mapped[str | None] = mapped_column(String(16))
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    last_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_risks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Monitoring (server/monitor): its own interval (None: the global one), when it is next
    # due, and the check whose bad news waits for a confirming re-check.
    interval_hours: Mapped[int | None] = mapped_column(Integer)
    next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    pending_check_id: Mapped[int | None] = mapped_column(Integer)
    # The placement agreed with the site: the exact URL linked to, the anchor text, and
    # followed / sponsored / nofollow / ugc (each None when not agreed).
    agreed_url: Mapped[str | None] = mapped_column(Text)
    agreed_anchor: Mapped[str | None] = mapped_column(Text)
    agreed_rel: Mapped[str | None] = mapped_column(String(16))
    # The placement first seen live (href, text, rel, follow, position, count): what drift
    # is measured against where nothing was agreed.
    placement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_drift: Mapped[list[str]] = mapped_column(JSON, default=list)

    checks: Mapped[list[BacklinkCheck]] = relationship(
        back_populates="backlink",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BacklinkCheck.id.desc()",
    )


class BacklinkCheck(Base):
    """One fetch of a backlink's source page and what it found; kept as history."""

    __tablename__ = "backlink_checks"
    __table_args__ = (
        CheckConstraint(
            "result IN (" + ", ".join(f"'{r}'" for r in CHECK_RESULTS) + ")", name="result"
        ),
        Index("ix_backlink_checks_backlink_checked", "backlink_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backlink_id: Mapped[int] = mapped_column(ForeignKey("backlinks.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    result: Mapped[str] = mapped_column(String(16))
    previous_result: Mapped[str | None] = mapped_column(String(16))
    changed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why not followed: rel tokens, meta robots, X-Robots-Tag (the engine's nofollow_reasons).
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The links to the target found on the page: [{"href", "text", "rel", "follow"}]
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    # A live link may still not count: the risks of the best link found (robots.txt, noindex,
    # canonical elsewhere...), as the analysis reports them.
    risks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How the placement differs from the agreement or the first placement seen.
    drift: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Whether the page was also rendered in Chromium (the link was not in the served HTML),
    # and why not when it could not be.
    rendered: Mapped[bool] = mapped_column(Boolean, default=False)
    render_note: Mapped[str | None] = mapped_column(Text)
    # Bad news waits for a re-check: pending, then confirmed or dismissed (None: no news).
    confirmation: Mapped[str | None] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(16), default="manual")

    backlink: Mapped[Backlink] = relationship(back_populates="checks")


class DashboardLogin(Base):
    """A dashboard login that is still valid: its cookie names it, logging out deletes it.

    The cookie alone cannot be revoked (it is signed, not stored), so it also carries a random
    id whose hash must be here: a copy of the cookie stops working once its login is gone."""

    __tablename__ = "dashboard_logins"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
