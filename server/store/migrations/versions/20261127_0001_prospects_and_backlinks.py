"""prospects and backlinks

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 17:10:49.618589
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "backlinks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("source_domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.String(length=16), nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlinks")),
        sa.UniqueConstraint("key", name=op.f("uq_backlinks_key")),
    )
    with op.batch_alter_table("backlinks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backlinks_last_checked_at"), ["last_checked_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_backlinks_source_domain"), ["source_domain"], unique=False
        )

    op.create_table(
        "prospects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'qualified', 'contacted', 'replied', 'won', 'rejected')",
            name=op.f("ck_prospects_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospects")),
        sa.UniqueConstraint("domain", name=op.f("uq_prospects_domain")),
    )
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prospects_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_prospects_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "backlink_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backlink_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("previous_result", sa.String(length=16), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "result IN ('live-followed', 'live-nofollow', 'missing', 'error')",
            name=op.f("ck_backlink_checks_result"),
        ),
        sa.ForeignKeyConstraint(
            ["backlink_id"],
            ["backlinks.id"],
            name=op.f("fk_backlink_checks_backlink_id_backlinks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlink_checks")),
    )
    with op.batch_alter_table("backlink_checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_backlink_checks_backlink_checked", ["backlink_id", "checked_at"], unique=False
        )

    op.create_table(
        "prospect_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("links_total", sa.Integer(), nullable=False),
        sa.Column("external", sa.Integer(), nullable=False),
        sa.Column("followed_external", sa.Integer(), nullable=False),
        sa.Column("nofollow", sa.Integer(), nullable=False),
        sa.Column("sponsored", sa.Integer(), nullable=False),
        sa.Column("ugc", sa.Integer(), nullable=False),
        sa.Column("unique_external_domains", sa.Integer(), nullable=False),
        sa.Column("robots_nofollow", sa.Boolean(), nullable=False),
        sa.Column("robots_noindex", sa.Boolean(), nullable=False),
        sa.Column("my_sites", sa.JSON(), nullable=False),
        sa.Column("competitors", sa.JSON(), nullable=False),
        sa.Column("links_to_my_site", sa.Boolean(), nullable=False),
        sa.Column("links_to_competitor", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_prospect_pages_prospect_id_prospects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_pages")),
        sa.UniqueConstraint("prospect_id", "url_key", name="uq_prospect_pages_url"),
    )
    with op.batch_alter_table("prospect_pages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prospect_pages_links_to_competitor"),
            ["links_to_competitor"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_prospect_pages_prospect_id"), ["prospect_id"], unique=False
        )

    op.create_table(
        "prospect_tags",
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_prospect_tags_prospect_id_prospects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("prospect_id", "tag", name=op.f("pk_prospect_tags")),
    )
    with op.batch_alter_table("prospect_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prospect_tags_tag"), ["tag"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("prospect_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospect_tags_tag"))

    op.drop_table("prospect_tags")
    with op.batch_alter_table("prospect_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospect_pages_prospect_id"))
        batch_op.drop_index(batch_op.f("ix_prospect_pages_links_to_competitor"))

    op.drop_table("prospect_pages")
    with op.batch_alter_table("backlink_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_backlink_checks_backlink_checked")

    op.drop_table("backlink_checks")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospects_updated_at"))
        batch_op.drop_index(batch_op.f("ix_prospects_status"))

    op.drop_table("prospects")
    with op.batch_alter_table("backlinks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backlinks_source_domain"))
        batch_op.drop_index(batch_op.f("ix_backlinks_last_checked_at"))

    op.drop_table("backlinks")
