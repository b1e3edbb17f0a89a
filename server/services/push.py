"""Apply a batch of outbox items in one transaction.

Punches and messages are checked against cached directory rows and their rows are
inserted together at the end (``repo.batch``); voids, receipts and acks read rows
earlier items may have written, so they run after a flush, each in a savepoint.
A rejected item stores nothing but its push_log row; any other failure rolls the
whole request back.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Row

from server.db import Database, schema
from server.protocol import errors
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
from server.repo import Refused, punches, push_log, terminals
from server.repo.batch import Batch
from server.services import messaging

log = logging.getLogger("server.push")


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors without the offending input (which may be a message body)."""
    return [{"loc": [str(p) for p in err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors()]


# Kinds applied with cached reads and deferred inserts: no write before every check
# passed, so a rejection leaves nothing behind. The others read and update rows that
# earlier items may have written: they run after a flush, inside a savepoint.
DEFERRED_KINDS = frozenset({"punch", "message"})


def _parse(kind: str, payload: dict[str, Any]) -> Any:
    try:
        return parse_payload(kind, payload)
    except KeyError:
        raise Refused(errors.UNKNOWN_KIND, f"unknown item kind {kind!r}", kind=kind) from None
    except ValidationError as exc:
        raise Refused(errors.INVALID_PAYLOAD, f"invalid {kind} payload",
                      details=validation_details(exc)) from None


def _apply_deferred(batch: Batch, terminal: Row[Any], client_id: str, p: Any) -> None:
    if isinstance(p, PunchPayload):
        batch.active_employee(p.employee_id)
        batch.add(schema.punches, [punches.punch_row(client_id, terminal.id, p)])
    elif isinstance(p, MessagePayload):
        messaging.add_from_terminal(batch, client_id, terminal, p)


def _apply_direct(batch: Batch, client_id: str, p: Any) -> None:
    if isinstance(p, PunchVoidPayload):
        punches.void(batch.connection(), str(p.punch_id), client_id, p.reason)
    elif isinstance(p, ReceiptPayload):
        delivered = p.delivered_at or p.read_at
        messaging.record_receipt(batch, str(p.message_id), p.employee_id,
                                 {"delivered_at": delivered, "read_at": p.read_at})
    elif isinstance(p, AckPayload):
        messaging.record_receipt(batch, str(p.message_id), p.employee_id, {
            "delivered_at": p.acked_at, "read_at": p.acked_at, "acked_at": p.acked_at,
        }, ack=True)


def _apply(batch: Batch, terminal: Row[Any], client_id: str, kind: str,
           payload: dict[str, Any]) -> None:
    """Apply one item, or raise Refused having stored nothing of it."""
    p = _parse(kind, payload)
    if kind in DEFERRED_KINDS:
        _apply_deferred(batch, terminal, client_id, p)
        return
    conn = batch.connection()  # flushed first: the savepoint only covers this item
    with conn.begin_nested():
        _apply_direct(batch, client_id, p)


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


def push(db: Database, terminal: Row[Any], items: list[PushItem]) -> list[dict[str, Any]]:
    """Apply every item in one transaction; return one result per item, in request order."""
    results: list[dict[str, Any]] = []
    with db.write() as conn:
        batch = Batch(conn)
        # id -> (status, error) of items already received, earlier or in this request
        seen = {client_id: (row.status, push_log.error_of(row))
                for client_id, row in push_log.get_many(conn, (str(i.id) for i in items)).items()}
        batch.prefetch_employees(_employee_ids(items))
        for item in items:
            client_id = str(item.id)
            if client_id in seen:
                status, error = seen[client_id]
                results.append(_result(client_id, "duplicate", error, status))
                continue
            try:
                _apply(batch, terminal, client_id, item.kind, item.payload)
                status, error = "accepted", None
            except Refused as refused:
                status, error = "rejected", refused.detail()
            seen[client_id] = status, error
            batch.add(schema.push_log, [push_log.new_row(
                client_id, terminal.id, item.seq, item.kind, status, error)])
            results.append(_result(client_id, status, error))
        batch.flush()
        if items:
            terminals.note_seq(conn, terminal.id, max(item.seq for item in items))
    counts = Counter(r["status"] for r in results)
    codes = Counter(r["error"]["code"] for r in results if r["status"] == "rejected")
    log.info("terminal %s pushed %d items: %s%s", terminal.id, len(items), dict(counts),
             f" rejected: {dict(codes)}" if codes else "")
    return results
