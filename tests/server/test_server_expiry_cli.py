"""`python -m server messages prune`: the admin CLI prunes and says what it deleted.

No server runs here: a running server prunes at start on its own, and under load its
first prune could take the test's expired message before the CLI does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from server_testkit import World, run_cli
from sqlalchemy import func, select

from server.db import Database, url_from_path
from server.db.schema import messages
from server.db.types import utcnow
from server.services import messaging


@pytest.fixture
def db(db_path: Path | str) -> Iterator[Database]:
    """The database as the admin CLI finds it: migrated, with no server running."""
    run_cli(db_path, "migrate")
    database = Database(url_from_path(db_path))
    yield database
    database.dispose()


def test_cli_messages_prune_reports_what_it_deleted_as_json(
        db_path: Path | str, db: Database, world: World) -> None:
    with db.write() as conn:
        messaging.broadcast(conn, world.hr, "Canteen closed", to_employees=[world.alice],
                            expires_at=utcnow() - timedelta(hours=1))
    done = run_cli(db_path, "messages", "prune", "--json")
    assert json.loads(done.stdout) == {"messages": 1, "attachments": 0}
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(messages)).scalar_one() == 0
