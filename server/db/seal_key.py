"""The server's sealing key pair (``contract.sealing``): terminals seal their queued
messages and pictures to its public key; only the server holds the private key.

Made once, by ``migrate`` (``python -m server migrate``, and ``serve`` at start), in
``server_meta`` beside the database's epoch: a backup restored elsewhere keeps it, so
what terminals sealed before still opens. The private key never leaves the server:
not in an answer, not in a log line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from contract.sealing import new_key_pair, public_key_of
from server.db.schema import server_meta

PRIVATE_KEY = "seal_private_key"  # hex of the 32 raw X25519 bytes


@dataclass(frozen=True)
class SealKeys:
    private: bytes
    public: bytes

    def __repr__(self) -> str:  # never the private key, whatever prints this
        return f"SealKeys(public={self.public.hex()[:12]}...)"


def ensure_seal_keys(conn: Connection) -> None:
    """Make the key pair if the database has none (inside the migration's transaction,
    which holds the write lock: two servers starting at once make one pair)."""
    if conn.execute(select(server_meta.c.value)
                    .where(server_meta.c.key == PRIVATE_KEY)).first() is None:
        private, _public = new_key_pair()
        conn.execute(server_meta.insert().values(key=PRIVATE_KEY, value=private.hex()))


def load_seal_keys(conn: Connection) -> SealKeys:
    value = conn.execute(select(server_meta.c.value)
                         .where(server_meta.c.key == PRIVATE_KEY)).scalar_one()
    private = bytes.fromhex(value)
    return SealKeys(private, public_key_of(private))
