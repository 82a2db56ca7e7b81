"""What the pages behind the approve/reject links in a manager's email do.

GET only asks for confirmation: mail scanners and link previews fetch links, and must not
decide anything. The decision is the page's POST button. Both check the link's signature.
These functions return what happened (:data:`PageResult`); ``api/approvals.py`` renders it
with the templates in ``api/templates/`` and picks the HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotel_booking.logic.approvals import (
    ApprovalAlreadyDecided,
    ApprovalExpired,
    ApprovalNotFound,
    decide,
)
from hotel_booking.logic.links import LinkProblem, check_link
from hotel_booking.logic.ports import ApprovalRepository, BookingReader, TaskResumer
from hotel_booking.models import ApprovalState, Booking, Decision

#: The longest note or reason a manager may write (the dashboard's API takes as much).
NOTE_MAX = 500


@dataclass(frozen=True)
class PagePorts:
    approvals: ApprovalRepository
    bookings: BookingReader
    tasks: TaskResumer


@dataclass(frozen=True)
class LinkRequest:
    approval_id: str
    decision: str | None
    expires: str | None
    signature: str | None


class Refusal(StrEnum):
    """Why a link did nothing (each has its words in ``api/templates/refused.html``)."""

    UNREADABLE = "unreadable"  # the POST's form could not be read
    NOT_FOUND = "not_found"
    WENT_WRONG = "went_wrong"
    BAD_SIGNATURE = "bad_signature"
    LINK_EXPIRED = "link_expired"  # the link's own expiry passed
    EXPIRED = "expired"  # the approval expired: the saga gave up waiting
    CANCELLED = "cancelled"  # the guest cancelled, or the booking failed meanwhile
    ALREADY_APPROVED = "already_approved"
    ALREADY_REJECTED = "already_rejected"


@dataclass(frozen=True)
class Confirm:
    """GET on a good link: the booking, and a form that makes the decision."""

    link: LinkRequest
    decision: Decision
    booking_id: str
    booking: Booking | None


@dataclass(frozen=True)
class Decided:
    """POST that won: the decision is made and the saga resumed."""

    decision: Decision
    booking_id: str
    note: str | None


@dataclass(frozen=True)
class Refused:
    refusal: Refusal
    booking_id: str | None = None
    #: A decision sent now lost to one made earlier (the page says which; HTTP 409).
    lost: bool = False


PageResult = Confirm | Decided | Refused

_ALREADY = {
    ApprovalState.APPROVED: Refusal.ALREADY_APPROVED,
    ApprovalState.REJECTED: Refusal.ALREADY_REJECTED,
    ApprovalState.EXPIRED: Refusal.EXPIRED,
    ApprovalState.CANCELLED: Refusal.CANCELLED,
}


def show(ports: PagePorts, key: bytes, link: LinkRequest) -> PageResult:
    """GET: a confirmation, or why the link cannot be used. Changes nothing."""
    refusal = _refusal(key, link)
    if refusal:
        return refusal
    approval = ports.approvals.get(link.approval_id)
    if approval is None:
        return Refused(Refusal.NOT_FOUND)
    if approval.state is not ApprovalState.PENDING:
        return Refused(_ALREADY[approval.state], approval.bookingId)
    return Confirm(
        link=link,
        decision=Decision(str(link.decision)),
        booking_id=approval.bookingId,
        booking=ports.bookings.get(approval.bookingId),
    )


def submit(ports: PagePorts, key: bytes, link: LinkRequest, note: str | None) -> PageResult:
    """POST: check the link again, then make the decision; exactly one decision ever wins.
    ``note``: the manager's words for the guest (a reason on Reject, a note on Approve)."""
    refusal = _refusal(key, link)
    if refusal:
        return refusal
    decision = Decision(str(link.decision))
    text = (note or "").strip()[:NOTE_MAX] or None
    try:
        result = decide(
            ports.approvals,
            ports.tasks,
            link.approval_id,
            decision,
            decided_by="email link",
            reason=text,
        )
    except ApprovalNotFound:
        return Refused(Refusal.NOT_FOUND)
    except ApprovalAlreadyDecided as exc:
        return Refused(_ALREADY[exc.state], lost=True)
    except ApprovalExpired:
        return Refused(Refusal.LINK_EXPIRED)
    return Decided(decision=decision, booking_id=result.bookingId, note=text)


def _refusal(key: bytes, link: LinkRequest) -> Refused | None:
    problem = check_link(key, link.approval_id, link.decision, link.expires, link.signature)
    if problem is LinkProblem.BAD_SIGNATURE:
        return Refused(Refusal.BAD_SIGNATURE)
    if problem is LinkProblem.EXPIRED:
        return Refused(Refusal.LINK_EXPIRED)
    return None
