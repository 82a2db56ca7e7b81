"""Saga steps on in-memory ports (no AWS, no casts): what a retry and a compensation change."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from hotel_booking.config import SagaSettings
from hotel_booking.errors import (
    BookingCancelled,
    BookingStateConflict,
    HotelChangedMeanwhile,
    PaymentGatewayUnavailable,
    RoomUnavailable,
    TransientError,
)
from hotel_booking.logic import saga
from hotel_booking.logic.links import LinkSigner
from hotel_booking.logic.payments import SandboxGateway
from hotel_booking.models import (
    Approval,
    ApprovalState,
    Booking,
    BookingStatus,
    Hotel,
    ReservationState,
    Stay,
)
from hotel_booking.models.domain import RoomChange
from hotel_booking.models.saga import BookingRequest, Outcome, Reservation, StepEvent, Transition
from tests.fixtures.samples import HOTEL, NOW, REQUEST

TABLES_AND_TOPICS = (
    "HOTELS_TABLE",
    "INVENTORY_TABLE",
    "BOOKINGS_TABLE",
    "PAYMENTS_TABLE",
    "APPROVALS_TABLE",
    "HOTEL_TOPIC_ARN_PREFIX",
    "OPS_TOPIC_ARN",
    "SENDER_EMAIL",
)
ENV = {name: "x@y" for name in TABLES_AND_TOPICS} | {
    "AWS_REGION": "eu-west-2",
    "PAYMENT_GATEWAY": "sandbox",
    "APPROVAL_TIMEOUT_SECONDS": "60",
    "PAYMENT_RETRY_WAIT_SECONDS": "30",
    "PAYMENT_RETRY_WINDOW_SECONDS": "300",
}


class Hotels:
    def get(self, hotel_id: str, consistent: bool = True) -> Hotel | None:
        return HOTEL if hotel_id == HOTEL.hotelId else None


class Bookings:
    def __init__(self) -> None:
        self.items: dict[str, Booking] = {}

    def get(self, booking_id: str, consistent: bool = True) -> Booking | None:
        return self.items.get(booking_id)

    def advance(self, booking_id: str, hotel_id: str, move: Transition) -> bool:
        return True

    def record_outcome(self, stay: Stay, outcome: Outcome, *args: str) -> bool:
        return True

    def mark_guest_notified(self, booking_id: str) -> bool:
        return True

    def unmark_guest_notified(self, booking_id: str) -> None:
        return None

    def note_payment_retrying(self, booking_id: str, until: dt.datetime) -> None:
        self.items[booking_id] = self.items[booking_id].model_copy(
            update={"paymentRetryUntil": until}
        )


class Reservations:
    def __init__(self, bookings: Bookings | None = None) -> None:
        self.changes: list[RoomChange] = []
        self.bookings = bookings or Bookings()

    def reserve(
        self, request: BookingRequest, priced: Reservation, take: RoomChange, step: StepEvent
    ) -> Decimal:
        # As the transaction's condition on the booking: a booking reserved already is not
        # reserved again, and keeps the amount stored with it.
        stored = self.bookings.get(request.bookingId)
        if stored is not None and stored.reservation is not None:
            return stored.amount if stored.amount is not None else priced.amount
        self.changes.append(take)
        return priced.amount

    def release(self, booking_id: str, give_back: RoomChange, state_name: str) -> bool:
        self.changes.append(give_back)
        return True


class Unused:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{name} is not called here")


def ports(bookings: Bookings, reservations: Reservations) -> saga.SagaPorts:
    unused: Any = Unused()
    return saga.SagaPorts(
        settings=SagaSettings.from_env(ENV),
        hotels=Hotels(),
        bookings=bookings,
        reservations=reservations,
        payments=unused,
        approvals=unused,
        topics=unused,
        gateway=SandboxGateway(),
        clock=lambda: NOW,
    )


def step(state: str, data: dict[str, Any] | None = None) -> StepEvent:
    return StepEvent(input=data or REQUEST, executionArn="arn:e", stateName=state)


def booking(**changes: Any) -> Booking:
    base = Booking.model_validate(
        {**REQUEST, "status": "ROOM_RESERVED", "createdAt": NOW, "updatedAt": NOW}
    )
    return base.model_copy(update=changes)


def test_reserve_takes_one_room_a_night_at_the_stays_price() -> None:
    reservations = Reservations()
    result = saga.reserve_room(step("ReserveRoom"), ports(Bookings(), reservations))
    assert (result.amount, result.nights, result.approvalTimeoutSeconds) == (Decimal("200"), 2, 60)
    assert [(c.delta, len(c.nights)) for c in reservations.changes] == [(1, 2)]  # held +1


def test_a_retried_reserve_keeps_the_stored_amount_and_takes_nothing_again() -> None:
    bookings = Bookings()
    reservations = Reservations(bookings)
    bookings.items["b1"] = booking(reservation=ReservationState.RESERVED, amount=Decimal("150"))
    result = saga.reserve_room(step("ReserveRoom"), ports(bookings, reservations))
    assert result.amount == Decimal("150")
    assert reservations.changes == []


def test_more_rooms_than_the_hotel_has_is_room_unavailable_before_any_write() -> None:
    reservations = Reservations()
    with pytest.raises(RoomUnavailable, match="only 3 room"):
        saga.reserve_room(
            step("ReserveRoom", {**REQUEST, "rooms": 4}), ports(Bookings(), reservations)
        )
    assert reservations.changes == []


def test_release_gives_back_only_what_is_still_reserved() -> None:
    bookings, reservations = Bookings(), Reservations()
    bookings.items["b1"] = booking(reservation=ReservationState.RELEASED)
    assert not saga.release_room(step("ReleaseRoom"), ports(bookings, reservations)).changed
    bookings.items["b1"] = booking(reservation=ReservationState.RESERVED)
    assert saga.release_room(step("ReleaseRoom"), ports(bookings, reservations)).changed
    assert [(c.delta, c.limit) for c in reservations.changes] == [(-1, None)]


class ChangingHotel(Reservations):
    """The hotel's version moves under the first ``times`` reservations."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    def reserve(
        self, request: BookingRequest, priced: Reservation, take: RoomChange, step: StepEvent
    ) -> Decimal:
        if self.times:
            self.times -= 1
            self.changes.append(take)
            raise HotelChangedMeanwhile("moved")
        return super().reserve(request, priced, take, step)


def test_reserve_reads_the_hotel_again_when_it_changed_under_the_write() -> None:
    reservations = ChangingHotel(times=2)
    result = saga.reserve_room(step("ReserveRoom"), ports(Bookings(), reservations))
    assert result.amount == Decimal("200")
    assert len(reservations.changes) == 3


def test_a_hotel_that_keeps_changing_is_left_to_the_state_machines_retry() -> None:
    reservations = ChangingHotel(times=saga.RESERVE_READS)
    with pytest.raises(TransientError):
        saga.reserve_room(step("ReserveRoom"), ports(Bookings(), reservations))


# -- a guest cancelling while the saga is under way ----------------------------------------
RESERVED = REQUEST | {
    "reservation": {
        "hotelName": "Sea View",
        "nights": 2,
        "amount": "200.00",
        "approvalTimeoutSeconds": 60,
        "paymentRetryWaitSeconds": 30,
        "paymentRetries": 10,
    }
}


class NoPayments:
    def get(self, booking_id: str) -> None:
        return None


class CountingGateway(SandboxGateway):
    def __init__(self, down: bool = False) -> None:
        self.calls = 0
        self.down = down

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        self.calls += 1
        if self.down:
            raise PaymentGatewayUnavailable("the gateway is unreachable")
        return super().charge(token, amount, currency, idempotency_key)


def payment_ports(bookings: Bookings, gateway: CountingGateway) -> saga.SagaPorts:
    base = ports(bookings, Reservations(bookings))
    return dataclasses.replace(base, payments=NoPayments(), gateway=gateway)


def test_record_payment_charges_nothing_once_the_guest_asked_to_cancel() -> None:
    bookings = Bookings()
    bookings.items["b1"] = booking(cancelRequestedAt=NOW, cancelRequestedBy="G")
    gateway = CountingGateway()
    with pytest.raises(BookingCancelled, match="cancelled by G"):
        saga.record_payment(step("RecordPayment", RESERVED), payment_ports(bookings, gateway))
    assert gateway.calls == 0


def test_an_unavailable_gateway_tells_the_booking_until_when_the_saga_retries() -> None:
    bookings = Bookings()
    bookings.items["b1"] = booking()
    with pytest.raises(PaymentGatewayUnavailable):
        saga.record_payment(
            step("RecordPayment", RESERVED), payment_ports(bookings, CountingGateway(down=True))
        )
    # 10 retries of 30 s from the first failure
    assert bookings.items["b1"].paymentRetryUntil == NOW + dt.timedelta(seconds=300)


class GuardedBookings(Bookings):
    """A move ``unless_cancel_requested`` refused once the mark is there, as DynamoDB's
    condition would; status moves as the saga's writes move it."""

    def advance(self, booking_id: str, hotel_id: str, move: Transition) -> bool:
        current = self.items[booking_id]
        if move.unless_cancel_requested and current.cancelRequestedAt is not None:
            raise BookingStateConflict(f"booking {booking_id} cannot become {move.to.value}")
        self.items[booking_id] = current.model_copy(update={"status": move.to})
        return True


class CancelDuringOpen:
    """The approvals table; the guest's cancel lands while NotifyManager opens the approval,
    after NotifyManager's own look for the mark (the interleaving under test)."""

    def __init__(self, bookings: Bookings) -> None:
        self.bookings = bookings
        self.opened: list[str] = []

    def open(
        self, approval_id: str, booking_id: str, hotel_id: str, token: str, expires: dt.datetime
    ) -> Approval:
        self.opened.append(approval_id)
        b = self.bookings.items[booking_id]
        self.bookings.items[booking_id] = b.model_copy(update={"cancelRequestedAt": NOW})
        return Approval(
            approvalId=approval_id,
            bookingId=booking_id,
            hotelId=hotel_id,
            taskToken=token,
            state=ApprovalState.PENDING,
            expiresAt=expires,
        )


class NoTopics:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def to_manager(self, *args: Any) -> None:
        self.sent.append("manager")


def test_a_cancel_landing_while_notify_manager_runs_wins_and_the_hotel_is_not_asked() -> None:
    bookings = GuardedBookings()
    bookings.items["b1"] = booking(status=BookingStatus.PAYMENT_RECORDED)
    approvals = CancelDuringOpen(bookings)
    topics = NoTopics()
    p = dataclasses.replace(
        ports(bookings, Reservations(bookings)), approvals=approvals, topics=topics
    )
    event = step("NotifyManager", RESERVED).model_copy(update={"taskToken": "tok"})
    signer = LinkSigner("https://api.example/", lambda: b"k")

    with pytest.raises(BookingCancelled):
        saga.notify_manager(event, p, signer)

    assert approvals.opened and topics.sent == []
    assert bookings.items["b1"].status is BookingStatus.PAYMENT_RECORDED
