"""The punch CSV: one line per punch, written as it is read (never the whole file in
memory), each text cell safe from spreadsheet formula injection.

A million punches must stream at 100,000 rows a second or more, so the rows come raw
(``punch_reads.stream_raw``: tuples in batches, times as the driver gives them, no
SQLAlchemy type processing), each batch is formatted with ``csv.writer.writerows``,
and a site's UTC offset is looked up once per UTC hour (``LocalTimes``) instead of a
time zone conversion per row. Only text cells (names, the void reason) can start like
a formula; times, ids and IN/OUT never do."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HEADER = ("employee", "employee_id", "site", "terminal", "direction", "local_time",
          "timezone", "utc_time", "received_utc", "voided", "void_reason")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LAST_INSTANT_OF_HOUR = timedelta(hours=1, microseconds=-1)
MISSING = timedelta(days=-999)  # not looked up yet (None means: it changes this hour)


def safe(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def utc_text(value: Any) -> str:
    """A time as the driver returns it (SQLite: naive UTC text, "YYYY-MM-DD HH:MM:SS"
    and maybe a fraction; PostgreSQL: an aware datetime) as "YYYY-MM-DD HH:MM:SS" UTC:
    on SQLite a slice, no parsing."""
    if isinstance(value, str):
        return value[:19]
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None, microsecond=0).isoformat(" ")


class LocalTimes:
    """UTC text (``utc_text``) -> local wall time text of a time zone. The offset is
    the same for a whole UTC hour unless a change of offset falls inside it (every
    zone's changes but a few half-hour zones' fall on a UTC hour); it is looked up
    once per hour, and an hour with a change inside is converted row by row."""

    MAX_HOURS = 100_000  # cached hours per zone, about 11 years: memory stays bounded

    def __init__(self, name: str) -> None:
        self.zone = _zone(name)
        self._offsets: dict[str, timedelta | None] = {}

    def _offset(self, hour: str) -> timedelta | None:
        start = datetime.fromisoformat(hour + ":00:00").replace(tzinfo=UTC)
        first = start.astimezone(self.zone).utcoffset()
        last = (start + LAST_INSTANT_OF_HOUR).astimezone(self.zone).utcoffset()
        return first if first == last else None

    def offset(self, hour: str) -> timedelta | None:
        """The offset during ``hour`` ("YYYY-MM-DD HH", UTC); None: it changes then."""
        try:
            return self._offsets[hour]
        except KeyError:
            if len(self._offsets) >= self.MAX_HOURS:
                self._offsets.clear()
            offset = self._offsets[hour] = self._offset(hour)
            return offset

    def text(self, utc: str) -> str:
        return self.local(utc, self.offset(utc[:13]))

    def local(self, utc: str, offset: timedelta | None) -> str:
        if offset is None:
            return datetime.fromisoformat(utc).replace(tzinfo=UTC).astimezone(
                self.zone).replace(tzinfo=None).isoformat(" ")
        if not offset:
            return utc
        return (datetime.fromisoformat(utc) + offset).isoformat(" ")


class _Cells:
    """Formats raw rows (``punch_reads.stream_raw``) as CSV cells."""

    def __init__(self) -> None:
        self._zones: dict[str, LocalTimes] = {}
        self._text: dict[str, str] = {}  # name -> its safe cell (a few thousand names)

    def safe_text(self, value: str | None) -> str:
        if value is None:
            return ""
        cell = self._text.get(value)
        if cell is None:
            if len(self._text) > 50_000:
                self._text.clear()
            cell = self._text[value] = safe(value)
        return cell

    def rows(self, batch: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        out = []
        zones, text, cached = self._zones, self.safe_text, self._text.get
        fromisoformat = datetime.fromisoformat
        for (employee, employee_id, site, terminal, direction, timezone, wall_time_utc,
             received_at, voided_at, void_reason) in batch:
            local = zones.get(timezone)
            if local is None:
                local = zones[timezone] = LocalTimes(timezone)
            utc = utc_text(wall_time_utc)
            received = utc_text(received_at) if received_at is not None else None
            # LocalTimes.text inlined: a million calls cost more than the work.
            offset = local._offsets.get(utc[:13], MISSING)
            if offset is MISSING:
                offset = local.offset(utc[:13])
            out.append((cached(employee) or text(employee), employee_id,
                        cached(site) or text(site), cached(terminal) or text(terminal),
                        direction,
                        (fromisoformat(utc) + offset).isoformat(" ") if offset
                        else utc if offset is not None else local.local(utc, None),
                        timezone,
                        f"{utc[:10]}T{utc[11:]}Z",
                        f"{received[:10]}T{received[11:]}Z" if received else "",
                        "yes" if voided_at is not None else "",
                        text(void_reason) if void_reason is not None else ""))
        return out


def lines(batches: Iterable[Sequence[Sequence[Any]]]) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM, for spreadsheets), one chunk per batch of raw rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    cells = _Cells()
    for batch in batches:
        writer.writerows(cells.rows(batch))
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()
