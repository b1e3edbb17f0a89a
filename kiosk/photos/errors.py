"""Why a photo was refused: a stable reason code plus a human message."""

from __future__ import annotations

from enum import StrEnum


class PhotoErrorReason(StrEnum):
    """Stable reason codes for :class:`PhotoError`.

    The values are part of the contract (the UI maps them to translated text, logs and
    the server may count them): add new members, never rename or reuse existing ones.
    Being a ``StrEnum``, each member also compares equal to its plain string value.
    """

    EMPTY = "empty"
    """The source has zero bytes."""
    TOO_LARGE = "too_large"
    """The encoded file is bigger than the byte limit."""
    UNREADABLE = "unreadable"
    """The source path could not be read (missing, a directory, no permission...)."""
    NOT_AN_IMAGE = "not_an_image"
    """The bytes are not an image in an accepted format."""
    TOO_MANY_PIXELS = "too_many_pixels"
    """The header declares more pixels than the limit: a decompression bomb."""
    TRUNCATED = "truncated"
    """The file ends before the image data does."""
    CORRUPT = "corrupt"
    """Looks like an accepted image format but cannot be decoded."""
    UNSUPPORTED = "unsupported"
    """Decoded, but into a pixel layout this pipeline cannot turn into RGB."""


class PhotoError(ValueError):
    """A photo that cannot be turned into an outbox JPEG.

    ``reason`` is a :class:`PhotoErrorReason` (compare it, not the message); ``message``
    is English text for logs, never containing image content. The underlying Pillow
    exception, if any, is chained as ``__cause__``.
    """

    def __init__(self, reason: PhotoErrorReason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[type[PhotoError], tuple[PhotoErrorReason, str]]:
        # Keep it picklable (it may cross a process or queue boundary) despite the
        # two-argument constructor.
        return (type(self), (self.reason, self.message))
