"""GET /v1/pull: the changes a terminal's site must know, after an opaque cursor."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from server.protocol.common import WireModel
from server.protocol.push import Drawing, MessageKind

Role = Literal["worker", "manager", "hr"]
ModerationStatus = Literal["pending", "approved", "rejected"]


class SiteSettingsChange(WireModel):
    """The site, and the settings its terminals follow without a restart.

    Every setting after ``language`` is optional: null means "not set on the server",
    and the terminal keeps the value of its own config file.
    """

    type: Literal["site_settings"] = "site_settings"
    site_id: int
    name: str
    timezone: str
    language: str = Field(description="the site's language (informative)")
    idle_language: str | None = Field(
        None, description="language of the terminals' idle screen and notices")
    session_timeout_s: int | None = Field(None, description="5 to 600")
    punch_undo_s: int | None = Field(None, description="0 to 60")
    notice_s: int | None = Field(None, description="1 to 30")
    punch_mode: Literal["auto", "messages_only"] | None = Field(
        None, description="messages_only: a badge opens the messages and records no punch")
    theme: Literal["dark", "light"] | None = Field(
        None, description="the screens' colours: dark, or light (high contrast, for bright "
                          "shop floors)")
    quick_replies: dict[str, list[str]] | None = Field(
        None, description="per language; a language missing keeps the terminal's replies")
    admin_badges: list[str] | None = Field(
        None, description="canonical badge ids that open the admin screen")
    admin_pin_hash: str | None = Field(
        None, description="admin PIN as a salted PBKDF2 hash (never the PIN)")


class EmployeeChange(WireModel):
    type: Literal["employee"] = "employee"
    id: int
    name: str
    role: Role
    language: str
    active: bool
    site_id: int
    moderated: bool = Field(description="HR approves this employee's messages first")


class BadgeChange(WireModel):
    """Badges of the site's employees; a disabled (lost) badge comes with active=false."""

    type: Literal["badge"] = "badge"
    id: int
    employee_id: int
    uid: str = Field(description="canonical badge id as read by the reader")
    active: bool


class GroupMember(WireModel):
    employee_id: int
    can_post: bool


class GroupChange(WireModel):
    type: Literal["group"] = "group"
    id: int
    name: str
    moderated: bool
    members: list[GroupMember]


class ContactListChange(WireModel):
    """Whole contact list of one employee of the site (replaces the previous one)."""

    type: Literal["contact_list"] = "contact_list"
    employee_id: int
    employees: list[int]
    groups: list[int]


class AttachmentRef(WireModel):
    sha256: str
    content_type: str
    size: int


class MessageChange(WireModel):
    type: Literal["message"] = "message"
    id: str
    thread_id: str = Field(description="id of the first message of the thread")
    reply_to: str | None
    sender_id: int
    kind: MessageKind
    body: str
    attachment: AttachmentRef | None = Field(
        description="a photo, or for a drawing the PNG the server rendered of it")
    drawing: Drawing | None
    to_employees: list[int]
    to_groups: list[int]
    recipients: list[int] = Field(description="employees the message was delivered to")
    ack_required: bool
    reply_allowed: bool = Field(default=True, description="false: recipients may not answer")
    expires_at: AwareDatetime | None
    written_at: AwareDatetime | None
    created_at: AwareDatetime = Field(description="server time the message was received")
    status: ModerationStatus = Field(description="recipients only ever see approved")
    rejection_reason: str | None = Field(description="only sent to the sender's site")


class MessageStatusChange(WireModel):
    type: Literal["message_status"] = "message_status"
    message_id: str
    employee_id: int
    delivered_at: AwareDatetime | None
    read_at: AwareDatetime | None
    acked_at: AwareDatetime | None


class ModerationChange(WireModel):
    """HR decided on a message; sent to the sender's site."""

    type: Literal["moderation"] = "moderation"
    message_id: str
    status: ModerationStatus
    reason: str | None
    decided_at: AwareDatetime | None


DeletedEntity = Literal["employee", "badge", "group", "contact_list", "message"]


class DeleteChange(WireModel):
    """Forget this entity: it no longer concerns the site."""

    type: Literal["delete"] = "delete"
    entity: DeletedEntity
    id: int | str


Change = Annotated[
    SiteSettingsChange | EmployeeChange | BadgeChange | GroupChange | ContactListChange
    | MessageChange | MessageStatusChange | ModerationChange | DeleteChange,
    Field(discriminator="type"),
]


class PullResponse(WireModel):
    cursor: str = Field(description="opaque; send it back on the next pull")
    changes: list[Change] = Field(description="apply in order")
    more: bool = Field(description="more changes are waiting: pull again at once")
    reset: bool = Field(description="full state follows: drop cached directory data first")
    server_time: AwareDatetime = Field(description="for the terminal's clock offset")
