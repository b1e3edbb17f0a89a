"""Server limits and timings, with defaults that suit a factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from contract.protocol import MAX_PUSH_BYTES


@dataclass(frozen=True)
class ConsoleSettings:
    """The HR console's sessions and its defence against password guessing."""

    # A session ends after this long without a request, and this long after login
    # whatever happens; logging out ends it at once.
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_lifetime: timedelta = timedelta(hours=12)
    # Behind TLS (a proxy terminating HTTPS, say) the cookie is marked Secure.
    tls: bool = False
    # Per account: from the backoff_after-th failed login in a row, each further try
    # waits backoff_base * 2^(n - backoff_after) seconds (at most backoff_max) after the
    # last failure; at lockout_after the account is locked until an admin unlocks it.
    backoff_after: int = 3
    backoff_base: timedelta = timedelta(seconds=1)
    backoff_max: timedelta = timedelta(minutes=5)
    lockout_after: int = 10
    # Per client address (guessing across many accounts): failed logins counted over the
    # window; from the address_backoff_after-th, the same backoff applies to the address.
    address_window: timedelta = timedelta(minutes=15)
    address_backoff_after: int = 20


@dataclass(frozen=True)
class ServerSettings:
    max_json_bytes: int = MAX_PUSH_BYTES  # what the protocol promises terminals
    # Where photos and drawings are kept: a folder or s3://BUCKET/PREFIX (serve
    # --attachments, else $KIOSK_ATTACHMENTS, else next to a SQLite file; see
    # server.attachment_store and docs/server-operations.md).
    attachment_store: str | None = None
    max_attachment_bytes: int = 8 * 1024 * 1024
    # How often the server looks for changes committed by other processes (the
    # admin CLI) to wake long-polls; changes made through the server wake them at once.
    watch_interval: float = 1.0
    # How often expired messages and unused attachments are deleted (also once at start).
    prune_interval: float = 600.0
    compact_interval: float = 3600.0
    # How often the leader sends the scheduled broadcasts whose time has come.
    scheduled_send_interval: float = 20.0
    # How often a process that does not run the periodic jobs tries to take them over.
    leader_retry_s: float = 5.0
    # After a rotation (POST /v1/token) the old token works this long more: a terminal
    # that lost the answer (a crash before saving it) still gets in to rotate again.
    token_grace: timedelta = timedelta(days=7)
    # Uploads no message names yet, per terminal: a terminal uploads a picture just
    # before the message that names it, so a handful is normal; more is abuse.
    max_unreferenced_uploads: int = 200
    max_unreferenced_upload_bytes: int = 256 * 1024 * 1024
    # Drawings are rendered off the write transaction, in at most this many worker
    # processes (0: on one thread of the server's own process, for tests and demos).
    drawing_render_processes: int = 1
    # Ink (points) a terminal may have rendered per minute, and per push request; the
    # items past either budget are deferred (sent again later), not refused.
    drawing_points_per_minute: int = 600_000
    drawing_points_per_request: int = 300_000
    # Rows a terminal's pushes may write per minute (an item's row, and a recipient row
    # per person a message reaches): past it, items are deferred. A week offline at a
    # busy site (~15,000 punches and receipts) drains in under two minutes; a terminal
    # fanning messages out to big groups cannot hold the writer everyone waits for.
    push_rows_per_minute: int = 10_000
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
