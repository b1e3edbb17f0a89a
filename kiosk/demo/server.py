"""The demo's central server: the real server, in-process on loopback, with the demo company.

Only the demo command imports this (and with it the server package); a
production terminal talks to a server elsewhere.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kiosk.demo.company import (
    DEMO_GROUP_MESSAGES,
    DEMO_GROUPS,
    DEMO_MESSAGES,
    DEMO_PICTURE_MESSAGES,
    DEMO_WORKERS,
    demo_contacts,
)
from kiosk.demo.media import demo_drawing, demo_photo
from server.db import Database, url_from_path
from server.embedded import EmbeddedServer, start_embedded_server
from server.repo import directory, groups, terminals
from server.services import messaging

DEMO_SITE = "Usine de démonstration"


def seed_demo_server(db: Database) -> int:
    """Create the demo site, its dozen workers, badges, groups, contact lists and messages."""
    with db.write() as conn:
        site = directory.create_site(conn, DEMO_SITE, "Europe/Paris", "fr")
        ids: dict[int, int] = {}
        for w in DEMO_WORKERS:
            e = w.employee
            ids[e.id] = directory.create_employee(
                conn, e.display_name, site, role=e.role, language=e.language
            )
            directory.add_badge(conn, ids[e.id], w.badge)
            if not w.badge_active:
                directory.set_badge_active(conn, w.badge, False)
        group_ids: dict[int, int] = {}
        for group_id, name, members in DEMO_GROUPS:
            group_ids[group_id] = groups.create_group(conn, name)
            for member in members:
                groups.set_member(conn, group_ids[group_id], ids[member], can_post=True)
        for w in DEMO_WORKERS:
            mates, mine = demo_contacts(w.employee.id)
            groups.set_contacts(conn, ids[w.employee.id], [ids[m] for m in mates],
                                [group_ids[g] for g in mine])
        for message_id, sender, recipients, _, body, ack in DEMO_MESSAGES:
            group = DEMO_GROUP_MESSAGES.get(message_id)
            to = ({"to_groups": [group_ids[group]]} if group is not None
                  else {"to_employees": [ids[r] for r in recipients]})
            messaging.broadcast(conn, ids[sender], body, ack_required=ack,
                                reply_allowed=not ack, **to)
        for _, sender, recipients, _, caption, kind in DEMO_PICTURE_MESSAGES:
            picture = ({"photo": demo_photo()} if kind == "photo"
                       else {"drawing": demo_drawing().to_wire()})
            messaging.broadcast(conn, ids[sender], caption,
                                to_employees=[ids[r] for r in recipients], **picture)
    return site


def enrollment_code(db: Database, site_id: int) -> str:
    with db.write() as conn:
        return terminals.create_enrollment_code(conn, site_id, timedelta(days=1))[0]


class DemoServer:
    """The embedded server with the demo company, its database in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        path = Path(data_dir) / "server.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.exists()
        self.handle: EmbeddedServer = start_embedded_server(path, "127.0.0.1", 0)
        self.db = Database(url_from_path(path))
        if fresh:
            seed_demo_server(self.db)
        with self.db.read() as conn:
            self.site_id = directory.list_sites(conn)[0].id

    @property
    def url(self) -> str:
        return self.handle.url

    def new_enrollment_code(self) -> str:
        return enrollment_code(self.db, self.site_id)

    def stop(self) -> None:
        self.handle.stop()
        self.db.dispose()
