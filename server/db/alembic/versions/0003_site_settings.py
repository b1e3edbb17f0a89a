"""site_settings: what HR or site IT set for every terminal of a site (old migration 3).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_settings",
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), primary_key=True),
        sa.Column("language", sa.String(16)),
        sa.Column("session_timeout_s", sa.Integer()),
        sa.Column("punch_undo_s", sa.Integer()),
        sa.Column("notice_s", sa.Integer()),
        sa.Column("punch_mode", sa.String(16)),
        sa.Column("quick_replies", sa.Text()),
        sa.Column("admin_badges", sa.Text()),
        sa.Column("admin_pin_hash", sa.String(200)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("site_settings")
