"""Doctor checks of the data folder, its disk, the database and the outbox.

Read-only, except one probe: a temporary file created, fsynced and deleted in
the data folder, because only a real write proves the folder is writable
(read-only mounts, ``ProtectSystem=`` and full disks all pass ``os.access``).
The database is opened with ``mode=ro``; SQLite may still create its ``-shm``
index beside a WAL database, which is how every reader works.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from kiosk.doctor.check import Check, current_user, failed, passed, service_user
from kiosk.doctor.diagnostics import format_age, outbox_stats, quarantined_count
from kiosk.storage import sqlite as sqlite_errors
from kiosk.storage.database import integrity_problem
from kiosk.storage.errors import DAMAGED_FIX
from kiosk.storage.migrations import MIGRATIONS

DISK_ERROR_BYTES = 50 * 1024 * 1024
DISK_WARNING_BYTES = 500 * 1024 * 1024
OUTBOX_AGE_WARNING_S = 3600.0
DB_FILES = ("kiosk.sqlite3", "kiosk.sqlite3-wal", "kiosk.sqlite3-shm",
            "kiosk-cache.sqlite3", "kiosk-cache.sqlite3-wal", "kiosk-cache.sqlite3-shm")
READ_FILES = ("enrollment.json", "signing-key")


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def _chown_fix(data_dir: Path) -> str:
    user = service_user()
    return f"chown -R {user}:{user} {data_dir}"


def check_data_dir(data_dir: Path) -> Check:
    """The data folder exists (or can be created) and takes a real, synced write."""
    if data_dir.exists() and not data_dir.is_dir():
        return failed("data_dir", "error", f"the data folder {data_dir} is a file, not a folder",
                      "set terminal.data_dir to a folder, or move the file away")
    if not data_dir.exists():
        return _check_creatable(data_dir)
    try:
        fd, probe = tempfile.mkstemp(prefix=".kiosk-doctor-", dir=data_dir)
        try:
            os.write(fd, b"kiosk doctor write probe\n")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        return _write_failure(data_dir, exc)
    unwritable = [name for name in DB_FILES if (data_dir / name).exists()
                  and not os.access(data_dir / name, os.R_OK | os.W_OK)]
    unwritable += [name for name in READ_FILES if (data_dir / name).exists()
                   and not os.access(data_dir / name, os.R_OK)]
    if unwritable:
        return failed("data_dir", "error",
                      f"{', '.join(unwritable)} in {data_dir} cannot be used by {current_user()} "
                      "(made by another user, often root after a 'sudo kiosk ...')",
                      _chown_fix(data_dir))
    return passed("data_dir", f"{data_dir} is writable (write + fsync probe)")


def _check_creatable(data_dir: Path) -> Check:
    ancestor = _existing_ancestor(data_dir)
    create = f"install -d -o {service_user()} -g {service_user()} -m 0700 {data_dir}"
    if not ancestor.is_dir():
        return failed("data_dir", "error",
                      f"the data folder {data_dir} cannot be created: {ancestor} is a file",
                      "set terminal.data_dir to a folder path, e.g. /var/lib/kiosk")
    if os.statvfs(ancestor).f_flag & os.ST_RDONLY:
        return failed("data_dir", "error", f"the data folder {data_dir} cannot be created: "
                      f"{ancestor} is on a read-only filesystem",
                      f"use a folder on a writable filesystem, e.g. /var/lib/kiosk: {create}")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return failed("data_dir", "error", f"the data folder {data_dir} cannot be created: "
                      f"{ancestor} is not writable by {current_user()}", create)
    return passed("data_dir", f"{data_dir} does not exist yet; the terminal creates it at start "
                  f"({ancestor} is writable)")


def _write_failure(data_dir: Path, exc: OSError) -> Check:
    if exc.errno == errno.EROFS:
        return failed("data_dir", "error", f"{data_dir} is on a read-only filesystem",
                      "remount it read-write or move terminal.data_dir to /var/lib/kiosk; under "
                      "systemd with ProtectSystem=strict the folder must be in ReadWritePaths=")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return failed("data_dir", "error", f"no space left to write in {data_dir}",
                      "free disk space: journalctl --vacuum-size=100M, remove old files")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return failed("data_dir", "error",
                      f"{data_dir} is not writable by {current_user()}", _chown_fix(data_dir))
    return failed("data_dir", "error", f"cannot write in {data_dir} ({exc.strerror})",
                  "check the folder and the disk (dmesg for I/O errors)")


def check_disk(data_dir: Path) -> Check:
    """Free space on the data folder's filesystem: SQLite needs room for its journal."""
    where = _existing_ancestor(data_dir)
    free = shutil.disk_usage(where).free
    text = f"{free // (1024 * 1024)} MB free on the filesystem of {where}"
    if free < DISK_ERROR_BYTES:
        return failed("disk", "error", text + ": punches may fail to save",
                      "free space now: journalctl --vacuum-size=100M; apt-get clean")
    if free < DISK_WARNING_BYTES:
        return failed("disk", "warning", text,
                      "free some space: journalctl --vacuum-size=100M; apt-get clean")
    return passed("disk", text)


def check_database(database: Path, *, syncing: bool) -> list[Check]:
    """Schema version, soundness (``PRAGMA quick_check``), outbox (depth, oldest queued
    item, rejected items) and pulled changes set aside, read-only."""
    if not database.exists():
        return [passed("database", f"{database} not created yet; the terminal creates it")]
    try:
        conn = sqlite_errors.connect(database.resolve().as_uri() + "?mode=ro", uri=True,
                                     timeout=5.0)
    except sqlite_errors.Error as exc:
        return [failed("database", "error", f"cannot open {database} ({exc})",
                       _chown_fix(database.parent))]
    try:
        return _inspect(conn, database, syncing)
    except sqlite_errors.OperationalError as exc:  # locked, I/O error: not a verdict on the file
        return [failed("database", "error", f"{database} cannot be read ({exc})",
                       "check the disk (dmesg for I/O errors) and that no other program "
                       "holds the file; then run kiosk doctor again")]
    except sqlite_errors.DatabaseError as exc:
        return [_damaged(database, str(exc))]
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, database: Path, syncing: bool) -> list[Check]:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    latest = len(MIGRATIONS)
    if version > latest:
        return [failed("database", "error", f"{database} has schema version {version}, newer "
                       f"than this software ({latest}): the terminal refuses to start",
                       "install the terminal version that wrote this database")]
    problem = integrity_problem(conn)
    if problem:
        checks = [_damaged(database, problem)]
    elif version < latest:
        checks = [passed("database", f"{database}: schema version {version}, upgraded to "
                         f"{latest} at the next start")]
    else:
        checks = [passed("database", f"{database}: schema version {version} (current)")]
    if version == 0:
        return checks
    stats = outbox_stats(conn)  # the same numbers as the admin screen's
    checks.append(_outbox_check(stats.depth, stats.oldest_age_s, syncing))
    quarantined = quarantined_count(conn)
    if quarantined:
        checks.append(failed(
            "quarantine", "warning", ("1 change from the server was" if quarantined == 1 else
                                      f"{quarantined} changes from the server were")
            + " not applied here but set aside (table "
            "pull_quarantine of the database; the other changes were applied)",
            "upgrade the terminal software if the server was upgraded; otherwise report it "
            "to the server's administrator with the error column of pull_quarantine "
            "(sqlite3 kiosk.sqlite3 'SELECT change_type, error FROM pull_quarantine')"))
    if stats.rejected:
        last = f"; the latest: {stats.last_rejection}" if stats.last_rejection else ""
        checks.append(failed(
            "rejected", "warning", f"{_items(stats.rejected)} refused by the server (kept, never "
            f"resent){last}", "see them on the admin screen (admin badge, then the PIN); the "
            "usual causes are a contact list or an employee changed on the server since "
            "the action"))
    return checks


def _damaged(database: Path, finding: str) -> Check:
    return failed("database", "error", f"{database} is damaged (SQLite: {finding}); the "
                  "terminal shows a storage fault and may refuse badges", DAMAGED_FIX)


def _outbox_check(depth: int, age_s: float | None, syncing: bool) -> Check:
    if depth == 0:
        return passed("outbox", "outbox empty: everything was sent")
    age_s = age_s or 0.0
    if not syncing:
        return passed("outbox", f"{_items(depth)} kept locally (this terminal does not sync), "
                      f"the oldest from {format_age(age_s)} ago")
    text = f"{_items(depth)} waiting to be sent, the oldest from {format_age(age_s)} ago"
    if age_s > OUTBOX_AGE_WARNING_S:
        return failed("outbox", "warning", text + ": the outbox is not draining",
                      "see the server checks below; nothing is lost, items leave when the "
                      "server answers (sync errors: journalctl -u kiosk-terminal)")
    return passed("outbox", text)


def _items(n: int) -> str:
    return f"{n} outbox item" if n == 1 else f"{n} outbox items"
