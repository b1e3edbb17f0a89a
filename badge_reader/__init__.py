"""Badge readers for the time-clock terminal: framing, reader threads, virtual reader.

UI-free by design: nothing here imports Kivy or the kiosk/ui packages.
Callbacks run on the reader thread; the UI hops to its own thread itself.

Typical use::

    reader = ReaderThread("/dev/ttyUSB0", "em4100", on_read=..., on_status=...)
    reader.start()
    ...
    reader.stop()
"""

from badge_reader.formats import (
    FORMAT_NAMES,
    BadgePattern,
    display_formats,
    format_badge,
    parse_badge_number,
)
from badge_reader.protocols import PROTOCOLS, ProtocolSpec, create_protocol, get_protocol
from badge_reader.read import BadgeRead
from badge_reader.repeat import RepeatFilter
from badge_reader.runner import BaseReaderThread, ReaderThread
from badge_reader.status import ReaderState, ReaderStatus
from badge_reader.virtual import VirtualReader
from badge_reader.wedge_runner import WedgeReaderThread

__all__ = [
    "FORMAT_NAMES",
    "PROTOCOLS",
    "BadgePattern",
    "BadgeRead",
    "BaseReaderThread",
    "ProtocolSpec",
    "ReaderState",
    "ReaderStatus",
    "ReaderThread",
    "RepeatFilter",
    "VirtualReader",
    "WedgeReaderThread",
    "create_protocol",
    "display_formats",
    "format_badge",
    "get_protocol",
    "parse_badge_number",
]
