"""Every message text the saga sends: the manager's approval request, the guest's outcome
notice, and the operations alert. Pure functions of the booking: no AWS, no I/O."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from hotel_booking.logic import wording
from hotel_booking.models import Booking, BookingStatus, Decision, FailureReason, Stay
from hotel_booking.models.domain import CURRENCY
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
        f"Approval needed: {stay.guest.name} at {r.hotelName}, {wording.day(stay.checkIn)}"
    )
    body = "\n".join(
        [
            f"A guest asks to stay at {r.hotelName}.",
            "",
            f"Guest:    {stay.guest.name} <{stay.guest.email}>",
            f"Dates:    {wording.day(stay.checkIn)} to {wording.day(stay.checkOut)} "
            f"({wording.count(r.nights, 'night')})",
            f"Rooms:    {stay.rooms}",
            f"Total:    {wording.money(r.amount, r.currency)} (payment recorded)",
            f"Booking:  {stay.bookingId}",
            f"Approval: {approval_id}",
            "",
            f"Please approve or reject before {wording.moment(expires)}:",
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


@dataclass(frozen=True)
class GuestLetter:
    """What every email to a guest adds to the news: where to see the booking, and the
    cancellation policy (template parameters SiteUrl and CancellationFullRefundDays)."""

    site_url: str = ""
    full_refund_days: int | None = None

    def link(self, booking_id: str) -> str | None:
        if not self.site_url:
            return None
        return f"{self.site_url}bookings.html?booking={quote(booking_id, safe='')}"


def _stay_lines(stay: Stay, hotel_name: str, amount: Decimal | None, currency: str) -> list[str]:
    nights = (stay.checkOut - stay.checkIn).days
    lines = [
        f"Hotel:    {hotel_name}",
        f"Dates:    {wording.day(stay.checkIn)} to {wording.day(stay.checkOut)} "
        f"({wording.count(nights, 'night')})",
        f"Rooms:    {stay.rooms}",
    ]
    if amount is not None:
        lines.append(f"Total:    {wording.money(amount, currency)}")
    lines.append(f"Booking reference: {stay.bookingId}")
    return lines


def _policy_line(stay: Stay, days: int | None) -> list[str]:
    """The cancellation policy (logic/cancellations.CancellationPolicy) as it applies."""
    if days is None:
        return []
    deadline = dt.datetime.combine(stay.checkIn - dt.timedelta(days=days), dt.time(), dt.UTC)
    return [
        "",
        f"Cancellation: free (a full refund) until {wording.moment(deadline)}; "
        "after that, cancelling refunds nothing. Cancel from the link below.",
    ]


def guest_notice(
    stay: Stay,
    hotel_name: str,
    status: BookingStatus,
    reason: FailureReason | None = None,
    *,
    amount: Decimal | None = None,
    currency: str = CURRENCY,
    note: str | None = None,
    letter: GuestLetter | None = None,
) -> tuple[str, str]:
    """Subject and body of the message that tells the guest how their booking ended.
    ``note``: what the hotel's manager wrote for the guest (a note on approval, a reason on
    rejection)."""
    letter = letter or GuestLetter()
    subject = safe_subject(_GUEST_SUBJECTS[status].format(hotel=hotel_name))
    lines = [f"Hello {stay.guest.name},", ""]
    if status is BookingStatus.CONFIRMED:
        lines.append(f"Your stay at {hotel_name} is confirmed. We look forward to welcoming you.")
    else:
        why = _REASON_TEXT.get(reason, "it could not be completed") if reason else "unknown"
        lines.append(f"{_GUEST_SUBJECTS[status].format(hotel=hotel_name)}: {why}.")
    lines += ["", *_stay_lines(stay, hotel_name, amount, currency)]
    if note:
        lines += ["", f"The hotel says: “{note.strip()}”"]
    if status is BookingStatus.CONFIRMED:
        lines += _policy_line(stay, letter.full_refund_days)
    elif reason in _NOT_CHARGED:
        lines += ["", "You have not been charged."]
    else:
        lines += ["", "Any payment taken has been refunded in full."]
    link = letter.link(stay.bookingId)
    if link:
        lines += ["", f"Your booking: {link}"]
    return subject, "\n".join(lines)


#: Failures before the payment was taken: nothing was charged.
_NOT_CHARGED = frozenset(
    {
        FailureReason.ROOM_UNAVAILABLE,
        FailureReason.HOTEL_NOT_FOUND,
        FailureReason.RESERVATION_ERROR,
        FailureReason.PAYMENT_DECLINED,
        FailureReason.PAYMENT_ERROR,
        FailureReason.PAYMENT_UNAVAILABLE,
    }
)


def guest_cancellation_notice(
    booking: Booking, refund_cents: int, letter: GuestLetter | None = None
) -> tuple[str, str]:
    """The guest's confirmation that their confirmed booking is cancelled, and the refund."""
    letter = letter or GuestLetter()
    hotel = booking.hotelName or "your hotel"
    refund = (
        f"We refund {wording.cents(refund_cents, booking.currency)} to your card."
        if refund_cents
        else "Under the cancellation policy this cancellation is not refunded."
    )
    lines = [
        f"Hello {booking.guest.name},",
        "",
        f"Your booking at {hotel} is cancelled, as you asked. {refund}",
        "",
        *_stay_lines(booking, hotel, booking.amount, booking.currency),
    ]
    link = letter.link(booking.bookingId)
    if link:
        lines += ["", f"Your booking: {link}"]
    return safe_subject(_GUEST_SUBJECTS[BookingStatus.CANCELLED].format(hotel=hotel)), "\n".join(
        lines
    )


def manager_cancellation_notice(booking: Stay, refund_cents: int | None) -> tuple[str, str]:
    """The hotel manager's notice that a guest cancelled: the rooms are free again."""
    subject = safe_subject(f"Cancelled: {booking.guest.name}, {wording.day(booking.checkIn)}")
    body = "\n".join(
        [
            f"{booking.guest.name} <{booking.guest.email}> cancelled booking {booking.bookingId}.",
            f"Dates: {wording.stay(booking.checkIn, booking.checkOut, booking.rooms)}: "
            f"{'the room is' if booking.rooms == 1 else 'the rooms are'} available again.",
            "No decision is needed from you."
            if refund_cents is None
            else "Refund under the cancellation policy: "
            f"{wording.cents(refund_cents, _currency(booking))}.",
        ]
    )
    return subject, body


def _currency(stay: Stay) -> str:
    return stay.currency if isinstance(stay, Booking) else CURRENCY
