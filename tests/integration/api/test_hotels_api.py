"""The hotels API, through the deployed HotelsApiFunction with the template's environment."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from devstack.run import LocalStack
from hotel_booking.logic.uploads import MAX_BODY_BYTES, MAX_PICTURE_BYTES
from hotel_booking.models import BookingStatus
from localaws.engine.lambdas import REQUEST_PAYLOAD_LIMIT
from tests.fixtures.api_client import CHECK_IN, ApiClient
from tests.fixtures.events import ADMIN, claims, form_event, guest, manager, png, rest_event
from tests.fixtures.mail import confirm_subscription, wait_for_mail

PENDING = "PendingConfirmation"


def city() -> str:
    """A city no other test uses, so a search sees only this test's hotels."""
    return f"Testville-{uuid.uuid4().hex[:8]}"


def form_fields(api: ApiClient, **overrides: str) -> dict[str, str]:
    n = uuid.uuid4().hex[:6]
    fields = {
        "name": f"Form Hotel {n}",
        "city": "Porto",
        "stars": "3",
        "pricePerNight": "85.50",
        "rooms": "5",
        "managerEmail": f"form.manager.{n}@example.com",
        **overrides,
    }
    api.manager_sub(fields["managerEmail"])  # a HotelManager user of the pool
    return fields


def picture_object(api: ApiClient, hotel_id: str) -> tuple[str, dict[str, Any]]:
    s3 = api.cloud.client("s3")
    bucket = api.stack.ref("HotelPicturesBucket")
    keys = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"hotels/{hotel_id}/").get("Contents", [])
    ]
    assert len(keys) == 1, keys
    return keys[0], s3.get_object(Bucket=bucket, Key=keys[0])


def picture_keys(api: ApiClient, hotel_id: str) -> list[str]:
    s3 = api.cloud.client("s3")
    bucket = api.stack.ref("HotelPicturesBucket")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"hotels/{hotel_id}/")
    return [o["Key"] for o in listed.get("Contents", [])]


# -- search (public) -----------------------------------------------------------------------
def test_search_filters_by_city_stars_and_price_and_hides_manager_email(api: ApiClient) -> None:
    where = city()
    cheap = api.create_hotel(city=where, stars=3, pricePerNight="80.00")
    fancy = api.create_hotel(city=where, stars=5, pricePerNight="300.00")

    everything = api.hotels("GET", "/hotels", query={"city": where.upper()})
    assert everything.status == 200
    assert {h["hotelId"] for h in everything.body["items"]} == {
        cheap["hotelId"],
        fancy["hotelId"],
    }
    item = next(h for h in everything.body["items"] if h["hotelId"] == cheap["hotelId"])
    assert item == {
        "hotelId": cheap["hotelId"],
        "name": cheap["name"],
        "city": where,
        "stars": 3,
        "pricePerNight": "80.00",
        "currency": "EUR",
        "rooms": 3,
        "imageUrl": None,
    }  # no managerEmail for the public

    starry = api.hotels("GET", "/hotels", query={"city": where, "minStars": "4"})
    assert [h["hotelId"] for h in starry.body["items"]] == [fancy["hotelId"]]
    affordable = api.hotels("GET", "/hotels", query={"city": where, "maxPrice": "100"})
    assert [h["hotelId"] for h in affordable.body["items"]] == [cheap["hotelId"]]


def test_search_by_dates_lists_only_hotels_with_a_room_every_night(api: ApiClient) -> None:
    where = city()
    full = api.create_hotel(city=where, rooms=1)
    free = api.create_hotel(city=where, rooms=1)
    night = CHECK_IN + dt.timedelta(days=1)
    # Its one room is held that night (by a booking confirmed or still in the saga): search
    # reads what the inventory holds, as ReserveRoom's transaction leaves it.
    api.cloud.client("dynamodb").put_item(
        TableName=api.stack.ref("InventoryTable"),
        Item={
            "hotelId": {"S": full["hotelId"]},
            "night": {"S": night.isoformat()},
            "held": {"N": "1"},
        },
    )

    def found(check_in: dt.date, nights: int) -> set[str]:
        query = {
            "city": where,
            "checkIn": check_in.isoformat(),
            "checkOut": (check_in + dt.timedelta(days=nights)).isoformat(),
        }
        resp = api.hotels("GET", "/hotels", query=query)
        assert resp.status == 200, resp.body
        return {h["hotelId"] for h in resp.body["items"]}

    assert found(CHECK_IN, 3) == {free["hotelId"]}  # the full night is in the stay
    assert found(CHECK_IN, 1) == {full["hotelId"], free["hotelId"]}  # it is not
    assert found(night + dt.timedelta(days=1), 2) == {full["hotelId"], free["hotelId"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"minStars": "lots"}, "minStars"),
        ({"minStars": "9"}, "minStars"),
        ({"maxPrice": "-5"}, "maxPrice"),
        ({"checkIn": "2030-02-30", "checkOut": "2030-03-02"}, "checkIn"),
        ({"checkIn": CHECK_IN.isoformat()}, "checkOut"),
        ({"checkIn": CHECK_IN.isoformat(), "checkOut": CHECK_IN.isoformat()}, "checkOut"),
        ({"checkIn": "2001-01-01", "checkOut": "2001-01-03"}, "checkIn"),
    ],
)
def test_search_refuses_bad_filters_naming_the_field(
    api: ApiClient, query: dict[str, str], field: str
) -> None:
    resp = api.hotels("GET", "/hotels", query=query)
    assert resp.status == 400
    assert field in resp.field_errors, resp.body
    assert resp.body["message"]


def test_one_hotel_or_404(api: ApiClient) -> None:
    hotel = api.create_hotel()
    resp = api.hotels("GET", f"/hotels/{hotel['hotelId']}")
    assert resp.status == 200
    assert resp.body["name"] == hotel["name"]
    assert "managerEmail" not in resp.body

    missing = api.hotels("GET", "/hotels/ht_nope")
    assert missing.status == 404
    assert missing.body == {"message": "no hotel ht_nope"}


def test_every_response_carries_the_cors_origin_even_without_an_origin_header(
    api: ApiClient,
) -> None:
    for resp in (
        api.hotels("GET", "/hotels"),
        api.hotels("GET", "/hotels/ht_nope"),
        api.hotels("POST", "/hotels", body="{", claims=ADMIN),
        api.hotels("GET", "/hotels", headers={"Origin": "http://localhost:8080"}),
    ):
        assert resp.header("Access-Control-Allow-Origin") == "*", resp


# -- create (Admin) ------------------------------------------------------------------------
def test_admin_creates_a_hotel_from_json_and_its_manager_is_subscribed(api: ApiClient) -> None:
    fields = api.hotel_fields(pricePerNight=99.5)
    resp = api.hotels("POST", "/hotels", body=fields, claims=ADMIN)

    assert resp.status == 201, resp.body
    hotel = resp.body
    assert re.fullmatch(r"ht_[0-9a-f]{20}", hotel["hotelId"])
    assert hotel["pricePerNight"] == "99.50"
    assert hotel["managerEmail"] == fields["managerEmail"]  # an Admin sees it
    assert hotel["imageUrl"] is None
    stored = api.store.hotels.get(hotel["hotelId"])
    assert stored is not None and stored.rooms == fields["rooms"]
    # The hotel's own topic, its manager its one subscriber, waiting for their confirmation
    assert api.subscriptions(hotel["hotelId"]) == {fields["managerEmail"]: PENDING}
    assert hotel["managerSubscription"] == PENDING
    path = f"/hotels/{hotel['hotelId']}/subscription"
    shown = api.hotels("GET", path, claims=ADMIN)
    assert (shown.status, shown.body) == (
        200,
        {"hotelId": hotel["hotelId"], "managerEmail": fields["managerEmail"], "state": PENDING},
    )
    # Nobody else is told whether the manager confirmed.
    assert "managerSubscription" not in api.hotels("GET", f"/hotels/{hotel['hotelId']}").body
    assert api.hotels("GET", path).status == 401
    assert api.hotels("GET", path, claims=manager(fields["managerEmail"])).status == 403


def test_a_manager_of_two_hotels_is_subscribed_to_each_hotels_topic(api: ApiClient) -> None:
    email = f"two.hotels.{uuid.uuid4().hex[:6]}@example.com"
    first = api.create_hotel(managerEmail=email)
    second = api.create_hotel(managerEmail=email)
    assert api.subscriptions(first["hotelId"]) == {email: PENDING}
    assert api.subscriptions(second["hotelId"]) == {email: PENDING}
    # No filter policy anywhere: SNS's quota of 200 filter policies per topic never applies.
    sns = api.cloud.client("sns")
    for hotel in (first, second):
        topic = api.hotel_topic_arn(hotel["hotelId"])
        assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["TopicArn"] == topic


@pytest.mark.parametrize(
    "groups",
    ["Admin", "HotelManager,Admin", "[Admin HotelManager]", ["HotelManager", "Admin"]],
)
def test_the_admin_group_is_read_from_any_claim_shape(
    api: ApiClient, groups: str | list[str]
) -> None:
    who = claims("admin2-sub", "admin2@example.com", groups)
    resp = api.hotels("POST", "/hotels", body=api.hotel_fields(), claims=who)
    assert resp.status == 201, resp.body


@pytest.mark.parametrize(
    "who",
    [guest("nosy"), manager("some.manager@example.com"), claims("x", "x@example.com", "")],
    ids=["guest", "manager", "no-groups"],
)
def test_only_admins_create_change_or_delete_hotels(api: ApiClient, who: dict[str, Any]) -> None:
    hotel = api.create_hotel()
    path = f"/hotels/{hotel['hotelId']}"
    for resp in (
        api.hotels("POST", "/hotels", body=api.hotel_fields(), claims=who),
        api.hotels("PUT", path, body={"name": "Mine now"}, claims=who),
        api.hotels("DELETE", path, claims=who),
    ):
        assert resp.status == 403
        assert set(resp.body) == {"message"}
        assert "Admin" in resp.body["message"]
    assert api.store.hotels.get(hotel["hotelId"]) is not None


def test_missing_and_invalid_fields_are_each_named(api: ApiClient) -> None:
    resp = api.hotels(
        "POST",
        "/hotels",
        body={"name": "", "stars": 6, "pricePerNight": "12.345", "managerEmail": "nope"},
        claims=ADMIN,
    )
    assert resp.status == 400
    assert set(resp.field_errors) == {
        "name",
        "city",
        "stars",
        "pricePerNight",
        "rooms",
        "managerEmail",
    }
    assert resp.field_errors["city"] == "is required"


def test_an_unknown_field_is_refused_by_name(api: ApiClient) -> None:
    resp = api.hotels("POST", "/hotels", body=api.hotel_fields(wifi=True), claims=ADMIN)
    assert resp.status == 400
    assert resp.field_errors == {"wifi": "is not a known field"}


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('["a", "list"]', "application/json", 400),
        ('{"stars": NaN}', "application/json", 400),
        ("", "application/json", 400),
        ("name=x", "application/x-www-form-urlencoded", 415),
        ("anything", "multipart/form-data", 400),  # no boundary
        ("--x\r\nnot a part", "multipart/form-data; boundary=x", 400),
    ],
)
def test_a_malformed_body_is_a_4xx_never_a_5xx(
    api: ApiClient, body: str, content_type: str, status: int
) -> None:
    resp = api.hotels(
        "POST", "/hotels", body=body, headers={"Content-Type": content_type}, claims=ADMIN
    )
    assert resp.status == status, resp.body
    assert resp.body["message"]


def test_bad_base64_is_a_400(api: ApiClient) -> None:
    event = rest_event("POST", "/hotels", body="x", claims=ADMIN)
    event["body"], event["isBase64Encoded"] = "!!!not base64!!!", True
    resp = api.invoke("HotelsApiFunction", event)
    assert resp.status == 400
    assert resp.field_errors == {"body": "is not valid base64"}


# -- multipart and pictures ----------------------------------------------------------------
def test_multipart_form_with_a_png_picture(api: ApiClient) -> None:
    picture = png(6, 4)
    event = form_event(
        "POST",
        "/hotels",
        form_fields(api, name="Pixel Palace"),
        [("picture", "front.png", "image/png", picture)],
        claims=ADMIN,
    )
    assert event["isBase64Encoded"] is True
    resp = api.invoke("HotelsApiFunction", event)

    assert resp.status == 201, resp.body
    hotel = resp.body
    assert hotel["name"] == "Pixel Palace"
    assert hotel["stars"] == 3 and hotel["rooms"] == 5 and hotel["pricePerNight"] == "85.50"
    key, obj = picture_object(api, hotel["hotelId"])
    assert re.fullmatch(rf"hotels/{hotel['hotelId']}/[0-9a-f]{{32}}\.png", key)
    # Stored as Pillow re-encoded it: the same pixels, not necessarily the same bytes.
    assert pixels(obj["Body"].read()) == pixels(picture)
    assert obj["ContentType"] == "image/png"
    assert hotel["imageUrl"].startswith("http")
    assert key in hotel["imageUrl"] and "Signature" in hotel["imageUrl"]


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


def encoded(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 160, 90)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "extension", "content_type"),
    [("JPEG", "jpg", "image/jpeg"), ("PNG", "png", "image/png"), ("WEBP", "webp", "image/webp")],
)
def test_jpeg_png_and_webp_are_recognised_by_their_bytes_and_served_as_such(
    api: ApiClient, kind: str, extension: str, content_type: str
) -> None:
    # Named and declared as something else: only the bytes count.
    files = [("picture", "photo.gif", "application/octet-stream", encoded(kind))]
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", form_fields(api), files, claims=ADMIN)
    )
    assert resp.status == 201, resp.body
    key, obj = picture_object(api, resp.body["hotelId"])
    assert key.endswith(f".{extension}")
    assert obj["ContentType"] == content_type
    stored = Image.open(io.BytesIO(obj["Body"].read()))
    assert stored.format == kind and stored.size == (24, 16)


def test_a_script_with_a_png_signature_is_refused_and_nothing_is_stored(api: ApiClient) -> None:
    polyglot = b"\x89PNG\r\n\x1a\n<script>alert(document.cookie)</script>"
    files = [("picture", "p.png", "image/png", polyglot)]
    fields = form_fields(api, name=f"Polyglot Inn {uuid.uuid4().hex[:6]}")
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", fields, files, claims=ADMIN)
    )
    assert resp.status == 400
    assert resp.field_errors == {"picture": "must be a JPEG, PNG or WebP image"}
    listed = api.hotels("GET", "/hotels", query={"city": "Porto"}).body["items"]
    assert fields["name"] not in [h["name"] for h in listed]


def test_a_real_png_carrying_a_script_is_stored_without_it(api: ApiClient) -> None:
    carrier = encoded("PNG") + b"<script>alert(document.cookie)</script>"
    files = [("picture", "p.png", "image/png", carrier)]
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", form_fields(api), files, claims=ADMIN)
    )
    assert resp.status == 201, resp.body
    _, obj = picture_object(api, resp.body["hotelId"])
    assert b"script" not in obj["Body"].read().lower()
    assert obj["ContentType"] == "image/png"


def test_text_named_png_is_not_a_picture(api: ApiClient) -> None:
    files = [("picture", "hotel.png", "image/png", b"just some text, honestly")]
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", form_fields(api), files, claims=ADMIN)
    )
    assert resp.status == 400
    assert resp.field_errors == {"picture": "must be a JPEG, PNG or WebP image"}


def test_a_picture_over_the_limit_is_413(api: ApiClient) -> None:
    big = png() + b"\x00" * (MAX_PICTURE_BYTES + 1 - len(png()))
    files = [("picture", "huge.png", "image/png", big)]
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", form_fields(api), files, claims=ADMIN)
    )
    assert resp.status == 413
    assert "4.5 MB" in resp.body["message"]


def test_a_body_larger_than_a_lambda_event_can_carry_is_413_before_it_is_parsed(
    api: ApiClient,
) -> None:
    # Its event still fits Lambda's 6 MB: the function says 413 instead of failing on it.
    body = b"\x00" * (MAX_BODY_BYTES + 3)
    assert len(json.dumps(rest_event("POST", "/hotels", body=body))) < REQUEST_PAYLOAD_LIMIT
    for content_type in ("multipart/form-data; boundary=zz", "application/json"):
        event = rest_event(
            "POST", "/hotels", body=body, headers={"Content-Type": content_type}, claims=ADMIN
        )
        resp = api.invoke("HotelsApiFunction", event)
        assert resp.status == 413, resp.body
        assert f"at most {MAX_BODY_BYTES}" in resp.body["message"]


def test_an_event_over_six_megabytes_never_reaches_the_function(api: ApiClient) -> None:
    # What a 5 MB photo sent as is becomes: Lambda refuses the invocation, as on AWS (where
    # API Gateway then answers 5xx). The pages scale such a photo down before sending it.
    files = [("picture", "photo.png", "image/png", png() + b"\x00" * (5 * 1024 * 1024))]
    event = form_event("POST", "/hotels", form_fields(api), files, claims=ADMIN)
    with pytest.raises(ClientError) as refused:
        api.cloud.client("lambda").invoke(
            FunctionName=api.stack.ref("HotelsApiFunction"), Payload=json.dumps(event)
        )
    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_an_empty_file_input_means_no_picture(api: ApiClient) -> None:
    files = [("picture", "", "application/octet-stream", b"")]
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", form_fields(api), files, claims=ADMIN)
    )
    assert resp.status == 201, resp.body
    assert resp.body["imageUrl"] is None


def test_multipart_fields_are_validated_like_json(api: ApiClient) -> None:
    fields = form_fields(api, stars="many", rooms="0", colour="blue")
    files = [("brochure", "b.png", "image/png", png())]
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", fields, files, claims=ADMIN)
    )
    assert resp.status == 400
    assert set(resp.field_errors) == {"stars", "rooms", "colour", "brochure"}


# -- change (Admin) ------------------------------------------------------------------------
def test_partial_update_changes_only_what_was_sent(api: ApiClient) -> None:
    hotel = api.create_hotel(pricePerNight="100.00")
    resp = api.hotels(
        "PUT", f"/hotels/{hotel['hotelId']}", body={"pricePerNight": "110"}, claims=ADMIN
    )
    assert resp.status == 200, resp.body
    assert resp.body == {**hotel, "pricePerNight": "110.00"}


def test_update_validates_and_404s(api: ApiClient) -> None:
    hotel = api.create_hotel()
    path = f"/hotels/{hotel['hotelId']}"
    nulls = api.hotels("PUT", path, body={"name": None, "stars": 0}, claims=ADMIN)
    assert nulls.status == 400
    assert set(nulls.field_errors) == {"name", "stars"}
    unknown = api.hotels("PUT", path, body={"hotelId": "ht_other"}, claims=ADMIN)
    assert unknown.status == 400
    assert unknown.field_errors == {"hotelId": "is not a known field"}
    missing = api.hotels("PUT", "/hotels/ht_gone", body={"name": "x"}, claims=ADMIN)
    assert missing.status == 404


def test_changing_the_manager_moves_the_subscription(api: ApiClient) -> None:
    old, new = (f"{who}.{uuid.uuid4().hex[:6]}@example.com" for who in ("old", "new"))
    keep = api.create_hotel(managerEmail=old)
    hotel = api.create_hotel(managerEmail=old)
    api.manager_sub(new)
    resp = api.hotels(
        "PUT", f"/hotels/{hotel['hotelId']}", body={"managerEmail": new}, claims=ADMIN
    )
    assert resp.status == 200
    assert resp.body["managerEmail"] == new
    assert resp.body["managerSubscription"] == PENDING  # the new manager must confirm
    assert api.subscriptions(keep["hotelId"]) == {old: PENDING}
    assert api.subscriptions(hotel["hotelId"]) == {new: PENDING}

    # The other hotel moves too: the old manager hears about neither.
    api.hotels("PUT", f"/hotels/{keep['hotelId']}", body={"managerEmail": new}, claims=ADMIN)
    assert api.subscriptions(keep["hotelId"]) == {new: PENDING}
    assert api.subscriptions(hotel["hotelId"]) == {new: PENDING}


def test_a_new_picture_replaces_the_old_one(api: ApiClient) -> None:
    first = [("picture", "a.png", "image/png", png(2, 2))]
    created = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", form_fields(api), first, claims=ADMIN)
    ).body
    old_key, _ = picture_object(api, created["hotelId"])
    second = png(3, 3, (1, 2, 3))
    resp = api.invoke(
        "HotelsApiFunction",
        form_event(
            "PUT",
            f"/hotels/{created['hotelId']}",
            {"name": "Repainted"},
            [("picture", "b.png", "image/png", second)],
            claims=ADMIN,
        ),
    )
    assert resp.status == 200, resp.body
    assert resp.body["name"] == "Repainted"
    new_key, obj = picture_object(api, created["hotelId"])  # exactly one: the old one is gone
    assert new_key != old_key
    assert pixels(obj["Body"].read()) == pixels(second)


def test_room_count_changes_move_the_inventory_and_never_below_what_is_booked(
    api: ApiClient,
) -> None:
    hotel = api.create_hotel(rooms=3)
    booking = api.book(hotel, guest("roomy"), rooms=2)
    api.saga.wait_status(booking["bookingId"], BookingStatus.AWAITING_APPROVAL)
    store_hotel = api.store.hotels.get(hotel["hotelId"])
    assert store_hotel is not None
    nights = [CHECK_IN, CHECK_IN + dt.timedelta(days=1)]
    assert list(api.store.available_rooms(store_hotel, nights).values()) == [1, 1]
    path = f"/hotels/{hotel['hotelId']}"

    refused = api.hotels("PUT", path, body={"rooms": 1}, claims=ADMIN)
    assert refused.status == 409
    assert CHECK_IN.isoformat() in refused.body["message"]
    both_nights = ", ".join(n.isoformat() for n in nights)
    assert refused.body["errors"] == [
        {"field": "rooms", "message": f"cannot go below what is booked on {both_nights}"}
    ]
    assert api.hotels("GET", path).body["rooms"] == 3
    assert list(api.store.available_rooms(store_hotel, nights).values()) == [1, 1]

    grown = api.hotels("PUT", path, body={"rooms": 5}, claims=ADMIN)
    assert grown.status == 200
    assert list(api.store.available_rooms(store_hotel, nights).values()) == [3, 3]
    shrunk = api.hotels("PUT", path, body={"rooms": 2}, claims=ADMIN)
    assert shrunk.status == 200
    assert list(api.store.available_rooms(store_hotel, nights).values()) == [0, 0]


# -- delete (Admin) ------------------------------------------------------------------------
def test_delete_removes_the_hotel_its_picture_and_its_subscription(api: ApiClient) -> None:
    email = f"leaving.{uuid.uuid4().hex[:6]}@example.com"
    files = [("picture", "p.png", "image/png", png())]
    created = api.invoke(
        "HotelsApiFunction",
        form_event("POST", "/hotels", form_fields(api, managerEmail=email), files, claims=ADMIN),
    ).body
    hotel_id = created["hotelId"]
    assert picture_keys(api, hotel_id)

    resp = api.hotels("DELETE", f"/hotels/{hotel_id}", claims=ADMIN)
    assert resp.status == 204
    assert resp.body is None
    assert api.hotels("GET", f"/hotels/{hotel_id}").status == 404
    assert picture_keys(api, hotel_id) == []
    assert api.subscriptions(hotel_id) == {}  # the hotel's topic is gone, and with it the email
    topics = api.cloud.client("sns").list_topics()["Topics"]
    assert api.hotel_topic_arn(hotel_id) not in [t["TopicArn"] for t in topics]
    assert api.hotels("DELETE", f"/hotels/{hotel_id}", claims=ADMIN).status == 404


def test_delete_is_refused_while_a_booking_is_live(api: ApiClient) -> None:
    hotel = api.create_hotel()
    booking = api.book(hotel, guest("staying"))
    api.saga.wait_status(booking["bookingId"], BookingStatus.AWAITING_APPROVAL)

    resp = api.hotels("DELETE", f"/hotels/{hotel['hotelId']}", claims=ADMIN)
    assert resp.status == 409
    assert "1 live booking" in resp.body["message"]
    assert api.store.hotels.get(hotel["hotelId"]) is not None


def test_delete_is_allowed_once_bookings_are_over(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=1)
    first = api.book(hotel, guest("first"))
    api.saga.wait_status(first["bookingId"], BookingStatus.AWAITING_APPROVAL)
    sold_out = api.book(hotel, guest("second"))  # the only room is taken: the saga fails it
    api.saga.wait_status(sold_out["bookingId"], BookingStatus.FAILED)
    decided = api.bookings(
        "POST",
        f"/bookings/{first['bookingId']}/decision",
        body={"decision": "reject"},
        claims=ADMIN,
    )
    assert decided.status == 200
    api.saga.wait_status(first["bookingId"], BookingStatus.REJECTED)

    assert api.hotels("DELETE", f"/hotels/{hotel['hotelId']}", claims=ADMIN).status == 204


def test_an_id_that_cannot_exist_is_a_404_not_a_database_error(api: ApiClient) -> None:
    for hotel_id in ("x" * 3000, "spaces and ünïcode", "a%2Fb"):
        path = f"/hotels/{hotel_id}"
        assert api.hotels("GET", path).status == 404
        assert api.hotels("PUT", path, body={"name": "n"}, claims=ADMIN).status == 404
        assert api.hotels("DELETE", path, claims=ADMIN).status == 404


def test_a_picture_in_json_is_refused_with_a_hint(api: ApiClient) -> None:
    body = api.hotel_fields(picture="iVBORw0KGgo=")
    resp = api.hotels("POST", "/hotels", body=body, claims=ADMIN)
    assert resp.status == 400
    assert resp.field_errors == {"picture": "must be a file, sent as multipart/form-data"}


def test_the_201st_manager_still_gets_the_approval_email(
    api: ApiClient, local_stack: LocalStack
) -> None:
    # Given 201 hotels, each with its own manager (a shared topic filtered per manager stops at
    # SNS's 200 filter policies per topic; the local SNS enforces that quota too)
    tag = uuid.uuid4().hex[:6]
    hotels = [api.create_hotel(managerEmail=f"m{n}.{tag}@example.com") for n in range(201)]
    last = hotels[-1]
    manager_email = last["managerEmail"]

    # When the 201st manager confirms the subscription and a guest books there
    confirm_subscription(local_stack, manager_email, api.hotel_topic_arn(last["hotelId"]))
    booking = api.book(last, guest(f"guest201.{tag}"))
    api.saga.wait_status(booking["bookingId"], BookingStatus.AWAITING_APPROVAL)

    # Then the approval request is in their mailbox
    mail = wait_for_mail(local_stack, manager_email, booking["bookingId"])
    assert mail["subject"].startswith("Approval needed:")
