"""Attachment bytes leave the database for the attachment store (server.attachment_store).

Each row's bytes are written to the store (a folder, or S3), checked against their
sha256, then the ``data`` column is dropped. The store is the one the server uses: the
``--attachments`` setting or ``KIOSK_ATTACHMENTS`` given to ``migrate``/``serve``, else
the folder next to a SQLite file. A database with attachments and no store to put them
in stops here with what to do, before anything changed.

The files are written before the transaction commits; if it rolls back they stay,
unnamed, and the orphan sweep (services.expiry) removes them later. Run again, the
migration writes the same files again (content-addressed: a no-op).

Revision ID: 0011
Revises: 0006
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0012"  # after the change log's places: the code that writes rows needs them
branch_labels = None
depends_on = None

BATCH = 50  # rows read at once: up to 8 MiB each


def _table() -> sa.Table:
    return sa.table("attachments", sa.column("sha256", sa.String),
                    sa.column("data", sa.LargeBinary))


def upgrade() -> None:
    conn = op.get_bind()
    attachments = _table()
    count = conn.execute(sa.select(sa.func.count()).select_from(attachments)).scalar_one()
    if count:
        lazy = op.get_context().config.attributes.get("attachment_store")
        if lazy is None:
            raise RuntimeError("this migration moves attachments out of the database and "
                               "needs the server's attachment store")
        store = lazy.resolve()  # MissingStore says what to give when there is none
        after = ""
        while True:
            rows = conn.execute(sa.select(attachments.c.sha256, attachments.c.data)
                                .where(attachments.c.sha256 > after)
                                .order_by(attachments.c.sha256).limit(BATCH)).all()
            if not rows:
                break
            for sha256, data in rows:
                content = bytes(data)
                if hashlib.sha256(content).hexdigest() != sha256:
                    raise RuntimeError(f"attachment {sha256} in the database does not match "
                                       "its sha256; restore a backup, or delete its row")
                store.put(sha256, content)
            after = rows[-1][0]
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("data")


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("data", sa.LargeBinary))
    conn = op.get_bind()
    shas = list(conn.execute(sa.text("SELECT sha256 FROM attachments")).scalars())
    if shas:
        store = op.get_context().config.attributes["attachment_store"].resolve()
        for sha256 in shas:
            conn.execute(sa.text("UPDATE attachments SET data = :data WHERE sha256 = :sha"),
                         {"data": store.get(sha256) or b"", "sha": sha256})
    with op.batch_alter_table("attachments") as batch:
        batch.alter_column("data", existing_type=sa.LargeBinary, nullable=False)
