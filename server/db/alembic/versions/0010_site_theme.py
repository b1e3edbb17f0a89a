"""The site's theme: the colours of its terminals' screens (dark or light), a site setting.

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: NULL is "not set here", each terminal keeps its config's display.theme.
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(sa.Column("theme", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("theme")
