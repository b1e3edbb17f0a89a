"""PUT/HEAD/GET /v1/attachments/{sha256}: content-addressed photos and drawings."""

from __future__ import annotations

from pydantic import Field

from server.protocol.common import Sha256, WireModel


class AttachmentInfo(WireModel):
    sha256: Sha256
    content_type: str
    size: int = Field(ge=0)
    created: bool = Field(description="false when the server already had these bytes")
