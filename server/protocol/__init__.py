"""Wire format of the terminal <-> server protocol: the single source of truth.

Pure pydantic: importable without FastAPI or SQLAlchemy, so the terminal's tests
can validate the payloads the terminal produces (``validate_item``).
"""

from contract import error_codes as errors
from server.protocol.attachments import AttachmentInfo
from server.protocol.common import (
    ATTACHMENT_CONTENT_TYPES,
    MAX_BATCH_ITEMS,
    MAX_BODY_CHARS,
    MAX_WAIT_SECONDS,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    ErrorBody,
    ErrorDetail,
    error_body,
)
from server.protocol.enroll import EnrollRequest, EnrollResponse, ServerInfo, SiteInfo
from server.protocol.pull import (
    BadgeChange,
    Change,
    ContactListChange,
    DeleteChange,
    EmployeeChange,
    GroupChange,
    MessageChange,
    MessageStatusChange,
    ModerationChange,
    PullResponse,
    SiteSettingsChange,
)
from server.protocol.push import (
    PAYLOAD_MODELS,
    AckPayload,
    Drawing,
    MessagePayload,
    PunchPayload,
    PunchVoidPayload,
    PushItem,
    PushRequest,
    PushResponse,
    PushResult,
    ReceiptPayload,
    parse_payload,
    validate_item,
)
from server.protocol.status import StatusAnswer, StatusReport

__all__ = [
    "ATTACHMENT_CONTENT_TYPES", "MAX_BATCH_ITEMS", "MAX_BODY_CHARS", "MAX_WAIT_SECONDS",
    "PAYLOAD_MODELS", "PROTOCOL_HEADER", "PROTOCOL_VERSION", "SUPPORTED_VERSIONS",
    "AckPayload", "AttachmentInfo", "BadgeChange", "Change", "ContactListChange",
    "DeleteChange", "Drawing", "EmployeeChange", "EnrollRequest", "EnrollResponse",
    "ErrorBody", "ErrorDetail", "GroupChange", "MessageChange", "MessagePayload",
    "MessageStatusChange", "ModerationChange", "PullResponse", "PunchPayload",
    "PunchVoidPayload", "PushItem", "PushRequest", "PushResponse", "PushResult",
    "ReceiptPayload", "ServerInfo", "SiteInfo", "SiteSettingsChange", "StatusAnswer",
    "StatusReport", "error_body",
    "errors", "parse_payload", "validate_item",
]
