"""What the console lists: people found by name or badge, the moderation queue, and who
can reach whom, each limited to the sites the caller may see (None: every site)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from server.db.engine import FOLD_FUNCTION
from server.db.schema import (
    badges,
    contact_employees,
    contact_groups,
    employee_sites,
    employees,
    group_members,
    messages,
    punches,
    sites,
    staff_groups,
    terminals,
)
from server.db.types import fold
from server.repo.directory import normalize_uid

SiteScope = set[int] | None


def _works_at(scope: set[int]) -> ColumnElement[bool]:
    other = exists().where(employee_sites.c.employee_id == employees.c.id,
                           employee_sites.c.site_id.in_(sorted(scope)))
    return or_(employees.c.site_id.in_(sorted(scope)), other)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sort_key(conn: Connection, column: Any) -> Any:
    """Names in alphabetical order whatever their case and accents (Élodie before Zoé)."""
    if conn.dialect.name == "sqlite":
        return getattr(func, FOLD_FUNCTION)(column)
    return func.lower(column)


def contains(conn: Connection, column: Any, text: str) -> ColumnElement[bool]:
    """``column`` contains ``text``, ignoring case (and accents on SQLite, through the
    engine's fold function; PostgreSQL's lower() follows the database's locale)."""
    if conn.dialect.name == "sqlite":
        folded = fold(text.strip()) or ""
        return getattr(func, FOLD_FUNCTION)(column).like(f"%{_escape_like(folded)}%",
                                                         escape="\\")
    return func.lower(column).like(f"%{_escape_like(text.strip().lower())}%", escape="\\")


def find_people(conn: Connection, text: str, scope: SiteScope, limit: int = 50,
                offset: int = 0, active_only: bool = False,
                site_id: int | None = None) -> tuple[list[Row[Any]], int]:
    """Employees whose name contains ``text`` or who hold a badge starting with it; by
    name. Returns (one page of rows, how many in all)."""
    where: list[ColumnElement[bool]] = []
    if scope is not None:
        where.append(_works_at(scope))
    if site_id is not None:
        where.append(employees.c.site_id == site_id)
    if active_only:
        where.append(employees.c.active)
    text = text.strip()
    if text:
        by_name = employees.c.search_name.like(f"%{_escape_like(fold(text) or '')}%",
                                               escape="\\")
        by_badge = exists().where(badges.c.employee_id == employees.c.id,
                                  badges.c.uid.like(f"{_escape_like(normalize_uid(text))}%",
                                                    escape="\\"))
        where.append(or_(by_name, by_badge))
    condition = and_(*where) if where else None
    badge_count = (select(func.count()).where(badges.c.employee_id == employees.c.id)
                   .scalar_subquery())
    query = (select(employees, sites.c.name.label("site_name"),
                    sites.c.timezone.label("timezone"), badge_count.label("badges"))
             .join(sites, sites.c.id == employees.c.site_id)
             .order_by(employees.c.search_name, employees.c.id)
             .limit(limit).offset(offset))
    total = select(func.count()).select_from(employees)
    if condition is not None:
        query, total = query.where(condition), total.where(condition)
    return list(conn.execute(query)), conn.execute(total).scalar_one()


def names(conn: Connection, employee_ids: set[int]) -> dict[int, Row[Any]]:
    """id -> (id, name, site_id, active, site_name) of these employees."""
    if not employee_ids:
        return {}
    query = (select(employees.c.id, employees.c.name, employees.c.site_id, employees.c.active,
                    sites.c.name.label("site_name"))
             .join(sites, sites.c.id == employees.c.site_id)
             .where(employees.c.id.in_(sorted(employee_ids))))
    return {row.id: row for row in conn.execute(query)}


def group_names(conn: Connection, group_ids: set[int] | None = None) -> dict[int, Row[Any]]:
    query = select(staff_groups).order_by(_sort_key(conn, staff_groups.c.name))
    if group_ids is not None:
        query = query.where(staff_groups.c.id.in_(sorted(group_ids)))
    return {row.id: row for row in conn.execute(query)}


def find_groups(conn: Connection, text: str) -> list[Row[Any]]:
    """Groups whose name contains ``text``, with their member and poster counts."""
    members = (select(func.count()).where(group_members.c.group_id == staff_groups.c.id)
               .scalar_subquery())
    posters = (select(func.count()).where(group_members.c.group_id == staff_groups.c.id,
                                          group_members.c.can_post).scalar_subquery())
    query = (select(staff_groups, members.label("members"), posters.label("posters"))
             .order_by(_sort_key(conn, staff_groups.c.name)))
    if text.strip():
        query = query.where(contains(conn, staff_groups.c.name, text))
    return list(conn.execute(query))


def last_punch(conn: Connection, employee_id: int) -> Any:
    """When the employee last punched (a punch does not name the badge used)."""
    return conn.execute(select(func.max(punches.c.wall_time_utc))
                        .where(punches.c.employee_id == employee_id)).scalar()


def reached_by(conn: Connection, employee_id: int) -> tuple[list[int], list[int]]:
    """Who may write to this employee: (owners naming them on their list, owners who may
    post to a group naming them as a member)."""
    direct = conn.execute(select(contact_employees.c.owner_id)
                          .where(contact_employees.c.contact_id == employee_id)).scalars()
    their_groups = select(group_members.c.group_id).where(
        group_members.c.employee_id == employee_id)
    via_group = conn.execute(
        select(contact_groups.c.owner_id).distinct()
        .join(group_members, and_(group_members.c.group_id == contact_groups.c.group_id,
                                  group_members.c.employee_id == contact_groups.c.owner_id,
                                  group_members.c.can_post))
        .where(contact_groups.c.group_id.in_(their_groups))
        .where(contact_groups.c.owner_id != employee_id)).scalars()
    return sorted(set(direct)), sorted(set(via_group))


def _pending_in(conn: Connection, scope: SiteScope,
                text: str = "") -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [messages.c.status == "pending"]
    if text.strip():
        senders = select(employees.c.id).where(employees.c.search_name.like(
            f"%{_escape_like(fold(text.strip()) or '')}%", escape="\\"))
        where.append(or_(messages.c.sender_id.in_(senders),
                         contains(conn, messages.c.body, text)))
    if scope is not None:
        from_site = select(employees.c.id).where(employees.c.site_id.in_(sorted(scope)))
        from_terminal = select(terminals.c.id).where(terminals.c.site_id.in_(sorted(scope)))
        where.append(or_(messages.c.sender_id.in_(from_site),
                         messages.c.origin_terminal_id.in_(from_terminal)))
    return where


def pending(conn: Connection, scope: SiteScope, limit: int = 50, offset: int = 0,
            text: str = "") -> list[Row[Any]]:
    """Pending messages the caller moderates (sent from or by someone of their sites),
    oldest first, with the sender's name and site time zone; ``text``: only those whose
    sender's name or body contains it."""
    query = (select(messages, employees.c.name.label("sender_name"),
                    employees.c.site_id.label("sender_site"),
                    sites.c.timezone.label("timezone"), sites.c.name.label("site_name"))
             .join(employees, employees.c.id == messages.c.sender_id)
             .join(sites, sites.c.id == employees.c.site_id)
             .where(*_pending_in(conn, scope, text))
             .order_by(messages.c.created_at, messages.c.id).limit(limit).offset(offset))
    return list(conn.execute(query))


def pending_count(conn: Connection, scope: SiteScope, text: str = "") -> int:
    return conn.execute(select(func.count()).select_from(messages)
                        .where(*_pending_in(conn, scope, text))).scalar_one()


def message_sites(conn: Connection, message_id: str) -> set[int]:
    """The sites whose moderators may decide this message."""
    row = conn.execute(select(messages.c.sender_id, messages.c.origin_terminal_id)
                       .where(messages.c.id == message_id)).first()
    if row is None:
        return set()
    found = set(conn.execute(select(employees.c.site_id)
                             .where(employees.c.id == row.sender_id)).scalars())
    if row.origin_terminal_id is not None:
        found |= set(conn.execute(select(terminals.c.site_id).where(
            terminals.c.id == row.origin_terminal_id)).scalars())
    return found
