"""Issue 9 item 2: a hotel's manager is a Cognito user (its ``sub``), never an email address.

A user's email is theirs to change (Cognito ``UpdateUserAttributes``); a manager who changes
their email to another manager's address must not gain that manager's hotels.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hotel_booking.models import BookingStatus
from tests.fixtures.api_client import ApiClient, PoolUsers
from tests.fixtures.events import ADMIN, guest


@pytest.fixture(scope="module")
def users(api: ApiClient) -> PoolUsers:
    return PoolUsers(api.cloud, api.stack)


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}@example.com"


def change_email(users: PoolUsers, old: str, new: str) -> None:
    access = users.tokens(old)["AccessToken"]
    users.idp.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email", "Value": new}]
    )


def test_a_manager_who_takes_another_managers_email_gets_none_of_their_hotels(
    api: ApiClient, users: PoolUsers
) -> None:
    alice, bob = unique("alice"), unique("bob")
    hotel_manager_sub = users.create(alice)
    users.create(bob)
    hotel = api.create_hotel(managerEmail=alice)
    booking_id = str(api.book(hotel, guest(f"g{uuid.uuid4().hex[:6]}"))["bookingId"])
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    assert api.bookings("GET", f"/bookings/{booking_id}", claims=users.claims(alice)).status == 200

    # Alice moves to a new address; Bob takes her old one, as any signed-in user may change
    # their own email (an address in use is refused: AliasExistsException), and signs in again.
    alice_now = unique("alice.new")
    change_email(users, alice, alice_now)
    change_email(users, bob, alice)
    attacker: dict[str, Any] = users.claims(alice)  # Bob, signing in with his new address
    assert attacker["sub"] != hotel_manager_sub

    listed = api.bookings("GET", "/bookings", claims=attacker, query={"hotelId": hotel["hotelId"]})
    read = api.bookings("GET", f"/bookings/{booking_id}", claims=attacker)
    decided = api.bookings(
        "POST", f"/bookings/{booking_id}/decision", body={"decision": "APPROVE"}, claims=attacker
    )
    assert listed.status == 200 and listed.body["items"] == []
    assert read.status == 404
    assert decided.status == 404
    assert api.saga.booking(booking_id).status is BookingStatus.AWAITING_APPROVAL
    # Alice is still the manager, whatever her address.
    assert (
        api.bookings("GET", f"/bookings/{booking_id}", claims=users.claims(alice_now)).status == 200
    )


def test_a_hotel_manager_must_be_a_hotel_manager_user(api: ApiClient, users: PoolUsers) -> None:
    nobody, plain = unique("nobody"), unique("plain")
    users.create(plain, group=None)
    for email in (nobody, plain):
        resp = api.hotels(
            "POST", "/hotels", body={**api.hotel_fields(), "managerEmail": email}, claims=ADMIN
        )
        assert resp.status == 400, resp.body
        assert set(resp.field_errors) == {"managerEmail"}
    hotel = api.create_hotel()
    moved = api.hotels(
        "PUT", f"/hotels/{hotel['hotelId']}", body={"managerEmail": plain}, claims=ADMIN
    )
    assert moved.status == 400 and set(moved.field_errors) == {"managerEmail"}


def test_the_manager_is_stored_by_sub_and_shown_to_admins_and_that_manager(
    api: ApiClient, users: PoolUsers
) -> None:
    email = unique("shown")
    sub = users.create(email)
    hotel = api.create_hotel(managerEmail=email)
    assert hotel["managerSub"] == sub
    stored = api.store.hotels.get(hotel["hotelId"])
    assert stored is not None and stored.managerSub == sub and stored.managerEmail == email

    path = f"/hotels/{hotel['hotelId']}/manager"
    expected = {"hotelId": hotel["hotelId"], "managerEmail": email, "managerSub": sub}
    assert api.hotels("GET", path, claims=ADMIN).body == expected
    assert api.hotels("GET", path, claims=users.claims(email)).body == expected
    other = unique("other")
    users.create(other)
    assert api.hotels("GET", path, claims=users.claims(other)).status == 403
    assert api.hotels("GET", path, claims=guest("nosy")).status == 403
    assert api.hotels("GET", "/hotels/ht_gone/manager", claims=ADMIN).status == 404
    # The public reads carry no identity: they never show the manager.
    public = api.hotels("GET", f"/hotels/{hotel['hotelId']}").body
    assert "managerEmail" not in public and "managerSub" not in public


def test_a_legacy_hotel_with_only_an_email_is_managed_by_nobody_until_reassigned(
    api: ApiClient, users: PoolUsers
) -> None:
    email = unique("legacy")
    users.create(email)
    hotel = api.create_hotel(managerEmail=email)
    stored = api.store.hotels.get(hotel["hotelId"])
    assert stored is not None
    assert api.store.hotels.replace(stored.model_copy(update={"managerSub": None}))
    booking_id = str(api.book(hotel, guest(f"g{uuid.uuid4().hex[:6]}"))["bookingId"])
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    path = f"/bookings/{booking_id}"
    assert api.bookings("GET", path, claims=users.claims(email)).status == 404

    # An Admin names the manager again (or deploy/migrate_managers.py runs): managed by sub.
    again = api.hotels(
        "PUT", f"/hotels/{hotel['hotelId']}", body={"managerEmail": email}, claims=ADMIN
    )
    assert again.status == 200 and again.body["managerSub"]
    assert api.bookings("GET", path, claims=users.claims(email)).status == 200
