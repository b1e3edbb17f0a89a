"""Apply a batch of outbox items in one transaction, one savepoint per item."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Connection, Row

from server.db import Database
from server.protocol import errors
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
from server.repo.directory import require_active_employee
from server.services import messaging

log = logging.getLogger("server.push")


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors without the offending input (which may be a message body)."""
    return [{"loc": [str(p) for p in err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors()]


def _apply(conn: Connection, terminal: Row[Any], client_id: str, kind: str,
           payload: dict[str, Any]) -> None:
    try:
        p = parse_payload(kind, payload)
    except KeyError:
        raise Refused(errors.UNKNOWN_KIND, f"unknown item kind {kind!r}", kind=kind) from None
    except ValidationError as exc:
        raise Refused(errors.INVALID_PAYLOAD, f"invalid {kind} payload",
                      details=validation_details(exc)) from None
    if isinstance(p, PunchPayload):
        require_active_employee(conn, p.employee_id)
        punches.insert_punch(conn, client_id, terminal.id, p)
    elif isinstance(p, PunchVoidPayload):
        punches.void(conn, str(p.punch_id), client_id, p.reason)
    elif isinstance(p, MessagePayload):
        messaging.send_from_terminal(conn, client_id, terminal, p)
    elif isinstance(p, ReceiptPayload):
        delivered = p.delivered_at or p.read_at
        messaging.record_receipt(conn, str(p.message_id), p.employee_id,
                                 {"delivered_at": delivered, "read_at": p.read_at})
    elif isinstance(p, AckPayload):
        messaging.record_receipt(conn, str(p.message_id), p.employee_id, {
            "delivered_at": p.acked_at, "read_at": p.acked_at, "acked_at": p.acked_at,
        }, ack=True)


def _result(client_id: str, status: str, error: dict[str, Any] | None,
            original: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": client_id, "status": status}
    if original:
        result["original_status"] = original
    if error:
        result["error"] = error
    return result


def push(db: Database, terminal: Row[Any], items: list[PushItem]) -> list[dict[str, Any]]:
    """Apply every item; return one result per item, in request order."""
    results: list[dict[str, Any]] = []
    with db.write() as conn:
        for item in items:
            client_id = str(item.id)
            previous = push_log.get(conn, client_id)
            if previous is not None:
                results.append(_result(client_id, "duplicate", push_log.error_of(previous),
                                       previous.status))
                continue
            try:
                with conn.begin_nested():
                    _apply(conn, terminal, client_id, item.kind, item.payload)
                status, error = "accepted", None
            except Refused as refused:
                status, error = "rejected", refused.detail()
            push_log.record(conn, client_id, terminal.id, item.seq, item.kind, status, error)
            results.append(_result(client_id, status, error))
        if items:
            terminals.note_seq(conn, terminal.id, max(item.seq for item in items))
    counts = Counter(r["status"] for r in results)
    codes = Counter(r["error"]["code"] for r in results if r["status"] == "rejected")
    log.info("terminal %s pushed %d items: %s%s", terminal.id, len(items), dict(counts),
             f" rejected: {dict(codes)}" if codes else "")
    return results
