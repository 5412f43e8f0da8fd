"""backlink monitoring: schedules, confirmations, placement agreements and drift, evidence,
alerts and their deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_EMPTY = sa.text("'[]'")
_FALSE = sa.false()
_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("backlinks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interval_hours", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_check_at", _UTC, nullable=True))
        batch_op.add_column(sa.Column("pending_check_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("agreed_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("agreed_anchor", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("agreed_rel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("placement", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("last_drift", sa.JSON(), nullable=False, server_default=_EMPTY)
        )
        batch_op.create_index("ix_backlinks_next_check_at", ["next_check_at"], unique=False)
    with op.batch_alter_table("backlink_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drift", sa.JSON(), nullable=False, server_default=_EMPTY))
        batch_op.add_column(
            sa.Column("rendered", sa.Boolean(), nullable=False, server_default=_FALSE)
        )
        batch_op.add_column(sa.Column("render_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("confirmation", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("trigger", sa.String(length=16), nullable=False, server_default="manual")
        )
    op.create_table(
        "backlink_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("backlink_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("link_html", sa.JSON(), nullable=False),
        sa.Column("page_html", sa.LargeBinary(), nullable=True),
        sa.Column("page_bytes", sa.Integer(), nullable=False),
        sa.Column("rendered_html", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["backlink_id"],
            ["backlinks.id"],
            name=op.f("fk_backlink_evidence_backlink_id_backlinks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["backlink_checks.id"],
            name=op.f("fk_backlink_evidence_check_id_backlink_checks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlink_evidence")),
        sa.UniqueConstraint("check_id", name=op.f("uq_backlink_evidence_check_id")),
    )
    op.create_index(
        "ix_backlink_evidence_backlink_id", "backlink_evidence", ["backlink_id"], unique=False
    )
    op.create_index(
        "ix_backlink_evidence_created_at", "backlink_evidence", ["created_at"], unique=False
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backlink_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("digested_at", _UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["backlink_id"],
            ["backlinks.id"],
            name=op.f("fk_alerts_backlink_id_backlinks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["backlink_checks.id"],
            name=op.f("fk_alerts_check_id_backlink_checks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("check_id", "kind", name="uq_alerts_check_kind"),
    )
    op.create_index("ix_alerts_backlink_id", "alerts", ["backlink_id"], unique=False)
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"], unique=False)
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("alert_ids", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("channel_key", sa.String(length=64), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _UTC, nullable=True),
        sa.Column("lease_until", _UTC, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("sent_at", _UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_deliveries_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("alert_id", "channel_key", name="uq_alert_deliveries_alert_channel"),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed')",
            name=op.f("ck_alert_deliveries_state"),
        ),
    )
    op.create_index(
        "ix_alert_deliveries_due", "alert_deliveries", ["state", "next_attempt_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_due", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alerts_created_at", table_name="alerts")
    op.drop_index("ix_alerts_backlink_id", table_name="alerts")
    op.drop_table("alerts")
    op.drop_index("ix_backlink_evidence_created_at", table_name="backlink_evidence")
    op.drop_index("ix_backlink_evidence_backlink_id", table_name="backlink_evidence")
    op.drop_table("backlink_evidence")
    with op.batch_alter_table("backlink_checks", schema=None) as batch_op:
        for column in ("trigger", "confirmation", "render_note", "rendered", "drift"):
            batch_op.drop_column(column)
    with op.batch_alter_table("backlinks", schema=None) as batch_op:
        batch_op.drop_index("ix_backlinks_next_check_at")
        for column in (
            "last_drift",
            "placement",
            "agreed_rel",
            "agreed_anchor",
            "agreed_url",
            "pending_check_id",
            "next_check_at",
            "interval_hours",
        ):
            batch_op.drop_column(column)
