"""Who manages a hotel (docs/managers.md).

A hotel's manager is a user of the Cognito pool in the HotelManager group: the Admin names them
by email, the hotel stores their ``sub`` (who may see and decide its bookings) and their email
(where approval emails go, once they confirm the hotel topic's subscription).
"""

from __future__ import annotations

from dataclasses import dataclass

from hotel_booking.logic.callers import HOTEL_MANAGER, Caller, require_admin
from hotel_booking.logic.hotels import HOTEL_WORK, HotelPorts, existing_hotel, shows_manager_email
from hotel_booking.logic.ports import LegacyHotels, UserDirectory
from hotel_booking.logic.problems import InvalidRequest, NotAllowed, NotSignedIn
from hotel_booking.models.api.hotels import HotelManagerView, ManagerSubscriptionView
from hotel_booking.models.domain import PoolUser


def get_manager(ports: HotelPorts, caller: Caller | None, hotel_id: str) -> HotelManagerView:
    """Who manages a hotel: for Admins and that manager only (the public reads leave it out)."""
    if caller is None:
        raise NotSignedIn("sign in first")
    hotel = existing_hotel(ports, hotel_id)
    if not shows_manager_email(caller, hotel):
        raise NotAllowed("only Admins and the hotel's manager may see who manages it")
    return HotelManagerView(
        hotelId=hotel.hotelId, managerEmail=hotel.managerEmail, managerSub=hotel.managerSub
    )


def manager_subscription(
    ports: HotelPorts, caller: Caller | None, hotel_id: str
) -> ManagerSubscriptionView:
    """For the admin page: has the manager confirmed SNS's subscription email? Until then no
    approval email reaches them (they decide from the dashboard)."""
    require_admin(caller, HOTEL_WORK)
    hotel = existing_hotel(ports, hotel_id)
    return ManagerSubscriptionView(
        hotelId=hotel.hotelId,
        managerEmail=hotel.managerEmail,
        state=ports.managers.status(hotel.managerEmail, hotel.hotelId),
    )


def manager_by_email(directory: UserDirectory, email: str) -> PoolUser:
    """The HotelManager user an Admin means by this email, or a 400 naming ``managerEmail``."""
    user = directory.find_by_email(email)
    if user is None:
        problem = "no user has this email; they sign up first (or an Admin creates them)"
    elif HOTEL_MANAGER not in user.groups:
        problem = "this user is not in the HotelManager group; add them on the Users page"
    elif not user.enabled:
        problem = "this user is disabled; enable them on the Users page first"
    else:
        return user
    raise InvalidRequest.fields({"managerEmail": problem})


# -- migration -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ManagerMigration:
    hotelId: str
    managerEmail: str
    managerSub: str | None  # None: left unmanaged, ``why`` says why
    why: str


def assign_missing_managers(
    hotels: LegacyHotels, directory: UserDirectory, apply: bool
) -> list[ManagerMigration]:
    """Name by ``sub`` the manager of each hotel stored with only an email (before issue 9
    item 2), once: the user who holds that email *verified*, in HotelManager and enabled.
    Anything less stays unmanaged (no one sees its bookings but Admins) until an Admin picks
    the manager: an unverified or missing address proves nothing about who should manage it.
    """
    out = []
    for hotel in hotels.all():
        if hotel.managerSub is not None:
            continue
        user = directory.find_by_email(hotel.managerEmail)
        if user is None:
            why = "no user has this email"
        elif not user.emailVerified:
            why = "the user with this email has not verified it"
        elif HOTEL_MANAGER not in user.groups:
            why = "the user with this email is not in HotelManager"
        elif not user.enabled:
            why = "the user with this email is disabled"
        elif apply and not hotels.set_manager_sub(hotel.hotelId, hotel.managerEmail, user.sub):
            why = "the hotel changed meanwhile; run again"
        else:
            done = "assigned" if apply else "would be assigned (dry run)"
            out.append(ManagerMigration(hotel.hotelId, hotel.managerEmail, user.sub, done))
            continue
        out.append(ManagerMigration(hotel.hotelId, hotel.managerEmail, None, why))
    return out
