"""Benchmark: tap on "Messages" -> inbox drawn with its rows, 10,000 cached messages (≤ 100 ms).

In-process, on the real app: the demo company in a fresh SQLite file plus
``--messages`` messages for one worker (FR/EN bodies over 90 days, some unread,
some to acknowledge), stored with ``MessageStore.put`` in one transaction.  The
worker badges in through the virtual reader; each run is a finger down on the
welcome screen's "Messages" button, t0 just before the finger goes up, t1 in the
first ``on_flip`` (after ``glFinish``) whose frame shows the inbox with its rows
laid out.  Then back to the welcome screen for the next run.  By default the runs
start once the punch's undo window is over (nothing else redraws the screen);
``--during-undo`` taps while the undo countdown still redraws it 10 times a second.  The query alone
(``Terminal.inbox``, on its own connection) is timed for reference.

    python bench/inbox_open.py [--runs 30] [--messages 10000] [--size 800x480] [--during-undo]
        [--store plain|encrypted|both [--rounds N]]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.store_variants import BENCH_KEY, encrypt_store, parse_store_args, run_both, unlock  # noqa: E402
from bench.sync_site import percentile  # noqa: E402
from kiosk.demo.company import DEMO_WORKERS  # noqa: E402
from kiosk.demo.prepare import demo_config  # noqa: E402
from kiosk.domain.messages import IncomingMessage, MessageStore  # noqa: E402
from kiosk.storage import open_database, transaction  # noqa: E402
from kiosk.ui.wiring.boot import configure_kivy  # noqa: E402

_FR = (
    "Rappel : la visite médicale annuelle a lieu jeudi de 9 h à 12 h en salle B.",
    "Ligne {n} : changement de série à 14 h, merci de préparer les gabarits.",
    "Réunion sécurité demain à 7 h 45 devant le quai {n}. Présence obligatoire.",
    "Le planning de la semaine prochaine est affiché à l'entrée de l'atelier.",
    "Merci pour le coup de main hier soir, la commande {n} est partie à l'heure 👍",
    "Attention : l'allée {n} est fermée pour travaux jusqu'à vendredi. Passez par le "
    "côté nord, et gardez vos chaussures de sécurité.",
)
_EN = (
    "Reminder: the annual medical check is on Thursday, 9am to noon, room B.",
    "Logistics: the truck from Lyon arrives at 6:30 tomorrow, dock {n}.",
    "Can you cover my Saturday shift? Thanks!",
    "Quality target reached this month on line {n}: well done everyone.",
    "New badge readers are installed at gate {n}; the old ones stop working on Monday, "
    "so please try yours before then.",
)


def seed_inbox(db_path: Path, employee_id: int, count: int, seed: int = 4) -> None:
    """``count`` messages for ``employee_id``, newest an hour ago, spread over 90 days."""
    rng = random.Random(seed)
    senders = [w.employee for w in DEMO_WORKERS if w.employee.id != employee_id]
    now = datetime.now(UTC)
    messages = []
    for n in range(count):
        sender = rng.choice(senders)
        bodies = _FR if sender.language == "fr" else _EN
        ack = rng.random() < 0.05
        messages.append(IncomingMessage(
            id=f"bench-{n:06d}", sender_id=sender.id, sender_name=sender.display_name,
            body=rng.choice(bodies).format(n=rng.randint(1, 9)),
            created_at=now - timedelta(hours=1, seconds=rng.uniform(0, 90 * 86400)),
            recipients=(employee_id,), ack_required=ack, reply_allowed=not ack,
        ))
    db = open_database(db_path)
    try:
        with transaction(db) as conn:
            MessageStore.put(conn, messages)
            # All but the newest ~40 and a few scattered ones read (as after months of use).
            conn.execute(
                "UPDATE message_recipients SET read_at = ? WHERE employee_id = ? "
                "AND message_id IN (SELECT id FROM messages WHERE id LIKE 'bench-%' "
                "ORDER BY created_at DESC LIMIT -1 OFFSET 40) AND abs(random()) % 50 != 0",
                (now.isoformat(), employee_id),
            )
        db.execute("ANALYZE")
    finally:
        db.conn.close()


def time_query(db_path: Path, employee_id: int, runs: int = 50,
               key: bytes | None = None) -> list[float]:
    from kiosk.domain.terminal import Terminal

    terminal = Terminal.open(db_path, key)
    try:
        out = []
        for _ in range(runs):
            t0 = time.perf_counter()
            terminal.inbox(employee_id)
            out.append((time.perf_counter() - t0) * 1000)
        return out
    finally:
        terminal.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--during-undo", action="store_true",
                        help="tap while the welcome screen's undo countdown still redraws it "
                             "10 times a second (by default the runs start once it is over)")
    args = parse_store_args(parser, argv)
    if args.store == "both":
        return run_both(Path(__file__), argv)
    width, height = (int(v) for v in args.size.split("x"))
    configure_kivy(width, height, headless=True)
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish
    from kivy.tests.common import UnitTestTouch

    from kiosk.ui.tooling.harness import Harness
    from kiosk.ui.wiring.app import KioskApp

    worker = DEMO_WORKERS[0]
    employee_id = worker.employee.id
    config = demo_config(Path(tempfile.mkdtemp(prefix="kiosk-bench-")), session_timeout_s=600,
                         punch_undo_s=60 if args.during_undo else 2)
    db_path = config.data_dir / "kiosk.sqlite3"
    t = time.perf_counter()
    seed_inbox(db_path, employee_id, args.messages)
    print(f"seeded {args.messages} messages in {time.perf_counter() - t:.1f} s")
    key = None
    if args.store == "encrypted":
        encrypt_store(db_path)
        key = BENCH_KEY
    sql = time_query(db_path, employee_id, key=key)
    print(f"Terminal.inbox alone: median {statistics.median(sql):.2f} ms, "
          f"p95 {percentile(sql, 95):.2f} ms ({len(sql)} calls)")

    harness = Harness(KioskApp(config))
    harness.start()
    if args.store == "encrypted":
        unlock(harness)
    router = harness.router
    inbox = harness.screen("inbox")
    welcome = harness.screen("welcome")
    drawn: list[float] = []

    def rows_shown() -> bool:
        view = inbox.ids.list_view
        return (router.current == "inbox" and inbox.state == "list"
                and bool(view.layout_manager.children) and bool(view.data))

    def on_flip(*_: object) -> None:
        if not drawn and rows_shown():
            glFinish()  # the frame is rasterised, not just queued to the GL driver
            drawn.append(time.perf_counter())

    delays: list[float] = []
    harness.present(worker.badge)
    harness.wait_for_screen("welcome", 10)
    if not args.during_undo:
        harness.wait_until(lambda: not welcome.can_change, 10, "the undo window to close")
    Window.bind(on_flip=on_flip)
    try:
        for _ in range(args.runs):
            if router.station.session is None:
                harness.present(worker.badge)
            harness.wait_for_screen("welcome", 10)
            harness.pump(0.1)
            button = welcome.ids.messages_button
            touch = UnitTestTouch(*button.to_window(*button.center))
            touch.touch_down()
            harness.pump(0.05)
            drawn.clear()
            t0 = time.perf_counter()
            touch.touch_up()
            harness.wait_until(lambda: bool(drawn), 10, "the inbox with its rows")
            delays.append(drawn[0] - t0)
            shown = inbox.rows[0]["sender"]
            router.back()
            harness.pump(0.1)
    finally:
        Window.unbind(on_flip=on_flip)
        harness.stop()
    ms = [d * 1000 for d in delays[3:]]  # the first runs warm caches (fonts, textures)
    when = "during the undo countdown" if args.during_undo else "after the undo window"
    print(f"tap Messages -> inbox drawn: {len(ms)} runs at {args.size} {when}, "
          f"{args.messages} messages, {len(inbox.rows)} rows loaded, first sender {shown!r}")
    print(f"  median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms (target <= 100 ms), {args.store} store")
    print(f"RESULT p95_ms={percentile(ms, 95):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
