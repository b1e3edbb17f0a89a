"""Line-based ASCII readers: USB "virtual COM" readers and Wiegand-to-serial converters.

Each id is sent as ASCII text followed by CR, LF or CR LF, e.g. WIE232
``01E256\\r`` (hex) or S4A ``0000123478\\r\\n`` (decimal). The canonical id is
the text as sent: hex upper-cased, decimal digits unchanged (leading zeros
kept). MIFARE UID readers disagree on byte order, hence ``reverse_bytes``.
"""

from __future__ import annotations

import re
import time

from badge_reader.protocols.base import (
    MAX_REJECT_SAMPLE,
    BadgeProtocol,
    Clock,
    FrameError,
    ReadCallback,
    RejectCallback,
    RejectReason,
)

HEX_DIGITS = frozenset("0123456789ABCDEF")
DEC_DIGITS = frozenset("0123456789")
# The longest id we accept: a 10-byte MIFARE UID is 20 hex characters, and
# 40 bits in decimal are 13 digits. Anything longer is line noise.
MAX_ID_CHARS = 32
# A line is buffered up to this many bytes; past that it is dropped and the
# rest discarded up to the next terminator (bounded memory on a noisy line).
MAX_LINE_BYTES = 64
_TERMINATOR = re.compile(rb"[\r\n]")
_PADDING = b" \t"


def decode_line(line: bytes, *, base: int, reverse_bytes: bool = False) -> str:
    """Return the canonical id for one line (without its terminator).

    ``base`` is 16 (hex characters, returned upper-case) or 10 (digits,
    returned as sent). Surrounding spaces and tabs are ignored. With
    ``reverse_bytes`` a hex id's bytes are reversed (``4CDDA15F`` ->
    ``5FA1DD4C``). Raises FrameError for an empty or over-long id, a character
    outside the base, or an odd-length id when reversing bytes.
    """
    if base not in (10, 16):
        raise ValueError("base must be 10 or 16")
    stripped = line.strip(_PADDING)
    if not 0 < len(stripped) <= MAX_ID_CHARS:
        raise FrameError(RejectReason.BAD_LENGTH, f"id of {len(stripped)} characters")
    try:
        text = stripped.decode("ascii").upper()
    except UnicodeDecodeError:
        raise FrameError(RejectReason.BAD_CHARACTERS, "non-ASCII byte in line") from None
    allowed = HEX_DIGITS if base == 16 else DEC_DIGITS
    if not set(text) <= allowed:
        raise FrameError(RejectReason.BAD_CHARACTERS, f"character outside base {base}")
    if reverse_bytes:
        if base != 16:
            raise ValueError("reverse_bytes applies to hex ids only")
        if len(text) % 2:
            raise FrameError(RejectReason.BAD_LENGTH, "odd number of hex characters")
        text = "".join(reversed([text[i : i + 2] for i in range(0, len(text), 2)]))
    return text


def encode_line(badge: str, *, base: int) -> bytes:
    """The bytes a line reader sends for ``badge`` (terminated by CR LF).

    Raises ValueError if ``badge`` is not a valid id in ``base``.
    """
    try:
        text = decode_line(badge.encode("ascii", "replace"), base=base)
    except FrameError as exc:
        kind = "hex" if base == 16 else "decimal"
        raise ValueError(f"not a {kind} badge id: {exc}") from None
    return text.encode("ascii") + b"\r\n"


class LineProtocol(BadgeProtocol):
    """Frames CR / LF / CR LF terminated ids; ``base`` picks hex or decimal.

    Empty lines (such as the LF of a CR LF pair) are ignored. A line longer
    than MAX_LINE_BYTES is rejected once as ``overflow`` when its terminator
    finally arrives; until then only a small sample is kept.
    """

    def __init__(
        self,
        on_read: ReadCallback,
        on_reject: RejectCallback | None = None,
        *,
        base: int = 16,
        reverse_bytes: bool = False,
        clock: Clock = time.monotonic,
    ) -> None:
        if base not in (10, 16):
            raise ValueError("base must be 10 or 16")
        if reverse_bytes and base != 16:
            raise ValueError("reverse_bytes applies to hex ids only")
        super().__init__(on_read, on_reject, clock=clock)
        self.name = "line-hex" if base == 16 else "line-dec"
        self._base = base
        self._reverse = reverse_bytes
        self._line = bytearray()
        self._overflow = False

    def data_received(self, data: bytes) -> None:
        """Consume a chunk of serial input of any size, split anywhere."""
        data = bytes(data)
        pos = 0
        while pos < len(data):
            match = _TERMINATOR.search(data, pos)
            end = match.start() if match else len(data)
            self._append(data[pos:end])
            if match is None:
                return
            self._finish_line(data[end : end + 1])
            pos = end + 1

    def connection_lost(self, exc: BaseException | None) -> None:
        """An unterminated line at the end of input is reported as truncated."""
        if self._line or self._overflow:
            self._reject(RejectReason.TRUNCATED, bytes(self._line))
        self._line.clear()
        self._overflow = False

    def _append(self, chunk: bytes) -> None:
        if self._overflow:
            return
        if len(self._line) + len(chunk) > MAX_LINE_BYTES:
            self._overflow = True
            self._line += chunk[: max(0, MAX_REJECT_SAMPLE - len(self._line))]
            return
        self._line += chunk

    def _finish_line(self, terminator: bytes) -> None:
        line = bytes(self._line)
        self._line.clear()
        if self._overflow:
            self._overflow = False
            self._reject(RejectReason.OVERFLOW, line)
            return
        if not line:
            return
        try:
            badge = decode_line(line, base=self._base, reverse_bytes=self._reverse)
        except FrameError as exc:
            self._reject(exc.reason, line + terminator)
            return
        self._emit(badge, line + terminator)
