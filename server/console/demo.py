"""A small company to show the console with (`console-tour`): two sites, people with
names in several scripts, a moderated group, and pending messages with a photo and a
drawing (rendered by the server, as a terminal's would be)."""

from __future__ import annotations

import io
import math
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from server.actions import accounts as account_actions
from server.db import Database
from server.protocol.push import Drawing
from server.repo import attachments, directory, groups, messages
from server.repo.audit import Actor
from server.services import drawings

DEMO = Actor("demo")
ADMIN_EMAIL = "rh@example.org"
ADMIN_PASSWORD = "demo password, not for production"


@dataclass(frozen=True)
class DemoCompany:
    site: int
    worker: int  # a moderated worker with a badge and a contact list
    group: int


def _jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), "#d8e4f0")
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 120, 420, 300), fill="#8a5a2b")  # a pallet
    draw.rectangle((140, 60, 340, 140), fill="#2c6e49")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _drawing() -> Drawing:
    circle = [(200 + 120 * math.cos(t / 20), 150 + 100 * math.sin(t / 20))
              for t in range(0, 126)]
    arrow = [(60.0, 280.0), (200.0, 150.0), (170.0, 160.0), (200.0, 150.0), (190.0, 180.0)]
    return Drawing.model_validate({"width": 400, "height": 300, "strokes": [
        {"color": "#0b5cad", "width": 6, "points": circle},
        {"color": "#b3261e", "width": 8, "points": arrow}]})


def _pending(conn: Connection, sender: int, to: dict[int, int], body: str,
             kind: str = "text", picture: tuple[str, str, bytes] | None = None,
             drawing: Drawing | None = None) -> None:
    sha256 = None
    if picture is not None:
        sha256, content_type, data = picture
        if attachments.info(conn, sha256) is None:
            attachments.put(conn, sha256, content_type, data, None)
    message_id = str(uuid.uuid4())
    messages.insert_message(conn, {
        "id": message_id, "thread_id": message_id, "reply_to": None, "sender_id": sender,
        "origin_terminal_id": None, "kind": kind, "body": body, "attachment_sha256": sha256,
        "drawing": drawing.model_dump_json() if drawing else None,
        "to_employees": list(to), "to_groups": [], "ack_required": False,
        "expires_at": None, "written_at": None, "status": "pending"}, to)


def seed(db: Database) -> DemoCompany:
    import hashlib

    photo = _jpeg()
    sketch = _drawing()
    drawn_sha, drawn_png = drawings.render(sketch)
    with db.write() as conn:
        lyon = directory.create_site(conn, "Usine de Lyon", "Europe/Paris", "fr")
        montreal = directory.create_site(conn, "Plant Montréal", "America/Montreal", "en")
        people: dict[str, Any] = {}
        for name, site, role, moderated in (
                ("Amélie Durand", lyon, "hr", False), ("Karim Benali", lyon, "worker", True),
                ("Zoé O'Brien", lyon, "worker", False), ("Lucas Martin", lyon, "manager", False),
                ("王芳", lyon, "worker", True), ("Fatou Diop", montreal, "worker", False),
                ("Jean-Philippe Côté", montreal, "manager", False)):
            people[name] = directory.create_employee(conn, name, site, role, "fr", moderated)
        directory.add_badge(conn, people["Karim Benali"], "0F00123456")
        directory.add_badge(conn, people["Zoé O'Brien"], "0F00654321")
        line = groups.create_group(conn, "Ligne 3", moderated=True)
        for name in ("Karim Benali", "Zoé O'Brien", "王芳"):
            groups.set_member(conn, line, people[name], can_post=name != "王芳")
        groups.set_contacts(conn, people["Karim Benali"],
                            [people["Lucas Martin"], people["Amélie Durand"]], [line])
        lucas = {people["Lucas Martin"]: lyon}
        _pending(conn, people["Karim Benali"], lucas, "Je peux partir à 16 h aujourd'hui ?")
        _pending(conn, people["王芳"], lucas, "Palette abîmée quai 2", "photo",
                 (hashlib.sha256(photo).hexdigest(), "image/jpeg", photo))
        _pending(conn, people["Karim Benali"], lucas, "La fuite est ici", "drawing",
                 (drawn_sha, drawings.CONTENT_TYPE, drawn_png), sketch)
        account_actions.create_account(conn, DEMO, ADMIN_EMAIL, "Amélie Durand",
                                       ADMIN_PASSWORD, [("hr_admin", None)], "en",
                                       people["Amélie Durand"])
    return DemoCompany(lyon, people["Karim Benali"], line)
