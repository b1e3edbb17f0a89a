"""Benchmark: tap on a quick reply -> message and outbox row committed (target p95 <= 30 ms).

In-process, on the real app: the demo company in a fresh SQLite file, a worker
badged in, a message open with its quick-reply chips.  Each run is a finger down
on the first chip; t0 is taken just before the finger goes up (the chip acts on
release), t1 when the station's result reaches the message screen (its undo bar
text is set): the core worker has then committed the message and its outbox row
(synchronous=FULL) and handed the result back to the UI thread.  Each reply is
then taken back with Undo, so every run starts from the same state.  The same
commit timed alone (``Terminal.send_message`` on its own connection) is printed
for reference, measured in the same run.

    python bench/quick_reply_sent.py [--runs 40] [--size 800x480]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import percentile  # noqa: E402
from kiosk.demo.company import DEMO_WORKERS, demo_message_id  # noqa: E402
from kiosk.demo.prepare import demo_config  # noqa: E402
from kiosk.ui.wiring.boot import configure_kivy  # noqa: E402

GROUP_MESSAGE = demo_message_id(2)  # the line manager to line 1: replies allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--size", default="800x480")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    configure_kivy(width, height, headless=True)
    from kivy.tests.common import UnitTestTouch

    from kiosk.ui.tooling.harness import Harness
    from kiosk.ui.wiring.app import KioskApp

    config = demo_config(Path(tempfile.mkdtemp(prefix="kiosk-bench-")))
    harness = Harness(KioskApp(config))
    harness.start()
    worker = next(w for w in DEMO_WORKERS if w.badge_active and w.employee.id == 1)
    message = harness.screen("message")
    committed: list[float] = []
    message.bind(undo_text=lambda _s, text: committed.append(time.perf_counter()) if text else None)
    delays: list[float] = []
    try:
        harness.present(worker.badge)
        harness.wait_for_screen("welcome")
        harness.router.open_message(GROUP_MESSAGE)
        harness.wait_until(lambda: len(message.ids.quick_row.children) > 1, 5, "the chips")
        harness.pump(0.2)
        for _ in range(args.runs):
            chip = message.ids.quick_row.children[-1]
            x, y = chip.to_window(*chip.center)
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            harness.pump(0.02)
            committed.clear()
            t0 = time.perf_counter()
            touch.touch_up()
            harness.wait_until(lambda: bool(committed), 5.0, "the commit")
            delays.append(committed[0] - t0)
            harness.tap(message.ids.undo_button)
            harness.wait_until(lambda: not message.undo_text and bool(message.hint_text), 5,
                               "the undo")
            harness.pump(0.05)
    finally:
        harness.stop()
    alone = _commit_alone(config.database_path, args.runs)
    ms = [d * 1000 for d in delays[3:]]  # the first runs warm caches
    print(f"tap -> quick reply committed: {len(ms)} taps at {args.size} (after 3 warm-up taps)")
    print(f"  median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms (target p95 <= 30 ms)")
    print(f"  the commit alone: median {statistics.median(alone):.1f} ms, "
          f"p95 {percentile(alone, 95):.1f} ms")
    return 0


def _commit_alone(path: Path, runs: int) -> list[float]:
    from kiosk.domain.terminal import Terminal

    terminal = Terminal.open(path)
    try:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            message_id = terminal.send_message(1, [8], [], "OK", GROUP_MESSAGE, hold_s=5)
            times.append((time.perf_counter() - t0) * 1000)
            terminal.withdraw_message(message_id, 1)
        return times
    finally:
        terminal.close()


if __name__ == "__main__":
    raise SystemExit(main())
