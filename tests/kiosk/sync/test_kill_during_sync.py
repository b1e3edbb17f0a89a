"""A terminal killed with SIGKILL at random points while syncing loses and duplicates nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from kiosk.domain.terminal import Terminal
from kiosk.sync.credentials import Enrollment, save_enrollment
from server.db import schema

REPO = Path(__file__).resolve().parents[3]


def start_headless(config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--headless", "--config", str(config)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def server_punch_ids(server_db) -> list[str]:
    with server_db.read() as conn:
        return list(conn.execute(select(schema.punches.c.id)).scalars())


def test_sigkill_at_random_points_leaves_every_punch_on_the_server_exactly_once(
    server, server_db, site, token, tmp_path
):
    data_dir = tmp_path / "terminal"
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"[terminal]\ndata_dir = '{data_dir}'\n[reader]\nprotocol = 'virtual'\n"
        f"[server]\nurl = '{server.url}'\n"
    )
    save_enrollment(data_dir, Enrollment(server.url, token, 1, {"id": site.site}))
    rng = random.Random(20261127)
    made: list[str] = []
    for _ in range(6):
        term = Terminal.open(data_dir / "kiosk.sqlite3")
        made += [term.punches.record(site.alice).id for _ in range(rng.randint(50, 400))]
        term.close()
        process = start_headless(config)
        time.sleep(rng.uniform(0.3, 1.5))  # start-up, mid-batch, between batches...
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    process = start_headless(config)
    try:
        deadline = time.monotonic() + 60
        while len(server_punch_ids(server_db)) < len(made) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(10)
    ids = server_punch_ids(server_db)
    assert sorted(ids) == sorted(made)
    with server_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.punches)).scalar_one() == len(
            made
        )
