"""``python -m badge_reader``: try a reader, run a virtual one, present badges to it.

Subcommands:
  listen   print one JSON object per accepted read (status and errors on stderr)
  present  ask a running virtual reader to present a badge
  virtual  run a virtual reader on a pty and print its port path
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from badge_reader.control import ControlError, send_present
from badge_reader.formats import display_formats
from badge_reader.protocols import PROTOCOLS, get_protocol
from badge_reader.read import BadgeRead
from badge_reader.repeat import DEFAULT_REPEAT_WINDOW
from badge_reader.runner import BaseReaderThread, ReaderThread
from badge_reader.status import ReaderStatus
from badge_reader.virtual import MAX_CONTROL_REPEAT, VirtualReader
from badge_reader.wedge_runner import WedgeReaderThread

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2  # argparse's own code for invalid arguments
EXIT_INTERRUPTED = 130  # Ctrl-C before a command took over SIGINT

# A valid id per serial protocol, for the hints printed by `virtual`.
EXAMPLE_BADGES = {
    "em4100": "0F00123456",
    "em4100-id12": "0F00123456",
    "line-hex": "01E256",
    "line-dec": "0000123478",
}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3600 seconds, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so tests and docs can inspect it)."""
    protocol_help = "\n".join(f"  {name:12} {spec.summary}" for name, spec in PROTOCOLS.items())
    parser = argparse.ArgumentParser(
        prog="python -m badge_reader", description="Badge reader tools for site IT."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listen = commands.add_parser(
        "listen",
        help="print accepted reads as JSON lines",
        description="Open a reader and print one JSON object per accepted read on stdout.\n"
        "Status and rejected frames go to stderr. Stop with Ctrl-C.\n\nprotocols:\n"
        + protocol_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listen.add_argument("--port", required=True, help="serial port, or input device for wedge")
    listen.add_argument(
        "--protocol",
        required=True,
        choices=list(PROTOCOLS),
        metavar="NAME",
        help=f"one of: {', '.join(PROTOCOLS)}",
    )
    listen.add_argument("--baud", type=_positive_int, help="baud rate (default: protocol's usual)")
    listen.add_argument(
        "--repeat-window",
        type=_seconds,
        default=DEFAULT_REPEAT_WINDOW,
        metavar="S",
        help="seconds a held card is suppressed (default: %(default)s)",
    )
    listen.add_argument(
        "--reverse-bytes",
        action="store_true",
        help="reverse the byte order of hex ids (some MIFARE UID readers)",
    )

    present = commands.add_parser(
        "present",
        help="present a badge to a running virtual reader",
        description="Ask the virtual reader listening on --control to present BADGE.",
    )
    present.add_argument("badge", metavar="BADGE", help="badge id, e.g. 0F00123456")
    present.add_argument("--control", required=True, metavar="PATH", help="control socket path")
    present.add_argument(
        "--protocol",
        choices=list(PROTOCOLS),
        metavar="NAME",
        help="frame format (default: the virtual reader's)",
    )
    present.add_argument(
        "--repeat",
        type=_positive_int,
        default=1,
        metavar="N",
        help="send the frame N times, 0.5 s apart, like a held card",
    )

    virtual = commands.add_parser(
        "virtual",
        help="run a virtual reader on a pseudo-terminal",
        description="Run a virtual reader, print its port path on stdout and wait for "
        "'present' requests on the control socket. Stop with Ctrl-C.",
    )
    virtual.add_argument("--control", required=True, metavar="PATH", help="control socket path")
    virtual.add_argument(
        "--protocol",
        default="em4100",
        choices=list(PROTOCOLS),
        metavar="NAME",
        help="frames to send (default: %(default)s)",
    )
    listen.set_defaults(handler=_listen, subparser=listen)
    present.set_defaults(handler=_present, subparser=present)
    virtual.set_defaults(handler=_virtual, subparser=virtual)
    return parser


def _stop_on_signals() -> threading.Event:
    """An Event that Ctrl-C (SIGINT) and SIGTERM set instead of raising KeyboardInterrupt.

    Installed before any thread starts, so a Ctrl-C at any moment ends the
    command cleanly instead of interrupting it wherever the main thread is.
    """
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def _wait(stop: threading.Event) -> None:
    # Short timed waits: the main thread must return to Python regularly for
    # signal handlers to run.
    while not stop.wait(0.2):
        pass


def read_to_json(read: BadgeRead) -> str:
    """One output line of ``listen``: badge, protocol, display formats (or null), timestamp."""
    spec = get_protocol(read.protocol)
    formats = display_formats(read.badge) if spec.hex_ids and len(read.badge) == 10 else None
    return json.dumps(
        {
            "badge": read.badge,
            "protocol": read.protocol,
            "formats": formats,
            "monotonic": round(read.monotonic, 3),
        }
    )


def _listen(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    stop = _stop_on_signals()
    stdout_closed = threading.Event()

    def on_read(read: BadgeRead) -> None:
        try:
            print(read_to_json(read), flush=True)
        except BrokenPipeError:  # e.g. piped into `head -1`
            stdout_closed.set()
            stop.set()

    def on_status(status: ReaderStatus) -> None:
        print(f"reader {status.state}: {status.message}", file=sys.stderr, flush=True)

    def on_reject(reason: str, raw: bytes) -> None:
        print(f"rejected input: {reason} ({len(raw)} bytes)", file=sys.stderr, flush=True)

    options = dict(
        on_read=on_read,
        on_status=on_status,
        on_reject=on_reject,
        repeat_window=args.repeat_window,
        reverse_bytes=args.reverse_bytes,
    )
    reader: BaseReaderThread
    try:
        if get_protocol(args.protocol).transport == "evdev":
            if args.baud is not None:
                parser.error("--baud does not apply to the wedge protocol")
            reader = WedgeReaderThread(args.port, args.protocol, **options)
        else:
            reader = ReaderThread(args.port, args.protocol, baudrate=args.baud, **options)
    except ValueError as exc:
        parser.error(str(exc))
    reader.start()
    _wait(stop)
    reader.stop()
    reader.join(timeout=2.0)
    if stdout_closed.is_set():
        # stdout is gone; point it at /dev/null so the exit flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def _present(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not 1 <= args.repeat <= MAX_CONTROL_REPEAT:
        parser.error(f"--repeat must be between 1 and {MAX_CONTROL_REPEAT}")
    if args.protocol is not None:
        encode = get_protocol(args.protocol).encode
        if encode is None:
            parser.error(f"the {args.protocol!r} protocol cannot be simulated")
        try:
            encode(args.badge)
        except ValueError as exc:
            parser.error(f"invalid badge for {args.protocol}: {exc}")
    try:
        send_present(args.control, args.badge, protocol=args.protocol, repeat=args.repeat)
    except ControlError as exc:
        print(f"error: the virtual reader refused the badge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"error: no virtual reader is listening on {args.control} ({type(exc).__name__})",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    protocol = args.protocol or "the reader's protocol"
    times = f", {args.repeat} times" if args.repeat > 1 else ""
    print(f"presented {args.badge} ({protocol}{times}) to the virtual reader on {args.control}")
    return EXIT_OK


def _virtual(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    stop = _stop_on_signals()
    try:
        reader = VirtualReader(args.control, protocol=args.protocol)
    except ValueError as exc:
        parser.error(str(exc))
    except OSError as exc:
        print(f"error: cannot listen on {args.control}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    with reader:
        print(reader.port, flush=True)
        print(
            f"virtual {args.protocol} reader on {reader.port}\n"
            f"  try:     python -m badge_reader listen --port {reader.port} "
            f"--protocol {args.protocol}\n"
            f"  present: python -m badge_reader present {EXAMPLE_BADGES[args.protocol]} "
            f"--control {args.control}\n"
            "Ctrl-C to stop.",
            file=sys.stderr,
            flush=True,
        )
        _wait(stop)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (argparse exits with 2 on bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        # Errors found after parsing are reported with the subcommand's own usage line.
        return args.handler(args, args.subparser)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
