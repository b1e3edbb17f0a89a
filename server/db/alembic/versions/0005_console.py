"""The HR console: accounts, their roles on sites, server-side sessions, failed logins
and the audit log; employees' names folded for searching (search_name).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fold(text: str) -> str:
    # db.types.fold as it is at this revision: a revision never imports code that changes.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def upgrade() -> None:
    # A nullable column and an index: SQLite adds them in place.
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("search_name", sa.String(120)))
        batch.create_index("ix_employees_search_name", ["search_name"])
    employees = sa.table("employees", sa.column("id", sa.Integer),
                         sa.column("name", sa.String), sa.column("search_name", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(employees.c.id, employees.c.name)).all()
    if rows:
        conn.execute(employees.update().where(employees.c.id == sa.bindparam("row_id"))
                     .values(search_name=sa.bindparam("folded")),
                     [{"row_id": row.id, "folded": _fold(row.name)} for row in rows])
    op.create_table(
        "console_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id")),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failed_at", UtcDateTime),
        sa.Column("locked_at", UtcDateTime),
    )
    op.create_table(
        "console_roles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("console_accounts.id"),
                  nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id")),
        sa.CheckConstraint("role IN ('hr_admin', 'site_manager', 'site_it', 'viewer')",
                           name="ck_console_roles_role"),
    )
    op.create_index("ix_console_roles_account_id", "console_roles", ["account_id"])
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("console_accounts.id"),
                  nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime),
        sa.Column("client_address", sa.String(64)),
    )
    op.create_index("ix_console_sessions_account_id", "console_sessions", ["account_id"])
    op.create_table(
        "console_login_failures",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("console_accounts.id")),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_console_login_failures_address", "console_login_failures",
                    ["client_address", "created_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("console_accounts.id")),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id")),
        sa.Column("changes", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("console_login_failures")
    op.drop_table("console_sessions")
    op.drop_table("console_roles")
    op.drop_table("console_accounts")
    with op.batch_alter_table("employees") as batch:
        batch.drop_index("ix_employees_search_name")
        batch.drop_column("search_name")
