"""One write transaction applying many push items: cached reads, deferred inserts.

A push batch reads the same few directory rows for every item (the sender, its
contact list, the recipients, a group's members) and writes a handful of rows
per item. ``Batch`` answers the reads from a per-transaction cache and keeps the
new rows until ``flush()``, which inserts them with one statement per table
(``executemany``), in foreign-key order. This is what makes a batch of 500
items take a few dozen statements instead of several thousand.

Rules that keep it correct:

- The cache holds directory rows only (employees, contact lists, groups,
  attachments, terminals), which applying push items never changes; it lives
  for one transaction, so it sees one consistent state.
- ``connection()`` flushes before handing out the connection: any direct read
  or write sees every row the batch added before it, and change-log rows keep
  the order of the items that made them.
- An item adds its rows only once all its checks passed, so a rejected item
  leaves nothing behind without needing a savepoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection, Row

from contract import error_codes as errors
from server.db import schema
from server.db.schema import (
    attachments,
    contact_employees,
    contact_groups,
    employee_sites,
    employees,
    group_members,
    message_recipients,
    messages,
    punches,
    push_log,
    site_settings,
    staff_groups,
    terminals,
)
from server.db.types import utcnow
from server.repo import NotFound, Refused, changes
from server.repo import attachments as attachments_repo

# Parents before children (messages.reply_to points into messages: row order does it).
FLUSH_ORDER: tuple[Table, ...] = (attachments, messages, message_recipients, punches,
                                  schema.changes, push_log)
CHUNK = 500  # ids per IN (...) query


class Batch:
    """A write connection with a directory cache and deferred inserts (see module doc)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pending: dict[Table, list[dict[str, Any]]] = {t: [] for t in FLUSH_ORDER}
        self._employees: dict[int, Row[Any] | None] = {}
        self._contacts: dict[int, tuple[frozenset[int], frozenset[int]]] = {}
        self._groups: dict[int, tuple[Row[Any], list[Row[Any]]] | None] = {}
        self._attachments: dict[str, bool] = {}
        self._files: dict[str, bytes] = {}
        self._terminal_sites: dict[int, int] = {}
        self._extra_sites: dict[int, set[int]] = {}
        self._staff_authority: dict[int, bool] = {}

    # -- writes ---------------------------------------------------------------

    def add(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        """Insert these rows at the next flush."""
        self._pending[table].extend(rows)

    def flush(self) -> None:
        """Insert every deferred row: one statement per table."""
        for table, rows in self._pending.items():
            if not rows:
                continue
            if table is schema.changes:
                changes.insert(self._conn, rows)
            else:
                self._conn.execute(insert(table), rows)
            self._pending[table] = []
        # After the rows (repo.attachments: row first, then file, both before commit).
        store = attachments_repo.store_of(self._conn) if self._files else None
        for sha256, content in self._files.items():
            assert store is not None
            store.put(sha256, content)
        self._files.clear()

    def connection(self) -> Connection:
        """The connection, after a flush: it sees everything the batch wrote."""
        self.flush()
        return self._conn

    # -- cached reads -----------------------------------------------------------

    def prefetch_employees(self, ids: Iterable[int]) -> None:
        """Load these employees with a few queries instead of one each."""
        wanted = [i for i in dict.fromkeys(ids) if i not in self._employees]
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            self._employees.update(dict.fromkeys(chunk))
            for row in self._conn.execute(select(employees).where(employees.c.id.in_(chunk))):
                self._employees[row.id] = row
            self._extra_sites.update((i, set()) for i in chunk)
            for row in self._conn.execute(select(employee_sites)
                                          .where(employee_sites.c.employee_id.in_(chunk))):
                self._extra_sites[row.employee_id].add(row.site_id)

    def employee(self, employee_id: int) -> Row[Any]:
        """The employee, or NotFound(unknown_employee)."""
        if employee_id not in self._employees:
            self.prefetch_employees([employee_id])
        row = self._employees[employee_id]
        if row is None:
            raise NotFound(errors.UNKNOWN_EMPLOYEE, f"no employee with id {employee_id}",
                           employee_id=employee_id)
        return row

    def active_employee(self, employee_id: int) -> Row[Any]:
        """Like ``directory.require_active_employee``: unknown_employee / employee_inactive."""
        row = self.employee(employee_id)
        if not row.active:
            raise Refused(errors.EMPLOYEE_INACTIVE, f"employee {employee_id} is disabled",
                          employee_id=employee_id)
        return row

    def works_at(self, employee_id: int, site_id: int) -> Row[Any]:
        """The employee, if they work at ``site_id`` (home site or one of their other
        sites); else Refused(not_on_this_site). A terminal acts only for those."""
        row = self.employee(employee_id)
        if site_id != row.site_id and site_id not in self._extra_sites[employee_id]:
            raise Refused(errors.NOT_ON_THIS_SITE, f"employee {employee_id} does not work at "
                          "this terminal's site", employee_id=employee_id)
        return row

    def sites_of(self, employee_id: int) -> set[int]:
        """Every site the employee works at (their messages go to these sites' terminals)."""
        row = self.employee(employee_id)
        return {row.site_id} | self._extra_sites[employee_id]

    def staff_authority(self, site_id: int) -> bool:
        """May HR and managers send with their authority from this site's terminals?"""
        if site_id not in self._staff_authority:
            value = self._conn.execute(select(site_settings.c.terminal_staff_authority).where(
                site_settings.c.site_id == site_id)).scalar_one_or_none()
            self._staff_authority[site_id] = bool(value)
        return self._staff_authority[site_id]

    def contacts(self, owner_id: int) -> tuple[frozenset[int], frozenset[int]]:
        """(employee ids, group ids) that ``owner_id`` may write to."""
        if owner_id not in self._contacts:
            emps = self._conn.execute(select(contact_employees.c.contact_id).where(
                contact_employees.c.owner_id == owner_id)).scalars()
            grps = self._conn.execute(select(contact_groups.c.group_id).where(
                contact_groups.c.owner_id == owner_id)).scalars()
            self._contacts[owner_id] = frozenset(emps), frozenset(grps)
        return self._contacts[owner_id]

    def group(self, group_id: int) -> tuple[Row[Any], list[Row[Any]]]:
        """The group and its members (employee_id, can_post, site_id, active), or
        NotFound(unknown_group)."""
        if group_id not in self._groups:
            row = self._conn.execute(
                select(staff_groups).where(staff_groups.c.id == group_id)).first()
            members = [] if row is None else list(self._conn.execute(
                select(group_members.c.employee_id, group_members.c.can_post,
                       employees.c.site_id, employees.c.active)
                .join(employees, employees.c.id == group_members.c.employee_id)
                .where(group_members.c.group_id == group_id)))
            self._groups[group_id] = None if row is None else (row, members)
        found = self._groups[group_id]
        if found is None:
            raise NotFound(errors.UNKNOWN_GROUP, f"no group with id {group_id}",
                           group_id=group_id)
        return found

    def add_attachment(self, sha256: str, content_type: str, content: bytes,
                       terminal_id: int | None) -> None:
        """Store these bytes at the next flush unless the server has them (a drawing's
        render: the same drawing twice in a batch is stored once)."""
        if self.attachment_known(sha256):
            # The row is there: the file too, unless lost (then this puts it back).
            attachments_repo.store_of(self._conn).put(sha256, content)
            return
        self.add(attachments, [{"sha256": sha256, "content_type": content_type,
                                "size": len(content), "terminal_id": terminal_id,
                                "created_at": utcnow()}])
        self._files[sha256] = content  # written once its row is inserted (flush)
        self._attachments[sha256] = True

    def attachment_known(self, sha256: str) -> bool:
        if sha256 not in self._attachments:
            self._attachments[sha256] = self._conn.execute(
                select(attachments.c.sha256).where(attachments.c.sha256 == sha256)
            ).first() is not None
        return self._attachments[sha256]

    def attachment_usable(self, sha256: str, terminal_id: int, site_id: int) -> bool:
        """May this terminal name these bytes in a message? Only bytes it may read
        (``attachments.visible_to``): its own uploads, or a picture its site was sent.
        Anything else answers as unknown bytes do, so a message cannot be used to learn
        whether the server holds a photo, nor to get another site's photo."""
        key = f"{terminal_id}:{sha256}"
        if key not in self._attachments:
            self._attachments[key] = attachments_repo.visible_to(
                self.connection(), sha256, terminal_id, site_id)
        return self._attachments[key]

    def terminal_site(self, terminal_id: int) -> int:
        if terminal_id not in self._terminal_sites:
            self._terminal_sites[terminal_id] = self._conn.execute(
                select(terminals.c.site_id).where(terminals.c.id == terminal_id)).scalar_one()
        return self._terminal_sites[terminal_id]

    def sender_sites(self, message: Row[Any]) -> set[int]:
        """Like ``messages.sender_sites``, from the cache."""
        sites = {self.employee(message.sender_id).site_id}
        if message.origin_terminal_id is not None:
            sites.add(self.terminal_site(message.origin_terminal_id))
        return sites
