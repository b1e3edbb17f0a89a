"""The demo company: a dozen workers with badges, contact lists, two groups, messages in FR and EN.

Used by the README's demo command, the screen tour, the tests and the benchmarks.
Badge ids are EM4100 canonical ids (10 upper-case hex characters); the first
three are the vectors of docs/readers.md, so a real card can be typed in too.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from kiosk.domain.attachments import AttachmentStore
from kiosk.domain.badge_keys import refresh_badge_keys
from kiosk.domain.directory import Directory
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.domain.models import Employee
from kiosk.storage import transaction


@dataclass(frozen=True)
class DemoWorker:
    employee: Employee
    badge: str
    badge_active: bool = True


def _w(emp_id: int, first: str, last: str, lang: str, badge: str, role: str = "worker",
       badge_active: bool = True) -> DemoWorker:
    return DemoWorker(Employee(emp_id, first, last, lang, role), badge, badge_active)


DEMO_WORKERS: tuple[DemoWorker, ...] = (
    _w(1, "Camille", "Martin", "fr", "0F00123456"),
    _w(2, "Jordan", "Smith", "en", "1A0067B3C2"),
    _w(3, "Inès", "Moreau", "fr", "0400F1A2B3"),
    _w(4, "Luc", "Bernard", "fr", "0A0000C001"),
    _w(5, "Amélie", "Dubois", "fr", "0A0000C002"),
    _w(6, "Priya", "Patel", "en", "0A0000C003"),
    _w(7, "Karim", "Haddad", "fr", "0A0000C004"),
    _w(8, "Sophie", "Lefèvre", "fr", "0A0000C005", role="manager"),
    _w(9, "Tom", "Walker", "en", "0A0000C006"),
    _w(10, "Nadia", "Roux", "fr", "0A0000C007", role="hr"),
    _w(11, "Hugo", "Garnier", "fr", "0A0000C008"),
    _w(12, "Emma", "Wilson", "en", "0A0000C009", badge_active=False),  # lost badge
)

UNKNOWN_DEMO_BADGE = "0BADBADBAD"

# The demo's admin badge and PIN (a real site makes its own hash: kiosk admin-pin).
DEMO_ADMIN_BADGE = "0A00AD0001"
DEMO_ADMIN_PIN = "1234"
DEMO_ADMIN_PIN_HASH = ("pbkdf2_sha256$60000$6b696f736b2d64656d6f2d61646d696e$"
                       "ce28ba983fdc27e6ba52fa80b980e65d31777fa19206164cb162c691b369bece")

DEMO_GROUPS = (
    (1, "Ligne 1 / Line 1", (1, 2, 3, 4, 5, 8)),
    (2, "Logistique / Logistics", (6, 7, 9, 11, 12, 8)),
)

def demo_message_id(n: int) -> str:
    """Stable UUIDs, so the demo's messages keep their ids across runs."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kiosk-demo-message-{n}"))


# (id, sender employee id, recipients, hours ago, body, acknowledgement required)
DEMO_MESSAGES = (
    (demo_message_id(1), 10, (1, 3, 4, 5, 7, 11), 2,
     "Rappel : la visite médicale annuelle a lieu jeudi de 9 h à 12 h en salle B. "
     "Présentez-vous avec votre badge.", True),
    (demo_message_id(2), 8, (1, 2, 3, 4, 5), 5,
     "Ligne 1 : changement de série à 14 h, merci de préparer les gabarits.", False),
    (demo_message_id(3), 10, (2, 6, 9, 12), 3,
     "Reminder: the annual medical check is on Thursday, 9am to noon, room B. "
     "Please bring your badge.", True),
    (demo_message_id(4), 8, (6, 7, 9, 11, 12), 26,
     "Logistics: the truck from Lyon arrives at 6:30 tomorrow, dock 3.", False),
    (demo_message_id(5), 2, (1,), 1, "Can you cover my Saturday shift? Thanks!", False),
    (demo_message_id(6), 3, (1,), 30, "Merci pour le coup de main hier soir 👍", False),
    (demo_message_id(7), 8, (1, 2, 3, 4, 5), 50,
     "Bravo à toute l'équipe : objectif qualité atteint ce mois-ci.", False),
)


# Messages to a whole group (a group conversation): message -> group.
DEMO_GROUP_MESSAGES = {demo_message_id(2): 1, demo_message_id(7): 1, demo_message_id(4): 2}

# Pictures from the line's manager to line 1: (id, sender, recipients, hours ago, caption, kind).
# The bytes come from kiosk.demo.media (drawn at run time, the same every time).
DEMO_PICTURE_MESSAGES = (
    (demo_message_id(8), 8, (1, 2, 3, 4, 5), 4,
     "Nouveau rangement au poste 3 : gabarits en haut, pièces en bas.", "photo"),
    (demo_message_id(9), 8, (1, 2, 3, 4, 5), 6,
     "Livraison de demain : déposez les palettes au quai 3 (entouré).", "drawing"),
)


def demo_contacts(employee_id: int) -> tuple[list[int], list[int]]:
    """Who a demo worker may write to: their groups' members, the manager and HR."""
    groups = [g for g, _, members in DEMO_GROUPS if employee_id in members]
    mates = {m for g, _, members in DEMO_GROUPS if g in groups for m in members}
    mates |= {8, 10}
    mates.discard(employee_id)
    return sorted(mates), groups


def seed_demo(db: sqlite_utils.Database, now: datetime | None = None) -> None:
    """Fill an empty terminal database with the demo company (idempotent)."""
    now = now or datetime.now(UTC)
    names = {w.employee.id: w.employee.display_name for w in DEMO_WORKERS}
    with transaction(db) as conn:
        for w in DEMO_WORKERS:
            Directory.put_employee(conn, w.employee)
            Directory.put_badge(conn, w.badge, w.employee.id, w.badge_active)
        for group_id, name, members in DEMO_GROUPS:
            Directory.put_group(conn, group_id, name, [(m, True) for m in members])
        for w in DEMO_WORKERS:
            Directory.put_contacts(conn, w.employee.id, *demo_contacts(w.employee.id))
        refresh_badge_keys(conn)
        MessageStore.put(
            conn,
            [
                IncomingMessage(
                    id=mid, sender_id=sender, sender_name=names[sender], body=body,
                    created_at=now - timedelta(hours=hours), recipients=recipients,
                    # HR's announcements to acknowledge take no replies (a greyed Reply).
                    ack_required=ack, reply_allowed=not ack,
                    group_id=DEMO_GROUP_MESSAGES.get(mid),
                )
                for mid, sender, recipients, hours, body, ack in DEMO_MESSAGES
            ],
        )
        _seed_pictures(conn, now, names)


def _seed_pictures(conn: sqlite3.Connection, now: datetime, names: dict[int, str]) -> None:
    from kiosk.demo.media import demo_drawing, demo_photo
    from sketch import render_png

    pictures = {"photo": (demo_photo(), "image/jpeg"),
                "drawing": (render_png(demo_drawing()), "image/png")}
    for mid, sender, recipients, hours, caption, kind in DEMO_PICTURE_MESSAGES:
        data, content_type = pictures[kind]
        sha256 = AttachmentStore.put(conn, data, content_type, uploaded=True)
        MessageStore.put(conn, [IncomingMessage(
            id=mid, sender_id=sender, sender_name=names[sender], body=caption,
            created_at=now - timedelta(hours=hours), recipients=recipients, kind=kind,
            attachment_sha256=sha256,
        )])


def demo_badges_table() -> str:
    """The badge ids to present, as printed by the demo command."""
    lines = []
    for w in DEMO_WORKERS:
        note = "  (disabled: lost badge)" if not w.badge_active else ""
        lines.append(f"  {w.badge}  {w.employee.display_name:<18} {w.employee.language}{note}")
    lines.append(f"  {UNKNOWN_DEMO_BADGE}  (unknown badge)")
    lines.append(f"  {DEMO_ADMIN_BADGE}  (admin badge, PIN {DEMO_ADMIN_PIN}: the admin screen)")
    return "\n".join(lines)
