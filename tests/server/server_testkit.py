"""Helpers for the server tests: an HTTP terminal client and push item builders."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from server.db import Database
from server.repo import terminals

WALL_TIME = "2026-03-02T07:58:00+01:00"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class World:
    site: int
    other_site: int
    hr: int
    alice: int  # worker at site; may write to bob, hr and group line3
    bob: int  # manager at site
    carol: int  # worker at other_site; may write to alice; member of line3, may not post
    line3: int  # group: alice and bob may post, carol may not
    alice_badge: str = "0F00123456"


def enrollment_code(db: Database, site_id: int, ttl: timedelta = timedelta(hours=1)) -> str:
    with db.write() as conn:
        return terminals.create_enrollment_code(conn, site_id, ttl)[0]


class Terminal(httpx.Client):
    """An enrolled terminal talking real HTTP to the server."""

    terminal_id: int

    def push(self, *items: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.post("/v1/push", json={"items": list(items)})
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def pull_all(self, cursor: str | None = None) -> tuple[list[dict[str, Any]], str]:
        """Every change after ``cursor``, following ``more``; returns (changes, cursor)."""
        changes: list[dict[str, Any]] = []
        while True:
            response = self.get("/v1/pull", params={"cursor": cursor} if cursor else {})
            assert response.status_code == 200, response.text
            body = response.json()
            changes += body["changes"]
            cursor = body["cursor"]
            if not body["more"]:
                return changes, cursor


def of_type(changes: list[dict[str, Any]], change_type: str) -> list[dict[str, Any]]:
    return [c for c in changes if c["type"] == change_type]


def item(kind: str, payload: dict[str, Any], seq: int = 1,
         item_id: str | None = None) -> dict[str, Any]:
    return {"id": item_id or str(uuid.uuid4()), "seq": seq, "kind": kind, "payload": payload}


def punch(employee_id: int, direction: str = "IN", **extra: Any) -> dict[str, Any]:
    return item("punch", {"employee_id": employee_id, "direction": direction,
                          "wall_time": WALL_TIME, "monotonic_ns": 123_456_789,
                          "boot_id": "boot-1", **extra})


def text_message(sender: int, to_employees: tuple[int, ...] = (),
                 to_groups: tuple[int, ...] = (), body: str = "Forklift parked at gate 2",
                 **extra: Any) -> dict[str, Any]:
    return item("message", {"sender_id": sender, "to_employees": list(to_employees),
                            "to_groups": list(to_groups), "kind": "text", "body": body, **extra})


def run_cli(db_path: Path | str | None, *args: str,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `python -m server ARGS --db DB` as a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    db_args = ["--db", str(db_path)] if db_path is not None else []
    done = subprocess.run([sys.executable, "-m", "server", *args, *db_args],
                          capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=60)
    if check:
        assert done.returncode == 0, done.stderr
    return done
