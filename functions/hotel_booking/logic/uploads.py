"""Request bodies with files: a parsed form, its uploads, and which uploads are pictures.

The type is read from the file's first bytes, never from its name or the type the browser
declared: a text file called ``hotel.png`` is not a picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotel_booking.logic.problems import InvalidRequest, PictureTooLarge

MAX_PICTURE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """A file field of a multipart form, as the browser sent it."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class Form:
    """A request body as fields and files: from JSON (no files) or multipart/form-data."""

    fields: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)


@dataclass(frozen=True)
class Picture:
    data: bytes
    extension: str
    content_type: str


def sniff(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG, PNG or WebP image; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def is_empty(upload: Upload | None) -> bool:
    """A file input left empty: browsers still send the part, with no name and no bytes."""
    return upload is None or (not upload.filename and not upload.data)


def accept_picture(upload: Upload) -> Picture:
    if len(upload.data) > MAX_PICTURE_BYTES:
        raise PictureTooLarge(
            f"the picture is {len(upload.data)} bytes; at most {MAX_PICTURE_BYTES} "
            f"({MAX_PICTURE_BYTES // (1024 * 1024)} MB) are accepted"
        )
    kind = sniff(upload.data)
    if kind is None:
        raise InvalidRequest.fields({upload.field: "must be a JPEG, PNG or WebP image"})
    extension, content_type = kind
    return Picture(data=upload.data, extension=extension, content_type=content_type)
