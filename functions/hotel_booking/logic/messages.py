"""Every message text the saga sends: the manager's approval request, the guest's outcome
notice, and the operations alert. Pure functions of the booking: no AWS, no I/O."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hotel_booking.models import Booking, BookingStatus, Decision, FailureReason, Stay
from hotel_booking.models.saga import ReservedStay, StepError

#: SNS Publish: "Subjects must be UTF-8 text with no line breaks or control characters, and
#: less than 100 characters long"; anything else is InvalidParameter and fails the step.
SUBJECT_MAX = 99
_FALLBACK_SUBJECT = "Hotel booking"


def safe_subject(text: str) -> str:
    """The one place a subject is made sendable: names in it (a guest's, a hotel's) come from
    users, so line breaks and control or format characters become spaces, runs of spaces one,
    and a long subject is cut (with "...") below SNS's limit. Never empty."""
    cleaned = "".join(
        " " if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") else c
        for c in text
    )
    subject = " ".join(cleaned.split())
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 3].rstrip() + "..."
    return subject or _FALLBACK_SUBJECT


def manager_message(
    stay: ReservedStay, approval_id: str, expires: dt.datetime, links: dict[Decision, str]
) -> tuple[str, str]:
    """Subject and body of the approval request to the hotel's manager."""
    r = stay.reservation
    subject = safe_subject(
        f"Approval needed: {stay.guest.name} at {r.hotelName}, {stay.checkIn.isoformat()}"
    )
    body = "\n".join(
        [
            f"A guest asks to stay at {r.hotelName}.",
            "",
            f"Guest:    {stay.guest.name} <{stay.guest.email}>",
            f"Dates:    {stay.checkIn.isoformat()} to {stay.checkOut.isoformat()} "
            f"({r.nights} night(s))",
            f"Rooms:    {stay.rooms}",
            f"Amount:   {r.amount} {r.currency} (payment recorded)",
            f"Booking:  {stay.bookingId}",
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


def compensation_alert(
    stay: Stay, error: StepError, detail: str, execution_arn: str
) -> tuple[str, str]:
    """Subject and body of the alert operations get when a compensation failed."""
    subject = safe_subject(f"CompensationFailed: booking {stay.bookingId}")
    body = "\n".join(
        [
            f"Booking {stay.bookingId} at hotel {stay.hotelId} could not be "
            "compensated automatically.",
            f"Original error: {error.Error}: {error.Cause or ''}",
            f"Detail: {detail}",
            f"Execution: {execution_arn}",
            "Runbook: docs/operations.md#compensationfailed",
        ]
    )
    return subject, body


_GUEST_SUBJECTS = {
    BookingStatus.CONFIRMED: "Your booking at {hotel} is confirmed",
    BookingStatus.REJECTED: "Your booking at {hotel} was declined",
    BookingStatus.EXPIRED: "Your booking at {hotel} expired",
    BookingStatus.FAILED: "Your booking at {hotel} could not be completed",
    BookingStatus.CANCELLED: "Your booking at {hotel} is cancelled",
}

_REASON_TEXT = {
    FailureReason.ROOM_UNAVAILABLE: "there are not enough rooms left for your dates",
    FailureReason.HOTEL_NOT_FOUND: "the hotel is no longer listed",
    FailureReason.RESERVATION_ERROR: "we could not reserve your room",
    FailureReason.PAYMENT_DECLINED: "your payment was declined",
    FailureReason.PAYMENT_ERROR: "the payment could not be processed",
    FailureReason.PAYMENT_UNAVAILABLE: (
        "our payment provider is unavailable at the moment; nothing was charged, "
        "please try again later"
    ),
    FailureReason.GUEST_CANCELLED: "you cancelled it",
    FailureReason.NOTIFICATION_ERROR: "we could not reach the hotel",
    FailureReason.CONFIRMATION_ERROR: "we could not confirm your booking",
    FailureReason.MANAGER_REJECTED: "the hotel declined the request",
    FailureReason.APPROVAL_TIMEOUT: "the hotel did not answer in time",
    FailureReason.COMPENSATION_FAILED: "something went wrong; our staff have been alerted",
}


def guest_notice(
    stay: Stay,
    hotel_name: str,
    status: BookingStatus,
    reason: FailureReason | None = None,
) -> tuple[str, str]:
    """Subject and body of the message that tells the guest how their booking ended."""
    subject = safe_subject(_GUEST_SUBJECTS[status].format(hotel=hotel_name))
    lines = [
        f"Hello {stay.guest.name},",
        "",
        f"Booking {stay.bookingId} at {hotel_name}: "
        f"{stay.checkIn.isoformat()} to {stay.checkOut.isoformat()}, "
        f"{stay.rooms} room(s).",
    ]
    if status is BookingStatus.CONFIRMED:
        lines.append("Your stay is confirmed. We look forward to welcoming you.")
    else:
        why = _REASON_TEXT.get(reason, "it could not be completed") if reason else "unknown"
        lines.append(f"Status: {status.value} — {why}.")
        lines.append("Any payment taken has been refunded.")
    return subject, "\n".join(lines)


def _money(cents: int, currency: str) -> str:
    return f"{cents // 100}.{cents % 100:02d} {currency}"


def guest_cancellation_notice(booking: Booking, refund_cents: int) -> tuple[str, str]:
    """The guest's confirmation that their confirmed booking is cancelled, and the refund."""
    hotel = booking.hotelName or booking.hotelId
    refund = (
        f"We refund {_money(refund_cents, booking.currency)} to your card."
        if refund_cents
        else "Under the cancellation policy this cancellation is not refunded."
    )
    body = "\n".join(
        [
            f"Hello {booking.guest.name},",
            "",
            f"Booking {booking.bookingId} at {hotel}: {booking.checkIn.isoformat()} to "
            f"{booking.checkOut.isoformat()}, {booking.rooms} room(s).",
            "Status: CANCELLED — you cancelled it.",
            refund,
        ]
    )
    return safe_subject(_GUEST_SUBJECTS[BookingStatus.CANCELLED].format(hotel=hotel)), body


def manager_cancellation_notice(booking: Stay, refund_cents: int | None) -> tuple[str, str]:
    """The hotel manager's notice that a guest cancelled: the rooms are free again."""
    subject = safe_subject(f"Cancelled: {booking.guest.name}, {booking.checkIn.isoformat()}")
    body = "\n".join(
        [
            f"{booking.guest.name} <{booking.guest.email}> cancelled booking {booking.bookingId}.",
            f"Dates: {booking.checkIn.isoformat()} to {booking.checkOut.isoformat()}, "
            f"{booking.rooms} room(s): the rooms are available again.",
            "No decision is needed from you."
            if refund_cents is None
            else f"Refund under the cancellation policy: {refund_cents / 100:.2f}.",
        ]
    )
    return subject, body
