"""messages.reply_allowed: false for an announcement (old numbered migration 2).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Messages already there keep taking replies. recreate="never": SQLite adds a column
    # with a constant default in place, where "auto" would rebuild the table because the
    # default is an SQL expression.
    with op.batch_alter_table("messages", recreate="never") as batch:
        batch.add_column(sa.Column("reply_allowed", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("reply_allowed")
