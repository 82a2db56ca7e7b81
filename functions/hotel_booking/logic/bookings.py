"""Bookings: a guest asks for a stay (which starts the saga), people read the bookings they
may see, and a hotel's manager (or an Admin) decides on the ones awaiting approval.

Who sees a booking: the guest who made it, the manager of its hotel (group HotelManager and
the user the hotel names by ``sub``), and Admins. To anyone else it does not exist (404).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from hotel_booking.clock import Clock, utc_now
from hotel_booking.config import DEFAULT_STAY_HORIZON_DAYS
from hotel_booking.errors import SagaAlreadyStarted, SagaNotStarted, TaskNoLongerWaiting
from hotel_booking.logic import inventory
from hotel_booking.logic.approvals import (
    ApprovalAlreadyDecided,
    ApprovalExpired,
    ApprovalNotFound,
    decide,
)
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.cancellations import CancellationPolicy
from hotel_booking.logic.ids import approval_id_for, booking_id_for, new_booking_id
from hotel_booking.logic.ports import (
    ApprovalRepository,
    BookingRecords,
    HotelCatalog,
    SagaStarter,
    TaskResumer,
)
from hotel_booking.logic.problems import (
    BookingNotAwaitingApproval,
    BookingNotStarted,
    BookingNotVisible,
    DecisionAlreadyMade,
    DecisionWindowClosed,
    HotelNotListed,
    IdempotencyKeyReused,
    InvalidRequest,
    NotAllowed,
    NotSignedIn,
    bad_page_token,
    possible_id,
    validated,
)
from hotel_booking.models import ApprovalState, Booking, BookingStatus, FailureReason, Guest, Stay
from hotel_booking.models.api.bookings import (
    BookingAccepted,
    BookingPage,
    BookingQuery,
    BookingView,
    DecisionRequest,
    DecisionView,
    GuestView,
    NewBooking,
    StepView,
    WaitingView,
)
from hotel_booking.models.domain import ListPosition, to_cents
from hotel_booking.models.saga import BookingRequest

IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_MAX = 255


@dataclass(frozen=True)
class BookingPorts:
    """What the bookings API touches; built once per Lambda container."""

    hotels: HotelCatalog
    bookings: BookingRecords
    approvals: ApprovalRepository
    sagas: SagaStarter
    tasks: TaskResumer
    region: str
    clock: Clock = utc_now
    stay_horizon_days: int = DEFAULT_STAY_HORIZON_DAYS
    #: The cancellation policy, to show each booking's terms (None: shown without them).
    policy: CancellationPolicy | None = None


# -- book ----------------------------------------------------------------------------------
def create_booking(
    ports: BookingPorts, caller: Caller | None, body: object, idempotency_key: str | None
) -> BookingAccepted:
    """Record the booking as PENDING, then start its saga (execution name = bookingId).

    With an Idempotency-Key the bookingId is derived from the caller and the key, so the same
    request sent again finds its booking (and starts the saga only if it never started); the
    same key with a different body is refused.
    """
    if caller is None:
        raise NotSignedIn("sign in first")
    key = _idempotency_key(idempotency_key)
    request = validated(NewBooking, body)
    at = ports.clock()
    problems = inventory.stay_problems(
        request.checkIn, request.checkOut, at, ports.stay_horizon_days
    )
    if problems:
        raise InvalidRequest.fields(problems)
    if not caller.email:
        raise NotAllowed("booking needs the email address in your ID token; sign in again")
    # Eventually consistent: the hotel's price and room count are read again, consistently,
    # by ReserveRoom, whose transaction holds only while the hotel is at the version it read.
    hotel = ports.hotels.get(request.hotelId, consistent=False)
    if hotel is None:
        raise HotelNotListed(f"no hotel {request.hotelId}")
    too_many = inventory.capacity_problem(hotel, request.rooms)
    if too_many:
        raise InvalidRequest.fields({"rooms": too_many})
    guest = validated(
        Guest, {"sub": caller.sub, "name": request.guestName, "email": caller.email}, "guest."
    )
    booking_id = booking_id_for(caller.sub, key) if key else new_booking_id()
    request_hash = fingerprint(request)
    stay = Stay(
        bookingId=booking_id,
        hotelId=hotel.hotelId,
        guest=guest,
        checkIn=request.checkIn,
        checkOut=request.checkOut,
        rooms=request.rooms,
    )
    booking = Booking(
        **dict(stay),
        hotelName=hotel.name,
        currency=hotel.currency,
        status=BookingStatus.PENDING,
        createdAt=at,
        updatedAt=at,
    )
    accepted = BookingAccepted(
        bookingId=booking_id,
        status=BookingStatus.PENDING,
        links={"self": f"/bookings/{booking_id}"},
    )
    if not ports.bookings.create_pending(booking, request_hash):
        existing = ports.bookings.get(booking_id)
        same_guest = existing is not None and existing.guest.sub == caller.sub
        if existing is None or existing.requestHash != request_hash or not same_guest:
            raise IdempotencyKeyReused(
                f"this {IDEMPOTENCY_HEADER} was used before with a different request; "
                "use a new key for a new booking"
            )
        if existing.executionArn:  # ReserveRoom ran: the saga started
            return accepted
    # Starting again a saga that runs is harmless: Step Functions answers a start with the
    # same name and input with the running execution (or ExecutionAlreadyExists).
    # The record gets its executionArn from ReserveRoom's transaction: no write here.
    _start_saga(ports, BookingRequest(**dict(stay), paymentToken=request.paymentToken))
    return accepted


def fingerprint(request: NewBooking) -> str:
    """Same for the same request however it was spelled (key order, spaces)."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


def _idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > _KEY_MAX or not key.isascii() or not key.isprintable():
        raise InvalidRequest.fields(
            {IDEMPOTENCY_HEADER: f"must be 1 to {_KEY_MAX} printable ASCII characters"}
        )
    return key


def _start_saga(ports: BookingPorts, request: BookingRequest) -> None:
    try:
        ports.sagas.start(request.bookingId, request.model_dump_json())
    except SagaAlreadyStarted:
        pass
    except SagaNotStarted as exc:
        ports.bookings.discard_unstarted(request.bookingId)
        raise BookingNotStarted(_NOT_STARTED) from exc


_NOT_STARTED = "the booking could not be started; nothing was booked or charged, please try again"


# -- read ----------------------------------------------------------------------------------
def get_booking(ports: BookingPorts, caller: Caller | None, booking_id: str) -> BookingView:
    booking = _visible_booking(ports, caller, booking_id, to_decide=False)
    assert caller is not None  # _visible_booking refuses anyone not signed in
    return _view(ports, booking, caller)


def list_bookings(
    ports: BookingPorts, caller: Caller | None, query: Mapping[str, str]
) -> BookingPage:
    """Every booking the caller may see, newest first, a page at a time.

    A guest's and a manager's come from index queries (by guest; by hotel, or by hotel and
    status), each read only as far as the page needs, then merged; the page token is the
    last booking shown, so a page never depends on how many came before it. An Admin's list of
    every booking walks the index by month (``of_everyone``): a bounded read per request, so a
    page may hold fewer than ``limit`` (even none) and still carry a ``nextToken``.
    """
    if caller is None:
        raise NotSignedIn("sign in first")
    q = validated(BookingQuery, dict(query))
    fingerprint = hashlib.sha256(f"{caller.sub}|{q.hotelId}|{q.status}".encode()).hexdigest()[:12]
    before = _position(q.nextToken, fingerprint) if q.nextToken else None

    lists: list[list[Booking]] = []
    resume = None
    if caller.is_admin and q.hotelId is None:
        walk = ports.bookings.of_everyone(q.status, before, q.limit)
        lists.append(walk.bookings)
        resume = walk.resume
    elif caller.is_admin and q.hotelId is not None:
        lists.append(ports.bookings.of_hotel(q.hotelId, q.status, before, q.limit))
    else:
        lists.append(ports.bookings.of_guest(caller.sub, q.status, q.hotelId, before, q.limit))
        if caller.is_manager:
            for hotel_id in ports.hotels.managed_by(caller.sub):
                if q.hotelId in (None, hotel_id):
                    lists.append(ports.bookings.of_hotel(hotel_id, q.status, before, q.limit))
    found = {
        b.bookingId: b for each in lists for b in each if before is None or b.position < before
    }
    bookings = sorted(found.values(), key=lambda b: b.position, reverse=True)
    page = bookings[: q.limit]
    after = page[-1].position if len(bookings) > q.limit else resume
    return BookingPage(
        items=[_view(ports, b, caller) for b in page],
        nextToken=_token(after, fingerprint) if after else None,
    )


def _token(after: ListPosition, fingerprint: str) -> str:
    raw = json.dumps(
        {"v": 2, "at": after.createdAt.isoformat(), "id": after.bookingId, "q": fingerprint},
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _position(token: str, fingerprint: str) -> ListPosition:
    """The page token is opaque to clients; one not made by us for this listing is a 400."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data.get("v") == 2 and data.get("q") == fingerprint and isinstance(data["id"], str):
            at = dt.datetime.fromisoformat(data["at"])
            if at.tzinfo is not None:
                return ListPosition(at, data["id"])
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError):
        pass
    raise bad_page_token()


# -- decide --------------------------------------------------------------------------------
def decide_booking(
    ports: BookingPorts, caller: Caller | None, booking_id: str, body: object
) -> DecisionView:
    """The dashboard's approve/reject: the same single-winner decision as the email links."""
    booking = _visible_booking(ports, caller, booking_id, to_decide=True)
    assert caller is not None
    request = validated(DecisionRequest, body)
    try:
        result = decide(
            ports.approvals,
            ports.tasks,
            approval_id_for(booking.bookingId),
            request.decision,
            decided_by=caller.name,
            reason=request.reason or None,
        )
    except ApprovalNotFound:
        raise BookingNotAwaitingApproval(
            f"booking {booking.bookingId} is not awaiting approval (it is {booking.status.value})"
        ) from None
    except ApprovalAlreadyDecided as exc:
        if exc.state is ApprovalState.EXPIRED:
            raise DecisionWindowClosed(_EXPIRED.format(booking.bookingId)) from None
        raise DecisionAlreadyMade(
            f"booking {booking.bookingId} was already {exc.state.value.lower()}; "
            "nothing was changed"
        ) from None
    except ApprovalExpired:
        raise DecisionWindowClosed(_EXPIRED.format(booking.bookingId)) from None
    except TaskNoLongerWaiting:
        raise DecisionWindowClosed(_EXPIRED.format(booking.bookingId)) from None
    return DecisionView(bookingId=booking.bookingId, decision=request.decision, state=result.state)


_EXPIRED = "the time to decide on booking {} has passed; it expired and the guest was told"


# -- helpers -------------------------------------------------------------------------------
def _visible_booking(
    ports: BookingPorts, caller: Caller | None, booking_id: str, to_decide: bool
) -> Booking:
    """The booking if the caller may see it (or, ``to_decide``, decide on it); else 404."""
    if caller is None:
        raise NotSignedIn("sign in first")
    # To decide, an eventually consistent read is enough: who a booking belongs to never
    # changes, and whether it can still be decided is the approval's conditional close's call.
    # To show, consistent: a guest reads their booking right after POST /bookings.
    booking = (
        ports.bookings.get(booking_id, consistent=not to_decide)
        if possible_id(booking_id)
        else None
    )
    if booking is not None:
        if caller.is_admin:
            return booking
        if not to_decide and booking.guest.sub == caller.sub:
            return booking
        if caller.is_manager:
            # Consistent: who manages the hotel decides who may see or decide (a manager just
            # replaced must not).
            hotel = ports.hotels.get(booking.hotelId)
            if hotel is not None and caller.manages(hotel.managerSub):
                return booking
    raise BookingNotVisible(f"no booking {booking_id}")


#: Reasons whose stored detail is people's words (the hotel's, the cancellation's), not the
#: saga's: shown to everyone who may see the booking.
_WORDS_FOR_EVERYONE = frozenset({FailureReason.MANAGER_REJECTED, FailureReason.GUEST_CANCELLED})


def _view(ports: BookingPorts, booking: Booking, caller: Caller) -> BookingView:
    """The execution (its ARN names the account) and the saga's technical detail (error names,
    causes) are for Admins, who support guests; a guest or a manager gets ``reason`` and
    people's words only (issue 21)."""
    # Before ReserveRoom has run the record has no executionArn yet: the saga's execution
    # is named after the booking, so its ARN is known anyway.
    arn = (
        booking.executionArn or ports.sagas.execution_arn(booking.bookingId)
        if caller.is_admin
        else None
    )
    detail = (
        booking.reasonDetail if caller.is_admin or booking.reason in _WORDS_FOR_EVERYONE else None
    )
    return BookingView(
        bookingId=booking.bookingId,
        hotelId=booking.hotelId,
        hotelName=booking.hotelName,
        checkIn=booking.checkIn,
        checkOut=booking.checkOut,
        rooms=booking.rooms,
        amount=str(to_cents(booking.amount)) if booking.amount is not None else None,
        currency=booking.currency,
        status=booking.status,
        reason=booking.reason.value if booking.reason else None,
        reasonDetail=detail,
        guest=GuestView(name=booking.guest.name, email=booking.guest.email),
        steps=[StepView(state=s.state, at=s.at) for s in booking.steps],
        createdAt=booking.createdAt,
        updatedAt=booking.updatedAt,
        executionArn=arn,
        consoleUrl=console_url(ports.region, arn) if arn else None,
        cancellation=ports.policy.terms(booking, ports.clock()) if ports.policy else None,
        refundCents=booking.refundCents,
        managerNote=booking.managerNote,
        waiting=waiting_for(booking),
        cancelRequestedAt=booking.cancelRequestedAt,
    )


def waiting_for(booking: Booking) -> WaitingView | None:
    """What keeps a booking in progress, in terms the guest can wait on."""
    if booking.status is BookingStatus.ROOM_RESERVED and booking.paymentRetryUntil:
        return WaitingView(kind="payment", until=booking.paymentRetryUntil)
    if booking.status is BookingStatus.AWAITING_APPROVAL and booking.approvalExpiresAt:
        return WaitingView(kind="approval", until=booking.approvalExpiresAt)
    return None


def console_url(region: str, execution_arn: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/states/home?region={region}"
        f"#/v2/executions/details/{execution_arn}"
    )
