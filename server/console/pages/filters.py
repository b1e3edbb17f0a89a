"""What the list pages (audit log, punches, broadcasts) share: days typed as
YYYY-MM-DD checked with an error on their field, UTC day bounds, the page number."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi import Request

from server.console import web
from server.console.auth.access import Principal


def day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def day_range(who: Principal, since: str, until: str) -> tuple[date | None, date | None,
                                                                 dict[str, str]]:
    """(first day, last day, errors by field name) of the two date fields."""
    _ = web.words(who)
    start, end = day(since), day(until)
    errors = {}
    if since and start is None:
        errors["since"] = _("Enter a date as YYYY-MM-DD.")
    if until and end is None:
        errors["until"] = _("Enter a date as YYYY-MM-DD.")
    if start and end and end < start:
        errors["until"] = _("The end date is before the start date.")
    return start, end, errors


def utc_bounds(start: date | None, end: date | None) -> tuple[datetime | None,
                                                               datetime | None]:
    """UTC instants: the start of ``start``, the end of ``end`` (exclusive)."""
    return (datetime.combine(start, time(), UTC) if start else None,
            datetime.combine(end + timedelta(days=1), time(), UTC) if end else None)


def page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1
