"""Cancellation: the policy, the guest's request, and the cancellation saga's last step.

The policy: a confirmed booking is refunded in full until 00:00 UTC ``full_refund_days``
before check-in (template parameter CancellationFullRefundDays), and not at all after; a
booking still awaiting the manager's approval is refunded in full (nothing was confirmed). No
booking can be cancelled once its check-in day has come.

Three ways to cancel, by status:

- ROOM_RESERVED, PAYMENT_RECORDED (the saga is under way, e.g. waiting out a payment-gateway
  outage): the booking is marked ``cancelRequestedAt`` (a conditional write on the status);
  RecordPayment and NotifyManager look for the mark before they charge or ask the hotel and
  then fail with ``BookingCancelled``, so the saga's own compensations refund whatever was
  charged, release the rooms and write CANCELLED. NotifyManager's move to AWAITING_APPROVAL is
  conditioned on there being no mark: either it lands first (and this request then takes the
  AWAITING_APPROVAL way) or the mark does (and the hotel is never asked).
- AWAITING_APPROVAL: the waiting booking saga is failed through its task token with the error
  ``BookingCancelled``; its own compensations refund and release, and RecordFailure writes
  CANCELLED. The approval is closed first (CANCELLED), so a manager's click cannot also win.
- CONFIRMED: the booking becomes CANCELLING (a conditional write: one request wins) and the
  cancellation state machine refunds per the policy, releases every night and marks it
  CANCELLED (:func:`finish_cancellation`). Its execution name is derived from the booking, so
  asking again starts nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from hotel_booking.clock import Clock, utc_now
from hotel_booking.errors import (
    BookingStateConflict,
    InvalidBookingInput,
    SagaAlreadyStarted,
    SagaNotStarted,
    TaskNoLongerWaiting,
)
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.ids import approval_id_for, cancellation_id_for
from hotel_booking.logic.messages import (
    GuestLetter,
    guest_cancellation_notice,
    manager_cancellation_notice,
)
from hotel_booking.logic.ports import (
    ApprovalRepository,
    HotelReader,
    Notifier,
    SagaStarter,
    TaskResumer,
)
from hotel_booking.logic.problems import (
    BookingNotCancellable,
    BookingNotVisible,
    CancellationNotStarted,
    NotAllowed,
    NotSignedIn,
    possible_id,
)
from hotel_booking.logic.saga import parse
from hotel_booking.models import ApprovalState, Booking, BookingStatus
from hotel_booking.models.api.bookings import CancellationAccepted, CancellationTerms
from hotel_booking.models.saga import CancellationRequest, CancellationResult, StepEvent

#: Before the hotel is asked: the saga ends the booking itself at its next step.
_EARLY = frozenset({BookingStatus.ROOM_RESERVED, BookingStatus.PAYMENT_RECORDED})
#: Statuses a guest can cancel from (CANCELLING: asking again is answered, not refused).
_CANCELLABLE = _EARLY | {BookingStatus.AWAITING_APPROVAL, BookingStatus.CONFIRMED}
_IN_FLIGHT = frozenset({BookingStatus.PENDING})


def cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


@dataclass(frozen=True)
class CancellationPolicy:
    full_refund_days: int

    def deadline(self, booking: Booking) -> dt.datetime:
        """Until when a confirmed booking is refunded in full."""
        day = booking.checkIn - dt.timedelta(days=self.full_refund_days)
        return dt.datetime.combine(day, dt.time(), dt.UTC)

    def refund_cents(self, booking: Booking, now: dt.datetime) -> int:
        """Full until the booking is confirmed, then per the policy. (Before the payment is
        taken nothing is charged; if the charge lands meanwhile, the saga refunds it.)"""
        if booking.status is not BookingStatus.CONFIRMED or now < self.deadline(booking):
            return cents(booking.amount)
        return 0

    def terms(self, booking: Booking, now: dt.datetime) -> CancellationTerms | None:
        """What the guest would get by cancelling now; None when they cannot cancel."""
        if refusal(booking, now) is not None or _cancelling(booking):
            return None
        return CancellationTerms(
            refundCents=self.refund_cents(booking, now),
            currency=booking.currency,
            deadline=self.deadline(booking),
            fullRefundDays=self.full_refund_days,
            charged=booking.status is not BookingStatus.ROOM_RESERVED,
        )


def _cancelling(booking: Booking) -> bool:
    """The guest asked already (a confirmed booking's cancellation, or an early one)."""
    return booking.status is BookingStatus.CANCELLING or (
        booking.status in _EARLY and booking.cancelRequestedAt is not None
    )


def refusal(booking: Booking, now: dt.datetime) -> str | None:
    """Why this booking cannot be cancelled now (the 409's message), or None."""
    status = booking.status
    if status is BookingStatus.CANCELLED:
        return f"booking {booking.bookingId} is already cancelled"
    if status is BookingStatus.CANCELLING:
        return None
    if status in _IN_FLIGHT:
        return f"booking {booking.bookingId} is still being processed; try again in a moment"
    if status not in _CANCELLABLE:
        return f"booking {booking.bookingId} is {status.value.lower()}: there is nothing to cancel"
    if now.date() >= booking.checkIn:
        return (
            f"booking {booking.bookingId} starts on {booking.checkIn.isoformat()}: "
            "a stay that has begun or is over cannot be cancelled"
        )
    return None


# -- the API -------------------------------------------------------------------------------
class CancellationRecords(Protocol):
    def get(self, booking_id: str) -> Booking | None: ...
    def request_cancellation(
        self, booking_id: str, hotel_id: str, refund_cents: int, by: str, at: dt.datetime
    ) -> bool: ...
    def request_early_cancellation(
        self, booking_id: str, hotel_id: str, by: str, at: dt.datetime
    ) -> bool: ...


@dataclass(frozen=True)
class CancellationPorts:
    """What ``POST /bookings/{id}/cancel`` touches; built once per Lambda container."""

    hotels: HotelReader
    bookings: CancellationRecords
    approvals: ApprovalRepository
    tasks: TaskResumer
    cancellations: SagaStarter
    policy: CancellationPolicy
    clock: Clock = utc_now


def cancel_booking(
    ports: CancellationPorts, caller: Caller | None, booking_id: str
) -> CancellationAccepted:
    """The guest who booked (or an Admin) cancels; see the module docstring for the two ways."""
    booking = _own_booking(ports, caller, booking_id)
    assert caller is not None
    now = ports.clock()
    problem = refusal(booking, now)
    if problem:
        raise BookingNotCancellable(problem)
    if booking.status in _EARLY:
        refund = cents(booking.amount)
        if booking.cancelRequestedAt is None and not ports.bookings.request_early_cancellation(
            booking.bookingId, booking.hotelId, caller.name, now
        ):
            # The saga moved on meanwhile: most likely the hotel has just been asked.
            again = ports.bookings.get(booking.bookingId)
            if again is None or again.status is not BookingStatus.AWAITING_APPROVAL:
                why = refusal(again, now) if again else None
                raise BookingNotCancellable(
                    why or f"booking {booking_id} changed meanwhile; reload and try again"
                )
            _end_waiting_saga(ports, again, caller)
    elif booking.status is BookingStatus.AWAITING_APPROVAL:
        _end_waiting_saga(ports, booking, caller)
        refund = cents(booking.amount)
    elif booking.status is BookingStatus.CONFIRMED:
        refund = ports.policy.refund_cents(booking, now)
        if not ports.bookings.request_cancellation(
            booking.bookingId, booking.hotelId, refund, caller.name, now
        ):
            again = ports.bookings.get(booking.bookingId)
            if again is None or again.status is not BookingStatus.CANCELLING:
                why = refusal(again, now) if again else None
                raise BookingNotCancellable(
                    why or f"booking {booking_id} changed meanwhile; reload and try again"
                )
            booking = again
            refund = again.refundCents or 0
        _start_cancellation(ports, booking.bookingId, refund, caller.name)
    else:  # CANCELLING: a repeated request; make sure its saga runs, start nothing twice
        refund = booking.refundCents or 0
        _start_cancellation(ports, booking.bookingId, refund, booking.cancelRequestedBy or "")
    return CancellationAccepted(
        bookingId=booking.bookingId,
        status=BookingStatus.CANCELLING,
        refundCents=refund,
        currency=booking.currency,
        links={"self": f"/bookings/{booking.bookingId}"},
    )


def _own_booking(ports: CancellationPorts, caller: Caller | None, booking_id: str) -> Booking:
    if caller is None:
        raise NotSignedIn("sign in first")
    booking = ports.bookings.get(booking_id) if possible_id(booking_id) else None
    if booking is not None:
        if caller.is_admin or booking.guest.sub == caller.sub:
            return booking
        if caller.is_manager:
            hotel = ports.hotels.get(booking.hotelId)
            if hotel is not None and caller.manages(hotel.managerSub):
                raise NotAllowed("only the guest who booked, or an Admin, can cancel a booking")
    raise BookingNotVisible(f"no booking {booking_id}")


_DECIDED = "the hotel has just answered this booking; reload it to see where it stands"


def _end_waiting_saga(ports: CancellationPorts, booking: Booking, caller: Caller) -> None:
    """Close the approval (single winner against a manager's decision), then fail the task."""
    approval_id = approval_id_for(booking.bookingId)
    approval = ports.approvals.get(approval_id)
    if approval is None or approval.state is not ApprovalState.PENDING:
        raise BookingNotCancellable(_DECIDED)
    if not ports.approvals.close(
        approval_id, ApprovalState.CANCELLED, caller.name, "cancelled by the guest"
    ):
        raise BookingNotCancellable(_DECIDED)
    try:
        ports.tasks.fail(
            approval.taskToken,
            "BookingCancelled",
            json.dumps({"reason": "cancelled by the guest", "by": caller.name}),
        )
    except TaskNoLongerWaiting:
        raise BookingNotCancellable(
            f"booking {booking.bookingId} is no longer awaiting approval (it expired)"
        ) from None


def _start_cancellation(ports: CancellationPorts, booking_id: str, refund: int, by: str) -> None:
    request = CancellationRequest(bookingId=booking_id, refundCents=refund, requestedBy=by)
    try:
        ports.cancellations.start(cancellation_id_for(booking_id), request.model_dump_json())
    except SagaAlreadyStarted:
        return
    except SagaNotStarted as exc:
        raise CancellationNotStarted(
            "the cancellation is recorded but could not be started; send it again"
        ) from exc


# -- the cancellation saga's last step -----------------------------------------------------
class CancellationProgress(Protocol):
    def get(self, booking_id: str) -> Booking | None: ...
    def mark_cancelled(self, booking_id: str, hotel_id: str, detail: str, step: str) -> bool: ...
    def claim(self, booking_id: str, attribute: str) -> bool: ...
    def unclaim(self, booking_id: str, attribute: str) -> None: ...


@dataclass(frozen=True)
class FinishPorts:
    bookings: CancellationProgress
    topics: Notifier
    letter: GuestLetter = field(default_factory=GuestLetter)


def finish_cancellation(event: StepEvent, ports: FinishPorts) -> CancellationResult:
    """Mark the booking CANCELLED (after the refund and the release), then tell the guest and
    the hotel's manager, each at most once however often the step is retried."""
    request = parse(CancellationRequest, event.input)
    booking = ports.bookings.get(request.bookingId)
    if booking is None:
        raise InvalidBookingInput(f"no booking {request.bookingId}")
    if booking.status is BookingStatus.CANCELLING:
        refund = f"{Decimal(request.refundCents) / 100:.2f} {booking.currency}"
        detail = f"cancelled by {request.requestedBy or 'the guest'}; refund {refund}"
        changed = ports.bookings.mark_cancelled(
            booking.bookingId, booking.hotelId, detail, event.stateName
        )
    elif booking.status is BookingStatus.CANCELLED:
        changed = False
    else:
        raise BookingStateConflict(
            f"booking {booking.bookingId} is {booking.status.value}, not being cancelled"
        )
    guest_subject, guest_body = guest_cancellation_notice(
        booking, request.refundCents, ports.letter
    )
    _once(
        ports,
        booking.bookingId,
        "guestCancellationNoticeAt",
        lambda: ports.topics.to_guest(
            booking.guest.email,
            booking.bookingId,
            BookingStatus.CANCELLED.value,
            guest_subject,
            guest_body,
        ),
    )
    manager_subject, manager_body = manager_cancellation_notice(booking, request.refundCents)
    _once(
        ports,
        booking.bookingId,
        "managerCancellationNoticeAt",
        lambda: ports.topics.to_manager(
            booking.hotelId, booking.bookingId, manager_subject, manager_body
        ),
    )
    return CancellationResult(
        bookingId=booking.bookingId, status=BookingStatus.CANCELLED, changed=changed
    )


def _once(ports: FinishPorts, booking_id: str, attribute: str, send: Callable[[], object]) -> None:
    if not ports.bookings.claim(booking_id, attribute):
        return
    try:
        send()
    except Exception:
        ports.bookings.unclaim(booking_id, attribute)
        raise
