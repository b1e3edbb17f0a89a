"""Registry of reader protocols by the names used in the site configuration.

Adding a reader family means adding a module here and one ProtocolSpec entry.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

from badge_reader.protocols.base import (
    BadgeProtocol,
    Clock,
    FrameError,
    ReadCallback,
    RejectCallback,
    RejectReason,
)
from badge_reader.protocols.em4100 import Em4100Id12Protocol, Em4100Protocol, encode_frame
from badge_reader.protocols.line import LineProtocol, encode_line
from badge_reader.protocols.wedge import WedgeProtocol

__all__ = [
    "PROTOCOLS",
    "BadgeProtocol",
    "FrameError",
    "ProtocolSpec",
    "RejectReason",
    "create_protocol",
    "get_protocol",
]


@dataclass(frozen=True)
class ProtocolSpec:
    """How to decode (and, for the virtual reader, encode) one reader family.

    ``transport`` is "serial" (the protocol has ``data_received(bytes)``) or
    "evdev" (it has ``key_event(code, value)``). ``hex_ids`` is True when the
    canonical ids are hex, so the site display formats may apply to them.
    ``encode`` builds the bytes a reader sends for a badge id (None when the
    family cannot be simulated over a serial port); it raises ValueError for
    an id the family cannot carry.
    """

    name: str
    summary: str
    transport: str
    default_baud: int | None
    hex_ids: bool
    factory: Callable[..., BadgeProtocol]
    encode: Callable[[str], bytes] | None
    reverse_bytes_allowed: bool = False


PROTOCOLS: dict[str, ProtocolSpec] = {
    spec.name: spec
    for spec in (
        ProtocolSpec(
            name="em4100",
            summary="EM4100 STX/ETX frames (RDM6300, RDM630, EM-18)",
            transport="serial",
            default_baud=9600,
            hex_ids=True,
            factory=Em4100Protocol,
            encode=encode_frame,
        ),
        ProtocolSpec(
            name="em4100-id12",
            summary="EM4100 frames with CR LF before ETX (ID-12LA, ID-20LA)",
            transport="serial",
            default_baud=9600,
            hex_ids=True,
            factory=Em4100Id12Protocol,
            encode=functools.partial(encode_frame, crlf=True),
        ),
        ProtocolSpec(
            name="line-hex",
            summary="hex id + CR/LF (USB serial readers, WIE232, MIFARE UID readers)",
            transport="serial",
            default_baud=9600,
            hex_ids=True,
            factory=functools.partial(LineProtocol, base=16),
            encode=functools.partial(encode_line, base=16),
            reverse_bytes_allowed=True,
        ),
        ProtocolSpec(
            name="line-dec",
            summary="decimal id + CR/LF (S4A and other Wiegand converters)",
            transport="serial",
            default_baud=9600,
            hex_ids=False,
            factory=functools.partial(LineProtocol, base=10),
            encode=functools.partial(encode_line, base=10),
        ),
        ProtocolSpec(
            name="wedge",
            summary="keyboard-wedge (USB HID) reader read from its Linux input device",
            transport="evdev",
            default_baud=None,
            hex_ids=False,
            factory=WedgeProtocol,
            encode=None,
            reverse_bytes_allowed=True,
        ),
    )
}


def get_protocol(name: str) -> ProtocolSpec:
    """Look up a protocol by registry name; ValueError lists the valid names."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(
            f"unknown reader protocol {name!r}; choose one of: {', '.join(PROTOCOLS)}"
        ) from None


def create_protocol(
    name: str,
    on_read: ReadCallback,
    on_reject: RejectCallback | None = None,
    *,
    reverse_bytes: bool = False,
    clock: Clock = time.monotonic,
) -> BadgeProtocol:
    """Build a fresh protocol instance (one per connection: it holds framing state).

    Raises ValueError for an unknown name or an option the family does not support.
    """
    spec = get_protocol(name)
    if reverse_bytes and not spec.reverse_bytes_allowed:
        raise ValueError(f"reverse_bytes is not supported by the {name!r} protocol")
    kwargs: dict[str, object] = {"clock": clock}
    if spec.reverse_bytes_allowed:
        kwargs["reverse_bytes"] = reverse_bytes
    return spec.factory(on_read, on_reject, **kwargs)
