"""The fleet page's view of the terminals: grouped per site, with what needs attention.

Plain functions on the rows ``server.repo.fleet.fleet`` returns; the warnings themselves
are SQL conditions there (``repo.fleet.warnings``), so the page and the navigation's
count agree.
"""

from __future__ import annotations

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
    terminals: list[TerminalView] = field(default_factory=list)

    @property
    def live(self) -> int:
        return sum(not t.revoked for t in self.terminals)

    @property
    def online(self) -> int:
        return sum(t.online for t in self.terminals)

    @property
    def attention(self) -> int:
        return sum(t.needs_attention for t in self.terminals)


def view(row: Any, now: datetime) -> TerminalView:
    revoked = row.revoked_at is not None
    online = (not revoked and row.last_seen_at is not None
              and now - row.last_seen_at <= OFFLINE_AFTER)
    reasons = [] if revoked else [key for key in WARNING_KEYS if getattr(row, key)]
    return TerminalView(row, online, revoked, reasons)


def by_site(rows: list[Any], now: datetime,
            sites: dict[int, tuple[str, str]] | None = None) -> list[SiteFleet]:
    """The rows (ordered by site) as one ``SiteFleet`` each; ``sites`` (id -> (name,
    timezone)) adds the sites that have no terminal yet. Sites needing attention first,
    then by name."""
    found: dict[int, SiteFleet] = {}
    for row in rows:
        site = found.get(row.site_id)
        if site is None:
            site = found[row.site_id] = SiteFleet(row.site_id, row.site_name, row.timezone)
        site.terminals.append(view(row, now))
    for site_id, (name, timezone) in (sites or {}).items():
        found.setdefault(site_id, SiteFleet(site_id, name, timezone))
    return sorted(found.values(), key=lambda s: (s.attention == 0, s.name.casefold(), s.site_id))
