"""Tables (SQLAlchemy Core). Portable: nothing here is SQLite- or PostgreSQL-only.

Ids of records made by terminals (punches, messages, push items) are the client's
UUIDs as text; records made by admins use integer ids.
Changing a table here needs a new Alembic revision in ``alembic/versions/`` (see
server/README.md, "Schema migrations"); "migration N" below is revision 000N.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    true,
)

from server.db.types import UtcDateTime

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere a 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")
ClientId = String(36)

server_meta = Table(
    "server_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

sites = Table(
    "sites", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("language", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

employees = Table(
    "employees", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("language", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("moderated", Boolean, nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    # The name as the console's search compares it (db.types.fold: no case, no accents),
    # kept by repo.directory with the name (migration 5).
    Column("search_name", String(120)),
    CheckConstraint("role IN ('worker', 'manager', 'hr')", name="ck_employees_role"),
    Index("ix_employees_search_name", "search_name"),
)

badges = Table(
    "badges", metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("employee_id", Integer, ForeignKey("employees.id"), nullable=False, index=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime),
)

staff_groups = Table(
    "staff_groups", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("moderated", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

group_members = Table(
    "group_members", metadata,
    Column("group_id", Integer, ForeignKey("staff_groups.id"), primary_key=True),
    Column("employee_id", Integer, ForeignKey("employees.id"), primary_key=True),
    Column("can_post", Boolean, nullable=False),
)

contact_employees = Table(
    "contact_employees", metadata,
    Column("owner_id", Integer, ForeignKey("employees.id"), primary_key=True),
    Column("contact_id", Integer, ForeignKey("employees.id"), primary_key=True),
)

contact_groups = Table(
    "contact_groups", metadata,
    Column("owner_id", Integer, ForeignKey("employees.id"), primary_key=True),
    Column("group_id", Integer, ForeignKey("staff_groups.id"), primary_key=True),
)

terminals = Table(
    "terminals", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("last_seen_at", UtcDateTime),
    Column("last_seq", BigInteger),
    # Token rotation (migration 4): the current token is token_hash; after a rotation
    # the one before stays valid until previous_token_expires_at (a grace period).
    Column("token_issued_at", UtcDateTime),
    Column("token_last_used_at", UtcDateTime),
    Column("previous_token_hash", String(64)),
    Column("previous_token_expires_at", UtcDateTime),
    Column("previous_token_last_used_at", UtcDateTime),
    # Revision 0006: the key of the terminal's encrypted message cache (32 random bytes,
    # given only to the terminal, dropped when it is revoked), and the Ed25519 public key
    # its requests are signed with (its private key never leaves the terminal).
    Column("cache_key", LargeBinary(32)),
    Column("public_key", LargeBinary(32)),
    Index("ux_terminals_previous_token", "previous_token_hash", unique=True),
)

# Revision 0007: each terminal's latest state report (POST /v1/status), one row per
# terminal, replaced at each report. ``outbox_oldest_at`` is the server's estimate of
# when the oldest queued item was made (received_at minus the age reported), so that
# "outbox older than an hour" keeps growing while the terminal is silent.
terminal_status = Table(
    "terminal_status", metadata,
    Column("terminal_id", Integer, ForeignKey("terminals.id"), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),  # the terminal's clock
    Column("app_version", String(40), nullable=False),
    Column("outbox_depth", BigInteger, nullable=False),
    Column("outbox_oldest_at", UtcDateTime),
    Column("outbox_rejected", BigInteger, nullable=False),
    Column("clock_offset_s", Float),  # server minus terminal; null: not measured yet
    Column("reader_state", String(16), nullable=False),
    Column("reader_accepted", BigInteger, nullable=False),
    Column("reader_repeats", BigInteger, nullable=False),
    Column("reader_rejected", BigInteger, nullable=False),
    Column("quarantined", BigInteger, nullable=False),
    Column("disk_free_bytes", BigInteger, nullable=False),
    Column("disk_total_bytes", BigInteger),
    Column("uptime_s", BigInteger, nullable=False),
)

# Sites an employee works at besides their home site (employees.site_id), migration 4.
# A terminal acts for an employee only at one of these sites; the employee's badges
# and contact list go to the terminals of each of them.
employee_sites = Table(
    "employee_sites", metadata,
    Column("employee_id", Integer, ForeignKey("employees.id"), primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), primary_key=True, index=True),
)

enrollment_codes = Table(
    "enrollment_codes", metadata,
    Column("id", Integer, primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("terminal_id", Integer, ForeignKey("terminals.id")),
)

attachments = Table(
    "attachments", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content_type", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    # The bytes are in the attachment store (server.attachment_store), not here (0011).
    Column("terminal_id", Integer, ForeignKey("terminals.id")),
    Column("created_at", UtcDateTime, nullable=False),
)

# Which terminal uploaded which bytes (migration 4): content-addressed bytes may be
# uploaded by several terminals, and each may read back what it uploaded.
attachment_uploads = Table(
    "attachment_uploads", metadata,
    Column("sha256", String(64), ForeignKey("attachments.sha256"), primary_key=True),
    Column("terminal_id", Integer, ForeignKey("terminals.id"), primary_key=True, index=True),
    Column("created_at", UtcDateTime, nullable=False),
)

messages = Table(
    "messages", metadata,
    Column("id", ClientId, primary_key=True),
    Column("thread_id", ClientId, nullable=False, index=True),
    Column("reply_to", ClientId, ForeignKey("messages.id")),
    Column("sender_id", Integer, ForeignKey("employees.id"), nullable=False, index=True),
    Column("origin_terminal_id", Integer, ForeignKey("terminals.id")),
    Column("kind", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("attachment_sha256", String(64), ForeignKey("attachments.sha256")),
    Column("drawing", Text),
    Column("to_employees", Text, nullable=False),
    Column("to_groups", Text, nullable=False),
    Column("ack_required", Boolean, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("written_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("rejection_reason", String(500)),
    Column("decided_at", UtcDateTime),
    # False: recipients may not answer (an announcement). Added by migration 2.
    Column("reply_allowed", Boolean, nullable=False, server_default=true()),
    Index("ix_messages_attachment", "attachment_sha256"),
    CheckConstraint("kind IN ('text', 'photo', 'drawing')", name="ck_messages_kind"),
    CheckConstraint(
        "status IN ('pending', 'approved', 'rejected')", name="ck_messages_status"),
)

message_recipients = Table(
    "message_recipients", metadata,
    Column("message_id", ClientId, ForeignKey("messages.id"), primary_key=True),
    Column("employee_id", Integer, ForeignKey("employees.id"), primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("delivered_at", UtcDateTime),
    Column("read_at", UtcDateTime),
    Column("acked_at", UtcDateTime),
    Index("ix_message_recipients_employee", "employee_id"),
)

punches = Table(
    "punches", metadata,
    Column("id", ClientId, primary_key=True),
    Column("employee_id", Integer, ForeignKey("employees.id"), nullable=False, index=True),
    Column("terminal_id", Integer, ForeignKey("terminals.id"), nullable=False),
    Column("direction", String(3), nullable=False),
    Column("wall_time", String(40), nullable=False),
    Column("wall_time_utc", UtcDateTime, nullable=False, index=True),
    Column("monotonic_ns", BigInteger, nullable=False),
    Column("boot_id", String(64), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("voided_at", UtcDateTime),
    Column("void_item_id", ClientId),
    Column("void_reason", String(200)),
    CheckConstraint("direction IN ('IN', 'OUT')", name="ck_punches_direction"),
    # A broadcast's report: each recipient's punches since it was sent (migration 8).
    Index("ix_punches_employee_time", "employee_id", "wall_time_utc"),
)

push_log = Table(
    "push_log", metadata,
    Column("client_id", ClientId, primary_key=True),
    Column("terminal_id", Integer, ForeignKey("terminals.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("received_at", UtcDateTime, nullable=False),
)

changes = Table(
    "changes", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("site_id", Integer, ForeignKey("sites.id")),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # The row's place in the log, given just before its transaction commits
    # (repo/changes.py); NULL only inside that transaction (revision 0012).
    Column("seq", BigInteger),
    Index("ix_changes_entity_seq", "entity", "entity_id", "seq"),  # migration 13
    Index("ux_changes_seq", "seq", unique=True),
    Index("ix_changes_site_seq", "site_id", "seq"),
)

# What HR or site IT set for every terminal of a site (migration 3). A NULL column is
# "not set here": each terminal keeps its own config value. Lists are JSON text; the
# admin PIN only ever as a contract.pin hash.
site_settings = Table(
    "site_settings", metadata,
    Column("site_id", Integer, ForeignKey("sites.id"), primary_key=True),
    Column("language", String(16)),  # of the terminals' idle screen and notices
    Column("session_timeout_s", Integer),
    Column("punch_undo_s", Integer),
    Column("notice_s", Integer),
    Column("punch_mode", String(16)),
    Column("quick_replies", Text),  # {"fr": ["..."], "en": [...]}
    Column("admin_badges", Text),  # ["0F00123456", ...]
    Column("admin_pin_hash", String(200)),
    Column("updated_at", UtcDateTime, nullable=False),
    # Server-side only, never sent to terminals (migration 4): may an HR or manager
    # employee send with their authority (past contact lists and moderation, asking
    # for acknowledgements) from this site's terminals? NULL or false: no.
    Column("terminal_staff_authority", Boolean),
    # The colours of the terminals' screens, dark or light (migration 10; last: a column
    # added by a migration comes after the others).
    Column("theme", String(16)),
)

# The HR console (migration 5). Accounts are people who administer, not employees; an
# account may be linked to the employee it is, so that HR's messages carry their name.
console_accounts = Table(
    "console_accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # stored lower case
    Column("name", String(120), nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id, never the password
    Column("language", String(16), nullable=False),
    Column("employee_id", Integer, ForeignKey("employees.id")),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Failed logins since the last success or unlock; at the lockout threshold
    # locked_at is set and only an admin lifts it (`accounts unlock`).
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("last_failed_at", UtcDateTime),
    Column("locked_at", UtcDateTime),
)

# A role on one site, or on every site (site_id NULL). Roles: hr_admin, site_manager,
# site_it, viewer (server/console/auth/access.py says what each may do).
console_roles = Table(
    "console_roles", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("console_accounts.id"), nullable=False,
           index=True),
    Column("role", String(16), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id")),
    CheckConstraint("role IN ('hr_admin', 'site_manager', 'site_it', 'viewer')",
                    name="ck_console_roles_role"),
)

# Server-side sessions: the cookie holds a random token, the table only its SHA-256.
console_sessions = Table(
    "console_sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("console_accounts.id"), nullable=False,
           index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),  # the absolute lifetime's end
    Column("revoked_at", UtcDateTime),
    Column("client_address", String(64)),
)

# Every failed login (unknown address, wrong password, locked or disabled account).
console_login_failures = Table(
    "console_login_failures", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),
    Column("account_id", Integer, ForeignKey("console_accounts.id")),
    Column("client_address", String(64), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_console_login_failures_address", "client_address", "created_at"),
)

# Append-only: who changed what, when, and the changed fields' values before and after
# (JSON {"field": [before, after]}). Nothing in the code updates or deletes a row.
audit_log = Table(
    "audit_log", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("actor", String(300), nullable=False),  # "cli", or "console:<email>"
    Column("account_id", Integer, ForeignKey("console_accounts.id")),
    Column("action", String(64), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id")),
    Column("changes", Text, nullable=False),
    Index("ix_audit_log_entity", "entity", "entity_id"),
)

# Broadcasts composed in the console to be sent later (migration 8). Nothing reaches a
# terminal until the leader's periodic job sends one at ``send_at``: then it becomes a
# message like any other (``message_id``), its recipients resolved at that moment.
# ``site_id``: the sender's home site when scheduled, for the console's site scoping.
scheduled_broadcasts = Table(
    "scheduled_broadcasts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("send_at", UtcDateTime, nullable=False),
    Column("sender_id", Integer, ForeignKey("employees.id"), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("actor", String(300), nullable=False),  # who scheduled it, as the audit names
    Column("account_id", Integer, ForeignKey("console_accounts.id")),
    Column("body", Text, nullable=False),
    Column("targets", Text, nullable=False),  # JSON {"sites": [], "groups": [], "people": []}
    Column("ack_required", Boolean, nullable=False),
    Column("reply_allowed", Boolean, nullable=False),
    Column("expires_hours", Integer),  # counted from the actual sending
    Column("photo", LargeBinary),
    Column("status", String(16), nullable=False),
    Column("message_id", ClientId),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_scheduled_broadcasts_due", "status", "send_at"),
    CheckConstraint("status IN ('scheduled', 'sent', 'cancelled', 'failed')",
                    name="ck_scheduled_broadcasts_status"),
)
