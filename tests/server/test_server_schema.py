"""Schema, and the protocol package's independence (migrations: test_server_migrations.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from server_testkit import REPO_ROOT
from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from server.db import Database, url_from_path
from server.db.schema import metadata
from server.embedded import EmbeddedServer
from server.protocol.push import PAYLOAD_MODELS


def test_migrated_database_has_the_schema_modules_tables_and_column_order(
        tmp_path: Path) -> None:
    """Column order too, which Alembic's comparison does not check: schema.py lists a
    later revision's columns last, where ALTER TABLE ADD COLUMN puts them."""
    db = Database(url_from_path(tmp_path / "m.db"))
    db.migrate()
    inspector = inspect(db.engine)
    assert set(inspector.get_table_names()) == set(metadata.tables) | {"alembic_version"}
    for name, table in metadata.tables.items():
        assert [c["name"] for c in inspector.get_columns(name)] == [c.name for c in table.c]
    db.dispose()


def test_sqlite_commits_are_durable_before_the_answer(tmp_path: Path) -> None:
    """WAL with synchronous=FULL: a commit (and so a 200 to a push) survives a power cut."""
    db = Database(url_from_path(tmp_path / "d.db"))
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
    db.dispose()


def test_schema_compiles_for_postgresql() -> None:
    dialect = postgresql.dialect()
    for table in metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=dialect))
        assert "AUTOINCREMENT" not in ddl.upper()
        for index in table.indexes:
            CreateIndex(index).compile(dialect=dialect)


def test_protocol_package_imports_without_fastapi_or_sqlalchemy() -> None:
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('fastapi', 'starlette', 'sqlalchemy', 'uvicorn'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import server.protocol as p\n"
        "p.validate_item({'id': '6f1c2b8e-3a4d-4c5e-9f00-112233445566', 'seq': 1,\n"
        "    'kind': 'punch', 'payload': {'employee_id': 1, 'direction': 'IN',\n"
        "    'wall_time': '2026-03-02T07:58:00+01:00', 'monotonic_ns': 1, 'boot_id': 'b'}})\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_openapi_documents_endpoints_and_item_payloads(server: EmbeddedServer) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/v1/enroll", "/v1/push", "/v1/pull", "/v1/attachments/{sha256}",
            "/v1/info"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {model.__name__ for model in PAYLOAD_MODELS.values()} <= set(schemas)
    assert "PullResponse" in schemas
