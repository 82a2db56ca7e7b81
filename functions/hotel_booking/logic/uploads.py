"""Request bodies with files: a parsed form, its uploads, and which uploads are pictures.

The type is read from the file's bytes, never from its name or the type the browser
declared: a text file called ``hotel.png`` is not a picture. A picture is stored only as
Pillow decoded and re-encoded it: whatever else the file carried (a script after the image
data, a text chunk, EXIF with the owner's GPS position) is not in the bytes browsers get.
Pillow is loaded only when a picture is decoded (:func:`reencode`): the forms and limits here are
every REST function's, the picture handling the hotels function's alone.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hotel_booking.logic.problems import InvalidRequest, PictureTooLarge

if TYPE_CHECKING:
    from PIL import Image

# -- the payload budget (issue 9 item 9) ---------------------------------------------------
#: Lambda's limit for a synchronous invocation's request (the proxy event): 6 MB, counted as
#: 6,291,456 bytes (Lambda's own message says 6,291,556; the smaller is the safe one).
LAMBDA_PAYLOAD_LIMIT = 6_291_456
#: The most the event can hold besides the body: the request line and headers (API Gateway
#: caps them together at 10,240 bytes) appear twice (``headers`` and ``multiValueHeaders``,
#: the query string likewise) and may double when JSON-escaped: 40,960; the authorizer's
#: claims (from the token in those headers, escaped): 20,480; fixed fields and the context:
#: 4,096.
EVENT_ENVELOPE_RESERVE = 65_536
#: The largest body whose event fits: a binary body arrives base64-encoded (4 characters per
#: 3 bytes). 4,669,440 bytes. A larger body is refused with 413 before it is parsed.
MAX_BODY_BYTES = (LAMBDA_PAYLOAD_LIMIT - EVENT_ENVELOPE_RESERVE) * 3 // 4
#: What a multipart form carries besides the picture: six text fields (names of at most 120
#: characters, up to 4 bytes each in UTF-8), part headers with the file name, boundaries.
MULTIPART_RESERVE = 16_384
#: The most parts a form may have, counted before the MIME parser reads it (issue 21: 20,000
#: empty parts in 1.1 MB held a function to its 10 s timeout). A hotel's form has seven.
MAX_FORM_PARTS = 16
#: A round number under MAX_BODY_BYTES - MULTIPART_RESERVE (4,653,056); the pages scale a
#: larger photo down before they send it.
MAX_PICTURE_BYTES = 4_500_000
#: Decoded size cap against decompression bombs (a few KB of PNG can claim 50,000 x 50,000
#: pixels): 16 megapixels (a 12 MP phone photo fits), 64 MB decoded as RGBA, so decoding and
#: re-encoding stay well within the function's 256 MB.
MAX_PICTURE_PIXELS = 16_000_000
NOT_A_PICTURE = "must be a JPEG, PNG or WebP image"
TOO_MANY_PIXELS = f"must be at most {MAX_PICTURE_PIXELS // 1_000_000} megapixels"

_DIGITS = re.compile(r"[0-9]{1,9}")

# Pillow's format name -> (extension, content type): the only decoders we let Pillow use.
_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


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
    #: multipart/form-data: every field is text, numbers included (JSON carries types).
    multipart: bool = False

    def typed_fields(self, integers: frozenset[str]) -> dict[str, Any]:
        """The fields as a JSON body would carry them: a form's digits become the integers the
        model wants (anything else stays text, for validation to refuse)."""
        if not self.multipart:
            return dict(self.fields)
        return {
            name: int(value)
            if name in integers and isinstance(value, str) and _DIGITS.fullmatch(value)
            else value
            for name, value in self.fields.items()
        }


@dataclass(frozen=True)
class Picture:
    extension: str
    content_type: str
    data: bytes


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
    """The upload as a clean image of its own format, or InvalidRequest naming the field."""
    if len(upload.data) > MAX_PICTURE_BYTES:
        raise PictureTooLarge(
            f"the picture is {len(upload.data)} bytes; at most {MAX_PICTURE_BYTES} "
            f"({MAX_PICTURE_BYTES / 1_000_000:g} MB) are accepted"
        )
    if sniff(upload.data) is None:
        raise InvalidRequest.fields({upload.field: NOT_A_PICTURE})
    return reencode(upload.field, upload.data)


def reencode(field_name: str, data: bytes) -> Picture:
    """Decode with Pillow (only the JPEG, PNG and WebP decoders), check the pixel count before
    decoding, and save the pixels alone: first frame, upright, no metadata.

    Pillow is imported here, on the first picture: a function that never decodes one (every
    function but the hotels API, and that one on most requests) neither loads nor ships it."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
            width, height = image.size
            if width * height > MAX_PICTURE_PIXELS:
                raise InvalidRequest.fields({field_name: TOO_MANY_PIXELS})
            image.load()
            kind = str(image.format)
            ImageOps.exif_transpose(image, in_place=True)  # one copy of the pixels at most
            return Picture(*_FORMATS[kind], data=_save(_plain(image, kind), kind))
    except InvalidRequest:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidRequest.fields({field_name: TOO_MANY_PIXELS}) from None
    except Exception:  # decoders raise many kinds of error on hostile bytes: the file is at fault
        raise InvalidRequest.fields({field_name: NOT_A_PICTURE}) from None


def _plain(image: Image.Image, kind: str) -> Image.Image:
    """The pixels in a mode the format saves, with no ``info`` (EXIF, ICC, text chunks)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "JPEG":
        wanted = "L" if image.mode in ("1", "L") else "RGB"
    elif kind == "PNG" and image.mode in ("1", "L", "LA", "RGB", "RGBA"):
        wanted = image.mode
    else:
        wanted = "RGBA" if has_alpha else "RGB"
    plain = image.convert(wanted) if image.mode != wanted else image
    plain.info = {}
    return plain


def _save(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=88, method=4)
    else:
        image.save(out, "PNG", optimize=False)
    return out.getvalue()
