"""A phone photo just works: the admin page scales a picture the API would refuse (over 4.5 MB,
and over what a Lambda event can carry) down in the browser before sending it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from hotel_booking.logic.uploads import MAX_BODY_BYTES, MAX_PICTURE_BYTES
from tests.e2e.browser.conftest import Browsing, unique


@pytest.fixture(scope="module")
def phone_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12-megapixel JPEG of about 9 MB (noise does not compress), as a phone takes."""
    width, height = 4032, 3024
    sky = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), 60)
    photo = Image.merge(
        "RGB", (Image.blend(sky, grain, 0.5), sky.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grain)
    )
    path = tmp_path_factory.mktemp("photos") / "IMG_0001.jpg"
    photo.save(path, "JPEG", quality=95)
    assert path.stat().st_size > 6 * 1024 * 1024
    return path


def test_a_photo_over_the_limit_is_scaled_down_before_upload(
    browsing: Browsing, phone_photo: Path
) -> None:
    name = unique("Big Photo Inn")
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("addHotel.html"))
    admin.get_by_label("Name").fill(name)
    admin.get_by_label("Star rating").select_option("3")
    admin.get_by_label("City").fill("Cork")
    admin.get_by_label("Picture").set_input_files(phone_photo)
    admin.get_by_label("Price per night").fill("95")
    admin.get_by_label("Rooms").fill("4")
    admin.get_by_label("Manager", exact=True).select_option("manager@example.com")

    with admin.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/hotels")
    ) as answer:
        admin.get_by_role("button", name="Add hotel").click()
    expect(admin.locator("#added")).to_contain_text(f"“{name}” was added")
    expect(admin.locator("#hotel-summary")).to_have_text(
        "The picture was scaled down to 2560 \u00d7 1920 pixels to upload it."
    )

    # What went over the wire fits a Lambda event, and what is stored is the scaled picture.
    response = answer.value
    assert response.status == 201
    sent = response.request.header_value("content-length")
    assert sent is not None and int(sent) <= MAX_BODY_BYTES, sent
    hotel_id = response.json()["hotelId"]
    s3 = browsing.stack.cloud.client("s3")
    bucket = browsing.stack.stack.ref("HotelPicturesBucket")
    (key,) = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"hotels/{hotel_id}/")["Contents"]
    ]
    stored = s3.get_object(Bucket=bucket, Key=key)
    data = stored["Body"].read()
    assert len(data) <= MAX_PICTURE_BYTES
    assert stored["ContentType"] in ("image/webp", "image/jpeg")
    assert Image.open(io.BytesIO(data)).size == (2560, 1920)
