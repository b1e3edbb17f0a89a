"""Commands for the headless terminal on standard input (``kiosk run --headless --commands``).

A screen is not the only front end: a door reader's controller, a test, or the HR
console's end-to-end test drive the terminal through JSON lines, one command per line,
while a worker's badge session is open (a badge presented to the reader):

    {"command": "send", "to_employees": [3], "to_groups": [], "body": "On my way"}
    {"command": "inbox"}
    {"command": "acknowledge", "message_id": "..."}
    {"command": "end_session"}

Each answer is an event on standard output, like every other (``EventPrinter``):
``sent`` (the message id), ``send_refused`` (its code), ``inbox`` (ids, senders' ids
never names, unread flags), ``acknowledged`` (the message id, and whether the worker
has it), ``command_refused`` (why).  Message text is never printed.
Commands are read on a thread of their own and run on the main loop, in order, like
badge reads: the station is only ever touched there.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from kiosk.app.station import Station
from kiosk.domain.models import MessageSummary, SendRefused

MAX_LINE = 64 * 1024  # a command line longer than this is refused, not buffered


class Printer(Protocol):
    def emit(self, event: str, **fields: object) -> None: ...


def read_commands(source: TextIO, hand_over: Callable[[Callable[[], None]], None],
                  station: Station, printer: Printer) -> threading.Thread:
    """Start the thread that reads ``source`` and hands each command to the main loop."""

    def read() -> None:
        for line in iter(lambda: source.readline(MAX_LINE + 1), ""):
            if len(line) > MAX_LINE and not line.endswith("\n"):
                # Skip the rest of that line: it is one refused command, not several.
                while (rest := source.readline(MAX_LINE)) and not rest.endswith("\n"):
                    pass
            if not line.strip():
                continue
            command = _parse(line, printer, hand_over)
            if command is not None:
                hand_over(lambda command=command: run_command(command, station, printer))

    thread = threading.Thread(target=read, name="headless-commands", daemon=True)
    thread.start()
    return thread


def _parse(line: str, printer: Printer,
           hand_over: Callable[[Callable[[], None]], None]) -> dict[str, Any] | None:
    def refuse(reason: str) -> None:
        hand_over(lambda: printer.emit("command_refused", reason=reason))

    if len(line) > MAX_LINE:
        refuse("line_too_long")
        return None
    try:
        command = json.loads(line)
    except ValueError:
        refuse("invalid_json")
        return None
    if not isinstance(command, dict) or not isinstance(command.get("command"), str):
        refuse("not_a_command")
        return None
    return command


def _ids(value: Any) -> list[int] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool)
                                       for v in value):
        return value
    return None


def run_command(command: dict[str, Any], station: Station, printer: Printer) -> None:
    """On the main loop: one command against the open session."""
    name = command["command"]
    if name not in ("send", "inbox", "acknowledge", "end_session"):
        printer.emit("command_refused", reason="unknown_command", command=name[:40])
        return
    if station.session is None:
        printer.emit("command_refused", reason="no_session", command=name)
        return
    if name == "end_session":
        station.end_session()
    elif name == "inbox":
        station.load_inbox(lambda items: printer.emit("inbox", messages=[
            _summary(item) for item in items]))
    elif name == "acknowledge":
        _acknowledge(command, station, printer)
    else:
        _send(command, station, printer)


def _acknowledge(command: dict[str, Any], station: Station, printer: Printer) -> None:
    message_id = command.get("message_id")
    if not isinstance(message_id, str) or not message_id:
        printer.emit("command_refused", reason="invalid_fields", command="acknowledge")
        return
    station.acknowledge(message_id, lambda at: printer.emit(
        "acknowledged", message_id=message_id, ok=at is not None))


def _send(command: dict[str, Any], station: Station, printer: Printer) -> None:
    to_employees, to_groups = _ids(command.get("to_employees")), _ids(command.get("to_groups"))
    body, reply_to = command.get("body", ""), command.get("reply_to")
    if (to_employees is None or to_groups is None or not isinstance(body, str)
            or not (reply_to is None or isinstance(reply_to, str))):
        printer.emit("command_refused", reason="invalid_fields", command="send")
        return

    def refused(exc: SendRefused) -> None:
        printer.emit("send_refused", code=exc.code)

    station.send(to_employees, to_groups, body, reply_to,
                 lambda message_id: printer.emit("sent", message_id=message_id), refused)


def _summary(item: MessageSummary) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "unread": item.unread,
            "ack_required": item.ack_required}
