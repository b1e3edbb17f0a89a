"""The employee form: reading and checking it on the server, errors in the caller's
language, and what the form offers (sites the caller manages, roles, languages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from contract.languages import LANGUAGES
from server.actions.people import MAX_NAME
from server.console import web
from server.console.auth.access import ADMIN, MANAGE_PEOPLE, Principal
from server.console.deps import Submission
from server.repo import directory


@dataclass
class EmployeeForm:
    name: str = ""
    site_id: int | None = None
    role: str = "worker"
    language: str = "fr"
    moderated: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Any) -> EmployeeForm:
        return cls(row.name, row.site_id, row.role, row.language, row.moderated)

    @classmethod
    def read(cls, sent: Submission, allowed_sites: dict[int, str],
             current_role: str | None = None) -> EmployeeForm:
        """The submitted values, each checked; ``errors`` names the fields refused.

        Only an HR admin gives the HR role: an HR employee may keep authority on
        terminals (a site setting), more than a site manager holds.
        """
        _ = web.words(sent.who)
        site = sent.text("site_id")
        form = cls(sent.text("name"), int(site) if site.isdigit() else None,
                   sent.text("role"), sent.text("language"), sent.flag("moderated"))
        if not form.name:
            form.errors["name"] = _("Enter a name.")
        elif len(form.name) > MAX_NAME:
            form.errors["name"] = _("A name has at most %(n)s characters.") % {"n": MAX_NAME}
        if form.site_id not in allowed_sites:
            form.errors["site_id"] = _("Choose one of your sites.")
        if form.role not in directory.ROLES:
            form.errors["role"] = _("Choose a role.")
        elif form.role == "hr" and current_role != "hr" and not sent.who.can(ADMIN):
            form.errors["role"] = _("Only an HR administrator can give the HR role.")
        if form.language not in LANGUAGES:
            form.errors["language"] = _("Choose a language.")
        return form


def managed_sites(conn: Connection, who: Principal) -> dict[int, str]:
    """id -> name of the sites where the caller manages people."""
    scope = who.sites(MANAGE_PEOPLE)
    return {row.id: row.name for row in directory.list_sites(conn)
            if scope is None or row.id in scope}


def choices(who: Principal) -> dict[str, Any]:
    _ = web.words(who)
    return {"roles": {"worker": _("Worker"), "manager": _("Manager"), "hr": _("HR")},
            "languages": {code: {"fr": "Français", "en": "English"}.get(code, code)
                          for code in LANGUAGES}}
