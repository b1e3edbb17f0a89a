"""The inbox with 10,000 cached messages: read off an index in order, a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.demo.company import DEMO_MESSAGES, DEMO_PICTURE_MESSAGES
from kiosk.domain.messages import PINNED_MAX, IncomingMessage, MessageStore
from kiosk.domain.models import INBOX_PAGE
from kiosk.storage import open_database, transaction
from kiosk.storage.migrations import MIGRATIONS, apply_migrations

BULK = 10_000
WORKER = 4  # a demo worker with a few demo messages too


def _bulk(count: int, employee_id: int, now: datetime) -> list[IncomingMessage]:
    # Pairs of messages share a creation time: the order must still be total.
    return [
        IncomingMessage(
            id=f"bulk-{n:05d}", sender_id=8, sender_name="Sophie Lefèvre",
            body=f"Message {n}: la ligne {n % 7} redémarre à 14 h.",
            created_at=now - timedelta(minutes=n // 2 + 10),
            recipients=(employee_id, 5) if n % 10 == 0 else (employee_id,),
            ack_required=n % 20 == 0,
        )
        for n in range(count)
    ]


@pytest.fixture
def bulk(terminal):
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, _bulk(BULK, WORKER, datetime.now(UTC)))
    return terminal


def _inbox_plan(terminal, before=None, index="recipients_inbox") -> str:
    """EXPLAIN QUERY PLAN of the very statement ``MessageStore.inbox`` runs that names
    ``index``: the inbox's page, or its pinned head (``messages_to_acknowledge``)."""
    seen: list[str] = []
    terminal.db.conn.set_trace_callback(seen.append)
    try:
        terminal.messages.inbox(WORKER, before=before)
    finally:
        terminal.db.conn.set_trace_callback(None)
    select = next(s for s in seen if index in s)
    rows = terminal.db.execute(f"EXPLAIN QUERY PLAN {select}").fetchall()
    return "\n".join(row[-1] for row in rows)


@pytest.mark.parametrize("analyzed", [False, True])
def test_inbox_query_reads_the_index_in_order(bulk, analyzed):
    if analyzed:
        bulk.db.execute("ANALYZE")
    first = bulk.messages.inbox(WORKER)
    for plan in (_inbox_plan(bulk), _inbox_plan(bulk, before=first[-1])):
        assert "recipients_inbox" in plan, plan
        assert "SCAN r" not in plan and "SCAN message_recipients" not in plan, plan
        assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("analyzed", [False, True])
def test_the_pinned_head_reads_only_the_messages_asking_for_acknowledgement(bulk, analyzed):
    if analyzed:
        bulk.db.execute("ANALYZE")
    plan = _inbox_plan(bulk, index="messages_to_acknowledge")
    assert "USING INDEX messages_to_acknowledge" in plan, plan
    assert "SCAN r" not in plan and "TEMP B-TREE" not in plan, plan


def test_inbox_pages_go_through_every_message_once_newest_first_after_the_pinned(bulk):
    first = bulk.messages.inbox(WORKER)
    pinned, rest = first[:PINNED_MAX], first[PINNED_MAX:]
    assert all(m.to_acknowledge for m in pinned)  # 500 of the bulk ask for one
    assert len(rest) == INBOX_PAGE
    assert rest[0].created_at > datetime.now(UTC) - timedelta(hours=3)  # the demo's newest
    seen, page = list(rest), first
    while page:
        page = bulk.messages.inbox(WORKER, before=page[-1])
        assert len(page) <= INBOX_PAGE
        seen += page
    demo = sum(1 for m in DEMO_MESSAGES + DEMO_PICTURE_MESSAGES if WORKER in m[2])
    assert len(pinned + seen) == len({m.id for m in pinned + seen}) == BULK + demo
    for listed in (pinned, seen):
        keys = [(m.created_at, m.id) for m in listed]
        assert keys == sorted(keys, reverse=True)
    # Another recipient of some of them sees only theirs.
    other = bulk.messages.inbox(5, limit=BULK)
    assert len([m for m in other if m.id.startswith("bulk-")]) == BULK // 10


def test_redelivery_keeps_the_first_creation_time(terminal):
    now = datetime.now(UTC)
    message = _bulk(1, WORKER, now)[0]
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [message])
    later = IncomingMessage(**{**message.__dict__, "created_at": now,
                               "recipients": (WORKER, 6)})
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [later])
    rows = terminal.db.execute(
        "SELECT r.created_at = m.created_at FROM message_recipients r "
        "JOIN messages m ON m.id = r.message_id WHERE m.id = ?", (message.id,)).fetchall()
    assert rows == [(1,), (1,), (1,)]  # workers 4 and 5, then 6 added


def test_migration_fills_the_creation_time_of_existing_recipients(tmp_path):
    import sqlite_utils

    db = sqlite_utils.Database(tmp_path / "old.sqlite3")
    for version, migration in enumerate(MIGRATIONS[:2], start=1):  # a terminal at version 2
        migration(db)
        db.execute(f"PRAGMA user_version = {version}")
    db.execute("INSERT INTO messages (id, sender_name, created_at) "
               "VALUES ('a', 'HR', '2026-01-02T03:04:05+00:00')")
    db.execute("INSERT INTO message_recipients (message_id, employee_id) VALUES ('a', 1)")
    db.conn.commit()
    assert apply_migrations(db) == len(MIGRATIONS)
    assert db.execute("SELECT created_at FROM message_recipients").fetchall() == [
        ("2026-01-02T03:04:05+00:00",)]
    db.conn.close()
    reopened = open_database(tmp_path / "old.sqlite3")
    assert [m.id for m in MessageStore(reopened).inbox(1)] == ["a"]
    reopened.conn.close()
