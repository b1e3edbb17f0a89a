"""The first tables, as the server shipped them (old numbered migration 1).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here rather than imported from server.db: a revision describes its own step.
# UtcDateTime is a DateTime(timezone=True) as far as the DDL goes.
UtcDateTime = sa.DateTime(timezone=True)
ClientId = sa.String(36)
# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere a 64-bit key.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "server_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("moderated", sa.Boolean(), nullable=False),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("role IN ('worker', 'manager', 'hr')", name="ck_employees_role"),
    )
    op.create_index("ix_employees_site_id", "employees", ["site_id"])
    op.create_table(
        "badges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(64), nullable=False, unique=True),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id"), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("disabled_at", UtcDateTime),
    )
    op.create_index("ix_badges_employee_id", "badges", ["employee_id"])
    op.create_table(
        "staff_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("moderated", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("staff_groups.id"),
                  primary_key=True),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id"),
                  primary_key=True),
        sa.Column("can_post", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "contact_employees",
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("employees.id"), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("employees.id"), primary_key=True),
    )
    op.create_table(
        "contact_groups",
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("employees.id"), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("staff_groups.id"),
                  primary_key=True),
    )
    op.create_table(
        "terminals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime),
        sa.Column("last_seen_at", UtcDateTime),
        sa.Column("last_seq", sa.BigInteger()),
    )
    op.create_index("ix_terminals_site_id", "terminals", ["site_id"])
    op.create_table(
        "enrollment_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime),
        sa.Column("terminal_id", sa.Integer(), sa.ForeignKey("terminals.id")),
    )
    op.create_table(
        "attachments",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("terminal_id", sa.Integer(), sa.ForeignKey("terminals.id")),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", ClientId, primary_key=True),
        sa.Column("thread_id", ClientId, nullable=False),
        sa.Column("reply_to", ClientId, sa.ForeignKey("messages.id")),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("employees.id"), nullable=False),
        sa.Column("origin_terminal_id", sa.Integer(), sa.ForeignKey("terminals.id")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_sha256", sa.String(64), sa.ForeignKey("attachments.sha256")),
        sa.Column("drawing", sa.Text()),
        sa.Column("to_employees", sa.Text(), nullable=False),
        sa.Column("to_groups", sa.Text(), nullable=False),
        sa.Column("ack_required", sa.Boolean(), nullable=False),
        sa.Column("expires_at", UtcDateTime),
        sa.Column("written_at", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rejection_reason", sa.String(500)),
        sa.Column("decided_at", UtcDateTime),
        sa.CheckConstraint("kind IN ('text', 'photo', 'drawing')", name="ck_messages_kind"),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')",
                           name="ck_messages_status"),
    )
    op.create_index("ix_messages_thread_id", "messages", ["thread_id"])
    op.create_index("ix_messages_sender_id", "messages", ["sender_id"])
    op.create_index("ix_messages_created_at", "messages", ["created_at"])
    op.create_table(
        "message_recipients",
        sa.Column("message_id", ClientId, sa.ForeignKey("messages.id"), primary_key=True),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id"),
                  primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("delivered_at", UtcDateTime),
        sa.Column("read_at", UtcDateTime),
        sa.Column("acked_at", UtcDateTime),
    )
    op.create_index("ix_message_recipients_employee", "message_recipients", ["employee_id"])
    op.create_table(
        "punches",
        sa.Column("id", ClientId, primary_key=True),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id"), nullable=False),
        sa.Column("terminal_id", sa.Integer(), sa.ForeignKey("terminals.id"), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("wall_time", sa.String(40), nullable=False),
        sa.Column("wall_time_utc", UtcDateTime, nullable=False),
        sa.Column("monotonic_ns", sa.BigInteger(), nullable=False),
        sa.Column("boot_id", sa.String(64), nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("voided_at", UtcDateTime),
        sa.Column("void_item_id", ClientId),
        sa.Column("void_reason", sa.String(200)),
        sa.CheckConstraint("direction IN ('IN', 'OUT')", name="ck_punches_direction"),
    )
    op.create_index("ix_punches_employee_id", "punches", ["employee_id"])
    op.create_index("ix_punches_wall_time_utc", "punches", ["wall_time_utc"])
    op.create_table(
        "push_log",
        sa.Column("client_id", ClientId, primary_key=True),
        sa.Column("terminal_id", sa.Integer(), sa.ForeignKey("terminals.id"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("received_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id")),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    # The server's identity towards terminals: a cursor from another database (restored
    # from elsewhere, or a new server) carries another epoch and makes them pull afresh.
    server_meta = sa.table("server_meta", sa.column("key", sa.String),
                           sa.column("value", sa.String))
    op.execute(server_meta.insert().values(key="epoch", value=secrets.token_hex(8)))


def downgrade() -> None:
    for name in ("changes", "push_log", "punches", "message_recipients", "messages",
                 "attachments", "enrollment_codes", "terminals", "contact_groups",
                 "contact_employees", "group_members", "staff_groups", "badges",
                 "employees", "sites", "server_meta"):
        op.drop_table(name)
