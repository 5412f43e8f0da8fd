"""dashboard logins

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_logins",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_dashboard_logins")),
    )
    with op.batch_alter_table("dashboard_logins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dashboard_logins_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dashboard_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dashboard_logins_expires_at"))
    op.drop_table("dashboard_logins")
