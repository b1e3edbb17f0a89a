"""EM4100 ASCII frames as sent by RDM6300 / RDM630 / EM-18 and ID-Innovations readers.

RDM layout (14 bytes): STX, 10 hex data characters, 2 hex checksum characters, ETX.
ID-12LA / ID-20LA layout (16 bytes): the same with CR LF before ETX.
The checksum is the XOR of the 5 data bytes. The canonical id is the 10 data
characters in upper case.
"""

from __future__ import annotations

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

STX = 0x02
ETX = 0x03
CRLF = b"\r\n"
DATA_CHARS = 10
CHECKSUM_CHARS = 2
_HEX = frozenset(b"0123456789abcdefABCDEF")
# Out-of-frame noise is reported in runs of at most this many bytes, so a line
# that never carries an STX still shows up on the diagnostics screen.
_MAX_NOISE_RUN = 1024


def em4100_checksum(data_hex: str) -> int:
    """XOR of the 5 bytes written as 10 hex characters in ``data_hex``."""
    if len(data_hex) != DATA_CHARS:
        raise ValueError(f"expected {DATA_CHARS} hex characters, got {len(data_hex)}")
    checksum = 0
    for byte in bytes.fromhex(data_hex):
        checksum ^= byte
    return checksum


def decode_payload(payload: bytes, *, crlf: bool = False) -> str:
    """Return the canonical id of the bytes between STX and ETX.

    ``crlf`` selects the ID-Innovations layout, whose payload ends with CR LF.
    Lower-case hex is accepted. Raises FrameError on a bad length, non-hex
    characters or a checksum mismatch.
    """
    expected = DATA_CHARS + CHECKSUM_CHARS + (len(CRLF) if crlf else 0)
    if len(payload) != expected:
        raise FrameError(RejectReason.BAD_LENGTH, f"payload of {len(payload)} bytes")
    if crlf:
        if payload[-2:] != CRLF:
            raise FrameError(RejectReason.BAD_CHARACTERS, "missing CR LF before ETX")
        payload = payload[:-2]
    if not all(byte in _HEX for byte in payload):
        raise FrameError(RejectReason.BAD_CHARACTERS, "non-hex character in frame")
    text = payload.decode("ascii").upper()
    data, checksum = text[:DATA_CHARS], text[DATA_CHARS:]
    if em4100_checksum(data) != int(checksum, 16):
        raise FrameError(RejectReason.BAD_CHECKSUM, "checksum mismatch")
    return data


def encode_frame(badge: str, *, crlf: bool = False) -> bytes:
    """Build the frame a reader sends for the 10-hex-character ``badge``.

    Raises ValueError if ``badge`` is not 10 hex characters.
    """
    data = badge.strip().upper()
    if len(data) != DATA_CHARS or not all(ch in "0123456789ABCDEF" for ch in data):
        raise ValueError(f"an EM4100 badge id is {DATA_CHARS} hex characters")
    body = f"{data}{em4100_checksum(data):02X}".encode("ascii")
    return bytes([STX]) + body + (CRLF if crlf else b"") + bytes([ETX])


def _next_delimiter(data: bytes, pos: int) -> int:
    """Index of the first STX or ETX at or after ``pos``, or ``len(data)`` if none."""
    found = [index for index in (data.find(STX, pos), data.find(ETX, pos)) if index >= 0]
    return min(found, default=len(data))


class Em4100Protocol(BadgeProtocol):
    """Frames RDM-style EM4100 output; resynchronises on every STX.

    Bytes outside a frame are rejected as noise (or ``stray-etx`` when the run
    ends with an ETX, e.g. the tail of a frame whose start was missed). An STX
    inside an unfinished frame drops that frame (``restarted``) and starts anew.
    A frame longer than the layout allows stops buffering and is rejected when
    its ETX (or the next STX) arrives, so memory use is bounded.
    """

    name = "em4100"
    crlf = False

    def __init__(
        self,
        on_read: ReadCallback,
        on_reject: RejectCallback | None = None,
        *,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(on_read, on_reject, clock=clock)
        self._max_payload = DATA_CHARS + CHECKSUM_CHARS + (len(CRLF) if self.crlf else 0)
        self._frame: bytearray | None = None  # None while hunting for STX
        self._overlong = False
        self._noise = bytearray()
        self._noise_len = 0

    def data_received(self, data: bytes) -> None:
        """Consume a chunk of serial input of any size, split anywhere."""
        data = bytes(data)
        pos = 0
        while pos < len(data):
            if self._frame is None:
                pos = self._hunt(data, pos)
            else:
                pos = self._collect(data, pos)

    def _collect(self, data: bytes, pos: int) -> int:
        """Add frame bytes up to the next STX or ETX; return the position after it."""
        end = _next_delimiter(data, pos)
        assert self._frame is not None
        room = self._max_payload - len(self._frame)
        self._frame += data[pos : pos + min(room, end - pos)]
        if end - pos > room:
            self._overlong = True
        if end == len(data):
            return end
        if data[end] == STX:
            self._reject(RejectReason.RESTARTED, bytes([STX]) + self._frame)
            self._start_frame()
        else:
            self._finish_frame()
        return end + 1

    def connection_lost(self, exc: BaseException | None) -> None:
        """Report an unfinished frame or pending noise, then reset."""
        if self._frame is not None:
            self._reject(RejectReason.TRUNCATED, bytes([STX]) + self._frame)
            self._frame = None
        self._flush_noise(RejectReason.NOISE)

    def _hunt(self, data: bytes, pos: int) -> int:
        """Skip noise up to the next STX or ETX; return the position after it."""
        end = _next_delimiter(data, pos)
        self._add_noise(data[pos:end])
        if end == len(data):
            return end
        if data[end] == ETX:
            self._add_noise(data[end : end + 1])
            self._flush_noise(RejectReason.STRAY_ETX)
        else:
            self._flush_noise(RejectReason.NOISE)
            self._start_frame()
        return end + 1

    def _start_frame(self) -> None:
        self._frame = bytearray()
        self._overlong = False

    def _finish_frame(self) -> None:
        assert self._frame is not None
        payload = bytes(self._frame)
        raw = bytes([STX]) + payload + bytes([ETX])
        self._frame = None
        if self._overlong:
            self._reject(RejectReason.BAD_LENGTH, raw)
            return
        try:
            badge = decode_payload(payload, crlf=self.crlf)
        except FrameError as exc:
            self._reject(exc.reason, raw)
            return
        self._emit(badge, raw)

    def _add_noise(self, chunk: bytes) -> None:
        pos = 0
        while pos < len(chunk):
            take = min(len(chunk) - pos, _MAX_NOISE_RUN - self._noise_len)
            room = MAX_REJECT_SAMPLE - len(self._noise)
            if room > 0:
                self._noise += chunk[pos : pos + min(take, room)]
            self._noise_len += take
            pos += take
            if self._noise_len >= _MAX_NOISE_RUN:
                self._flush_noise(RejectReason.NOISE)

    def _flush_noise(self, reason: RejectReason) -> None:
        if self._noise_len:
            self._reject(reason, bytes(self._noise))
        self._noise.clear()
        self._noise_len = 0


class Em4100Id12Protocol(Em4100Protocol):
    """The ID-Innovations (ID-12LA, ID-20LA) layout: CR LF before ETX."""

    name = "em4100-id12"
    crlf = True
