"""The ports the logic depends on, as Protocols: what it needs from a table or an AWS service.

``hotel_booking.dal`` implements each for AWS; tests pass small fakes of the same shape. A
port is as narrow as its users need, so a fake implements only what is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from hotel_booking.clock import Clock
from hotel_booking.models import (
    Approval,
    ApprovalState,
    Booking,
    BookingStatus,
    Hotel,
    Payment,
    Stay,
)
from hotel_booking.models.domain import ListPosition, PoolUser, RoomChange, Stretch

if TYPE_CHECKING:  # named in signatures only: a saga step need not build the API's models,
    # nor an API function the saga's
    from hotel_booking.models.api.hotels import SubscriptionState
    from hotel_booking.models.events import DomainEvent
    from hotel_booking.models.saga import (
        BookingRequest,
        Outcome,
        Reservation,
        StepEvent,
        Transition,
    )

__all__ = ["Clock"]


# -- tables --------------------------------------------------------------------------------
class HotelReader(Protocol):
    def get(self, hotel_id: str, consistent: bool = True) -> Hotel | None:
        """``consistent=False``: an eventually consistent read (half the cost), where a
        hotel a moment old cannot break anything."""
        ...


class HotelCatalog(HotelReader, Protocol):
    def all(self) -> list[Hotel]: ...

    def page(self, limit: int, after: str | None = None) -> tuple[list[Hotel], str | None]: ...

    def managed_by(self, manager_sub: str) -> list[str]: ...


class HotelRepository(HotelCatalog, Protocol):
    def create(self, hotel: Hotel) -> None: ...
    def replace(self, hotel: Hotel) -> Hotel | None:
        """Store ``hotel`` if the stored one is still at ``hotel.version``; the stored hotel
        (one version on), or None when it changed or was deleted meanwhile."""
        ...

    def delete(self, hotel_id: str) -> bool: ...


class LegacyHotels(HotelCatalog, Protocol):
    """Hotels stored before managers were users, named once by the migration."""

    def set_manager_sub(self, hotel_id: str, manager_email: str, manager_sub: str) -> bool: ...


class InventoryRepository(Protocol):
    def rows(
        self, hotel_id: str, first: dt.date | None = None, last: dt.date | None = None
    ) -> dict[dt.date, int]: ...
    def delete_all(self, hotel_id: str) -> None: ...


class HotelBookings(Protocol):
    def of_hotel(
        self,
        hotel_id: str,
        status: BookingStatus | None = None,
        before: ListPosition | None = None,
        count: int | None = None,
    ) -> list[Booking]:
        """Newest first, strictly after ``before``; with ``count``, more than ``count`` when
        there are more (see ``dal/bookings.BookingsTable._newest``). From an index: may lag
        a write by a moment."""
        ...


class BookingReader(HotelBookings, Protocol):
    def get(self, booking_id: str, consistent: bool = True) -> Booking | None: ...
    def of_guest(
        self,
        sub: str,
        status: BookingStatus | None = None,
        hotel_id: str | None = None,
        before: ListPosition | None = None,
        count: int | None = None,
    ) -> list[Booking]:
        """As ``of_hotel``, for one guest."""
        ...

    def of_everyone(
        self, status: BookingStatus | None, before: ListPosition | None, count: int
    ) -> Stretch:
        """Every booking, newest first, a bounded read at a time (an Admin's list)."""
        ...


class BookingRecords(BookingReader, Protocol):
    """What the bookings API writes: the PENDING record before the saga owns it."""

    def create_pending(self, booking: Booking, request_hash: str) -> bool: ...
    def discard_unstarted(self, booking_id: str) -> None: ...


class BookingProgress(Protocol):
    """What the saga's steps write on the booking record."""

    def get(self, booking_id: str, consistent: bool = True) -> Booking | None: ...
    def advance(self, booking_id: str, hotel_id: str, move: Transition) -> bool: ...
    def record_outcome(
        self, stay: Stay, outcome: Outcome, state_name: str, execution_arn: str
    ) -> bool: ...
    def mark_guest_notified(self, booking_id: str) -> bool: ...
    def note_payment_retrying(self, booking_id: str, until: dt.datetime) -> None: ...
    def unmark_guest_notified(self, booking_id: str) -> None: ...


class Reservations(Protocol):
    """The saga's two multi-table transactions."""

    def reserve(
        self, request: BookingRequest, priced: Reservation, take: RoomChange, step: StepEvent
    ) -> Decimal: ...
    def release(self, booking_id: str, give_back: RoomChange, state_name: str) -> bool: ...


class PaymentRepository(Protocol):
    def get(self, booking_id: str) -> Payment | None: ...
    def put(self, payment: Payment) -> Payment: ...
    def mark_refunded(self, booking_id: str) -> bool: ...


class ApprovalReader(Protocol):
    def get(self, approval_id: str) -> Approval | None: ...


class ApprovalRepository(ApprovalReader, Protocol):
    def open(
        self, approval_id: str, booking_id: str, hotel_id: str, token: str, expires: dt.datetime
    ) -> Approval: ...
    def mark_notified(self, approval_id: str) -> None: ...
    def close(
        self, approval_id: str, state: ApprovalState, by: str | None = None, why: str | None = None
    ) -> bool: ...


# -- services ------------------------------------------------------------------------------
class SagaStarter(Protocol):
    def start(self, name: str, input_json: str) -> str:
        """The execution's ARN; raises SagaAlreadyStarted or SagaNotStarted."""
        ...

    def execution_arn(self, name: str) -> str:
        """The ARN of the execution named ``name`` (started or not): derived, never stored
        by the API (an UpdateItem per booking saved; ReserveRoom records it)."""
        ...


class TaskResumer(Protocol):
    """Answers a waiting task token; raises TaskNoLongerWaiting when nobody waits any more."""

    def succeed(self, task_token: str, output_json: str) -> None: ...
    def fail(self, task_token: str, error: str, cause: str) -> None: ...


class Notifier(Protocol):
    def to_manager(self, hotel_id: str, booking_id: str, subject: str, body: str) -> str: ...
    def to_guest(
        self, email: str, booking_id: str, status: str, subject: str, body: str
    ) -> str: ...
    def to_operations(self, booking_id: str, subject: str, body: str) -> str: ...


class Subscriptions(Protocol):
    """A hotel's manager on the hotel's own topic (``value`` is the hotelId)."""

    def add(self, email: str, value: str) -> str: ...
    def remove(self, email: str, value: str) -> None: ...
    def close(self, value: str) -> None: ...
    def status(self, email: str, value: str) -> SubscriptionState: ...


class UserDirectory(Protocol):
    """The Cognito user pool, read by email: who an Admin means by a manager's address."""

    def find_by_email(self, email: str) -> PoolUser | None: ...


class UserAdmin(Protocol):
    """The Cognito user pool, as the user admin page reads and changes it."""

    def page(
        self, limit: int, token: str | None, group: str | None
    ) -> tuple[list[PoolUser], str | None]:
        """One page of users; ValueError for a pagination token the pool refuses."""
        ...

    def get(self, user_id: str) -> PoolUser | None: ...
    def add_to_group(self, user_id: str, group: str) -> None: ...
    def remove_from_group(self, user_id: str, group: str) -> None: ...
    def set_enabled(self, user_id: str, enabled: bool) -> None: ...


class Pictures(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def delete(self, key: str) -> None: ...
    def url(self, key: str) -> str: ...


class PaymentGateway(Protocol):
    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        """Charge once per idempotency key; return the gateway's reference."""
        ...

    def refund(self, reference: str, idempotency_key: str) -> None:
        """Refund a charge; refunding twice is a no-op."""
        ...


class SigningKey(Protocol):
    def __call__(self) -> bytes:
        """The approval links' HMAC key."""
        ...


# -- the event bus -------------------------------------------------------------------------
class EventPublisher(Protocol):
    def put(self, events: Sequence[DomainEvent]) -> list[str]:
        """Publish; the eventIds the bus did not accept (to be retried)."""
        ...
