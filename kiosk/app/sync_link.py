"""Connect the running terminal to its central server, when it has one.

No server configured: the terminal is offline-only and says so.  A server but
no enrollment: it says how to enroll.  Otherwise a ``SyncWorker`` runs beside
the core worker, woken after every core call so that what a worker just did
leaves at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.app.worker import CoreWorker
from kiosk.settings.config import Config
from kiosk.sync.credentials import load_enrollment
from kiosk.sync.status import SyncState, SyncStatus

if TYPE_CHECKING:
    from kiosk.sync.state_report import ReaderFigures
    from kiosk.sync.worker import SyncWorker

log = logging.getLogger(__name__)


def start_sync(
    config: Config,
    worker: CoreWorker,
    on_status: Callable[[SyncStatus], None],
    on_changes: Callable[[int], None] = lambda count: None,
    reader_figures: Callable[[], ReaderFigures | None] = lambda: None,
) -> SyncWorker | None:
    """Start syncing if this terminal is enrolled; report the state either way.
    ``reader_figures`` (any thread) goes into the state reports for the fleet page."""
    try:
        enrollment = load_enrollment(config.data_dir)
    except (ValueError, OSError) as exc:  # damaged, or unreadable (owned by root after sudo)
        on_status(SyncStatus(SyncState.NOT_ENROLLED, f"enrollment file unusable: {exc}"))
        return None
    if enrollment is None:
        if config["server.url"]:
            on_status(SyncStatus(
                SyncState.NOT_ENROLLED,
                f"not enrolled with {config['server.url']}: run kiosk enroll",
            ))
        else:
            on_status(SyncStatus(SyncState.DISABLED, "offline-only terminal"))
        return None
    # The HTTP stack is loaded only by terminals that have a server to talk to.
    from kiosk.sync.cache_key import CacheKeys
    from kiosk.sync.client import ServerClient
    from kiosk.sync.signing import RequestSigner, load_or_make_key
    from kiosk.sync.state_report import StateReports
    from kiosk.sync.tokens import TokenKeeper
    from kiosk.sync.worker import SyncWorker

    url = config["server.url"] or enrollment.server_url
    tokens = TokenKeeper(config.data_dir, enrollment)
    try:
        signer: RequestSigner | None = RequestSigner(load_or_make_key(config.data_dir))
    except (ValueError, OSError) as exc:  # damaged or unreadable: the server says the rest
        log.error("the signing key is unusable (%s): requests go unsigned", type(exc).__name__)
        signer = None
    if enrollment.seal_public_key:  # kept at once: sealing needs no contact with the server
        from contract.sealing import decode_key

        try:
            worker.seal_public_key = decode_key(enrollment.seal_public_key)
        except ValueError:  # a damaged file: the cache key's answer brings it again
            log.warning("the enrollment's sealing key is unusable; waiting for the server's")
        else:
            worker.submit(lambda terminal: terminal.remember_seal_key(worker.seal_public_key))
    # The message cache's key, asked first by the sync; the core reopens with it.
    keys = CacheKeys(on_key=lambda key: worker.unlock(key, keys.seal_public_key))
    sync = SyncWorker(config.database_path, lambda: ServerClient(url, tokens.token, signer),
                      on_status, on_changes, tokens=tokens, cache_keys=keys,
                      reports=StateReports(config.data_dir, reader_figures))
    worker.after_call = sync.wake
    sync.start()
    log.info("syncing with the central server")
    return sync
