"""The protocol's stable error codes: the server sends them, terminals switch on them
(docs/sync-protocol.md says which are final). The message beside a code is for people."""

from __future__ import annotations

# Request-level errors (the whole request is refused, nothing stored).
PROTOCOL_VERSION = "protocol_version"
AUTH_REQUIRED = "auth_required"
INVALID_TOKEN = "invalid_token"
TERMINAL_REVOKED = "terminal_revoked"
ENROLLMENT_CODE_INVALID = "enrollment_code_invalid"
ENROLLMENT_CODE_USED = "enrollment_code_used"
ENROLLMENT_CODE_EXPIRED = "enrollment_code_expired"
MALFORMED_JSON = "malformed_json"
INVALID_REQUEST = "invalid_request"
PAYLOAD_TOO_LARGE = "payload_too_large"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
SHA256_MISMATCH = "sha256_mismatch"
CONTENT_MISMATCH = "content_mismatch"
INVALID_CURSOR = "invalid_cursor"
NOT_FOUND = "not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
INTERNAL_ERROR = "internal_error"
TOKEN_EXPIRED = "token_expired"  # a rotated-out token past its grace period
INVALID_IMAGE = "invalid_image"  # an upload that does not decode as the image it claims
UPLOAD_QUOTA_EXCEEDED = "upload_quota_exceeded"  # too many uploads no message names yet
# Signed requests (contract.request_signing), for a terminal whose public key is known:
SIGNATURE_REQUIRED = "signature_required"  # no signature: a token without its key
SIGNATURE_INVALID = "signature_invalid"  # a signature the terminal's key did not make
SIGNATURE_STALE = "signature_stale"  # the signed time is too far from the server's clock

# Per-item rejections in a push (permanent: retrying returns the same answer).
INVALID_PAYLOAD = "invalid_payload"
UNKNOWN_KIND = "unknown_kind"
UNKNOWN_EMPLOYEE = "unknown_employee"
EMPLOYEE_INACTIVE = "employee_inactive"
UNKNOWN_GROUP = "unknown_group"
NOT_IN_CONTACT_LIST = "not_in_contact_list"
GROUP_POST_NOT_ALLOWED = "group_post_not_allowed"
NO_RECIPIENTS = "no_recipients"
NOT_ALLOWED = "not_allowed"
UNKNOWN_ATTACHMENT = "unknown_attachment"
UNKNOWN_MESSAGE = "unknown_message"
NOT_A_RECIPIENT = "not_a_recipient"
ACK_NOT_REQUIRED = "ack_not_required"
UNKNOWN_PUNCH = "unknown_punch"
PUNCH_ALREADY_VOIDED = "punch_already_voided"
REPLY_NOT_ALLOWED = "reply_not_allowed"
NOT_ON_THIS_SITE = "not_on_this_site"  # the employee does not work at the terminal's site

# Not final, per item (status "deferred") or for a whole push (429 with Retry-After):
# too many drawings lately; send again after the time it says.
RATE_LIMITED = "rate_limited"

REQUEST_CODES = frozenset({
    PROTOCOL_VERSION, AUTH_REQUIRED, INVALID_TOKEN, TERMINAL_REVOKED, ENROLLMENT_CODE_INVALID,
    ENROLLMENT_CODE_USED, ENROLLMENT_CODE_EXPIRED, MALFORMED_JSON, INVALID_REQUEST,
    PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, SHA256_MISMATCH, CONTENT_MISMATCH,
    INVALID_CURSOR, NOT_FOUND, METHOD_NOT_ALLOWED, INTERNAL_ERROR, TOKEN_EXPIRED,
    INVALID_IMAGE, UPLOAD_QUOTA_EXCEEDED, RATE_LIMITED, SIGNATURE_REQUIRED, SIGNATURE_INVALID,
    SIGNATURE_STALE,
})
ITEM_CODES = frozenset({
    INVALID_PAYLOAD, UNKNOWN_KIND, UNKNOWN_EMPLOYEE, EMPLOYEE_INACTIVE, UNKNOWN_GROUP,
    NOT_IN_CONTACT_LIST, GROUP_POST_NOT_ALLOWED, NO_RECIPIENTS, NOT_ALLOWED,
    UNKNOWN_ATTACHMENT, UNKNOWN_MESSAGE, NOT_A_RECIPIENT, ACK_NOT_REQUIRED, UNKNOWN_PUNCH,
    PUNCH_ALREADY_VOIDED, REPLY_NOT_ALLOWED, NOT_ON_THIS_SITE, RATE_LIMITED,
})
