"""Scheduled broadcasts (sent later by the leader's periodic job), and an index on
punches by employee and time for a broadcast's report.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index("ix_punches_employee_time", "punches", ["employee_id", "wall_time_utc"])
    op.create_table(
        "scheduled_broadcasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("send_at", UtcDateTime, nullable=False),
        sa.Column("sender_id", sa.Integer, sa.ForeignKey("employees.id"), nullable=False),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("console_accounts.id")),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("targets", sa.Text, nullable=False),
        sa.Column("ack_required", sa.Boolean, nullable=False),
        sa.Column("reply_allowed", sa.Boolean, nullable=False),
        sa.Column("expires_hours", sa.Integer),
        sa.Column("photo", sa.LargeBinary),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(36)),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("status IN ('scheduled', 'sent', 'cancelled', 'failed')",
                           name="ck_scheduled_broadcasts_status"),
    )
    op.create_index("ix_scheduled_broadcasts_due", "scheduled_broadcasts",
                    ["status", "send_at"])


def downgrade() -> None:
    op.drop_index("ix_scheduled_broadcasts_due", "scheduled_broadcasts")
    op.drop_table("scheduled_broadcasts")
    op.drop_index("ix_punches_employee_time", "punches")
