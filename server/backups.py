"""Backups of the server's database, and restoring one, for both engines.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot while the server runs and writes; the copy is checked (``quick_check``)
  and renamed into place, so a half-written backup never has the final name.
- PostgreSQL: ``pg_dump --format=custom`` (consistent by itself, the server may run);
  ``pg_restore`` into an empty database.

Attachments (photos and drawings) live in the attachment store
(``server.attachment_store``): a backup ``FILE`` comes with ``FILE.attachments/``, a
copy of the store as plain content-addressed files. It is copied *after* the database:
every file a row of the copy names exists by then (a file is written before its row
commits), except those pruned meanwhile, whose rows the next prune removes again. Files
never change, so a backup into the same place copies only the new ones. Restoring puts
the database back and the files into the configured store (a folder or S3).

After a restore, ``python -m server migrate`` brings an older backup's schema up to date
(``serve`` does it at start anyway); a backup from before the attachment store (its
bytes still in the database) is moved into the store by that migration.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from server.attachment_store import DiskStore, LazyStore, locate


class BackupError(Exception):
    """What went wrong, and what to do, in one sentence each."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(f"{message}; {fix}")
        self.message = message
        self.fix = fix


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database:
        raise BackupError("an in-memory database has nothing to back up",
                          "give the database file (--db PATH)")
    return Path(parsed.database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit()
                                else 0, reverse=True)), None)
    if found is None:
        raise BackupError(f"{name} is not installed",
                          "install PostgreSQL's client tools (apt-get install postgresql-client)")
    return found


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq reads it (no '+psycopg' driver part)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def files_folder(backup_file: Path) -> Path:
    """Where the attachment files of ``backup_file`` are."""
    return backup_file.with_name(f"{backup_file.name}.attachments")


def _copy_files(source: Any, target: Any) -> int:
    """Every file of ``source`` that ``target`` lacks, checked on the way; how many."""
    copied = 0
    for sha256, _written in source.list():
        if target.has(sha256):
            continue
        content = source.get(sha256)
        if content is None:  # pruned since it was listed, or damaged (logged)
            continue
        target.put(sha256, content)
        copied += 1
    return copied


def backup(url: str, out: Path, attachment_store: str | None = None) -> Path:
    """Write a backup of the database at ``url`` to ``out`` (replaced if it exists),
    and of its attachment store to ``out.attachments/`` (new files added)."""
    location = locate(url, attachment_store)
    if location is None and _sqlite_path(url) is None:
        raise BackupError("the attachment store is not known",
                          "give --attachments DIR (or set KIOSK_ATTACHMENTS) as to serve")
    _backup_database(url, out)
    if location is not None:
        _copy_files(LazyStore(location, url).resolve(), DiskStore(files_folder(out)))
    return out


def _backup_database(url: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    source = _sqlite_path(url)
    try:
        if source is not None:
            if not source.is_file():
                raise BackupError(f"{source} does not exist", "check --db")
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, \
                    sqlite3.connect(partial) as dst:
                src.backup(dst)
                if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BackupError("the backup copy does not read back whole",
                                      "check the disk, then run the backup again")
            src.close()
            dst.close()
        else:
            result = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner",
                                     "--file", str(partial), _libpq_url(url)],
                                    capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}",
                                  "check the database address and that its user may read")
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def restore(backup_file: Path, url: str, *, force: bool = False,
            attachment_store: str | None = None) -> None:
    """Put ``backup_file`` in place as the database at ``url``, and its attachment files
    into the store; an existing SQLite file (or a PostgreSQL database with tables) is
    only replaced with ``force``."""
    if not backup_file.is_file():
        raise BackupError(f"{backup_file} does not exist", "give the backup file (--from PATH)")
    files = files_folder(backup_file)
    location = locate(url, attachment_store)
    if files.is_dir() and location is None:
        raise BackupError("the backup has attachment files and there is no store to put "
                          "them in", "give --attachments DIR (or set KIOSK_ATTACHMENTS)")
    _restore_database(backup_file, url, force)
    if files.is_dir() and location is not None:
        _copy_files(DiskStore(files), LazyStore(location, url).resolve())


def _restore_database(backup_file: Path, url: str, force: bool) -> None:
    target = _sqlite_path(url)
    if target is not None:
        if target.exists() and not force:
            raise BackupError(f"{target} exists",
                              "stop the server, then add --force to replace it")
        check = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            whole = check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            whole = False
        finally:
            check.close()
        if not whole:
            raise BackupError(f"{backup_file} is not a whole SQLite database",
                              "restore another backup")
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(backup_file, staged)
        for suffix in ("-wal", "-shm"):  # the old file's journal must not replay onto the new
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        staged.replace(target)
        return
    command = [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error",
               "--dbname", _libpq_url(url)]
    if force:
        command[1:1] = ["--clean", "--if-exists"]
    result = subprocess.run([*command, str(backup_file)], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:400]}",
                          "restore into an empty database (createdb), or add --force")
