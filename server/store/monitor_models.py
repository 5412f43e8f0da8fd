"""The stored side of backlink monitoring: evidence kept for the checks that change a
backlink's state, the alerts those changes raise, and each alert's delivery per channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.store.models import Base, UtcDateTime, utcnow

DELIVERY_STATES = ("pending", "sending", "sent", "failed")
ALERT_KINDS = ("lost", "nofollow", "at_risk", "drift", "error", "recovered")


class BacklinkEvidence(Base):
    """What a state-changing check saw: the matching links' HTML, the final URL, status and
    headers, and the page's HTML gzip-compressed (served, and rendered when it was)."""

    __tablename__ = "backlink_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("backlink_checks.id", ondelete="CASCADE"), unique=True
    )
    backlink_id: Mapped[int] = mapped_column(
        ForeignKey("backlinks.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    link_html: Mapped[list[str]] = mapped_column(JSON, default=list)
    page_html: Mapped[bytes | None] = mapped_column(LargeBinary)
    page_bytes: Mapped[int] = mapped_column(Integer, default=0)
    rendered_html: Mapped[bytes | None] = mapped_column(LargeBinary)


class Alert(Base):
    """One change of a backlink's state worth telling (lost, nofollow, at risk, drift, error,
    recovered): raised once, by the check that made the change."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("check_id", "kind", name="uq_alerts_check_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backlink_id: Mapped[int] = mapped_column(
        ForeignKey("backlinks.id", ondelete="CASCADE"), index=True
    )
    check_id: Mapped[int] = mapped_column(ForeignKey("backlink_checks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Daily digest mode: when the alert went into a digest.
    digested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AlertDelivery(Base):
    """Sending one alert (or one digest of several) to one channel: pending, sending (claimed
    under a lease), sent, or failed after the last attempt. Retried with a growing delay."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel_key", name="uq_alert_deliveries_alert_channel"),
        CheckConstraint(
            "state IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATES) + ")", name="state"
        ),
        Index("ix_alert_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    # A digest's alerts (alert_id is then None).
    alert_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    channel: Mapped[str] = mapped_column(String(16))  # webhook | apprise
    # Which configured destination (a hash of its URL: never the URL, which holds secrets).
    channel_key: Mapped[str] = mapped_column(String(64))
    destination: Mapped[str] = mapped_column(Text)  # shown in the dashboard, credentials cut
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
