"""``python -m kiosk.ui.tooling.tour``: one window size, every screen, both languages, one PNG each.

Run by ``kiosk tour`` (one process per size and scenario).  The app is the real
one on a fresh demo company: badges go through the virtual reader's pty and
buttons are pressed with Kivy touch events.  Files are named
``<screen>-<lang>-<W>x<H>.png``.

Scenarios: ``main`` (idle, welcome, inbox, message, the acknowledgement asked
before leaving, compose with its picker and its keyboard, a photo and a drawing
message, a picture full screen, the sent list, the camera, a drawing over a
photo, the admin PIN pad and admin screen, unknown and disabled badge, the
message screens of a terminal whose message cache has no key yet, then the reader
unplugged) and ``storage`` (a database that cannot be opened:
the idle status and the notice).
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.ui.wiring.boot import configure_kivy

LANGUAGES = ("fr", "en")
Shot = Callable[[str], None]


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,4})x(\d{3,4})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}")
    return int(match[1]), int(match[2])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kiosk.ui.tooling.tour",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    parser.add_argument("--size", type=_size, default=(800, 480), metavar="WxH",
                        help="window size (default: 800x480)")
    parser.add_argument("--scenario", choices=("main", "storage", "all"), default="all",
                        help="which screens (default: all, as two processes)")
    parser.add_argument("--dpi", type=int, default=0, metavar="DPI",
                        help="screen density (default: a 7-inch panel at 800x480 and "
                             "smaller, a 10.1-inch one above)")
    parser.add_argument("--theme", choices=("dark", "light"), default="dark",
                        help="colours (default: dark; light files end in -light)")
    parser.add_argument("--check", action="store_true",
                        help="also check each screen: touch targets of at least 9 mm at "
                             "DPI, no label text overflowing; exit 3 if any fails")
    return parser


def panel_dpi(size: tuple[int, int]) -> int:
    """The density of a typical terminal panel of that resolution (7" or 10.1")."""
    diagonal_in = 7.0 if size[0] <= 800 else 10.1
    return round((size[0] ** 2 + size[1] ** 2) ** 0.5 / diagonal_in)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.scenario == "all":
        import subprocess

        size = f"{args.size[0]}x{args.size[1]}"
        worst = 0
        for scenario in ("main", "storage"):
            command = [sys.executable, "-m", "kiosk.ui.tooling.tour", "--out", str(args.out),
                       "--size", size,
                       "--scenario", scenario, "--dpi", str(args.dpi), "--theme", args.theme]
            command += ["--check"] if args.check else []
            code = subprocess.run(command, check=False).returncode
            if code not in (0, 3):
                return 1
            worst = max(worst, code)
        return worst
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    dpi = args.dpi or panel_dpi(args.size)
    configure_kivy(*args.size, headless=True)
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-tour-"))  # short: holds a socket
    try:
        problems = run_scenario(args.scenario, args.out, args.size, data_dir, dpi, args.check,
                                args.theme)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    for problem in problems:
        print(f"LAYOUT {problem}")
    return 3 if problems else 0


def run_scenario(scenario: str, out: Path, size: tuple[int, int], data_dir: Path,
                 dpi: int = 0, check: bool = False, theme: str = "dark") -> list[str]:
    """Save the scenario's screens; with ``check``, return their layout problems."""
    from kiosk.demo.company import DEMO_WORKERS
    from kiosk.demo.prepare import demo_config
    from kiosk.ui.tooling.harness import Harness
    from kiosk.ui.wiring.app import KioskApp

    # The first active demo worker of each language, and the lost (disabled) badge.
    badges = {}
    for w in reversed(DEMO_WORKERS):
        if w.badge_active:
            badges[w.employee.language] = w.badge
        else:
            badges["disabled"] = w.badge
    # Long timeouts: a slow machine must not end a session before its picture.
    settings = {"session_timeout_s": 600, "notice_s": 30, "punch_undo_s": 60}
    if scenario == "storage":
        config = demo_config(data_dir / "demo", **settings)
        # Where the database should be, a folder: SQLite cannot open it, as with
        # a read-only or vanished disk (chmod alone does not stop root).
        broken = data_dir / "broken"
        (broken / "kiosk.sqlite3").mkdir(parents=True)
        config = config.with_values(terminal__data_dir=str(broken))
    else:
        config = demo_config(data_dir, **settings)
    # The same badge twice: fine.  The panel's density sizes the touch targets.
    config = config.with_values(reader__repeat_window_s=0.1, display__dpi=dpi,
                                display__theme=theme)
    harness = Harness(KioskApp(config))
    harness.start()
    suffix = f"{size[0]}x{size[1]}" + ("" if theme == "dark" else f"-{theme}")
    problems: list[str] = []

    def shot(name: str) -> None:
        harness.pump(0.2)  # animations settle (the undo bar keeps moving: fine)
        path = out / f"{name}-{suffix}.png"
        image = harness.screenshot()
        image.save(path)
        print(f"saved {path}")
        if check:
            screen = harness.router.manager.current_screen
            problems.extend(f"{name}-{suffix}: {p}"
                            for p in screen_problems(screen, dpi, name.rsplit("-", 1)[1], image))

    try:
        harness.wait_until(lambda: harness.shell.status.reader_state == "connected", 10,
                           "the virtual reader")
        for lang in LANGUAGES:
            _idle_in(harness, lang)
            if scenario == "storage":
                _storage_screens(harness, lang, badges[lang], shot)
            else:
                _main_screens(harness, lang, badges, shot)
        if scenario == "main":
            harness.lock_messages()
            for lang in LANGUAGES:
                _idle_in(harness, lang)
                _locked_screens(harness, lang, badges[lang], shot)
            harness.lock_messages(False)
        if scenario == "main":  # last: unplug the (virtual) reader
            harness.shell.runtime.virtual_reader.close()
            status = harness.shell.status
            harness.wait_until(lambda: status.reader_level == "error", 10, "the reader fault")
            for lang in LANGUAGES:
                _idle_in(harness, lang)
                shot(f"idle-reader-fault-{lang}")
    finally:
        harness.stop()
    return problems


def screen_problems(screen: Any, dpi: float, lang: str, image: Any) -> list[str]:
    """Everything ``--check`` finds on a screen as drawn (``image``: its screenshot)."""
    from kiosk.ui.tooling.finger_check import finger_problems, text_problems
    from kiosk.ui.tooling.layout_check import layout_problems

    worker = not screen.name.startswith("admin")  # the admin screens are for site IT
    return (layout_problems(screen, dpi) + finger_problems(screen, dpi)
            + text_problems(screen, lang, image, worker_screen=worker))


def _idle_in(harness: Any, lang: str) -> None:
    harness.router.deck.idle_language = lang
    harness.router.show_idle()
    harness.wait_for_screen("idle")


def _main_screens(harness: Any, lang: str, badges: dict[str, str], shot: Shot) -> None:
    from kiosk.demo.company import UNKNOWN_DEMO_BADGE

    shot(f"idle-{lang}")
    harness.present(badges[lang])
    harness.wait_for_screen("welcome")
    shot(f"welcome-{lang}")
    harness.tap(harness.screen("welcome").ids.messages_button)
    inbox = harness.screen("inbox")
    harness.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    shot(f"inbox-{lang}")
    harness.tap(_first_row(inbox))
    message = harness.screen("message")
    harness.wait_until(lambda: bool(message.body), 5, "the message")
    shot(f"message-{lang}")
    _ack_and_compose(harness, lang, shot)
    _pictures_and_sent(harness, lang, shot)
    _camera_and_drawing(harness, lang, shot)
    harness.router.done()
    harness.wait_for_screen("idle")
    _admin_screens(harness, lang, shot)
    harness.present(UNKNOWN_DEMO_BADGE)
    harness.wait_for_screen("notice")
    shot(f"notice-unknown-{lang}")
    harness.tap(harness.screen("notice").ids.ok_button)
    harness.wait_for_screen("idle")
    harness.present(badges["disabled"])
    notice = harness.screen("notice")
    harness.wait_until(lambda: notice.kind == "disabled", 5, "the disabled notice")
    shot(f"notice-disabled-{lang}")
    harness.tap(notice.ids.ok_button)
    harness.wait_for_screen("idle")


def _ack_and_compose(harness: Any, lang: str, shot: Shot) -> None:
    """Done on a message to acknowledge (refused, said), the ack, then a new message."""
    message = harness.screen("message")
    harness.tap(message.ids.header.ids.done_button)
    harness.wait_until(lambda: message.nag, 5, "the acknowledgement reminder")
    shot(f"message-ack-{lang}")
    harness.tap(message.ids.ack_button)
    harness.wait_until(lambda: not message.ack_pending, 5, "the acknowledgement")
    harness.tap(message.ids.header.ids.back_button)
    inbox = harness.screen("inbox")
    harness.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    harness.tap(inbox.ids.write_button)
    compose = harness.screen("compose")
    grid = compose.ids.contact_grid
    harness.wait_until(lambda: len(grid.children) > 1, 5, "the contacts")
    harness.tap(grid.children[-1])  # the first contact (children are in reverse order)
    shot(f"compose-pick-{lang}")
    harness.tap(compose.ids.panel_button)
    keyboard = compose.ids.keyboard
    for char in ("B", "o", "n", "j", "o", "u", "r", "{space}", "ç", "a"):
        harness.tap(keyboard.key_for(char.lower() if char != "{space}" else char))
    shot(f"compose-{lang}")
    harness.tap(compose.ids.send_button)  # pending in the sent list
    harness.wait_for_screen("inbox")


def _pictures_and_sent(harness: Any, lang: str, shot: Shot) -> None:
    """From compose: a photo message, its photo full screen, a drawing, the sent list."""
    from kiosk.demo.company import DEMO_PICTURE_MESSAGES

    message = harness.screen("message")
    _quick_reply_undo(harness, lang, shot)
    for message_id, *_, kind in DEMO_PICTURE_MESSAGES:
        harness.router.open_message(message_id)
        harness.wait_until(lambda: message.picture is not None, 10, f"the {kind}")
        shot(f"message-{kind}-{lang}")
    harness.tap(message.ids.picture)
    harness.wait_for_screen("picture")
    shot(f"picture-{lang}")
    harness.tap(harness.screen("picture").ids.header.ids.back_button)
    harness.wait_for_screen("message")
    harness.router.open_sent()
    sent = harness.screen("sent")
    harness.wait_until(lambda: sent.state != "loading", 5, "the sent messages")
    shot(f"sent-{lang}")


def _quick_reply_undo(harness: Any, lang: str, shot: Shot) -> None:
    """A one-tap quick reply on the line manager's group message, its undo bar, Undo."""
    from kiosk.demo.company import demo_message_id

    message = harness.screen("message")
    harness.router.open_message(demo_message_id(2))
    harness.wait_until(lambda: len(message.ids.quick_row.children) > 1, 5, "the quick replies")
    harness.pump(0.2)
    harness.tap(message.ids.quick_row.children[-1])  # the first one
    harness.wait_until(lambda: bool(message.undo_text), 5, "the undo bar")
    shot(f"message-undo-{lang}")
    harness.tap(message.ids.undo_button)
    harness.wait_until(lambda: not message.undo_text, 5, "the undo")


def _camera_and_drawing(harness: Any, lang: str, shot: Shot) -> None:
    """From compose: the camera (the demo's test pattern), then a drawing over the photo."""
    harness.router.compose_new()
    harness.wait_for_screen("compose")
    if hasattr(harness.router, "open_camera"):
        harness.router.open_camera()
        harness.wait_for_screen("camera")
        camera = harness.screen("camera")
        harness.pump(1.0)  # a few frames of the pattern
        shot(f"camera-{lang}")
        harness.tap(camera.ids.capture_button)
        harness.pump(0.3)
        shot(f"camera-taken-{lang}")
        harness.router.compose_new()
        harness.wait_for_screen("compose")
    from kiosk.demo.media import demo_photo

    harness.router.open_drawing(demo_photo())
    harness.wait_for_screen("drawing")
    drawing = harness.screen("drawing")
    harness.wait_until(lambda: drawing.ids.sketch.ready, 10, "the paper")
    _draw(drawing, [(0.2 + 0.6 * i / 15, 0.7 - 0.4 * i / 15) for i in range(16)])
    harness.pump(0.2)
    shot(f"drawing-{lang}")


def _draw(drawing: Any, points: list[tuple[float, float]]) -> None:
    """One finger stroke through ``points`` (fractions of the paper, y up)."""
    from kivy.tests.common import UnitTestTouch

    sketch = drawing.ids.sketch
    x, y, width, height = sketch.paper_rect

    def at(fx: float, fy: float) -> tuple[float, float]:
        return sketch.to_window(x + fx * width, y + fy * height)

    touch = UnitTestTouch(*at(*points[0]))
    touch.touch_down()
    for point in points[1:]:
        touch.touch_move(*at(*point))
    touch.touch_up()


def _admin_screens(harness: Any, lang: str, shot: Shot) -> None:
    """The admin badge, its PIN pad, then the admin screen's reader and network tabs."""
    from kiosk.demo.company import DEMO_ADMIN_BADGE, DEMO_ADMIN_PIN

    harness.present(DEMO_ADMIN_BADGE)
    harness.wait_for_screen("admin_pin")
    pin = harness.screen("admin_pin")
    for digit in DEMO_ADMIN_PIN[:2]:
        harness.tap(pin.key_for(digit))
    shot(f"admin-pin-{lang}")
    for digit in DEMO_ADMIN_PIN[2:]:
        harness.tap(pin.key_for(digit))
    harness.tap(pin.key_for("ok"))
    harness.wait_for_screen("admin")
    admin = harness.screen("admin")
    harness.wait_until(lambda: bool(admin.updated_text), 10, "the admin report")
    shot(f"admin-reader-{lang}")
    admin.pick("network")
    harness.pump(0.3)
    shot(f"admin-network-{lang}")
    harness.router.done()
    harness.wait_for_screen("idle")


def _locked_screens(harness: Any, lang: str, badge: str, shot: Shot) -> None:
    """No key for the message cache: the inbox, a message and compose say so."""
    harness.present(badge)
    harness.wait_for_screen("welcome")
    mine: list[Any] = []  # one of the worker's messages (the tables stay readable here)
    harness.router.station.load_inbox(mine.extend)
    harness.wait_until(lambda: bool(mine), 5, "the worker's messages")
    for name, go in (("inbox", harness.router.open_inbox),
                     ("message", lambda: harness.router.open_message(mine[0].id)),
                     ("compose", harness.router.compose_new)):
        go()
        harness.pump(0.3)  # the core's answer came (a message opens, or the inbox shows)
        harness.wait_until(lambda n=name: harness.router.manager.current == n, 5, name)
        shot(f"{name}-locked-{lang}")
    harness.router.done()
    harness.wait_for_screen("idle")


def _storage_screens(harness: Any, lang: str, badge: str, shot: Shot) -> None:
    status = harness.shell.status
    harness.wait_until(lambda: status.storage_level == "error", 10, "the storage status")
    shot(f"idle-storage-{lang}")
    harness.present(badge)
    harness.wait_for_screen("notice")
    shot(f"notice-storage-{lang}")
    harness.tap(harness.screen("notice").ids.ok_button)
    harness.wait_for_screen("idle")


def _first_row(inbox: Any) -> Any:
    from kiosk.ui.screens.inbox import InboxRow
    from kiosk.ui.tooling.harness import walk

    rows = [w for w in walk(inbox.ids.list_view) if isinstance(w, InboxRow) and w.message_id]
    rows.sort(key=lambda w: (not w.ack_text, -w.y))  # one that shows the ack marker
    return rows[0]


if __name__ == "__main__":
    sys.exit(main())
