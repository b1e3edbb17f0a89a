"""A stolen terminal gives nothing away: each terminal's message-cache key and the public
key its requests are signed with.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"  # after the console's revision (the branches were merged)
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns: SQLite adds them in place. A terminal gets its cache key at its
    # first POST /v1/cache-key, and its public key at enrollment or its next rotation.
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("cache_key", sa.LargeBinary(32)))
        batch.add_column(sa.Column("public_key", sa.LargeBinary(32)))


def downgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("public_key")
        batch.drop_column("cache_key")
