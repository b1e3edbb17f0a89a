"""A small company to show the console with (`console-tour`): two sites, people with
names in several scripts, a moderated group, and pending messages with a photo and a
drawing (rendered by the server, as a terminal's would be)."""

from __future__ import annotations

import io
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from server.actions import accounts as account_actions
from server.actions import broadcasts as broadcast_actions
from server.actions import people as people_actions
from server.actions import scheduled_broadcasts as scheduled
from server.actions import site_settings as settings_actions
from server.console.demo_fleet import seed_fleet
from server.db import Database
from server.db.schema import punches
from server.db.types import utcnow
from server.protocol.push import Drawing
from server.repo import attachments, directory, groups, messages, terminals
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
    broadcast: str
    stale_terminal: int = 0  # a terminal needing attention (server.console.demo_fleet)


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


def _punches(conn: Connection, site: int, worker: int) -> None:
    """A week of one worker's punches at a terminal of the site: a normal day, a day
    without OUT, a voided punch, one that arrived two days late."""
    code, _ = terminals.create_enrollment_code(conn, site, timedelta(minutes=5))
    gate = terminals.redeem_code(conn, code, "Entrée nord")[0]
    start = utcnow().replace(hour=5, minute=58, second=0, microsecond=0) - timedelta(days=4)
    for day, direction, hours, late, void in (
            (0, "IN", 0, 0, False), (0, "OUT", 8.25, 0, False), (1, "IN", 0, 0, False),
            (2, "IN", 0, 0, False), (2, "OUT", 0.05, 0, True), (2, "OUT", 7.75, 2, False)):
        at = start + timedelta(days=day, hours=hours)
        conn.execute(insert(punches).values(
            id=str(uuid.uuid4()), employee_id=worker, terminal_id=gate, direction=direction,
            wall_time=at.isoformat(), wall_time_utc=at, monotonic_ns=1, boot_id="demo",
            received_at=at + timedelta(days=late, seconds=3),
            voided_at=at + timedelta(seconds=30) if void else None,
            void_reason="erreur" if void else None))


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
        # A few changes made the way HR makes them, for the audit log's page.
        fatou = people["Fatou Diop"]
        people_actions.update_employee(conn, DEMO, fatou, language="en", moderated=True)
        people_actions.add_badge(conn, DEMO, fatou, "0F00777777")
        people_actions.update_employee(conn, DEMO, people["Lucas Martin"], active=False)
        settings_actions.update(conn, DEMO, lyon, {
            "punch_mode": "auto", "session_timeout_s": 45, "admin_badges": ["0F00ADA000"],
            "quick_replies": {"fr": ["J'arrive", "Merci", "Je suis en pause"],
                              "en": ["On my way", "Thanks"]}})
        _punches(conn, lyon, people["Karim Benali"])
        notice = broadcast_actions.send(
            conn, DEMO, people["Amélie Durand"], "Exercice incendie vendredi à 10 h : "
            "rassemblement parking nord.", site_ids=[lyon], ack_required=True,
            reply_allowed=False)
        now = utcnow()
        messages.record_times(conn, notice, people["Zoé O'Brien"], {
            "delivered_at": now, "read_at": now, "acked_at": now})
        messages.record_times(conn, notice, people["Karim Benali"], {
            "delivered_at": now, "read_at": now})
        # Scheduled for 05:45 tomorrow, Lyon time, before the morning shift.
        morning = (now.astimezone(ZoneInfo("Europe/Paris")) + timedelta(days=1)).replace(
            hour=5, minute=45, second=0, microsecond=0)
        scheduled.schedule(conn, DEMO, people["Amélie Durand"], scheduled.Plan(
            "Briefing sécurité à la prise de poste, quai 2.", site_ids=[lyon],
            ack_required=True, reply_allowed=False), morning.astimezone(UTC))
        account_actions.create_account(conn, DEMO, ADMIN_EMAIL, "Amélie Durand",
                                       ADMIN_PASSWORD, [("hr_admin", None)], "en",
                                       people["Amélie Durand"])
        fleet = seed_fleet(conn, lyon, montreal)
    return DemoCompany(lyon, people["Karim Benali"], line, notice, fleet["stale"])
