"""The saga's steps and compensations. Each is idempotent, keyed by bookingId.

A step receives a :class:`StepEvent` (the state machine's ``Parameters`` envelope: the state
input, the execution ARN and the state's own name) and returns a pydantic model that the
state machine stores at its ``ResultPath``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from hotel_booking.config import SagaSettings
from hotel_booking.dal.dynamo import SagaStore, now
from hotel_booking.dal.topics import Topics
from hotel_booking.errors import HotelNotFound, InvalidBookingInput, RoomUnavailable
from hotel_booking.logic.domain import derived_id, failure_outcome, guest_notice, stay_amount
from hotel_booking.logic.links import approval_link
from hotel_booking.logic.payments import PaymentGateway
from hotel_booking.models import (
    ApprovalState,
    BookingRequest,
    BookingStatus,
    Decision,
    FailureInput,
    FailureReason,
    Outcome,
    Payment,
    PaymentStatus,
    Reservation,
)

M = TypeVar("M", bound=BaseModel)


class StepEvent(BaseModel):
    """What every Task state sends its Lambda (see ``Parameters`` in booking.asl.json)."""

    model_config = ConfigDict(extra="forbid")

    input: dict[str, Any]
    executionArn: str
    stateName: str
    taskToken: str | None = None


class StepResult(BaseModel):
    """Result of a compensation: whether it changed anything this time."""

    bookingId: str
    changed: bool


class NotifyResult(BaseModel):
    approvalId: str
    notified: bool


class ConfirmResult(BaseModel):
    bookingId: str
    status: BookingStatus


@dataclass(frozen=True)
class SagaPorts:
    """Everything a step touches outside itself; built once per Lambda container."""

    settings: SagaSettings
    store: SagaStore
    topics: Topics
    gateway: PaymentGateway


def parse(model: type[M], data: Any) -> M:
    """Validate step input; a malformed input is a named business error with a clear cause."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(input)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidBookingInput(f"invalid {model.__name__}: {problems}") from None


def reserve_room(event: StepEvent, ports: SagaPorts) -> Reservation:
    request = parse(BookingRequest, event.input)
    hotel = ports.store.get_hotel(request.hotelId)
    if hotel is None:
        raise HotelNotFound(f"hotel {request.hotelId} does not exist")
    if request.rooms > hotel.rooms:
        raise RoomUnavailable(f"{hotel.name} has only {hotel.rooms} room(s)")
    amount = ports.store.reserve(
        request, hotel, stay_amount(hotel, request), event.executionArn, event.stateName
    )
    return Reservation(
        hotelName=hotel.name, nights=len(request.nights), amount=amount, currency=hotel.currency
    )


class _PaymentInput(BookingRequest):
    reservation: Reservation


def record_payment(event: StepEvent, ports: SagaPorts) -> Payment:
    data = parse(_PaymentInput, event.input)
    payment = ports.store.get_payment(data.bookingId)
    if payment is None:
        reference = ports.gateway.charge(
            data.paymentToken,
            data.reservation.amount,
            data.reservation.currency,
            idempotency_key=data.bookingId,
        )
        payment = ports.store.put_payment(
            Payment(
                paymentId=derived_id("pay", data.bookingId),
                bookingId=data.bookingId,
                amount=data.reservation.amount,
                currency=data.reservation.currency,
                status=PaymentStatus.RECORDED,
                gatewayReference=reference,
                createdAt=now(),
            )
        )
    ports.store.advance(
        data.bookingId,
        BookingStatus.PAYMENT_RECORDED,
        {BookingStatus.ROOM_RESERVED},
        event.stateName,
        paymentId=payment.paymentId,
    )
    return payment


@dataclass(frozen=True)
class LinkSigner:
    """Makes the approve/reject links for the manager's email."""

    base_url: str
    key: Callable[[], bytes]

    def links(self, approval_id: str, expires: dt.datetime) -> dict[Decision, str]:
        epoch = int(expires.timestamp())
        return {
            d: approval_link(self.base_url, self.key(), approval_id, d, epoch) for d in Decision
        }


def notify_manager(event: StepEvent, ports: SagaPorts, signer: LinkSigner) -> NotifyResult:
    """Store the task token with the approval record, then tell the hotel's manager.

    The token never leaves DynamoDB: the message carries signed links naming the approval,
    not the token. A redelivery (new token, same booking) updates the record and does not
    email again; the links already sent keep working.
    """
    data = parse(_PaymentInput, event.input)
    if not event.taskToken:
        raise InvalidBookingInput("NotifyManager needs a task token (.waitForTaskToken)")
    approval_id = derived_id("apr", data.bookingId)
    expires = now() + dt.timedelta(seconds=ports.settings.approval_timeout_seconds)
    approval = ports.store.open_approval(
        approval_id, data.bookingId, data.hotelId, event.taskToken, expires
    )
    ports.store.advance(
        data.bookingId,
        BookingStatus.AWAITING_APPROVAL,
        {BookingStatus.PAYMENT_RECORDED},
        event.stateName,
        approvalId=approval_id,
    )
    if approval.notifiedAt is not None:
        return NotifyResult(approvalId=approval_id, notified=False)
    links = signer.links(approval_id, approval.expiresAt)
    subject, body = manager_message(data, approval_id, approval.expiresAt, links)
    ports.topics.to_manager(data.hotelId, data.bookingId, subject, body)
    ports.store.mark_notified(approval_id)
    return NotifyResult(approvalId=approval_id, notified=True)


def manager_message(
    data: _PaymentInput, approval_id: str, expires: dt.datetime, links: dict[Decision, str]
) -> tuple[str, str]:
    r = data.reservation
    subject = f"Approval needed: {data.guest.name} at {r.hotelName}, {data.checkIn.isoformat()}"
    body = "\n".join(
        [
            f"A guest asks to stay at {r.hotelName}.",
            "",
            f"Guest:    {data.guest.name} <{data.guest.email}>",
            f"Dates:    {data.checkIn.isoformat()} to {data.checkOut.isoformat()} "
            f"({r.nights} night(s))",
            f"Rooms:    {data.rooms}",
            f"Amount:   {r.amount} {r.currency} (payment recorded)",
            f"Booking:  {data.bookingId}",
            f"Approval: {approval_id}",
            "",
            f"Please approve or reject before {expires.strftime('%Y-%m-%d %H:%M UTC')}:",
            "",
            f"Approve: {links[Decision.APPROVE]}",
            "",
            f"Reject: {links[Decision.REJECT]}",
            "",
            "Each link opens a page that asks you to confirm; nothing happens until you do.",
        ]
    )
    return subject, body


def confirm_booking(event: StepEvent, ports: SagaPorts) -> ConfirmResult:
    data = parse(_PaymentInput, event.input)
    ports.store.advance(
        data.bookingId,
        BookingStatus.CONFIRMED,
        {BookingStatus.AWAITING_APPROVAL},
        event.stateName,
    )
    _tell_guest(ports, data, data.reservation.hotelName, BookingStatus.CONFIRMED, None)
    return ConfirmResult(bookingId=data.bookingId, status=BookingStatus.CONFIRMED)


def refund_payment(event: StepEvent, ports: SagaPorts) -> StepResult:
    request = _booking_id_only(event)
    payment = ports.store.get_payment(request)
    if payment is None or payment.status is PaymentStatus.REFUNDED:
        return StepResult(bookingId=request, changed=False)
    ports.gateway.refund(payment.gatewayReference, idempotency_key=request)
    return StepResult(bookingId=request, changed=ports.store.mark_refunded(request))


def release_room(event: StepEvent, ports: SagaPorts) -> StepResult:
    booking_id = _booking_id_only(event)
    return StepResult(
        bookingId=booking_id, changed=ports.store.release(booking_id, event.stateName)
    )


class _BookingIdOnly(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bookingId: str


def _booking_id_only(event: StepEvent) -> str:
    return parse(_BookingIdOnly, event.input).bookingId


def record_failure(event: StepEvent, ports: SagaPorts) -> Outcome:
    """Write how the booking ended, tell the guest, and alert operations if compensation failed."""
    failure = parse(FailureInput, event.input)
    outcome = failure_outcome(failure)
    request = BookingRequest.model_validate({**event.input, "paymentToken": "-"})
    ports.store.record_outcome(
        request, outcome.status, outcome.reason, outcome.detail, event.stateName, event.executionArn
    )
    # A link or dashboard button must not resume a saga that has moved on.
    ports.store.close_approval(
        derived_id("apr", request.bookingId),
        ApprovalState.EXPIRED
        if outcome.status is BookingStatus.EXPIRED
        else ApprovalState.CANCELLED,
    )
    if outcome.reason is FailureReason.COMPENSATION_FAILED:
        ports.topics.to_operations(
            request.bookingId,
            f"CompensationFailed: booking {request.bookingId}",
            "\n".join(
                [
                    f"Booking {request.bookingId} at hotel {request.hotelId} could not be "
                    "compensated automatically.",
                    f"Original error: {failure.error.Error}: {failure.error.Cause or ''}",
                    f"Detail: {outcome.detail}",
                    f"Execution: {event.executionArn}",
                    "Runbook: docs/operations.md#compensationfailed",
                ]
            ),
        )
    hotel_name = failure.reservation.hotelName if failure.reservation else request.hotelId
    if failure.reservation is None:
        hotel = ports.store.get_hotel(request.hotelId)
        hotel_name = hotel.name if hotel else request.hotelId
    _tell_guest(ports, request, hotel_name, outcome.status, outcome.reason)
    return outcome


def _tell_guest(
    ports: SagaPorts,
    request: BookingRequest,
    hotel_name: str,
    status: BookingStatus,
    reason: FailureReason | None,
) -> None:
    """At most one outcome message per booking, even when the step is retried."""
    if not ports.store.mark_guest_notified(request.bookingId):
        return
    subject, body = guest_notice(request, hotel_name, status, reason)
    try:
        ports.topics.to_guest(request.guest.email, request.bookingId, status.value, subject, body)
    except Exception:
        ports.store.unmark_guest_notified(request.bookingId)
        raise
