"""``kiosk``: run the terminal, try the demo, print the example config, take the screen tour.

``python -m kiosk`` and the ``kiosk`` console script both call ``main``.  This
module does not import Kivy: the commands that open a window import the
``ui`` package when they run, after the window size is known.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.settings.config import (
    DISPLAY_THEMES,
    LANGUAGES,
    Config,
    ConfigError,
    load_config,
    render_example,
)
from kiosk.storage import StorageError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
TOUR_SIZES = ("800x480", "1280x800")
DEMO_DATA_DIR = Path("var/demo")

log = logging.getLogger("kiosk")


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,4})x(\d{3,4})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 800x480, got {text!r}")
    return int(match[1]), int(match[2])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Time-clock messaging terminal.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the terminal", description=(
        "Run the terminal full screen (or windowed) with a TOML configuration."))
    run.add_argument("--config", type=Path, metavar="PATH",
                     help="TOML file (see 'kiosk config-example'); default: built-in defaults")
    run.add_argument("--headless", action="store_true",
                     help="no screen: core, reader and sync only, events as JSON lines on stdout")
    run.add_argument("--commands", action="store_true",
                     help="with --headless: read JSON commands on stdin (send, inbox, "
                          "end_session) for the open badge session")

    demo = commands.add_parser("demo", help="run with a demo company and a virtual reader",
                               description=(
        "Seed a demo company into a data folder, start the terminal with a virtual badge "
        "reader and print the badges to present from another shell."))
    demo.add_argument("--data-dir", type=Path, metavar="DIR",
                      help="demo data folder, seeded if new (default: var/demo)")
    demo.add_argument("--language", choices=LANGUAGES, default="fr",
                      help="idle screen language (default: fr)")
    demo.add_argument("--size", type=_size, default=(800, 480), metavar="WxH",
                      help="window size (default: 800x480)")
    demo.add_argument("--offline", action="store_true",
                      help="no central server: seed the terminal's database directly")
    demo.add_argument("--join", metavar="URL", default="",
                      help="a second demo terminal: join the server of a running demo")
    demo.add_argument("--code", metavar="CODE", default="",
                      help="with --join: the enrollment code the first demo printed")

    selftest = commands.add_parser("selftest", help="render the idle screen offscreen and exit",
                                   description=(
        "Start the terminal offscreen, wait for the idle screen's first frame, print "
        "'ready <s>' and, after --hold seconds, 'rss <kB>', then exit 0 (1 if it never shows)."))
    selftest.add_argument("--config", type=Path, metavar="PATH", help="TOML file")
    selftest.add_argument("--hold", type=float, default=0.0, metavar="S",
                          help="seconds to stay idle before measuring memory (default: 0)")
    selftest.add_argument("--size", type=_size, default=None, metavar="WxH",
                          help="window size (default: the config's display size)")

    doctor = commands.add_parser("doctor", help="check this terminal and say what to fix",
                                 description=(
        "Check the config, data folder, database, badge reader, display devices, enrollment, "
        "server, clock and outbox; print each problem with its fix; exit 1 if any error."))
    doctor.add_argument("--config", type=Path, metavar="PATH",
                        help="TOML file (default: /etc/kiosk/kiosk.toml if present)")
    doctor.add_argument("--lang", choices=LANGUAGES, default="en", help="report language")
    doctor.add_argument("--listen", type=float, default=3.0, metavar="S",
                        help="when the serial reader is free (terminal stopped), listen to it "
                             "this long and show its raw frames; present a card (default: 3; "
                             "0: do not listen)")

    enroll = commands.add_parser("enroll", help="enroll this terminal with the central server",
                                 description=(
        "Trade a one-time code made by an admin ('python -m server terminals enroll-code') "
        "for this terminal's own token, stored with mode 0600 in the data folder."))
    enroll.add_argument("--server", metavar="URL", help="server address (default: server.url)")
    enroll.add_argument("--code", required=True, metavar="CODE", help="one-time code")
    enroll.add_argument("--config", type=Path, metavar="PATH",
                        help="TOML file (default: /etc/kiosk/kiosk.toml if present)")
    enroll.add_argument("--force", action="store_true",
                        help="replace an existing enrollment (the old token stops being used)")

    setup = commands.add_parser("setup", help="set this terminal up: reader, screen, config, "
                                "enrollment, doctor, service", description=(
        "Run once after installing the package: find the badge reader (present a badge "
        "while it listens), the touchscreen and the display size, write the configuration, "
        "enroll with the server, run the doctor, and enable and start the service. Each "
        "step says what it found; run it again after fixing what a failed step names."))
    setup.add_argument("--server", required=True, metavar="URL",
                       help="the central server, e.g. http://server.example:8080")
    setup.add_argument("--code", required=True, metavar="CODE",
                       help="one-time enrollment code ('python -m server terminals "
                            "enroll-code' on the server)")
    setup.add_argument("--config", type=Path, default=Path("/etc/kiosk/kiosk.toml"),
                       metavar="PATH", help="configuration file to write "
                                            "(default: /etc/kiosk/kiosk.toml)")
    setup.add_argument("--name", default="", help="terminal name shown in the console "
                                                  "(default: kept, else the host name)")
    setup.add_argument("--data-dir", default="", metavar="DIR",
                       help="data folder (default: kept, else /var/lib/kiosk)")
    setup.add_argument("--reader-port", default="", metavar="PATH",
                       help="the reader's serial port: no search")
    setup.add_argument("--reader-protocol", default="", metavar="NAME",
                       help="with --reader-port: its protocol (default: em4100)")
    setup.add_argument("--reader-device", default="", metavar="PATH",
                       help="a keyboard-wedge reader's input device: no search")
    setup.add_argument("--search-port", action="append", default=[], metavar="PATH",
                       help="listen to this port instead of /dev/serial/by-id/* (repeatable)")
    setup.add_argument("--find-reader", action="store_true",
                       help="search for the reader even if the configured one is plugged in")
    setup.add_argument("--listen", type=float, default=20.0, metavar="S",
                       help="how long to wait for a badge (default: 20)")
    setup.add_argument("--size", type=_size, default=None, metavar="WxH",
                       help="display size (default: the connected display's)")
    setup.add_argument("--yes", action="store_true",
                       help="accept every choice without asking (mass deployment)")
    setup.add_argument("--no-service", action="store_true",
                       help="do not enable or start the systemd service")
    setup.add_argument("--force-enroll", action="store_true",
                       help="replace an enrollment with another server")

    commands.add_parser("admin-pin", help="make the hash of an admin PIN for kiosk.toml",
                        description=(
        "Ask for an admin PIN (6 to 8 digits) twice, or read it from standard input, and "
        "print its salted hash: the value of [admin] pin_hash in kiosk.toml."))

    commands.add_parser("config-example", help="print the commented example configuration",
                        description="Print every configuration key with its default and doc.")

    tour = commands.add_parser("tour", help="save a screenshot of every screen", description=(
        "Drive the real app through every screen, in French and English, and save one PNG "
        "per screen, language and size (one process per size)."))
    tour.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    tour.add_argument("--size", type=_size, action="append", metavar="WxH",
                      help=f"window size, repeatable (default: {' and '.join(TOUR_SIZES)})")
    tour.add_argument("--check", action="store_true",
                      help="also fail on what a finger or an eye would meet: touch targets "
                           "under 9 mm (a 7-inch panel's density at 800x480, a 10.1-inch one "
                           "above), off screen, overlapping or not reached by a touch; text "
                           "overflowing, cut, technical or in the wrong language; low contrast")
    tour.add_argument("--theme", choices=DISPLAY_THEMES, action="append",
                      help="colours, repeatable (default: dark; light files end in -light)")
    return parser


def _run_ui(config: Config, **kwargs: Any) -> int:
    from kiosk.ui.wiring import launch  # Kivy only from here on: the only imports of ui are these

    return int(launch.run_app(config, **kwargs))


def _cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.commands and not args.headless:
        print("kiosk run: --commands needs --headless", file=sys.stderr)
        return EXIT_USAGE
    if args.headless:
        from kiosk.app.headless import run_headless

        return run_headless(config, commands=sys.stdin if args.commands else None)
    return _run_ui(config, touch_devices=True)


NO_DISPLAY_HELP = """\
kiosk demo: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset).
Run it under a virtual X display:
  sudo apt-get install -y xvfb
  xvfb-run -a -s "-screen 0 1280x800x24" ./dev demo
or look at every screen without a window:
  .venv/bin/python -m kiosk tour --out tour-out"""


def no_display(environ: Mapping[str, str]) -> bool:
    """No window can open: a Linux desktop session sets DISPLAY or WAYLAND_DISPLAY
    (an explicit SDL_VIDEODRIVER, e.g. offscreen or kmsdrm, is the user's choice)."""
    return (sys.platform.startswith("linux") and not environ.get("SDL_VIDEODRIVER")
            and not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"))


def _cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.demo.prepare import prepare_demo

    if args.join and not args.code:
        print("kiosk demo: --join needs --code (printed by the first demo)", file=sys.stderr)
        return EXIT_USAGE
    if no_display(os.environ):  # it would run unseen, in an offscreen window
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return EXIT_FAILURE
    try:
        setup = prepare_demo(args.data_dir or DEMO_DATA_DIR, offline=args.offline,
                             join=args.join, code=args.code, language=args.language)
    except ImportError:  # the terminal bundle leaves the central server out
        print("kiosk demo: this build has no central server; use 'kiosk demo --offline'",
              file=sys.stderr)
        return EXIT_FAILURE
    width, height = args.size
    try:
        return _run_ui(setup.config, width=width, height=height)
    finally:
        setup.stop()


def _cmd_selftest(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    width, height = args.size or (config["display.width"], config["display.height"])
    from kiosk.ui.wiring import selftest  # Kivy only from here on

    return int(selftest.run_selftest(config, width, height, args.hold))


def _cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor.checkup import doctor_command

    return doctor_command(args.config, lang=args.lang, listen_s=args.listen)


def _cmd_enroll(args: argparse.Namespace) -> int:
    from kiosk.doctor.checkup import DEFAULT_CONFIG_PATH
    from kiosk.sync.enrollment import enroll_command

    path = args.config or (DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None)
    return enroll_command(load_config(path), args.server, args.code, force=args.force)


def _cmd_setup(args: argparse.Namespace) -> int:
    from kiosk.setup.command import SetupOptions, setup_command

    return setup_command(SetupOptions(
        server=args.server, code=args.code, config_path=args.config, name=args.name,
        data_dir=args.data_dir, reader_port=args.reader_port,
        reader_protocol=args.reader_protocol, reader_device=args.reader_device,
        search_ports=args.search_port, find_reader=args.find_reader, listen_s=args.listen,
        size=args.size, yes=args.yes, service=not args.no_service,
        force_enroll=args.force_enroll))


def _cmd_admin_pin(_: argparse.Namespace) -> int:
    from kiosk.settings.admin_pin import admin_pin_command

    return admin_pin_command()


def _cmd_config_example(_: argparse.Namespace) -> int:
    sys.stdout.write(render_example())
    return EXIT_OK


def _cmd_tour(args: argparse.Namespace) -> int:
    sizes = args.size or [_size(s) for s in TOUR_SIZES]
    args.out.mkdir(parents=True, exist_ok=True)
    status = EXIT_OK
    runs = [(size, name) for size in sizes for name in (args.theme or ["dark"])]
    for (width, height), name in runs:  # one process per size: Kivy sizes its window once
        command = [sys.executable, "-m", "kiosk.ui.tooling.tour", "--out", str(args.out),
                   "--size", f"{width}x{height}", "--theme", name]
        result = subprocess.run(command + (["--check"] if args.check else []), check=False)
        if result.returncode == 3:
            print(f"kiosk tour: {width}x{height}: layout problems (the LAYOUT lines above)",
                  file=sys.stderr)
            status = EXIT_FAILURE
        elif result.returncode != 0:
            print(f"kiosk tour: {width}x{height} failed (exit {result.returncode})",
                  file=sys.stderr)
            status = EXIT_FAILURE
    return status


COMMANDS = {
    "run": _cmd_run, "demo": _cmd_demo, "selftest": _cmd_selftest,
    "doctor": _cmd_doctor, "enroll": _cmd_enroll, "setup": _cmd_setup,
    "admin-pin": _cmd_admin_pin,
    "config-example": _cmd_config_example, "tour": _cmd_tour,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--selftest"]:  # what packaging tools and site IT try first
        arguments[0] = "selftest"
    args = parser.parse_args(arguments)
    if args.command in ("run", "demo", "enroll", "setup"):
        # Whatever the terminal writes (database, enrollment, keys, the reader's socket)
        # is for its own user alone, even when started from a shell with umask 022.
        os.umask(0o077)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StorageError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
