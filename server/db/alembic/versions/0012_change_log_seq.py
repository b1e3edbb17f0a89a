"""The change log without a table lock: each row gets its place in the log (``seq``)
when its transaction is about to commit, under per-site locks (see server/repo/changes.py
and docs/sync-protocol.md, "Why a pull never misses a change").

Revision ID: 0012
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column and two indexes: SQLite adds them in place.
    with op.batch_alter_table("changes") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger()))
    # Rows written so far were ordered by id under the old table lock: their id is their
    # place. The cursors terminals hold name ids, so they keep their meaning unchanged.
    # On PostgreSQL new places are drawn from the id sequence, hence above every id.
    op.execute("UPDATE changes SET seq = id")
    op.create_index("ux_changes_seq", "changes", ["seq"], unique=True)
    op.create_index("ix_changes_site_seq", "changes", ["site_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_changes_site_seq", table_name="changes")
    op.drop_index("ux_changes_seq", table_name="changes")
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("seq")
