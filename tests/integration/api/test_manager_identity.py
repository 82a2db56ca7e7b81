"""Issue 9 item 2: a hotel's manager is a Cognito user (its ``sub``), never an email address.

A user's email is theirs to change (Cognito ``UpdateUserAttributes``); a manager who changes
their email to another manager's address must not gain that manager's hotels.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hotel_booking.dal.hotels import HotelsTable
from hotel_booking.dal.users import CognitoUsers
from hotel_booking.logic.managers import assign_missing_managers
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
        "POST", f"/bookings/{booking_id}/decision", body={"decision": "approve"}, claims=attacker
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

    # An Admin names the manager again (or deploy/managers.py runs): managed by sub.
    again = api.hotels(
        "PUT", f"/hotels/{hotel['hotelId']}", body={"managerEmail": email}, claims=ADMIN
    )
    assert again.status == 200 and again.body["managerSub"]
    assert api.bookings("GET", path, claims=users.claims(email)).status == 200


def test_the_migration_names_verified_managers_and_leaves_the_rest(
    api: ApiClient, users: PoolUsers
) -> None:
    """deploy/managers.py (make migrate-managers) over hotels stored with only an email."""
    verified, unverified, plain = unique("mig.ok"), unique("mig.unverified"), unique("mig.plain")
    verified_sub = users.create(verified)
    hotels = {email: api.create_hotel(managerEmail=email)["hotelId"] for email in (verified,)}
    users.create(unverified)
    users.create(plain)
    hotels[unverified] = api.create_hotel(managerEmail=unverified)["hotelId"]
    hotels[plain] = api.create_hotel(managerEmail=plain)["hotelId"]
    hotels["gone@example.com"] = api.create_hotel()["hotelId"]
    users.idp.admin_update_user_attributes(
        UserPoolId=users.pool_id,
        Username=unverified,
        UserAttributes=[{"Name": "email_verified", "Value": "false"}],
    )
    users.idp.admin_remove_user_from_group(
        UserPoolId=users.pool_id, Username=plain, GroupName="HotelManager"
    )
    for email, hotel_id in hotels.items():  # as stored before issue 9 item 2
        stored = api.store.hotels.get(hotel_id)
        assert stored is not None
        legacy = stored.model_copy(update={"managerSub": None, "managerEmail": email})
        assert api.store.hotels.replace(legacy)

    table = HotelsTable(api.cloud.client("dynamodb"), api.stack.ref("HotelsTable"))
    directory = CognitoUsers(api.cloud.client("cognito-idp"), users.pool_id)
    dry = {r.hotelId: r for r in assign_missing_managers(table, directory, apply=False)}
    assert dry[hotels[verified]].managerSub == verified_sub
    assert all(table.get(h).managerSub is None for h in hotels.values())  # type: ignore[union-attr]

    read = table.get(hotels[verified])
    assert read is not None
    done = {r.hotelId: r for r in assign_missing_managers(table, directory, apply=True)}
    assert {email: done[h].managerSub for email, h in hotels.items()} == {
        verified: verified_sub,
        unverified: None,
        plain: None,
        "gone@example.com": None,
    }
    assert "not verified" in done[hotels[unverified]].why
    assert "HotelManager" in done[hotels[plain]].why
    assert "no user" in done[hotels["gone@example.com"]].why
    stored = table.get(hotels[verified])
    assert stored is not None and stored.managerSub == verified_sub
    # A change like any other: the next version, so a replace of the one read before fails.
    assert stored.version == read.version + 1
    assert not table.replace(read.model_copy(update={"name": "Stale edit"}))
    assert table.get(hotels[plain]).managerSub is None  # type: ignore[union-attr]
    # Run again: nothing left to do for the one it named.
    assert hotels[verified] not in {
        r.hotelId for r in assign_missing_managers(table, directory, True)
    }
