"""The sync worker: drains the outbox to the server and pulls the site's changes.

Two threads, each with its own SQLite connection (WAL lets them work beside the
core worker): the pusher sends queued items in order, in batches, and marks
each one from the server's answer in one transaction; the puller long-polls and
applies what it brings together with the new cursor.  Neither ever deletes an
outbox row: sent and rejected rows stay, marked, for the status screen.

Whatever the network answers, nothing is lost: only our server's own refusals are
final (``kiosk.sync.protocol``, ``kiosk.sync.verdicts``); a proxy's page, a captive portal, an
answer of another shape or a status not understood leave the items queued, and the
pusher waits (backoff, Retry-After) before trying again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from contract.backoff import Backoff
from kiosk.domain.attachments import AttachmentStore, SealedUploads
from kiosk.domain.badge_keys import hash_new_badges
from kiosk.storage import open_database, transaction
from kiosk.storage.cache import release_page_cache, widen_page_cache
from kiosk.storage.outbox import Outbox, OutboxItem
from kiosk.sync.apply import load_cursor
from kiosk.sync.cache_key import CacheKeys
from kiosk.sync.client import ServerClient
from kiosk.sync.downloads import AttachmentDownloads
from kiosk.sync.errors import (
    IncompatibleServer,
    NotEnrolled,
    RequestRefused,
    ServerUnavailable,
    SyncError,
    TerminalRevoked,
)
from kiosk.sync.prefetch import PagePrefetch, pull_page, store_fetched
from kiosk.sync.protocol import SPLIT_CODES, UPLOAD_FINAL_CODES, blames_the_item
from kiosk.sync.state_report import StateReports
from kiosk.sync.status import SyncState, SyncStatus
from kiosk.sync.tokens import TokenKeeper
from kiosk.sync.verdicts import Verdicts, judge

log = logging.getLogger(__name__)

BATCH_SIZE = 500
LONG_POLL_S = 20
IDLE_CHECK_S = 1.0
RESTART_MIN_S, RESTART_MAX_S = 5.0, 300.0  # after a sync loop failed
# Errors that a later try cannot fix: stop and say so, keep the outbox.
_TERMINAL_STATES = {TerminalRevoked: SyncState.REVOKED, NotEnrolled: SyncState.NOT_ENROLLED}


class SyncWorker:
    def __init__(
        self,
        database_path: Path,
        client_factory: Callable[[], ServerClient],
        on_status: Callable[[SyncStatus], None] = lambda status: None,
        on_changes: Callable[[int], None] = lambda count: None,
        tokens: TokenKeeper | None = None,
        cache_keys: CacheKeys | None = None,
        reports: StateReports | None = None,
    ) -> None:
        # on_changes(count): after a pull applied changes, and after attachments were
        # downloaded (a message's picture is here now), with how many.
        # tokens: rotated by the pusher when due (daily); None: never rotated.
        self._database_path = database_path
        self._tokens = tokens
        # cache_keys: the message cache's key is fetched before any database is opened
        # (the encrypted cache needs it); None: a terminal without an encrypted cache.
        self._cache_keys = cache_keys
        # reports: the state report for the fleet page, sent by the pusher at start and
        # every few minutes; None: never sent.
        self._reports = reports
        self._client_factory = client_factory
        self._on_status = on_status
        self._on_changes = on_changes
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._status = SyncStatus(SyncState.CONNECTING)
        self._puzzles_logged: set[str] = set()  # each answer not understood, logged once
        self._threads = [
            threading.Thread(target=self._guard, args=(self._push_loop,), name="sync-push",
                             daemon=True),
            threading.Thread(target=self._guard, args=(self._pull_loop,), name="sync-pull",
                             daemon=True),
        ]

    # Control, from any thread --------------------------------------------------

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop pushing at once. A pull held open by the server ends on its own and
        then writes nothing, so we do not wait for it more than a moment."""
        self._stop.set()
        self._wake.set()
        pusher, puller = self._threads
        if pusher.is_alive():
            pusher.join(timeout)
        if puller.is_alive():
            puller.join(min(timeout, 0.5))

    def wake(self) -> None:
        """Something was just queued: push now rather than at the next check."""
        self._wake.set()

    @property
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def _publish(self, **changes: object) -> None:
        with self._lock:
            fields = {**self._status.__dict__, **changes}
            self._status = SyncStatus(**fields)  # type: ignore[arg-type]
            status = self._status
        self._on_status(status)

    def _guard(self, loop: Callable[[sqlite_utils.Database, ServerClient], None]) -> None:
        """Run ``loop`` until stopped. A failure restarts it after a pause that doubles up
        to ``RESTART_MAX_S`` (a lasting fault, a damaged database say, must not write a
        traceback every few seconds onto a card that may be failing: each kind of failure
        is logged in full once), on a fresh database connection."""
        db: sqlite_utils.Database | None = None
        client: ServerClient | None = None
        pause, logged = RESTART_MIN_S, set()
        try:
            while not self._stop.is_set():
                try:
                    client = client or self._client_factory()
                    if db is None:
                        key = self._await_cache_key(client)
                        if self._stop.is_set():
                            return
                        db = open_database(self._database_path, key)
                    loop(db, client)
                    return
                except tuple(_TERMINAL_STATES) as exc:
                    self._publish(state=_TERMINAL_STATES[type(exc)], message=str(exc))
                    log.warning("sync stopped: %s", type(exc).__name__)
                    return
                except Exception as exc:  # noqa: BLE001 - a sync bug must not stop syncing
                    kind = type(exc).__name__
                    log.error("sync loop failed (%s); restarting in %.0f s", kind, pause,
                              exc_info=kind not in logged)
                    logged.add(kind)
                    if db is not None:  # a connection left mid-transaction is not reused
                        with contextlib.suppress(Exception):
                            db.conn.close()
                        db = None
                    self._stop.wait(pause)
                    pause = min(RESTART_MAX_S, pause * 2)
        finally:
            if client is not None:
                client.close()

    def _await_cache_key(self, client: ServerClient) -> bytes | None:
        """The cache's key, asked until the server gives it (or the worker stops)."""
        if self._cache_keys is None:
            return None
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                return self._cache_keys.fetch(client)
            except (ServerUnavailable, IncompatibleServer, RequestRefused) as exc:
                self._wait_after_failure(backoff, exc)
        return None

    def _wait_after_failure(self, backoff: Backoff, exc: SyncError) -> None:
        if isinstance(exc, IncompatibleServer):
            self._publish(state=SyncState.INCOMPATIBLE, message=str(exc))
            self._stop.wait(300)  # until the server (or this terminal) is upgraded
            return
        retry_after = exc.retry_after_s if isinstance(exc, ServerUnavailable) else None
        self._publish(state=SyncState.OFFLINE, message=str(exc))
        self._stop.wait(backoff.failure(retry_after))

    # Push ----------------------------------------------------------------------

    def _push_loop(self, db: sqlite_utils.Database, client: ServerClient) -> None:
        outbox = Outbox(db)
        backoff = Backoff()
        batch_size = BATCH_SIZE
        self._publish(outbox_depth=outbox.depth(), rejected=_rejected_count(db))
        while not self._stop.is_set():
            if self._tokens is not None and self._tokens.due():
                self._tokens.rotate(client)  # revoked or unknown: raised, syncing stops
            if self._reports is not None and self._reports.due():
                self._reports.send(client, db.conn, self.status)  # revoked: raised, as above
            items = outbox.pending(batch_size)
            if not items:
                self._wake.wait(IDLE_CHECK_S)
                self._wake.clear()
                continue
            try:
                ready, upload_failure = _upload_attachments(db, client, items)
                if upload_failure is not None and not ready:
                    raise upload_failure
                results = client.push([_wire(i) for i in ready])
            except RequestRefused as exc:
                if exc.code not in SPLIT_CODES:
                    # Our server refused the whole request for a reason no item explains
                    # (a route missing behind a rewriting proxy...): keep every item.
                    self._wait_after_failure(backoff, ServerUnavailable(
                        str(exc), status=exc.status, code=exc.code))
                    continue
                if len(ready) > 1:  # find the item the server cannot take
                    batch_size = max(1, len(ready) // 2)
                    continue
                alone = len(json.dumps({"items": [_wire(ready[0])]}).encode())
                if not blames_the_item(exc.code, exc.detail, alone):
                    # Even one item is refused for something that is not the item's
                    # (a body limit set too low, a check changed): every item would be;
                    # none is marked, the server is asked again later.
                    batch_size = BATCH_SIZE
                    self._wait_after_failure(backoff, ServerUnavailable(
                        str(exc), status=exc.status, code=exc.code))
                    continue
                results = [{"id": ready[0].id, "status": "rejected",
                            "error": {"code": exc.code, "message": str(exc)}}]
            except (ServerUnavailable, IncompatibleServer) as exc:
                self._wait_after_failure(backoff, exc)
                continue
            batch_size = BATCH_SIZE
            verdicts = judge([i.id for i in ready], results)
            _mark(db, verdicts)
            self._log_puzzles(verdicts)
            self._publish(state=SyncState.ONLINE, message="", outbox_depth=outbox.depth(),
                          rejected=_rejected_count(db),
                          last_rejection=_last_rejection(db) or self.status.last_rejection)
            if verdicts.kept:  # deferred or not understood: wait, do not spin on them
                self._stop.wait(backoff.failure(verdicts.retry_after_s))
            else:
                backoff.success()

    def _log_puzzles(self, verdicts: Verdicts) -> None:
        for puzzle, count in verdicts.puzzles.items():
            if puzzle not in self._puzzles_logged:
                self._puzzles_logged.add(puzzle)
                log.warning("push answer not understood (%s): %d items kept queued; "
                            "logged once", puzzle, count)

    # Pull ----------------------------------------------------------------------

    def _pull_loop(self, db: sqlite_utils.Database, client: ServerClient) -> None:
        prefetch = PagePrefetch(client)
        try:
            self._pull_pages(db, client, prefetch)
        finally:
            prefetch.drop()

    def _pull_pages(self, db: sqlite_utils.Database, client: ServerClient,
                    prefetch: PagePrefetch) -> None:
        backoff = Backoff()
        downloads = AttachmentDownloads()
        cursor = load_cursor(db.conn)
        more = True
        widen_page_cache(db)
        while not self._stop.is_set():
            try:
                page = prefetch.take(cursor) or pull_page(
                    client, cursor, wait_s=0 if more else LONG_POLL_S)
            except (ServerUnavailable, IncompatibleServer, RequestRefused) as exc:
                if (isinstance(exc, RequestRefused) and exc.code == "invalid_cursor"
                        and cursor is not None):
                    cursor = None  # the server asks for a full resend
                    continue
                self._wait_after_failure(backoff, exc)  # type: ignore[arg-type]
                continue
            if self._stop.is_set():
                return
            backoff.success()
            # The next page is fetched while this one is stored (kiosk.sync.prefetch).
            page, stored = store_fetched(db, page, prefetch)
            result = page.result
            cursor, more = result.cursor, result.more
            offset = datetime.fromisoformat(result.server_time).timestamp() - page.received
            self._publish(state=SyncState.ONLINE, message="", clock_offset_s=offset,
                          clock_measured_at=(page.received, page.received_mono))
            if stored:
                self._on_changes(stored)
            if not more:  # the badge map for a locked terminal, then the pictures
                release_page_cache(db)
                hash_new_badges(db, self._stop)
                fetched, left = downloads.run(db, client, self._stop)
                more = left  # out of time with files to fetch: pull again at once
                if fetched:
                    self._on_changes(fetched)


def _upload_attachments(
    db: sqlite_utils.Database, client: ServerClient, items: list[OutboxItem]
) -> tuple[list[OutboxItem], ServerUnavailable | None]:
    """Attachments first, then the messages that reference them (uploads are idempotent
    by sha256, so a retry after a crash between the two costs one more PUT, nothing else).

    Returns the items that may be pushed now, and why the others may not.  An upload to
    try later (network, a proxy's refusal, our server's ``upload_quota_exceeded``)
    stops at its message: the items before it go (in order, and pushing them frees the
    quota their uploads take), that message and those after wait.  Our server's final
    refusal of the bytes, or a local attachment that cannot be read, is left to the
    server's verdict on the message (``unknown_attachment``: kept, marked rejected)."""
    store, sealed_store = AttachmentStore(db), SealedUploads(db)
    for index, item in enumerate(items):
        if item.kind != "message":
            continue
        # A sealed item names its picture beside the payload; an older one inside it.
        sha256 = item.attachment_sha256 or item.payload.get("attachment_sha256")
        sealed = sealed_store.get(sha256) if sha256 else None
        if sealed is None and (not sha256 or store.uploaded(sha256)):
            continue
        found = sealed or store.get(sha256)
        if found is None:
            continue
        data, content_type = found
        try:
            client.put_attachment(sha256, data, content_type, sealed=sealed is not None)
        except RequestRefused as exc:
            if exc.code in UPLOAD_FINAL_CODES:
                log.warning("attachment refused by the server: %s", exc.code)
                if sealed is not None:  # nothing else can be done with the box
                    sealed_store.forget(sha256)
                continue
            return items[:index], ServerUnavailable(str(exc), status=exc.status, code=exc.code)
        except ServerUnavailable as exc:
            log.info("attachment upload to try later (%s)", exc.code or exc.status or "network")
            return items[:index], exc
        if sealed is not None:
            sealed_store.forget(sha256)
        else:
            store.mark_uploaded(sha256)
    return items, None


def _wire(item: OutboxItem) -> dict:
    return {"id": item.id, "seq": item.seq, "kind": item.kind, "payload": item.payload}


def _mark(db: sqlite_utils.Database, verdicts: Verdicts) -> None:
    """Record the verdict on each item of a batch, all in one transaction."""
    now = datetime.now(UTC).isoformat()
    with transaction(db) as conn:
        conn.executemany(
            "UPDATE outbox SET state = 'sent', error = NULL, attempts = attempts + 1, "
            "sent_at = ? WHERE id = ? AND state = 'queued'",
            [(now, item_id) for item_id in verdicts.sent],
        )
        conn.executemany(
            "UPDATE outbox SET state = 'rejected', error = ?, attempts = attempts + 1 "
            "WHERE id = ? AND state = 'queued'",
            [(json.dumps(error, ensure_ascii=False), item_id)
             for item_id, error in verdicts.rejected],
        )
        conn.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?",
                         [(item_id,) for item_id in verdicts.kept])


def _rejected_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM outbox WHERE state = 'rejected'").fetchone()[0]


def _last_rejection(db: sqlite_utils.Database) -> str:
    row = db.execute(
        "SELECT error FROM outbox WHERE state = 'rejected' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if not row:
        return ""
    try:
        return json.loads(row[0]).get("message", "")
    except (ValueError, AttributeError):
        return ""
