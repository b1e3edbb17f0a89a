"""The punch CSV: one line per punch, written as it is read (never the whole file in
memory), each cell safe from spreadsheet formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HEADER = ("employee", "employee_id", "site", "terminal", "direction", "local_time",
          "timezone", "utc_time", "received_utc", "voided", "void_reason")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINES_PER_CHUNK = 500


def safe(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _utc(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def lines(rows: Iterable[Any]) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM, for spreadsheets), in chunks of a few hundred lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    zones: dict[str, ZoneInfo] = {}
    count = 0
    for row in rows:
        zone = zones.get(row.timezone)
        if zone is None:
            zone = zones[row.timezone] = _zone(row.timezone)
        local = row.wall_time_utc.astimezone(zone)
        writer.writerow((safe(row.employee), row.employee_id, safe(row.site),
                         safe(row.terminal), row.direction,
                         local.strftime("%Y-%m-%d %H:%M:%S"), row.timezone,
                         _utc(row.wall_time_utc), _utc(row.received_at),
                         "yes" if row.voided_at else "", safe(row.void_reason)))
        count += 1
        if count % LINES_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
