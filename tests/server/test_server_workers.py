"""Several server processes on one database: ``serve --workers N``, and the periodic
jobs run by one process at a time, handed over when it stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from server_testkit import enrollment_code

from server.config import ServerSettings
from server.db import Database, url_from_path
from server.embedded import start_embedded_server
from server.repo import directory

REPO = Path(__file__).resolve().parents[2]
LEADER_LINE = "this process runs the periodic jobs"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--db", str(db), "--port", str(port),
         "--workers", "2", "--render-processes", "0"],
        cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(REPO)})


def _wait_until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_two_workers_serve_and_run_the_periodic_jobs_in_one_of_them(tmp_path: Path) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    process = _serve(tmp_path / "kiosk.db", port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        assert _wait_until(lambda: _healthy(url), 30), log.read_text()
        assert all(_healthy(url) for _ in range(10))
        assert _wait_until(lambda: LEADER_LINE in log.read_text(), 15), log.read_text()
        time.sleep(1.0)  # the other worker has tried too by now
        assert log.read_text().count(LEADER_LINE) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


def test_stopping_the_workers_answers_a_held_long_poll_at_once(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    db = Database(url_from_path(path))
    db.migrate()
    with db.write() as conn:
        site = directory.create_site(conn, "Plant A")
    code = enrollment_code(db, site)
    db.dispose()
    port, log = _free_port(), tmp_path / "serve.log"
    process = _serve(path, port, log)
    url = f"http://127.0.0.1:{port}"
    assert _wait_until(lambda: _healthy(url), 30), log.read_text()
    token = httpx.post(f"{url}/v1/enroll", json={"code": code, "terminal_name": "T"}).json()[
        "token"]
    headers = {"Authorization": f"Bearer {token}"}
    cursor = httpx.get(f"{url}/v1/pull", headers=headers).json()["cursor"]
    done: dict[str, float] = {}

    def long_poll() -> None:
        try:
            httpx.get(f"{url}/v1/pull", headers=headers,
                      params={"cursor": cursor, "wait": 25}, timeout=30)
        except httpx.TransportError:
            pass
        done["at"] = time.monotonic()

    poll = threading.Thread(target=long_poll)
    poll.start()
    time.sleep(0.5)
    stopped = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(20)
    poll.join(30)
    assert done["at"] - stopped < 8  # not the long-poll's 25 s


def test_the_periodic_jobs_move_to_another_process_when_their_runner_stops(
    db_path: Path | str,
) -> None:
    quick = ServerSettings(leader_retry_s=0.2, drawing_render_processes=0)
    first = start_embedded_server(db_path, "127.0.0.1", 0, quick)
    second = start_embedded_server(db_path, "127.0.0.1", 0, quick)
    try:
        servers = (first, second)
        assert _wait_until(lambda: any(s.app.state.leadership.is_leader for s in servers), 5)
        time.sleep(0.5)
        leaders = [s for s in servers if s.app.state.leadership.is_leader]
        assert len(leaders) == 1
        leader = leaders[0]
        follower = second if leader is first else first
        leader.stop()
        assert _wait_until(lambda: follower.app.state.leadership.is_leader, 5)
    finally:
        first.stop()
        second.stop()


def test_every_setting_reaches_the_worker_processes_unchanged() -> None:
    import dataclasses
    from datetime import timedelta

    from server import asgi

    changed = dataclasses.replace(
        ServerSettings(), token_grace=timedelta(hours=3), push_rows_per_minute=7,
        console=dataclasses.replace(ServerSettings().console, lockout_after=9))
    db_url, settings = asgi.decode(asgi.encode("sqlite:////tmp/x.db", changed, "debug"))
    assert (db_url, settings) == ("sqlite:////tmp/x.db", changed)


def _serve_and_wait(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_ATTACHMENTS"}
    return subprocess.run(
        [sys.executable, "-m", "server", "serve", "--port", str(_free_port()), *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**env, "PYTHONPATH": str(REPO)})


def test_workers_on_postgresql_with_no_attachment_store_stop_at_once_saying_what_to_give(
        pg_url: str, tmp_path: Path) -> None:
    # uvicorn restarts a worker that fails to start, forever: the parent checks first.
    done = _serve_and_wait(["--db", pg_url, "--workers", "2"], tmp_path)
    assert done.returncode == 1
    assert "--attachments DIR" in done.stderr and "Traceback" not in done.stderr


def test_a_database_that_cannot_be_opened_is_named_without_its_password(
        tmp_path: Path) -> None:
    url = "postgresql+psycopg://kiosk:hunter2@127.0.0.1:1/nowhere"
    for workers in ("1", "2"):
        done = _serve_and_wait(["--db", url, "--attachments", str(tmp_path / "files"),
                                "--workers", workers], tmp_path)
        assert done.returncode == 1, done.stderr
        assert "cannot open the database --db postgresql+psycopg://kiosk:***@127.0.0.1:1" \
            in done.stderr
        assert "hunter2" not in done.stderr and "Traceback" not in done.stderr
