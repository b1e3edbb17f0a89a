"""A day-by-day timesheet from one person's punches: IN/OUT pairs, daily totals and
the anomalies HR must look at. Pure: it takes rows, returns days.

A pair is an IN and the next OUT within ``MAX_SHIFT``; it counts on the IN's local day
(a night shift is one pair). Anomalies:

- ``missing_out``: an IN with no OUT after it (within MAX_SHIFT);
- ``two_ins``: an IN followed by another IN (the first one is left open);
- ``out_without_in``: an OUT with no IN before it;
- ``clock_off``: the punch's time is later than the server received it (the
  terminal's clock was ahead);
- ``late``: the punch reached the server more than ``LATE`` after it was made (an
  offline terminal).

Voided punches are listed, shown voided, and ignored for pairs and totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

MAX_SHIFT = timedelta(hours=16)
CLOCK_AHEAD = timedelta(minutes=5)
LATE = timedelta(days=1)


@dataclass
class Punch:
    row: Any  # wall_time_utc, received_at, direction, voided_at, terminal
    local: datetime
    flags: list[str] = field(default_factory=list)


@dataclass
class Day:
    day: date
    punches: list[Punch] = field(default_factory=list)
    pairs: list[tuple[Punch, Punch]] = field(default_factory=list)
    worked: timedelta = timedelta()
    anomalies: set[str] = field(default_factory=set)


def punch_flags(row: Any) -> list[str]:
    """The anomalies a punch carries by itself (its clock, its delay)."""
    flags = []
    if row.wall_time_utc > row.received_at + CLOCK_AHEAD:
        flags.append("clock_off")
    elif row.received_at - row.wall_time_utc > LATE:
        flags.append("late")
    return flags


def build(rows: Iterable[Any], zone: tzinfo) -> list[Day]:
    """Days (oldest first) of the rows (ordered by ``wall_time_utc``)."""
    days: dict[date, Day] = {}
    open_in: Punch | None = None

    def day_of(p: Punch) -> Day:
        return days.setdefault(p.local.date(), Day(p.local.date()))

    def left_open(p: Punch, why: str) -> None:
        p.flags.append(why)
        day_of(p).anomalies.add(why)

    for row in rows:
        p = Punch(row, row.wall_time_utc.astimezone(zone), punch_flags(row))
        day = day_of(p)
        day.punches.append(p)
        day.anomalies.update(p.flags)
        if row.voided_at is not None:
            continue
        if open_in is not None and row.wall_time_utc - open_in.row.wall_time_utc > MAX_SHIFT:
            left_open(open_in, "missing_out")
            open_in = None
        if row.direction == "IN":
            if open_in is not None:
                left_open(open_in, "two_ins")
            open_in = p
        elif open_in is None:
            left_open(p, "out_without_in")
        else:
            start = day_of(open_in)
            start.pairs.append((open_in, p))
            start.worked += row.wall_time_utc - open_in.row.wall_time_utc
            open_in = None
    if open_in is not None:
        left_open(open_in, "missing_out")
    return [days[key] for key in sorted(days)]


def total(days: Iterable[Day]) -> timedelta:
    return sum((d.worked for d in days), timedelta())


def hours(span: timedelta) -> str:
    """"7:45" for 7 hours 45 minutes."""
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"
