"""Running the server: the health endpoint, and a backup restored that serves again.

Each test that takes ``db_path`` runs on SQLite and on PostgreSQL (conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from server_testkit import World, enrollment_code
from sqlalchemy import func, select

from contract.protocol import PROTOCOL_HEADER
from server.app import create_app
from server.backups import BackupError, backup, files_folder, restore
from server.config import ServerSettings
from server.db import Database, url_from_path
from server.db.schema import employees
from server.embedded import EmbeddedServer, start_embedded_server
from server.services import messaging


def test_health_answers_ok_without_a_token_or_a_protocol_header(server: EmbeddedServer) -> None:
    answer = httpx.get(f"{server.url}/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok" and answer.json()["database"] == "ok"
    assert answer.headers[PROTOCOL_HEADER]


def test_health_answers_503_when_the_database_is_down(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "kiosk.db"))
    with TestClient(app) as client:
        # The database server goes away: nothing listens on port 1.
        app.state.db = Database("postgresql+psycopg://kiosk@127.0.0.1:1/kiosk")
        answer = client.get("/health")
    assert answer.status_code == 503 and answer.json()["status"] == "unavailable"


def _employee_count(url: str) -> int:
    database = Database(url)
    try:
        with database.read() as conn:
            return conn.execute(select(func.count()).select_from(employees)).scalar_one()
    finally:
        database.dispose()


def _restored_url(db_path: Path | str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if isinstance(db_path, Path):
        return url_from_path(tmp_path / "restored" / "kiosk.db")
    return request.getfixturevalue("pg_url")  # another empty PostgreSQL database


def test_a_backup_taken_while_serving_restores_and_serves_the_same_data(
    db_path: Path | str, world: World, db: Database, tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    photo = b"\xff\xd8\xff" + os.urandom(2000)
    with db.write() as conn:
        messaging.broadcast(conn, world.hr, "Photo", site_id=world.site, photo=photo)
    written = backup(db.url, tmp_path / "backups" / "kiosk.backup")
    assert len(list(files_folder(written).rglob("*"))) == 3  # two fan-out folders, a file
    target = _restored_url(db_path, tmp_path, request)
    # Into another store: the restored server serves the photo from the backup's copy.
    restored_store = str(tmp_path / "restored-attachments")
    restore(written, target, attachment_store=restored_store)
    assert _employee_count(target) == _employee_count(db.url) > 0
    restored = start_embedded_server(target, "127.0.0.1", 0, ServerSettings(
        drawing_render_processes=0, attachment_store=restored_store))
    try:
        assert httpx.get(f"{restored.url}/health").status_code == 200
        restored_db = Database(target)
        code = enrollment_code(restored_db, world.site)
        restored_db.dispose()
        token = httpx.post(f"{restored.url}/v1/enroll",
                           json={"code": code, "terminal_name": "Gate 1"}).json()["token"]
        pulled = httpx.get(f"{restored.url}/v1/pull",
                           headers={"Authorization": f"Bearer {token}"}).json()
        assert any(change["type"] == "employee" for change in pulled["changes"])
        [message] = [c for c in pulled["changes"] if c["type"] == "message"]
        served = httpx.get(f"{restored.url}/v1/attachments/{message['attachment']['sha256']}",
                           headers={"Authorization": f"Bearer {token}"})
        assert served.status_code == 200 and served.content == photo
    finally:
        restored.stop()


def test_restoring_over_an_existing_database_needs_force(tmp_path: Path) -> None:
    source = tmp_path / "a.db"
    Database(url_from_path(source)).migrate()
    written = backup(url_from_path(source), tmp_path / "a.backup")
    target = tmp_path / "b.db"
    Database(url_from_path(target)).migrate()
    with pytest.raises(BackupError, match="exists"):
        restore(written, url_from_path(target))
    restore(written, url_from_path(target), force=True)


def test_a_damaged_backup_file_is_refused_before_anything_is_replaced(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(BackupError):
        restore(damaged, url_from_path(tmp_path / "new.db"))
    assert not (tmp_path / "new.db").exists()
