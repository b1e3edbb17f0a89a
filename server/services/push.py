"""Apply a batch of outbox items in one transaction.

First, outside any transaction, every new item is parsed and the drawings are
rendered on the server's bounded render pool, within the terminal's ink budgets
(``_prepare``). Then, in one write transaction: punches and messages are checked
against cached directory rows and their rows are inserted together at the end
(``repo.batch``); voids, receipts and acks read rows earlier items may have written,
so they run after a flush, each in a savepoint. A rejected item stores nothing but
its push_log row; any other failure rolls the whole request back.

Every item acts for an employee, who must work at the terminal's site
(``not_on_this_site``); a void names a punch of the same terminal.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Row

from contract import error_codes as errors
from server.db import Database, schema
from server.protocol.common import MAX_INT32, MAX_RECIPIENT_EMPLOYEES
from server.protocol.push import (
    AckPayload,
    MessagePayload,
    PunchPayload,
    PunchVoidPayload,
    PushItem,
    ReceiptPayload,
    parse_payload,
)
from server.repo import Refused, groups, punches, push_log, terminals
from server.repo import messages as message_repo
from server.repo.batch import Batch
from server.services import drawings, messaging
from server.services.drawings import DrawingRenderer, MinuteBudget, Rendered

log = logging.getLogger("server.push")


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors without the offending input (which may be a message body)."""
    return [{"loc": [str(p) for p in err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors()]


@dataclass(frozen=True)
class PushLimits:
    """The server-wide render pool and the per-terminal budgets: ink (drawing points,
    see ``services.drawings``) and rows (each item's row, and each recipient's: what a
    push costs the single writer every other terminal's punch waits for)."""

    renderer: DrawingRenderer
    ink: MinuteBudget
    ink_per_request: int
    rows: MinuteBudget


# Kinds applied with cached reads and deferred inserts: no write before every check
# passed, so a rejection leaves nothing behind. The others read and update rows that
# earlier items may have written: they run after a flush, inside a savepoint.
DEFERRED_KINDS = frozenset({"punch", "message"})


def _parse(kind: str, payload: dict[str, Any]) -> Any:
    if set(payload) == {"sealed"}:  # services.sealed opened every box that opens
        raise Refused(errors.INVALID_PAYLOAD, "this sealed payload does not open with the "
                      "server's key (sealed for another server, or damaged)")
    try:
        return parse_payload(kind, payload)
    except KeyError:
        raise Refused(errors.UNKNOWN_KIND, f"unknown item kind {kind!r}", kind=kind) from None
    except ValidationError as exc:
        raise Refused(errors.INVALID_PAYLOAD, f"invalid {kind} payload",
                      details=validation_details(exc)) from None


def _apply_deferred(batch: Batch, terminal: Row[Any], client_id: str, p: Any,
                    rendered: Rendered | None) -> None:
    if isinstance(p, PunchPayload):
        batch.active_employee(p.employee_id)
        batch.works_at(p.employee_id, terminal.site_id)
        batch.add(schema.punches, [punches.punch_row(client_id, terminal.id, p)])
    elif isinstance(p, MessagePayload):
        messaging.add_from_terminal(batch, client_id, terminal, p, rendered)


def _apply_direct(batch: Batch, terminal: Row[Any], client_id: str, p: Any) -> None:
    if isinstance(p, PunchVoidPayload):
        punches.void(batch.connection(), str(p.punch_id), client_id, p.reason, terminal.id)
    elif isinstance(p, ReceiptPayload):
        delivered = p.delivered_at or p.read_at
        messaging.record_receipt(batch, terminal.site_id, str(p.message_id), p.employee_id,
                                 {"delivered_at": delivered, "read_at": p.read_at})
    elif isinstance(p, AckPayload):
        messaging.record_receipt(batch, terminal.site_id, str(p.message_id), p.employee_id, {
            "delivered_at": p.acked_at, "read_at": p.acked_at, "acked_at": p.acked_at,
        }, ack=True)


def _apply(batch: Batch, terminal: Row[Any], client_id: str, kind: str, p: Any,
           rendered: Rendered | None) -> None:
    """Apply one parsed item, or raise Refused having stored nothing of it."""
    if kind in DEFERRED_KINDS:
        _apply_deferred(batch, terminal, client_id, p, rendered)
        return
    conn = batch.connection()  # flushed first: the savepoint only covers this item
    with conn.begin_nested():
        _apply_direct(batch, terminal, client_id, p)


def _employee_ids(items: list[PushItem]) -> set[int]:
    """Employee ids the payloads name (unvalidated; to load them with one query)."""
    found: list[Any] = []
    for item in items:
        p = item.payload
        found += (p.get("employee_id"), p.get("sender_id"))
        recipients = p.get("to_employees")
        if isinstance(recipients, list):
            found += recipients[:MAX_RECIPIENT_EMPLOYEES]
    return {i for i in found if type(i) is int and 0 < i <= MAX_INT32}


def _result(client_id: str, status: str, error: dict[str, Any] | None,
            original: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": client_id, "status": status}
    if original:
        result["original_status"] = original
    if error:
        result["error"] = error
    return result


@dataclass
class Prepared:
    """What is known of each item before the write transaction opens."""

    parsed: dict[str, Any] = field(default_factory=dict)  # client id -> payload model
    refused: dict[str, Refused] = field(default_factory=dict)  # client id -> why
    rendered: dict[str, Rendered] = field(default_factory=dict)  # drawing pictures
    deferred_from: int | None = None  # index of the first deferred item
    retry_after_s: float = 0.0


def _group_sizes(db: Database, parsed: dict[str, Any]) -> dict[int, int]:
    """Members of every group the request's messages are addressed to (one query)."""
    group_ids = {g for p in parsed.values() if isinstance(p, MessagePayload) for g in p.to_groups}
    if not group_ids:
        return {}
    with db.read() as conn:
        return groups.member_counts(conn, group_ids)


def _rows(p: Any, group_sizes: dict[int, int]) -> int:
    """What an item writes: its row, and a recipient row per person it reaches."""
    if not isinstance(p, MessagePayload):
        return 1
    return 1 + len(p.to_employees) + sum(group_sizes.get(g, 0) for g in p.to_groups)


def _prepare(db: Database, terminal: Row[Any], items: list[PushItem],
             limits: PushLimits) -> Prepared:
    """Parse every new item, budget it, and render the drawings, outside any transaction:
    a big drawing or a large fan-out then holds nobody's punch. The first item past a
    budget is deferred, with every new item after it."""
    prepared = Prepared()
    with db.read() as conn:
        known = push_log.get_many(conn, (str(i.id) for i in items))
    fresh: list[tuple[int, str, Any]] = []
    for index, item in enumerate(items):
        client_id = str(item.id)
        if client_id in known:
            continue
        try:
            p = _parse(item.kind, item.payload)
        except Refused as refused:
            prepared.refused[client_id] = refused
            p = None
        else:
            prepared.parsed[client_id] = p
        fresh.append((index, client_id, p))
    group_sizes = _group_sizes(db, prepared.parsed)
    drawings_to_render: list[tuple[str, Any]] = []
    request_ink = 0
    for index, client_id, p in fresh:
        wait = limits.rows.take(terminal.id, _rows(p, group_sizes))
        drawing = p.drawing if isinstance(p, MessagePayload) else None
        if not wait and drawing is not None:
            points = drawings.ink(drawing)
            wait = 1.0 if request_ink + points > limits.ink_per_request else \
                limits.ink.take(terminal.id, points)
            request_ink += points
        if wait:
            prepared.deferred_from, prepared.retry_after_s = index, max(1.0, wait)
            break
        if drawing is not None:
            drawings_to_render.append((client_id, drawing))
    outcomes = limits.renderer.render_all([d for _, d in drawings_to_render])
    for (client_id, _), outcome in zip(drawings_to_render, outcomes, strict=True):
        if isinstance(outcome, Refused):
            prepared.refused[client_id] = outcome
        else:
            prepared.rendered[client_id] = outcome
    return prepared


def push(db: Database, terminal: Row[Any], items: list[PushItem],
         limits: PushLimits) -> list[dict[str, Any]]:
    """Apply every item in one transaction; return one result per item, in request order.

    An item past one of the terminal's budgets (ink, rows) is ``deferred``, with every
    new item after it: nothing of them is stored, and the terminal sends them again
    later.
    """
    prepared = _prepare(db, terminal, items, limits)
    results: list[dict[str, Any]] = []
    applied_seqs: list[int] = []
    with db.write() as conn:
        batch = Batch(conn)
        # id -> (status, error) of items already received, earlier or in this request. By
        # id alone: a terminal enrolled again resends its outbox under a new identity.
        seen = {client_id: (row.status, push_log.error_of(row))
                for client_id, row in push_log.get_many(conn, (str(i.id) for i in items)).items()}
        batch.prefetch_employees(_employee_ids(items))
        # Ids of messages made elsewhere (an admin's broadcast a terminal pulled): a new
        # message item may not take one; it is refused, not a crash of the whole push.
        taken = message_repo.existing_ids(conn, [str(i.id) for i in items
                                                 if i.kind == "message" and str(i.id) not in seen])
        for index, item in enumerate(items):
            client_id = str(item.id)
            if client_id in seen:
                status, error = seen[client_id]
                results.append(_result(client_id, "duplicate", error, status))
                continue
            if prepared.deferred_from is not None and index >= prepared.deferred_from:
                results.append(_result(client_id, "deferred", {
                    "code": errors.RATE_LIMITED, "retry_after_s": prepared.retry_after_s,
                    "message": "too many drawings at once; send this again later"}))
                continue
            try:
                if client_id in taken:
                    raise Refused(errors.INVALID_PAYLOAD, "this id is a message's already; "
                                  "make a new one")
                if client_id in prepared.refused:
                    raise prepared.refused[client_id]
                p = prepared.parsed.get(client_id) or _parse(item.kind, item.payload)
                _apply(batch, terminal, client_id, item.kind, p,
                       prepared.rendered.get(client_id))
                status, error = "accepted", None
            except Refused as refused:
                status, error = "rejected", refused.detail()
            seen[client_id] = status, error
            applied_seqs.append(item.seq)
            batch.add(schema.push_log, [push_log.new_row(
                client_id, terminal.id, item.seq, item.kind, status, error)])
            results.append(_result(client_id, status, error))
        batch.flush()
        if applied_seqs:
            terminals.note_seq(conn, terminal.id, max(applied_seqs))
    counts = Counter(r["status"] for r in results)
    codes = Counter(r["error"]["code"] for r in results if r["status"] == "rejected")
    log.info("terminal %s pushed %d items: %s%s", terminal.id, len(items), dict(counts),
             f" rejected: {dict(codes)}" if codes else "")
    return results
