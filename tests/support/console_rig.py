"""Shared rig of the HR console's tests: seeded accounts and people on two sites, and an
HTTP client that logs in and sends the CSRF token like the console's own pages do."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from server.db import Database
from server.repo import accounts, directory, groups, messages
from server.services.passwords import hash_password

PASSWORD = "correct horse battery"
ADMIN, MANAGER_A, MANAGER_B, VIEWER, SITE_IT = (
    "admin@example.org", "manager.a@example.org", "manager.b@example.org",
    "viewer@example.org", "it@example.org")


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class Seeded:
    site_a: int
    site_b: int
    hana: int  # HR at site A
    ali: int  # moderated worker at site A, badge 0F00AA0001
    zoe: int  # worker at site A: "Zoé O'Brien"
    carl: int  # worker at site B
    line: int  # group "Line 3": ali and carl
    pending_a: str  # Ali's pending message to Zoé
    pending_b: str  # Carl's pending message to Ali


def seed(db: Database) -> Seeded:
    """Two sites, people, a group, two pending messages and one account per role."""
    with db.write() as conn:
        site_a = directory.create_site(conn, "Plant A", "Europe/Paris", "fr")
        site_b = directory.create_site(conn, "Plant B", "America/Montreal", "en")
        hana = directory.create_employee(conn, "Hana HR", site_a, role="hr")
        ali = directory.create_employee(conn, "Ali Ben", site_a, moderated=True)
        zoe = directory.create_employee(conn, "Zoé O'Brien", site_a)
        carl = directory.create_employee(conn, "Carl B", site_b, moderated=True)
        directory.add_badge(conn, ali, "0F00AA0001")
        line = groups.create_group(conn, "Line 3")
        groups.set_member(conn, line, ali, can_post=True)
        groups.set_member(conn, line, carl, can_post=True)
        groups.set_contacts(conn, ali, [zoe], [])
        pending_a = _pending(conn, ali, {zoe: site_a}, "Can I leave at 4?")
        pending_b = _pending(conn, carl, {ali: site_a}, "Forklift broken")
        for email, role, sites in ((ADMIN, "hr_admin", [None]),
                                   (MANAGER_A, "site_manager", [site_a]),
                                   (MANAGER_B, "site_manager", [site_b]),
                                   (VIEWER, "viewer", [site_a]),
                                   (SITE_IT, "site_it", [site_a])):
            # One argon2 hash for all (hashing is slow on purpose); the CLI's path is
            # tested in test_server_accounts_cli.py.
            account_id = accounts.create_account(conn, email, email.split("@")[0],
                                                 _password_hash())
            accounts.set_roles(conn, account_id, [(role, site) for site in sites])
    return Seeded(site_a, site_b, hana, ali, zoe, carl, line, pending_a, pending_b)


def _pending(conn: Any, sender: int, recipients: dict[int, int], body: str) -> str:
    message_id = str(uuid.uuid4())
    messages.insert_message(conn, {
        "id": message_id, "thread_id": message_id, "reply_to": None, "sender_id": sender,
        "origin_terminal_id": None, "kind": "text", "body": body, "attachment_sha256": None,
        "drawing": None, "to_employees": list(recipients), "to_groups": [],
        "ack_required": False, "expires_at": None, "written_at": None, "status": "pending",
    }, recipients)
    return message_id


class ConsoleClient(httpx.Client):
    """A browser-like client: same-origin Origin header, the session's CSRF token."""

    csrf: str = ""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url=base_url, timeout=30,
                         headers={"Origin": base_url.rstrip("/")})

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = self.post("/console/login", data={"email": email, "password": password})
        if response.status_code == 303:
            page = self.get("/console/people")
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            self.csrf = found.group(1) if found else ""
        return response

    def act(self, path: str, data: dict[str, Any] | None = None,
            csrf: bool = True) -> httpx.Response:
        """A form POST with the CSRF field (as a plain form sends it)."""
        form = {**(data or {}), **({"csrf_token": self.csrf} if csrf else {})}
        return self.post(path, data=form)
