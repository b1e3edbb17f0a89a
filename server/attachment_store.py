"""Where attachment bytes live: content-addressed files on disk, or an S3-compatible bucket.

The database keeps what the server knows of each attachment (sha256, type, size,
uploader: ``attachments``); the bytes are in a store of their own, named by their
sha256. A file never changes once written, so writing the same bytes again is a no-op,
backups copy only what they lack, and every read is checked against its name.

Where the store is (``locate``): the ``attachment_store`` setting (``serve``/``migrate``
``--attachments``, else the ``KIOSK_ATTACHMENTS`` environment variable): a folder, or
``s3://bucket/prefix``. Without one, a SQLite database keeps its attachments in a
folder next to its file (``server.db`` -> ``server.db.attachments/``); a PostgreSQL
server must be told.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

log = logging.getLogger("server.attachment_store")

ENV = "KIOSK_ATTACHMENTS"
SQLITE_SUFFIX = ".attachments"


class StoreError(Exception):
    """The store cannot be used as configured, or lost a file: what, and what to do."""


class MissingStore(StoreError):
    """No store is configured and none can be derived from the database."""


class AttachmentStore(Protocol):
    """Bytes by sha256 (lowercase hex). ``get`` returns only bytes that hash to their name."""

    location: str

    def put(self, sha256: str, content: bytes) -> None: ...

    def get(self, sha256: str) -> bytes | None: ...

    def has(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def list(self) -> Iterator[tuple[str, float]]:
        """Every (sha256, time written as a Unix time) in the store."""
        ...


def _check_name(sha256: str, content: bytes) -> None:
    if hashlib.sha256(content).hexdigest() != sha256:
        raise StoreError(f"bytes do not hash to {sha256}")


def _is_sha256(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


class DiskStore:
    """Files under ``root/ab/cd/<sha256>``: two levels of fan-out keep folders small
    (65,536 of them hold millions of files at a few dozen each).

    A write goes to a temporary file in the final folder, is fsynced, renamed into
    place, and the folder fsynced: after a power cut a file is whole or absent, and a
    committed row never names a file that was still in a page cache."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def path(self, sha256: str) -> Path:
        if not _is_sha256(sha256):
            raise StoreError(f"not a sha256: {sha256[:80]!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, content: bytes) -> None:
        _check_name(sha256, content)
        final = self.path(sha256)
        if final.is_file() and final.stat().st_size == len(content):
            # Content-addressed: the same name holds the same bytes. Touched, so that the
            # orphan sweep's age guard counts from this upload (its row is about to commit).
            os.utime(final)
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=".", suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _fsync_dir(final.parent)

    def get(self, sha256: str) -> bytes | None:
        path = self.path(sha256)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            return None
        if hashlib.sha256(content).hexdigest() != sha256:
            # Damaged on disk: set aside (not served, not deleted) so that the next
            # upload of these bytes writes them again.
            log.error("attachment file %s does not match its name; moved aside", path)
            with contextlib.suppress(OSError):
                path.replace(path.with_name(f"{sha256}.damaged"))
            return None
        return content

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        path = self.path(sha256)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            _fsync_dir(path.parent)

    def list(self) -> Iterator[tuple[str, float]]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                for entry in os.scandir(second):
                    if _is_sha256(entry.name) and entry.is_file():
                        yield entry.name, entry.stat().st_mtime


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class S3Store:
    """Objects ``prefix/ab/cd/<sha256>`` in an S3-compatible bucket (boto3, the ``s3``
    extra). Endpoint and credentials come from boto3's usual settings
    (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
    ``AWS_DEFAULT_REGION``, or ``~/.aws``). A PUT is atomic by S3's own rules."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        if client is None:
            try:
                import boto3
            except ImportError:
                raise StoreError("an s3:// attachment store needs boto3: pip install "
                                 "'kiosk[s3]'") from None
            client = boto3.client("s3")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}".rstrip("/")

    def key(self, sha256: str) -> str:
        if not _is_sha256(sha256):
            raise StoreError(f"not a sha256: {sha256[:80]!r}")
        name = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def _missing(self, error: Exception) -> bool:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
        return code in {"404", "NoSuchKey", "NotFound"}

    def put(self, sha256: str, content: bytes) -> None:
        _check_name(sha256, content)
        # Always written (S3 replaces objects whole): its time is then this upload's,
        # which the orphan sweep's age guard counts from.
        self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=content)

    def get(self, sha256: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as error:
            if self._missing(error):
                return None
            raise
        content: bytes = answer["Body"].read()
        if hashlib.sha256(content).hexdigest() != sha256:
            log.error("attachment object %s does not match its name", self.key(sha256))
            return None
        return content

    def has(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as error:
            if self._missing(error):
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def list(self) -> Iterator[tuple[str, float]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, **({"Prefix": f"{self.prefix}/"} if self.prefix else {}))
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if _is_sha256(name):
                    yield name, item["LastModified"].timestamp()


def locate(db_url: str, setting: str | None = None) -> str | None:
    """Where the attachments of the database at ``db_url`` are: the setting, else
    $KIOSK_ATTACHMENTS, else a folder next to a SQLite file; None if it cannot be told
    (PostgreSQL, or in-memory SQLite, without a setting)."""
    chosen = setting or os.environ.get(ENV)
    if chosen:
        return chosen
    if db_url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        database = make_url(db_url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            return f"{database}{SQLITE_SUFFIX}"
    return None


def open_store(location: str) -> AttachmentStore:
    """The store at ``location``: a folder path, or ``s3://bucket/prefix``."""
    if location.startswith("s3://"):
        parts = urlsplit(location)
        if not parts.netloc:
            raise StoreError(f"{location}: give a bucket (s3://BUCKET/PREFIX)")
        return S3Store(parts.netloc, parts.path)
    if "://" in location:
        raise StoreError(f"{location}: an attachment store is a folder or s3://BUCKET/PREFIX")
    return DiskStore(Path(location).expanduser().resolve())


class LazyStore:
    """The store of a database, opened on first use; explains itself when there is none."""

    def __init__(self, location: str | None, db_url: str) -> None:
        self.location_setting = location
        self._store: AttachmentStore | None = None
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        self._db_url = db_url

    def resolve(self) -> AttachmentStore:
        if self._store is None:
            if self.location_setting is None:
                if self._db_url.startswith("sqlite"):
                    # In-memory SQLite: its attachments are as short-lived as it is.
                    self._temporary = tempfile.TemporaryDirectory(prefix="kiosk-attachments-")
                    self.location_setting = self._temporary.name
                else:
                    raise MissingStore(
                        "no attachment store: give --attachments DIR (or s3://BUCKET/PREFIX), "
                        f"or set {ENV}; see docs/server-operations.md")
            self._store = open_store(self.location_setting)
        return self._store


def sweep_orphans(store: AttachmentStore, known: set[str], older_than_s: float,
                  now: float | None = None) -> int:
    """Delete the files no row names (``known``: every sha256 the database holds) that are
    older than ``older_than_s``: a file is written before its row commits, so a young
    file without a row may be an upload in flight. Returns how many went."""
    now = time.time() if now is None else now
    gone = 0
    for sha256, written in list(store.list()):
        if sha256 not in known and now - written > older_than_s:
            store.delete(sha256)
            gone += 1
    return gone
