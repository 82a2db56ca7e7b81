"""The saga's steps and compensations. Each is idempotent, keyed by bookingId.

A step receives a :class:`StepEvent` (the state machine's ``Parameters`` envelope: the state
input, the execution ARN and the state's own name) and returns a pydantic model that the
state machine stores at its ``ResultPath``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from hotel_booking.clock import Clock, utc_now
from hotel_booking.config import SagaSettings
from hotel_booking.errors import (
    BookingCancelled,
    BookingStateConflict,
    HotelChangedMeanwhile,
    HotelNotFound,
    InvalidBookingInput,
    PaymentGatewayUnavailable,
    RoomUnavailable,
    TransientError,
)
from hotel_booking.logic import inventory
from hotel_booking.logic.approvals import REJECTED_BY_DEFAULT
from hotel_booking.logic.domain import failure_outcome, stay_amount
from hotel_booking.logic.ids import approval_id_for, payment_id_for
from hotel_booking.logic.links import LinkSigner
from hotel_booking.logic.messages import (
    GuestLetter,
    compensation_alert,
    guest_notice,
    manager_cancellation_notice,
    manager_message,
)
from hotel_booking.logic.ports import (
    ApprovalRepository,
    BookingProgress,
    HotelReader,
    Notifier,
    PaymentGateway,
    PaymentRepository,
    Reservations,
)
from hotel_booking.models import (
    ApprovalState,
    BookingStatus,
    FailureReason,
    Payment,
    PaymentStatus,
    ReservationState,
    Stay,
)
from hotel_booking.models.base import Model
from hotel_booking.models.domain import CURRENCY, ApprovalOutcome
from hotel_booking.models.saga import (
    BookingIdOnly,
    BookingRequest,
    ConfirmInput,
    ConfirmResult,
    FailureInput,
    NotifyResult,
    Outcome,
    Reservation,
    ReservedStay,
    StepEvent,
    StepResult,
    Transition,
)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class SagaPorts:
    """Everything a step touches outside itself; built once per Lambda container."""

    settings: SagaSettings
    hotels: HotelReader
    bookings: BookingProgress
    reservations: Reservations
    payments: PaymentRepository
    approvals: ApprovalRepository
    topics: Notifier
    gateway: PaymentGateway
    clock: Clock = utc_now


def parse(model: type[M], data: object) -> M:
    """Validate step input; a malformed input is a named business error with a clear cause."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(input)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidBookingInput(f"invalid {model.__name__}: {problems}") from None


#: How many times ReserveRoom reads the hotel again when its room count moved meanwhile
#: before it leaves the retry to the state machine (TransientError).
RESERVE_READS = 5


def reserve_room(event: StepEvent, ports: SagaPorts) -> Reservation:
    request = parse(BookingRequest, event.input)
    for _ in range(RESERVE_READS):
        try:
            return _reserve(request, event, ports)
        except HotelChangedMeanwhile:
            continue  # an Admin changed the hotel between our read and our write: read again
    raise TransientError(f"hotel {request.hotelId} kept changing while reserving; try again")


def _reserve(request: BookingRequest, event: StepEvent, ports: SagaPorts) -> Reservation:
    # Consistent: the version read is the transaction's condition; a stale one would only
    # get the transaction refused (at twice the write cost) and the hotel read again.
    hotel = ports.hotels.get(request.hotelId)
    if hotel is None:
        raise HotelNotFound(f"hotel {request.hotelId} does not exist")
    too_many = inventory.capacity_problem(hotel, request.rooms)
    if too_many:
        raise RoomUnavailable(too_many)
    priced = Reservation(
        hotelName=hotel.name,
        nights=len(request.nights),
        amount=stay_amount(hotel, request),
        currency=hotel.currency,
        approvalTimeoutSeconds=ports.settings.approval_timeout_seconds,
        paymentRetryWaitSeconds=ports.settings.payment_retry_wait_seconds,
        paymentRetries=payment_retries(ports.settings),
        reservedAt=ports.clock(),
    )
    # No read of the booking first: the transaction's condition on the booking refuses a
    # second reservation, and then ``reserve`` returns the amount the first attempt stored
    # (the price may have changed since).
    amount = ports.reservations.reserve(request, priced, inventory.take(request, hotel), event)
    return priced.model_copy(update={"amount": amount})


def payment_retries(settings: SagaSettings) -> int:
    """How many waits fit in the retry window: the saga gives up once they are used."""
    return settings.payment_retry_window_seconds // settings.payment_retry_wait_seconds


def record_payment(event: StepEvent, ports: SagaPorts) -> Payment:
    data = parse(ReservedStay, event.input)
    # Consistent: it decides whether to charge the card (a retry after a charge must find it).
    payment = ports.payments.get(data.bookingId)
    if payment is None:
        _unless_cancelled(ports, data.bookingId)
        try:
            reference = ports.gateway.charge(
                data.paymentToken,
                data.reservation.amount,
                data.reservation.currency,
                idempotency_key=data.bookingId,
            )
        except PaymentGatewayUnavailable:
            r = data.reservation
            if r.paymentRetries:
                # Kept from the first failure: the saga's last attempt is about this far off.
                until = ports.clock() + dt.timedelta(
                    seconds=r.paymentRetries * r.paymentRetryWaitSeconds
                )
                ports.bookings.note_payment_retrying(data.bookingId, until)
            raise
        payment = ports.payments.put(
            Payment(
                paymentId=payment_id_for(data.bookingId),
                bookingId=data.bookingId,
                amount=data.reservation.amount,
                currency=data.reservation.currency,
                status=PaymentStatus.RECORDED,
                gatewayReference=reference,
                createdAt=ports.clock(),
            )
        )
    ports.bookings.advance(
        data.bookingId,
        data.hotelId,
        Transition(
            to=BookingStatus.PAYMENT_RECORDED,
            since=frozenset({BookingStatus.ROOM_RESERVED}),
            step=event.stateName,
            extra={"paymentId": payment.paymentId},
        ),
    )
    return payment


def notify_manager(event: StepEvent, ports: SagaPorts, signer: LinkSigner) -> NotifyResult:
    """Store the task token with the approval record, then tell the hotel's manager.

    The token never leaves DynamoDB: the message carries signed links naming the approval,
    not the token. A redelivery (new token, same booking) updates the record and does not
    email again; the links already sent keep working.
    """
    data = parse(ReservedStay, event.input)
    if not event.taskToken:
        raise InvalidBookingInput("NotifyManager needs a task token (.waitForTaskToken)")
    _unless_cancelled(ports, data.bookingId)
    approval_id = approval_id_for(data.bookingId)
    expires = ports.clock() + dt.timedelta(seconds=ports.settings.approval_timeout_seconds)
    approval = ports.approvals.open(
        approval_id, data.bookingId, data.hotelId, event.taskToken, expires
    )
    try:
        # Refused if the guest asked to cancel since the check above: one of the two wins.
        ports.bookings.advance(
            data.bookingId,
            data.hotelId,
            Transition(
                to=BookingStatus.AWAITING_APPROVAL,
                since=frozenset({BookingStatus.PAYMENT_RECORDED}),
                step=event.stateName,
                unless_cancel_requested=True,
                extra={
                    "approvalId": approval_id,
                    "approvalExpiresAt": approval.expiresAt.isoformat(),
                },
            ),
        )
    except BookingStateConflict:
        _unless_cancelled(ports, data.bookingId)
        raise
    if approval.notifiedAt is not None:
        return NotifyResult(approvalId=approval_id, notified=False)
    links = signer.links(approval_id, approval.expiresAt)
    subject, body = manager_message(data, approval_id, approval.expiresAt, links)
    ports.topics.to_manager(data.hotelId, data.bookingId, subject, body)
    ports.approvals.mark_notified(approval_id)
    return NotifyResult(
        approvalId=approval_id,
        notified=True,
        sinceReservedMs=_ms_since(data.reservation.reservedAt, ports.clock()),
    )


def _unless_cancelled(ports: SagaPorts, booking_id: str) -> None:
    """BookingCancelled if the guest asked to cancel before the hotel was asked: the Catch
    then refunds (if anything was charged), releases the rooms and records CANCELLED."""
    booking = ports.bookings.get(booking_id)
    if (
        booking is not None
        and booking.cancelRequestedAt is not None
        and booking.status in (BookingStatus.ROOM_RESERVED, BookingStatus.PAYMENT_RECORDED)
    ):
        raise BookingCancelled(f"cancelled by {booking.cancelRequestedBy or 'the guest'}")


def confirm_booking(event: StepEvent, ports: SagaPorts) -> ConfirmResult:
    data = parse(ConfirmInput, event.input)
    note = data.approval.note if data.approval else None
    # One write confirms and claims the guest's message; a retry (confirmed already) claims
    # it on its own, so a message that could not be sent is sent by the retry.
    # The manager's note goes on the record too: the guest's page shows it.
    claimed = ports.bookings.advance(
        data.bookingId,
        data.hotelId,
        Transition(
            to=BookingStatus.CONFIRMED,
            since=frozenset({BookingStatus.AWAITING_APPROVAL}),
            step=event.stateName,
            claim_guest_notice=True,
            extra={"managerNote": note} if note else {},
        ),
    )
    _tell_guest(
        ports,
        data,
        data.reservation.hotelName,
        BookingStatus.CONFIRMED,
        None,
        claimed=claimed,
        amount=data.reservation.amount,
        currency=data.reservation.currency,
        note=note,
    )
    decided = parse(Decided, event.input).approval
    since = _ms_since(decided.decidedAt if decided else None, ports.clock()) if claimed else None
    return ConfirmResult(
        bookingId=data.bookingId, status=BookingStatus.CONFIRMED, sinceDecidedMs=since
    )


class Decided(Model):
    """The approval ConfirmBooking's input carries (``$.approval``), if any."""

    approval: ApprovalOutcome | None = None


def _ms_since(then: dt.datetime | None, now: dt.datetime) -> int | None:
    """Milliseconds from ``then`` to ``now`` (a saga latency metric); None without ``then``."""
    return None if then is None else max(0, int((now - then).total_seconds() * 1000))


def refund_payment(event: StepEvent, ports: SagaPorts) -> StepResult:
    booking_id = parse(BookingIdOnly, event.input).bookingId
    payment = ports.payments.get(booking_id)
    if payment is None or payment.status is PaymentStatus.REFUNDED:
        return StepResult(bookingId=booking_id, changed=False)
    ports.gateway.refund(payment.gatewayReference, idempotency_key=booking_id)
    return StepResult(bookingId=booking_id, changed=ports.payments.mark_refunded(booking_id))


def release_room(event: StepEvent, ports: SagaPorts) -> StepResult:
    """Give back the rooms this booking took; unchanged when there was nothing to give."""
    booking_id = parse(BookingIdOnly, event.input).bookingId
    booking = ports.bookings.get(booking_id)
    if booking is None or booking.reservation is not ReservationState.RESERVED:
        return StepResult(bookingId=booking_id, changed=False)
    changed = ports.reservations.release(booking_id, inventory.give_back(booking), event.stateName)
    return StepResult(bookingId=booking_id, changed=changed)


def record_failure(event: StepEvent, ports: SagaPorts) -> Outcome:
    """Write how the booking ended, tell the guest, and alert operations if compensation failed."""
    failure = parse(FailureInput, event.input)
    if failure.compensationError is not None and _compensated(ports, failure.bookingId):
        # The compensation's answer was lost, not its work (at-least-once): the records say
        # the money is back and the rooms are free, so nobody needs to be paged.
        failure = failure.model_copy(update={"compensationError": None})
    outcome = failure_outcome(failure)
    ports.bookings.record_outcome(failure, outcome, event.stateName, event.executionArn)
    # A link or dashboard button must not resume a saga that has moved on.
    ports.approvals.close(
        approval_id_for(failure.bookingId),
        ApprovalState.EXPIRED
        if outcome.status is BookingStatus.EXPIRED
        else ApprovalState.CANCELLED,
    )
    if outcome.reason is FailureReason.COMPENSATION_FAILED:
        subject, body = compensation_alert(
            failure, failure.error, outcome.detail, event.executionArn
        )
        ports.topics.to_operations(failure.bookingId, subject, body)
    hotel_name = failure.reservation.hotelName if failure.reservation else failure.hotelId
    if failure.reservation is None:
        hotel = ports.hotels.get(failure.hotelId)
        hotel_name = hotel.name if hotel else failure.hotelId
    said = outcome.detail if outcome.reason is FailureReason.MANAGER_REJECTED else None
    _tell_guest(
        ports,
        failure,
        hotel_name,
        outcome.status,
        outcome.reason,
        amount=failure.reservation.amount if failure.reservation else None,
        currency=failure.reservation.currency if failure.reservation else CURRENCY,
        note=said if said and said != REJECTED_BY_DEFAULT else None,
    )
    approval = ports.approvals.get(approval_id_for(failure.bookingId))
    if outcome.reason is FailureReason.GUEST_CANCELLED and approval and approval.notifiedAt:
        # The manager was asked to decide: tell them there is nothing left to decide (a guest
        # who cancelled before the hotel was asked is no news to the hotel).
        subject, body = manager_cancellation_notice(failure, None)
        ports.topics.to_manager(failure.hotelId, failure.bookingId, subject, body)
    return outcome


def _compensated(ports: SagaPorts, booking_id: str) -> bool:
    """Whether every compensation's effect is in the records: no charge left, no room held."""
    payment = ports.payments.get(booking_id)
    booking = ports.bookings.get(booking_id)
    refunded = payment is None or payment.status is PaymentStatus.REFUNDED
    released = booking is None or booking.reservation is not ReservationState.RESERVED
    return refunded and released


def _tell_guest(
    ports: SagaPorts,
    stay: Stay,
    hotel_name: str,
    status: BookingStatus,
    reason: FailureReason | None,
    claimed: bool = False,
    amount: Decimal | None = None,
    currency: str = CURRENCY,
    note: str | None = None,
) -> None:
    """At most one outcome message per booking, even when the step is retried (``claimed``:
    the caller's own write claimed it already)."""
    if not claimed and not ports.bookings.mark_guest_notified(stay.bookingId):
        return
    letter = GuestLetter(ports.settings.site_url, ports.settings.full_refund_days)
    subject, body = guest_notice(
        stay, hotel_name, status, reason, amount=amount, currency=currency, note=note, letter=letter
    )
    try:
        ports.topics.to_guest(stay.guest.email, stay.bookingId, status.value, subject, body)
    except Exception:
        ports.bookings.unmark_guest_notified(stay.bookingId)
        raise
