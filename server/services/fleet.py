"""The fleet page's view of the terminals: grouped per site, with what needs attention.

Plain functions on the rows ``server.repo.fleet.fleet`` returns; the warnings themselves
are SQL conditions there (``repo.fleet.warnings``), so the page and the navigation's
count agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.repo.fleet import OFFLINE_AFTER, WARNING_KEYS


@dataclass
class TerminalView:
    row: Any
    online: bool
    revoked: bool
    reasons: list[str]  # WARNING_KEYS that hold, for a live terminal

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


@dataclass
class SiteFleet:
    site_id: int
    name: str
    timezone: str
    live: int = 0  # terminals not revoked
    online: int = 0
    attention: int = 0  # live terminals needing attention
    terminals: list[TerminalView] = field(default_factory=list)  # filled for listed sites


def view(row: Any, now: datetime) -> TerminalView:
    revoked = row.revoked_at is not None
    online = (not revoked and row.last_seen_at is not None
              and now - row.last_seen_at <= OFFLINE_AFTER)
    reasons = [] if revoked else [key for key in WARNING_KEYS if getattr(row, key)]
    return TerminalView(row, online, revoked, reasons)


def sites_in_order(sites: Iterable[Any],
                   summary: dict[int, tuple[int, int, int]]) -> list[SiteFleet]:
    """Every site (rows with id, name, timezone) with its counts (``repo.fleet
    .site_summary``): those needing attention first, then by name."""
    out = [SiteFleet(site.id, site.name, site.timezone, *summary.get(site.id, (0, 0, 0)))
           for site in sites]
    return sorted(out, key=lambda s: (s.attention == 0, s.name.casefold(), s.site_id))


def fill(sites: list[SiteFleet], rows: list[Any], now: datetime) -> None:
    """Give each of ``sites`` its terminals from ``rows`` (``repo.fleet.fleet``)."""
    by_id = {site.site_id: site for site in sites}
    for row in rows:
        site = by_id.get(row.site_id)
        if site is not None:
            site.terminals.append(view(row, now))
