"""The trust boundary (old numbered migration 4): token rotation columns, employees on
several sites, who uploaded which attachment, the site setting for staff authority on
terminals, and two lookup indexes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)
TOKEN_COLUMNS = ("token_issued_at", "token_last_used_at", "previous_token_hash",
                 "previous_token_expires_at", "previous_token_last_used_at")


def upgrade() -> None:
    # Nullable columns and an index: SQLite does these in place, batch mode rebuilds nothing.
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("token_issued_at", UtcDateTime))
        batch.add_column(sa.Column("token_last_used_at", UtcDateTime))
        batch.add_column(sa.Column("previous_token_hash", sa.String(64)))
        batch.add_column(sa.Column("previous_token_expires_at", UtcDateTime))
        batch.add_column(sa.Column("previous_token_last_used_at", UtcDateTime))
        batch.create_index("ux_terminals_previous_token", ["previous_token_hash"],
                           unique=True)
    op.create_table(
        "employee_sites",
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id"),
                  primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), primary_key=True),
    )
    op.create_index("ix_employee_sites_site_id", "employee_sites", ["site_id"])
    op.create_table(
        "attachment_uploads",
        sa.Column("sha256", sa.String(64), sa.ForeignKey("attachments.sha256"),
                  primary_key=True),
        sa.Column("terminal_id", sa.Integer(), sa.ForeignKey("terminals.id"),
                  primary_key=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_attachment_uploads_terminal_id", "attachment_uploads",
                    ["terminal_id"])
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(sa.Column("terminal_staff_authority", sa.Boolean()))
    op.create_index("ix_messages_attachment", "messages", ["attachment_sha256"])
    op.create_index("ix_changes_entity", "changes", ["entity", "entity_id"])

    # Until now an attachment named only the terminal that first uploaded it: that
    # terminal keeps the right to read it back.
    attachments = sa.table("attachments", sa.column("sha256", sa.String),
                           sa.column("terminal_id", sa.Integer),
                           sa.column("created_at", UtcDateTime))
    uploads = sa.table("attachment_uploads", sa.column("sha256", sa.String),
                       sa.column("terminal_id", sa.Integer),
                       sa.column("created_at", UtcDateTime))
    op.execute(uploads.insert().from_select(
        ["sha256", "terminal_id", "created_at"],
        sa.select(attachments.c.sha256, attachments.c.terminal_id, attachments.c.created_at)
        .where(attachments.c.terminal_id.is_not(None))))


def downgrade() -> None:
    op.drop_index("ix_changes_entity", "changes")
    op.drop_index("ix_messages_attachment", "messages")
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("terminal_staff_authority")
    op.drop_table("attachment_uploads")
    op.drop_table("employee_sites")
    with op.batch_alter_table("terminals") as batch:
        batch.drop_index("ux_terminals_previous_token")
        for name in TOKEN_COLUMNS:
            batch.drop_column(name)
