"""Compacting the change log: what every terminal receives stays the same, whatever its
cursor; only the rows that newer ones made useless go.  On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from server_testkit import Terminal, World
from sqlalchemy import func, select

from server.db import Database
from server.db.schema import changes
from server.repo import directory, groups
from server.services.compaction import compact, superseded_rows


def _state(delivered: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """What a terminal ends up with: the last word on each entity."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for change in delivered:
        kind = change["entity"] if change["type"] == "delete" else change["type"]
        key = str(change.get("id", change.get("uid", change.get("employee_id", ""))))
        out[(kind, key)] = change
    return out


def _rows_for(db: Database, entity: str, entity_id: int) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(changes).where(
            changes.c.entity == entity, changes.c.entity_id == str(entity_id))).scalar_one()


def _history(db: Database, world: World) -> None:
    """A week of HR work: renames, moderation flags, contact lists, a badge lost."""
    for n in range(4):
        with db.write() as conn:
            directory.update_employee(conn, world.alice, name=f"Alice {n}")
            directory.update_employee(conn, world.bob, moderated=n % 2 == 0)
            groups.set_contacts(conn, world.alice, [world.bob] if n % 2 else [world.hr], [])
    with db.write() as conn:
        directory.set_badge_active(conn, world.alice_badge, False)


def test_compaction_keeps_the_newest_row_of_each_entity_for_each_site(
    db: Database, world: World,
) -> None:
    _history(db, world)
    assert _rows_for(db, "employee", world.alice) > 1
    assert compact(db) > 0
    assert _rows_for(db, "employee", world.alice) == 1
    assert compact(db) == 0  # nothing left to drop


def test_a_terminal_reaches_the_same_state_from_any_cursor_after_compaction(
    db: Database, world: World, enroll,
) -> None:
    terminal: Terminal = enroll(world.site)
    cursors: list[str | None] = [None]
    for n in range(3):
        with db.write() as conn:
            directory.update_employee(conn, world.alice, name=f"Alice {n}")
            groups.set_contacts(conn, world.alice, [world.bob] if n % 2 else [world.hr], [])
        cursors.append(terminal.pull_all(cursors[-1])[1])
    _history(db, world)
    before = [_state(terminal.pull_all(cursor)[0]) for cursor in cursors]
    compact(db)
    after = [_state(terminal.pull_all(cursor)[0]) for cursor in cursors]
    assert after == before


def _log_rows(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(changes)).scalar_one()


def test_a_first_sync_after_compaction_reads_one_row_per_entity_and_gets_the_same_state(
    db: Database, world: World, enroll,
) -> None:
    _history(db, world)
    first = enroll(world.site)
    uncompacted = _log_rows(db)
    compact(db)
    with db.read() as conn:
        keys = conn.execute(select(changes.c.entity, changes.c.entity_id, changes.c.site_id)
                            ).all()
    assert _log_rows(db) < uncompacted and len(keys) == len(set(keys))
    second = enroll(world.site)
    assert _state(second.pull_all()[0]) == _state(first.pull_all()[0])


def test_after_compaction_a_first_sync_brings_each_employee_before_what_names_it(
        db: Database, world: World, enroll: Any) -> None:
    """Compaction moves an employee's only row past its badge's, contact list's and
    groups' rows (a rename after them); the terminal stores those only once it has the
    employee, so each page carries the employees it names first."""
    with db.write() as conn:
        for employee in (world.alice, world.bob, world.carol):
            directory.update_employee(conn, employee, name=f"Renamed {employee}")
    compact(db)
    delivered, _ = enroll(world.site).pull_all()
    position = {(c["type"], c.get("id")): n for n, c in enumerate(delivered)}
    for n, change in enumerate(delivered):
        named = {change["employee_id"]} if change["type"] in ("badge", "contact_list") else {
            m["employee_id"] for m in change.get("members", [])}
        assert all(position[("employee", e)] < n for e in named), change["type"]


def test_compaction_finds_a_newer_row_by_its_entity_not_by_walking_the_site(
    db: Database,
) -> None:
    if db.is_postgresql:  # PostgreSQL plans from its statistics; SQLite has none
        return
    statement = superseded_rows(1, 20_000)
    with db.read() as conn:
        sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "ix_changes_entity_seq (entity=? AND entity_id=? AND seq>?)" in plan
