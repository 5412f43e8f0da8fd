"""link risks: what may stop a live link from counting

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_EMPTY = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table("prospect_pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risks", sa.JSON(), nullable=False, server_default=_EMPTY))
    with op.batch_alter_table("backlinks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_risks", sa.JSON(), nullable=False, server_default=_EMPTY)
        )
    with op.batch_alter_table("backlink_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risks", sa.JSON(), nullable=False, server_default=_EMPTY))


def downgrade() -> None:
    with op.batch_alter_table("backlink_checks", schema=None) as batch_op:
        batch_op.drop_column("risks")
    with op.batch_alter_table("backlinks", schema=None) as batch_op:
        batch_op.drop_column("last_risks")
    with op.batch_alter_table("prospect_pages", schema=None) as batch_op:
        batch_op.drop_column("risks")
