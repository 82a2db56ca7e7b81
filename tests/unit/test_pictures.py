"""Pictures without AWS: the URLs the production configuration presigns, and what is stored
of an upload (Pillow's clean re-encode, never the bytes as sent)."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from hotel_booking.config.hotels import HotelsApiSettings
from hotel_booking.logic import problems
from hotel_booking.logic.uploads import MAX_PICTURE_PIXELS, Upload, accept_picture
from hotel_booking.wiring import hotel_ports
from tests.fixtures.events import png
from tests.fixtures.samples import SETTINGS_ENV

BUCKET = "hotel-booking-hotelpicturesbucket-7a8b9c0d1e2f"
SCRIPT = b"<script>alert(document.cookie)</script>"


def production_settings(region: str) -> HotelsApiSettings:
    """The function's environment as template.yaml sets it on AWS: no endpoint override."""
    return HotelsApiSettings.from_env(
        {
            **SETTINGS_ENV,
            "AWS_REGION": region,
            "ALLOWED_ORIGIN": "https://d111111abcdef8.cloudfront.net",
            "PICTURES_BUCKET": BUCKET,
        }
    )


# -- presigned URLs ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-west-1", "eu-west-2", "us-west-2", "ap-southeast-2", "sa-east-1"]
)
def test_picture_urls_are_sigv4_on_the_regional_host(
    region: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the environment of a function on AWS (role credentials, no endpoint override)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_CONFIG_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    # When the hotels API presigns a picture URL with the ports it builds at cold start
    url = hotel_ports(production_settings(region)).pictures.url("hotels/ht_1/abc.png")
    # Then it is SigV4, signed for the region, on the bucket's regional virtual host
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.scheme == "https"
    assert parts.netloc == f"{BUCKET}.s3.{region}.amazonaws.com", url
    assert parts.path == "/hotels/ht_1/abc.png"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"], url
    assert query["X-Amz-Credential"][0].endswith(f"/{region}/s3/aws4_request")
    assert query["X-Amz-Expires"] == ["3600"]
    assert "Signature" not in query and "AWSAccessKeyId" not in query  # no SigV2


# -- what is stored ------------------------------------------------------------------------
def image(
    kind: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **options: object
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 90) if mode == "RGB" else 128).save(out, kind, **options)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


@pytest.mark.parametrize(
    ("kind", "extension", "content_type"),
    [("JPEG", "jpg", "image/jpeg"), ("PNG", "png", "image/png"), ("WEBP", "webp", "image/webp")],
)
def test_each_format_round_trips_as_itself(kind: str, extension: str, content_type: str) -> None:
    picture = accept_picture(Upload("picture", "photo.gif", "application/x-nothing", image(kind)))
    assert (picture.extension, picture.content_type) == (extension, content_type)
    stored = decoded(picture.data)
    assert stored.format == kind and stored.size == (40, 30)
    red, green, blue = stored.convert("RGB").getpixel((20, 15))  # type: ignore[misc]
    assert abs(red - 200) < 8 and abs(green - 40) < 8 and abs(blue - 90) < 8


@pytest.mark.parametrize(
    "polyglot",
    [
        b"\x89PNG\r\n\x1a\n" + SCRIPT,  # a PNG signature and then a page
        b"\xff\xd8\xff\xe0" + SCRIPT,  # a JPEG start and then a page
        b"RIFF\x24\x00\x00\x00WEBPVP8 " + SCRIPT,
    ],
    ids=["png-header", "jpeg-header", "webp-header"],
)
def test_a_script_behind_an_image_signature_is_refused(polyglot: bytes) -> None:
    with pytest.raises(problems.InvalidRequest) as refused:
        accept_picture(Upload("picture", "p.png", "image/png", polyglot))
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("picture", "must be a JPEG, PNG or WebP image")
    ]


def test_a_real_image_carrying_a_script_is_stored_without_it() -> None:
    # A valid PNG with the script in a text chunk and again after the end of the image
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    carrier = image("PNG", pnginfo=info) + SCRIPT
    assert SCRIPT in carrier
    picture = accept_picture(Upload("picture", "p.png", "image/png", carrier))
    assert b"script" not in picture.data.lower()
    assert picture.content_type == "image/png"


def test_metadata_is_stripped_and_the_photo_turned_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "SecretCam"  # Make
    photo = image("JPEG", size=(40, 30), exif=exif.tobytes())
    stored = decoded(accept_picture(Upload("picture", "p.jpg", "image/jpeg", photo)).data)
    assert stored.size == (30, 40)
    assert not stored.getexif()
    assert b"SecretCam" not in accept_picture(Upload("picture", "p.jpg", None, photo)).data


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    # 1-bit PNGs compress to almost nothing: a few KB that decode to more pixels than allowed.
    side = int(MAX_PICTURE_PIXELS**0.5) + 100
    bomb = image("PNG", size=(side, side), mode="1")
    assert len(bomb) < 100_000
    with pytest.raises(problems.InvalidRequest) as refused:
        accept_picture(Upload("picture", "b.png", "image/png", bomb))
    assert "megapixels" in refused.value.errors[0].message
    huge = image("PNG", size=(14_000, 14_000), mode="1")  # past Pillow's own bomb limit too
    with pytest.raises(problems.InvalidRequest):
        accept_picture(Upload("picture", "b.png", "image/png", huge))


def test_a_truncated_image_is_refused() -> None:
    with pytest.raises(problems.InvalidRequest):
        accept_picture(Upload("picture", "p.png", "image/png", png(50, 50)[:-30]))


# -- the payload budget --------------------------------------------------------------------
def test_the_picture_limit_fits_in_a_lambda_event() -> None:
    from hotel_booking.logic import uploads
    from localaws.engine.lambdas import REQUEST_PAYLOAD_LIMIT

    assert uploads.LAMBDA_PAYLOAD_LIMIT == REQUEST_PAYLOAD_LIMIT == 6 * 1024 * 1024
    # The largest accepted body, base64-encoded, plus the envelope, fits the event.
    base64_chars = -(-uploads.MAX_BODY_BYTES // 3) * 4
    assert base64_chars + uploads.EVENT_ENVELOPE_RESERVE <= uploads.LAMBDA_PAYLOAD_LIMIT
    # Request line and headers (10,240 bytes) twice, JSON-escaped, and the claims fit the reserve.
    assert uploads.EVENT_ENVELOPE_RESERVE >= 2 * 2 * 10_240 + 2 * 10_240
    assert uploads.MAX_PICTURE_BYTES + uploads.MULTIPART_RESERVE <= uploads.MAX_BODY_BYTES
