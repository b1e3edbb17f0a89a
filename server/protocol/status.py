"""POST /v1/status: a terminal's state report, sent at start and every few minutes.

What site IT reads on the console's fleet page: app version, outbox, clock offset,
reader, pulled changes set aside, free disk, uptime. The report names no terminal: it
is stored for the terminal whose token (and signature) the request carries, so a
terminal reports only for itself. Every number is strict (a string or a boolean is
refused, not converted) and bounded: a hostile value gets 422 ``invalid_request``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field

from server.protocol.common import Instant, RequestModel, WireModel

# Bounds generous enough for any real terminal, tight enough for any column.
MAX_COUNT = 10**12
MAX_BYTES = 2**62
MAX_AGE_S = 100 * 366 * 86400  # a clock can be decades off (a dead RTC battery: 1970)
REPORT_EVERY_S = 300  # what the server asks for (the answer's ``next_report_s``)

Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Seconds = Annotated[float, Field(strict=True, ge=0, le=MAX_AGE_S, allow_inf_nan=False)]


class ReaderState(StrEnum):
    """The badge reader's state (badge_reader.ReaderState), or ``none``: no reader."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"
    NONE = "none"


class OutboxReport(RequestModel):
    depth: Count = Field(description="items not yet on the server")
    oldest_age_s: Seconds | None = Field(
        description="age of the oldest of them, seconds; null when the outbox is empty")
    rejected: Count = Field(description="items the server refused for good (kept)")


class ReaderReport(RequestModel):
    state: ReaderState
    accepted: Count = Field(description="badge reads accepted since the terminal started")
    repeats: Count = Field(description="repeated reads dropped since start")
    rejected: Count = Field(description="frames refused (checksum, format) since start")


class StatusReport(RequestModel):
    app_version: str = Field(pattern=r"^[0-9A-Za-z.+_-]{1,40}$")
    sent_at: Instant = Field(description="the terminal's clock when it made the report")
    outbox: OutboxReport
    clock_offset_s: Annotated[float, Field(strict=True, ge=-MAX_AGE_S, le=MAX_AGE_S,
                                           allow_inf_nan=False)] | None = Field(
        description="server minus terminal, seconds, as the terminal measured it from "
                    "pull's server_time; null before it could")
    reader: ReaderReport
    quarantined: Count = Field(description="pulled changes set aside, unusable here")
    disk_free_bytes: Annotated[int, Field(strict=True, ge=0, le=MAX_BYTES)]
    disk_total_bytes: Annotated[int, Field(strict=True, ge=1, le=MAX_BYTES)] | None = None
    uptime_s: Annotated[int, Field(strict=True, ge=0, le=MAX_AGE_S)] = Field(
        description="seconds since the terminal's program started")


class StatusAnswer(WireModel):
    received_at: AwareDatetime
    next_report_s: int = Field(description="when to report again, seconds")
