"""Roles on sites, and the check every page and action makes.

    hr_admin       everything, every site (its role row has no site)
    site_manager   people, contact lists, groups and moderation of its sites
    site_it        terminals and site settings of its sites (the settings page)
    viewer         reads the sites it names (every site without any)

A check is on the server, with the site of the thing asked for: a page or an action
outside the caller's sites answers 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ = "read"
MANAGE_PEOPLE = "people"  # employees, badges, contact lists, group members
MODERATE = "moderate"
ADMIN = "admin"  # every site's business: creating groups, their moderation flag
TERMINALS = "terminals"

CAPABILITIES: dict[str, frozenset[str]] = {
    "hr_admin": frozenset({READ, MANAGE_PEOPLE, MODERATE, ADMIN, TERMINALS}),
    "site_manager": frozenset({READ, MANAGE_PEOPLE, MODERATE}),
    "site_it": frozenset({TERMINALS}),
    "viewer": frozenset({READ}),
}
EVERY_SITE = None


class Denied(Exception):
    """Not this caller's business: answered 404 (403 for a page the role lacks)."""

    def __init__(self, status: int = 404) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Principal:
    account_id: int
    email: str
    name: str
    language: str
    roles: tuple[tuple[str, int | None], ...]
    session_id: int
    csrf_token: str
    site_names: dict[int, str] = field(default_factory=dict)

    def sites(self, capability: str) -> set[int] | None:
        """Sites where the caller has ``capability``; None: every site."""
        found: set[int] = set()
        for role, site in self.roles:
            if capability in CAPABILITIES.get(role, ()):
                if site is EVERY_SITE:
                    return None
                found.add(site)
        return found

    def can(self, capability: str, site_ids: set[int] | int | None = None) -> bool:
        """True if the caller has ``capability`` somewhere (site_ids None), or at one of
        ``site_ids``."""
        allowed = self.sites(capability)
        if allowed is None:
            return True
        if site_ids is None:
            return bool(allowed)
        wanted = {site_ids} if isinstance(site_ids, int) else site_ids
        return bool(allowed & wanted)

    def require(self, capability: str, site_ids: set[int] | int | None = None) -> None:
        if not self.can(capability, site_ids):
            # No such right anywhere: the page is not for this role (403). Not at this
            # site: as if the thing did not exist (404), so ids of other sites leak nothing.
            raise Denied(403 if not self.can(capability) else 404)

    @property
    def role_names(self) -> list[str]:
        return sorted({role for role, _site in self.roles})
