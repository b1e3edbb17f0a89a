"""Revision 0005 (the console): existing employees get their folded search name."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import select

from server.db import Database, url_from_path
from server.db.migrations import alembic_config, migration_connection
from server.db.schema import employees


def test_upgrading_to_0005_folds_existing_names_for_search(tmp_path: Path) -> None:
    db = Database(url_from_path(tmp_path / "old.db"))
    with migration_connection(db.engine) as conn:
        command.upgrade(alembic_config(conn), "0004")
    with db.write() as conn:
        conn.exec_driver_sql("INSERT INTO sites (id, name, timezone, language, created_at) "
                             "VALUES (1, 'Plant A', 'UTC', 'fr', CURRENT_TIMESTAMP)")
        conn.exec_driver_sql(
            "INSERT INTO employees (id, name, role, language, active, moderated, site_id, "
            "created_at) VALUES (1, 'Élodie D''Arcy', 'worker', 'fr', 1, 0, 1, "
            "CURRENT_TIMESTAMP)")
    db.migrate()
    with db.read() as conn:
        assert conn.execute(select(employees.c.search_name)).scalar_one() == "elodie d'arcy"
    db.dispose()
