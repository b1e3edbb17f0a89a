"""Benchmark: what sealing costs a message sent, on the core worker: ``Terminal.send_message``
on an encrypted store, sealed to a server key (outbox row first, then the Sent row)
against the same store without a server key (the old path: one transaction, in clear).

Text messages, and photo messages (a JPEG of random pixels, about 0.6 MB, sealed whole
before its transaction);
the rounds alternate sealed and plain, in one process, on one database each.

    python bench/sealed_send.py [--messages 200] [--photos 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from bench.sync_site import percentile  # noqa: E402
from contract.sealing import new_key_pair  # noqa: E402
from kiosk.demo.company import seed_demo  # noqa: E402
from kiosk.domain.models import PhotoAttachment  # noqa: E402
from kiosk.domain.terminal import Terminal  # noqa: E402
from kiosk.storage import open_database  # noqa: E402

CACHE_KEY = os.urandom(32)


def _photo() -> PhotoAttachment:
    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 750), os.urandom(1000 * 750 * 3)).save(out, "JPEG",
                                                                          quality=85)
    data = out.getvalue()
    return PhotoAttachment(data, hashlib.sha256(data).hexdigest(), 1000, 750)


def _terminal(folder: Path, sealed: bool) -> Terminal:
    path = folder / ("sealed" if sealed else "plain") / "kiosk.sqlite3"
    db = open_database(path)
    seed_demo(db)
    db.conn.close()
    return Terminal.open(path, CACHE_KEY, new_key_pair()[1] if sealed else None)


def _times(terminal: Terminal, count: int, photo: PhotoAttachment | None) -> list[float]:
    ms = []
    for n in range(count):
        t0 = time.perf_counter()
        terminal.send_message(1, [2], [], f"Message {n}: la palette 12 est au quai 3",
                              attachment=photo)
        ms.append((time.perf_counter() - t0) * 1000)
    return ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    terminals = {sealed: _terminal(folder, sealed) for sealed in (False, True)}
    photo = _photo()
    results: dict[tuple[str, bool], list[float]] = {}
    for _ in range(args.rounds):
        for sealed in (False, True):
            for what, count, attachment in (("text", args.messages, None),
                                            ("photo", args.photos, photo)):
                results.setdefault((what, sealed), []).extend(
                    _times(terminals[sealed], count, attachment))
    print(f"{args.rounds} rounds; photo {len(photo.data) / 1e6:.2f} MB; median / p95 ms")
    for what in ("text", "photo"):
        plain, sealed = results[(what, False)], results[(what, True)]
        print(f"  {what}: plain {statistics.median(plain):.2f} / {percentile(plain, 95):.2f}, "
              f"sealed {statistics.median(sealed):.2f} / {percentile(sealed, 95):.2f} "
              f"({statistics.median(sealed) / statistics.median(plain):.2f}x median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
