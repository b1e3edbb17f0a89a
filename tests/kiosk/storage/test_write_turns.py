"""The sync puller's long runs of writes let the terminal's own writes go first."""

from __future__ import annotations

import threading

from kiosk.storage import background_transaction, open_database, transaction
from kiosk.storage.write_turns import foreground_waiting


def _note(conn, what: str) -> None:
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)",
                 (f"order-{conn.execute('SELECT count(*) FROM sync_state').fetchone()[0]}",
                  what))


def _order(db) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT value FROM sync_state WHERE key LIKE 'order-%' ORDER BY rowid")]


def _punch_in_thread(path, ready: threading.Event, go: threading.Event,
                     in_transaction: bool) -> threading.Thread:
    """The core worker (a connection of its own thread) writing a punch: it says
    ``ready`` and waits for ``go`` inside its transaction, or just before it."""
    def punch() -> None:
        core = open_database(path)
        if not in_transaction:
            ready.set()
            go.wait(10)
        with transaction(core) as conn:
            if in_transaction:
                ready.set()
                go.wait(10)
            _note(conn, "punch")
        core.conn.close()

    writer = threading.Thread(target=punch)
    writer.start()
    return writer


def test_a_background_transaction_starts_only_once_the_foreground_writer_is_done(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    puller = open_database(path)
    inside, release = threading.Event(), threading.Event()
    writer = _punch_in_thread(path, inside, release, in_transaction=True)
    inside.wait(10)
    release.set()
    with background_transaction(puller) as conn:  # waits for the punch, whatever SQLite does
        _note(conn, "page")
    writer.join(10)
    assert _order(puller) == ["punch", "page"]


def test_a_foreground_writer_waiting_for_the_lock_is_seen_by_the_background_one(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    puller = open_database(path)
    opened, go = threading.Event(), threading.Event()
    writer = _punch_in_thread(path, opened, go, in_transaction=False)
    opened.wait(10)
    with background_transaction(puller) as conn:
        go.set()
        for _ in range(2000):  # until the punch has asked for the lock (10 s at most)
            if foreground_waiting():
                break
            threading.Event().wait(0.005)
        seen = foreground_waiting()
        _note(conn, "page")
    writer.join(10)
    assert seen and _order(puller) == ["page", "punch"]
    assert not foreground_waiting()
