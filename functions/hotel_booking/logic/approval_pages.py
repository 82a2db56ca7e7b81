"""The pages behind the approve/reject links in a manager's email.

GET only shows a confirmation page: mail scanners and link previews fetch links, and must not
decide anything. The decision is the page's POST button. Both check the link's signature.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from hotel_booking.logic.approvals import (
    ApprovalAlreadyDecided,
    ApprovalExpired,
    ApprovalNotFound,
    decide,
)
from hotel_booking.logic.links import LinkProblem, check_link
from hotel_booking.logic.ports import ApprovalRepository, BookingReader, TaskResumer
from hotel_booking.models import ApprovalState, Booking, Decision


@dataclass(frozen=True)
class PagePorts:
    approvals: ApprovalRepository
    bookings: BookingReader
    tasks: TaskResumer


@dataclass(frozen=True)
class Page:
    status: int
    title: str
    body: str

    def render(self) -> str:
        return _LAYOUT.format(title=html.escape(self.title), body=self.body)


@dataclass(frozen=True)
class LinkRequest:
    approval_id: str
    decision: str | None
    expires: str | None
    signature: str | None


#: The POST's form could not be read (bytes that are not UTF-8, not a form).
UNREADABLE = Page(
    400,
    "Request not readable",
    "<p>This request could not be read. Open the link from the email again, "
    "or decide from the manager dashboard.</p>",
)


def not_found() -> Page:
    return Page(404, "Not found", "<p>There is no booking request behind this link.</p>")


def went_wrong() -> Page:
    return Page(
        500,
        "Something went wrong",
        "<p>Nothing was decided. Try the link again in a minute, or decide from the manager "
        "dashboard.</p>",
    )


_GONE = {
    ApprovalState.EXPIRED: "The time to answer this booking request has passed; the booking "
    "expired and the guest has been told.",
    ApprovalState.CANCELLED: "This booking is no longer waiting for a decision (it was "
    "cancelled or could not be completed).",
}


def show(ports: PagePorts, key: bytes, link: LinkRequest) -> Page:
    """GET: a confirmation page, or why the link cannot be used. Changes nothing."""
    refusal = _refusal(key, link)
    if refusal:
        return refusal
    approval = ports.approvals.get(link.approval_id)
    if approval is None:
        return Page(404, "Not found", "<p>There is no booking request behind this link.</p>")
    if approval.state is not ApprovalState.PENDING:
        return _already(approval.state, approval.bookingId)
    booking = ports.bookings.get(approval.bookingId)
    decision = Decision(str(link.decision))
    verb = "Approve" if decision is Decision.APPROVE else "Reject"
    reason = (
        '<label for="reason">Reason for the guest (optional)</label>'
        '<textarea id="reason" name="reason" maxlength="500" rows="3"></textarea>'
        if decision is Decision.REJECT
        else ""
    )
    form = (
        f'<form method="post">{_hidden(link)}{reason}'
        f'<button type="submit" class="{decision.value}">{verb} this booking</button></form>'
    )
    return Page(200, f"{verb} booking?", _summary(booking, approval.bookingId) + form)


def submit(ports: PagePorts, key: bytes, link: LinkRequest, reason: str | None) -> Page:
    """POST: check the link again, then make the decision; exactly one decision ever wins."""
    refusal = _refusal(key, link)
    if refusal:
        return refusal
    decision = Decision(str(link.decision))
    try:
        result = decide(
            ports.approvals,
            ports.tasks,
            link.approval_id,
            decision,
            decided_by="email link",
            reason=(reason or "").strip()[:500] or None,
        )
    except ApprovalNotFound:
        return Page(404, "Not found", "<p>There is no booking request behind this link.</p>")
    except ApprovalAlreadyDecided as exc:
        page = _already(exc.state, None)
        return Page(409, page.title, page.body)
    except ApprovalExpired:
        return Page(410, "Link expired", f"<p>{_GONE[ApprovalState.EXPIRED]}</p>")
    done = "approved" if decision is Decision.APPROVE else "rejected"
    told = (
        "The booking will now be confirmed and the guest told."
        if decision is Decision.APPROVE
        else "The payment will be refunded, the room released, and the guest told."
    )
    return Page(
        200,
        f"Booking {done}",
        f"<p>You {done} booking <strong>{html.escape(result.bookingId)}</strong>. {told}</p>",
    )


def _refusal(key: bytes, link: LinkRequest) -> Page | None:
    problem = check_link(key, link.approval_id, link.decision, link.expires, link.signature)
    if problem is LinkProblem.BAD_SIGNATURE:
        return Page(
            403,
            "Link not valid",
            "<p>This link is not valid. Use the link exactly as it arrived in the email, "
            "or decide from the manager dashboard.</p>",
        )
    if problem is LinkProblem.EXPIRED:
        return Page(
            410,
            "Link expired",
            "<p>This link has expired: " + _GONE[ApprovalState.EXPIRED] + "</p>",
        )
    return None


def _already(state: ApprovalState, booking_id: str | None) -> Page:
    if state in _GONE:
        return Page(410, "No longer waiting", f"<p>{_GONE[state]}</p>")
    which = f" {html.escape(booking_id)}" if booking_id else ""
    return Page(
        200,
        f"Already {state.value.lower()}",
        f"<p>This booking{which} was already {state.value.lower()}. Nothing was changed.</p>",
    )


def _hidden(link: LinkRequest) -> str:
    fields = {"decision": link.decision, "expires": link.expires, "sig": link.signature}
    return "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v or "")}">'
        for k, v in fields.items()
    )


def _summary(booking: Booking | None, booking_id: str) -> str:
    if booking is None:
        return f"<p>Booking <strong>{html.escape(booking_id)}</strong></p>"
    rows = {
        "Hotel": booking.hotelName or booking.hotelId,
        "Guest": f"{booking.guest.name} <{booking.guest.email}>",
        "Dates": f"{booking.checkIn.isoformat()} to {booking.checkOut.isoformat()}",
        "Rooms": str(booking.rooms),
        "Amount": f"{booking.amount} {booking.currency}" if booking.amount is not None else "-",
        "Booking": booking.bookingId,
    }
    cells = "".join(
        f"<tr><th scope='row'>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows.items()
    )
    return f"<table>{cells}</table>"


_LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}
body{{line-height:1.5}}
table{{border-collapse:collapse;margin:1rem 0}} th{{text-align:left;padding-right:1rem}}
label{{display:block;margin-top:1rem}} textarea{{width:100%}}
button{{margin-top:1rem;font-size:1.1rem;padding:.6rem 1.2rem;border:0;border-radius:6px}}
button{{color:#fff}}
button.approve{{background:#1b7f3b}} button.reject{{background:#b3261e}}
</style></head>
<body><h1>{title}</h1>{body}</body></html>"""
