"""The terminal fleet: each terminal's latest state report (POST /v1/status).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

UtcDateTime = sa.DateTime(timezone=True)  # as the other revisions: never import code that changes

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terminal_status",
        sa.Column("terminal_id", sa.Integer, sa.ForeignKey("terminals.id"), primary_key=True),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=False),
        sa.Column("app_version", sa.String(40), nullable=False),
        sa.Column("outbox_depth", sa.BigInteger, nullable=False),
        sa.Column("outbox_oldest_at", UtcDateTime),
        sa.Column("outbox_rejected", sa.BigInteger, nullable=False),
        sa.Column("clock_offset_s", sa.Float),
        sa.Column("reader_state", sa.String(16), nullable=False),
        sa.Column("reader_accepted", sa.BigInteger, nullable=False),
        sa.Column("reader_repeats", sa.BigInteger, nullable=False),
        sa.Column("reader_rejected", sa.BigInteger, nullable=False),
        sa.Column("quarantined", sa.BigInteger, nullable=False),
        sa.Column("disk_free_bytes", sa.BigInteger, nullable=False),
        sa.Column("disk_total_bytes", sa.BigInteger),
        sa.Column("uptime_s", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("terminal_status")
