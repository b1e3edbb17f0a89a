"""The attachment store: bytes as content-addressed files (or S3 objects), rows without
bytes, the move out of the database (revision 0011), orphans swept.

Tests taking ``db_path`` (or ``terminal``) run on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from server_testkit import Terminal, World, enrollment_code, item
from sqlalchemy import column, insert, inspect, table, update

from server.attachment_store import DiskStore, MissingStore, S3Store
from server.config import ServerSettings
from server.db import Database, url_from_path
from server.db.migrations import alembic_config, migration_connection
from server.db.schema import messages
from server.db.types import utcnow
from server.embedded import start_embedded_server
from server.repo import directory
from server.services import expiry, messaging
from tests.support.pictures import jpeg_bytes, png_bytes

PNG = png_bytes(color=(10, 200, 90))
SHA = hashlib.sha256(PNG).hexdigest()
OLD_ATTACHMENTS = table("attachments", *(column(name) for name in (
    "sha256", "content_type", "size", "data", "terminal_id", "created_at")))


def _upload(terminal: Terminal, data: bytes = PNG) -> httpx.Response:
    return terminal.put(f"/v1/attachments/{hashlib.sha256(data).hexdigest()}", content=data,
                        headers={"Content-Type": "image/png"})


def _disk(db: Database) -> DiskStore:
    store = db.attachments.resolve()
    assert isinstance(store, DiskStore)
    return store


def test_an_upload_is_one_file_named_by_its_sha256_and_its_row_holds_no_bytes(
        terminal: Terminal, db: Database) -> None:
    assert _upload(terminal).status_code == 201
    assert _upload(terminal).status_code == 200  # the same bytes again: nothing new
    store = _disk(db)
    assert store.path(SHA) == store.root / SHA[:2] / SHA[2:4] / SHA
    assert store.path(SHA).read_bytes() == PNG
    assert [name for name, _ in store.list()] == [SHA]
    assert not list(store.path(SHA).parent.glob(".*"))  # no temporary file left behind
    assert "data" not in {c["name"] for c in inspect(db.engine).get_columns("attachments")}


def test_a_damaged_file_is_not_served_and_the_next_upload_writes_it_again(
        terminal: Terminal, db: Database) -> None:
    _upload(terminal)
    _disk(db).path(SHA).write_bytes(b"\x89PNG damaged")
    assert terminal.get(f"/v1/attachments/{SHA}").status_code == 404
    _upload(terminal)
    assert terminal.get(f"/v1/attachments/{SHA}").content == PNG


def test_pruning_an_expired_photo_message_removes_its_file_but_not_a_file_still_named(
        terminal: Terminal, db: Database, world: World) -> None:
    kept, gone = png_bytes(color=(1, 2, 3)), png_bytes(color=(4, 5, 6))
    for data, expires in ((kept, None), (gone, "2020-01-01T00:00:00Z")):
        _upload(terminal, data)
        [result] = terminal.push(item("message", {
            "sender_id": world.alice, "to_employees": [world.bob], "kind": "photo", "body": "",
            "attachment_sha256": hashlib.sha256(data).hexdigest(), "expires_at": expires}))
        assert result["status"] == "accepted", result
    assert expiry.prune(db).attachments == 1
    store = _disk(db)
    assert store.get(hashlib.sha256(kept).hexdigest()) == kept
    assert not store.has(hashlib.sha256(gone).hexdigest())


def test_the_orphan_sweep_removes_old_files_no_row_names_and_nothing_else(
        terminal: Terminal, db: Database) -> None:
    _upload(terminal)  # named by a row, and made old
    store = _disk(db)
    orphan, young = jpeg_bytes(color=(9, 9, 9)), jpeg_bytes(color=(8, 8, 8))
    for data in (orphan, young):
        store.put(hashlib.sha256(data).hexdigest(), data)
    two_hours_ago = time.time() - 7200
    for sha256 in (SHA, hashlib.sha256(orphan).hexdigest()):
        os.utime(store.path(sha256), (two_hours_ago, two_hours_ago))
    assert expiry.sweep_orphan_files(db) == 1
    assert sorted(name for name, _ in store.list()) == sorted(
        [SHA, hashlib.sha256(young).hexdigest()])


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return url_from_path(tmp_path / "old.db")
    return str(request.getfixturevalue("pg_url"))


def test_a_database_with_attachments_in_it_serves_them_byte_identical_once_upgraded(
        empty_url: str, tmp_path: Path) -> None:
    store_dir = tmp_path / "moved-attachments"
    url = empty_url
    old = Database(url, attachment_store=str(store_dir))
    with migration_connection(old.engine) as conn:
        config = alembic_config(conn, old.attachments)
        # the revision just before the one that moves the bytes out (0011)
        before = ScriptDirectory.from_config(config).get_revision("0011").down_revision
        command.upgrade(config, before)
    pictures = {hashlib.sha256(data).hexdigest(): data
                for data in (PNG, jpeg_bytes(), os.urandom(3000))}
    with old.write() as conn:
        site = directory.create_site(conn, "Plant A", "Europe/Paris", "fr")
        hr = directory.create_employee(conn, "Hana HR", site, role="hr")
        directory.create_employee(conn, "Alice", site)
        for sha256, data in pictures.items():
            conn.execute(insert(OLD_ATTACHMENTS).values(
                sha256=sha256, content_type="image/png", size=len(data), data=data,
                terminal_id=None, created_at=utcnow()))
            message_id = messaging.broadcast(conn, hr, "Photo", site_id=site)
            conn.execute(update(messages).where(messages.c.id == message_id)
                         .values(kind="photo", attachment_sha256=sha256))
    old.dispose()
    settings = ServerSettings(drawing_render_processes=0, attachment_store=str(store_dir))
    with start_embedded_server(url, settings=settings) as server:
        upgraded = Database(url, attachment_store=str(store_dir))
        code = enrollment_code(upgraded, site)
        upgraded.dispose()
        token = httpx.post(f"{server.url}/v1/enroll",
                           json={"code": code, "terminal_name": "Gate"}).json()["token"]
        for sha256, data in pictures.items():
            got = httpx.get(f"{server.url}/v1/attachments/{sha256}",
                            headers={"Authorization": f"Bearer {token}"})
            assert got.status_code == 200 and got.content == data
    assert sorted(name for name, _ in DiskStore(store_dir).list()) == sorted(pictures)


def test_migrating_postgresql_attachments_with_no_store_stops_saying_what_to_give(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_ATTACHMENTS", raising=False)
    old = Database(pg_url)
    with migration_connection(old.engine) as conn:
        command.upgrade(alembic_config(conn, old.attachments), "0006")
    with old.write() as conn:
        conn.execute(insert(OLD_ATTACHMENTS).values(
            sha256=SHA, content_type="image/png", size=len(PNG), data=PNG, terminal_id=None,
            created_at=utcnow()))
    with pytest.raises(MissingStore, match="--attachments DIR"):
        old.migrate()
    with old.read() as conn:  # nothing changed: the bytes are still in their column
        assert conn.exec_driver_sql("SELECT length(data) FROM attachments").scalar() == len(PNG)
    old.dispose()


# -- S3: a real S3-compatible server (moto's), over HTTP -------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    import boto3

    for name, value in (("AWS_ENDPOINT_URL", s3_endpoint), ("AWS_ACCESS_KEY_ID", "test"),
                        ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    bucket = f"kiosk-{os.urandom(4).hex()}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return bucket


def test_an_s3_store_keeps_uploads_as_objects_and_serves_them(
        s3_bucket: str, tmp_path: Path) -> None:
    settings = ServerSettings(drawing_render_processes=0,
                              attachment_store=f"s3://{s3_bucket}/kiosk")
    with start_embedded_server(tmp_path / "kiosk.db", settings=settings) as server:
        database = Database(url_from_path(tmp_path / "kiosk.db"))
        with database.write() as conn:
            site = directory.create_site(conn, "Plant A", "Europe/Paris", "fr")
        token = httpx.post(f"{server.url}/v1/enroll", json={
            "code": enrollment_code(database, site), "terminal_name": "Gate"}).json()["token"]
        database.dispose()
        with Terminal(base_url=server.url,
                      headers={"Authorization": f"Bearer {token}"}) as terminal:
            assert _upload(terminal).status_code == 201
            assert terminal.get(f"/v1/attachments/{SHA}").content == PNG
    store = S3Store(s3_bucket, "kiosk")
    assert [name for name, _ in store.list()] == [SHA]
    assert store.client.get_object(Bucket=s3_bucket, Key=f"kiosk/{SHA[:2]}/{SHA[2:4]}/{SHA}")[
        "Body"].read() == PNG
    store.delete(SHA)
    assert store.get(SHA) is None and not store.has(SHA)
