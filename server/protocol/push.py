"""POST /v1/push: a terminal uploads its outbox as a batch of items.

The envelope (``PushItem``) is validated for the whole request; each payload is
validated on its own, against ``PAYLOAD_MODELS[kind]``, so one bad item is
rejected alone (code ``invalid_payload``) and the rest of the batch goes through.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, model_validator

from server.protocol.common import (
    MAX_BATCH_ITEMS,
    MAX_BODY_CHARS,
    MAX_DRAWING_POINTS,
    MAX_DRAWING_STROKES,
    MAX_INT64,
    MAX_RECIPIENT_EMPLOYEES,
    MAX_RECIPIENT_GROUPS,
    MAX_STROKE_POINTS,
    EmployeeId,
    ErrorDetail,
    GroupId,
    Instant,
    RequestModel,
    Sha256,
    WireModel,
)

MessageKind = Literal["text", "photo", "drawing"]


class PunchPayload(RequestModel):
    employee_id: EmployeeId
    direction: Literal["IN", "OUT"]
    wall_time: Instant = Field(description="device wall clock, ISO 8601 with offset")
    monotonic_ns: int = Field(ge=0, le=MAX_INT64, description="device monotonic clock since boot")
    boot_id: str = Field(min_length=1, max_length=64, description="changes at every reboot")


class PunchVoidPayload(RequestModel):
    punch_id: UUID = Field(description="client id of the punch item being voided")
    reason: str | None = Field(default=None, max_length=200)


Coordinate = Annotated[float, Field(ge=-100_000, le=100_000, allow_inf_nan=False)]


class Stroke(RequestModel):
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    width: float = Field(gt=0, le=100)
    points: list[tuple[Coordinate, Coordinate]] = Field(min_length=1,
                                                        max_length=MAX_STROKE_POINTS)


class Drawing(RequestModel):
    """Finger drawing as vector strokes; coordinates are in a width x height canvas."""

    width: int = Field(ge=1, le=4096)
    height: int = Field(ge=1, le=4096)
    strokes: list[Stroke] = Field(max_length=MAX_DRAWING_STROKES)

    @model_validator(mode="after")
    def _ink_within_budget(self) -> Drawing:
        points = sum(len(stroke.points) for stroke in self.strokes)
        if points > MAX_DRAWING_POINTS:
            raise ValueError(f"a drawing has at most {MAX_DRAWING_POINTS} points, "
                             f"this one {points}")
        return self


class MessagePayload(RequestModel):
    sender_id: EmployeeId
    to_employees: list[EmployeeId] = Field(default=[], max_length=MAX_RECIPIENT_EMPLOYEES)
    to_groups: list[GroupId] = Field(default=[], max_length=MAX_RECIPIENT_GROUPS)
    kind: MessageKind
    body: str = Field(default="", max_length=MAX_BODY_CHARS)
    attachment_sha256: Sha256 | None = None
    drawing: Drawing | None = None
    reply_to: UUID | None = Field(default=None, description="id of the message answered")
    ack_required: bool = Field(default=False, description="managers and HR only")
    expires_at: Instant | None = None
    written_at: Instant | None = Field(default=None, description="device wall time")

    @model_validator(mode="after")
    def _check_shape(self) -> MessagePayload:
        if not self.to_employees and not self.to_groups:
            raise ValueError("a message needs to_employees or to_groups")
        if self.kind == "text" and not self.body.strip():
            raise ValueError("a text message needs a non-blank body")
        if self.kind == "text" and (self.attachment_sha256 or self.drawing):
            raise ValueError("a text message carries no attachment or drawing")
        if self.kind == "photo" and not self.attachment_sha256:
            raise ValueError("a photo message needs attachment_sha256")
        if self.kind == "drawing" and self.drawing is None:
            raise ValueError("a drawing message needs drawing")
        if self.kind != "drawing" and self.drawing is not None:
            raise ValueError("only a drawing message carries drawing")
        return self


class ReceiptPayload(RequestModel):
    message_id: UUID
    employee_id: EmployeeId
    delivered_at: Instant | None = Field(default=None, description="shown in the inbox")
    read_at: Instant | None = Field(default=None, description="opened by the recipient")

    @model_validator(mode="after")
    def _one_time_at_least(self) -> ReceiptPayload:
        if self.delivered_at is None and self.read_at is None:
            raise ValueError("a receipt needs delivered_at or read_at")
        return self


class AckPayload(RequestModel):
    message_id: UUID
    employee_id: EmployeeId
    acked_at: Instant


PAYLOAD_MODELS: dict[str, type[WireModel]] = {
    "punch": PunchPayload,
    "punch_void": PunchVoidPayload,
    "message": MessagePayload,
    "receipt": ReceiptPayload,
    "ack": AckPayload,
}
ItemKind = Literal["punch", "punch_void", "message", "receipt", "ack"]


class PushItem(RequestModel):
    id: UUID = Field(description="client-made UUID; deduplication key, forever")
    seq: int = Field(ge=0, le=MAX_INT64, description="per-terminal outbox sequence number")
    kind: str = Field(min_length=1, max_length=32, description="one of PAYLOAD_MODELS")
    payload: dict[str, Any]


class PushRequest(RequestModel):
    items: list[PushItem] = Field(max_length=MAX_BATCH_ITEMS)


# deferred: nothing was stored, send the item again after error.retry_after_s (a rate
# limit); every later item of the same request is deferred with it, so order is kept.
ItemStatus = Literal["accepted", "duplicate", "rejected", "deferred"]


class PushResult(WireModel):
    id: UUID
    status: ItemStatus
    original_status: Literal["accepted", "rejected"] | None = Field(
        default=None, description="for a duplicate: what the first delivery got")
    error: ErrorDetail | None = Field(default=None,
                                      description="why it was rejected or deferred")


class PushResponse(WireModel):
    results: list[PushResult] = Field(description="one per item, in request order")


def parse_payload(kind: str, payload: dict[str, Any]) -> WireModel:
    """Validate one item's payload. Raises KeyError (unknown kind) or ValidationError."""
    return PAYLOAD_MODELS[kind].model_validate(payload)


def validate_item(item: dict[str, Any]) -> tuple[PushItem, WireModel]:
    """Validate a whole outbox item the way the server does (for terminal-side tests)."""
    envelope = PushItem.model_validate(item)
    return envelope, parse_payload(envelope.kind, envelope.payload)
