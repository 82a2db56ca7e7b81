"""What flows through the state machine: step envelopes, step inputs and step results."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotel_booking.models.base import Model
from hotel_booking.models.domain import (
    CURRENCY,
    ApprovalOutcome,
    BookingStatus,
    FailureReason,
    Money,
    Payment,
    RoomCount,
    Stay,
    stay_length_problem,
)


class StepEvent(Model):
    """What every Task state sends its Lambda (see ``Parameters`` in booking.asl.json)."""

    model_config = ConfigDict(extra="forbid")

    input: dict[str, Any]
    executionArn: str
    stateName: str
    taskToken: str | None = None


class BookingRequest(Stay):
    """The execution input: what a guest asked for. Later steps add their results beside it."""

    model_config = ConfigDict(extra="ignore")

    rooms: RoomCount
    paymentToken: Annotated[str, Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _stay_length(self) -> BookingRequest:
        problem = stay_length_problem(self.checkIn, self.checkOut)
        if problem:
            raise ValueError(problem)
        return self


class Reservation(Model):
    """ReserveRoom's result, kept at ``$.reservation``."""

    hotelName: str
    nights: int
    amount: Money
    currency: str = CURRENCY
    #: How long the rooms wait for the manager: NotifyManager's ``TimeoutSecondsPath``.
    approvalTimeoutSeconds: Annotated[int, Field(ge=1)]
    #: While the payment gateway is unavailable: the Wait between attempts, and how many
    #: attempts after the first (template parameters PaymentRetryWaitSeconds / ...Window...).
    paymentRetryWaitSeconds: Annotated[int, Field(ge=1)] = 30
    #: When ReserveRoom ran: the saga's latency to the approval request is measured from it.
    reservedAt: dt.datetime | None = None
    paymentRetries: Annotated[int, Field(ge=0)] = 0


class ReservedStay(BookingRequest):
    """The input of every step after ReserveRoom."""

    reservation: Reservation


class ConfirmInput(ReservedStay):
    """ConfirmBooking's input: the stay and the manager's answer at ``$.approval``."""

    approval: ApprovalOutcome | None = None


class StepError(Model):
    """What a Catch puts at ``$.error`` / ``$.compensationError``."""

    Error: str
    Cause: str | None = None


class FailureInput(Stay):
    """RecordFailure's input: whatever the saga had got to, plus the error that stopped it."""

    model_config = ConfigDict(extra="ignore")

    reservation: Reservation | None = None
    payment: Payment | None = None
    approval: ApprovalOutcome | None = None
    error: StepError
    compensationError: StepError | None = None


class BookingIdOnly(Model):
    """What a compensation needs: it reads the rest from the records."""

    model_config = ConfigDict(extra="ignore")
    bookingId: str


class Transition(Model):
    """A saga step's move of the booking record: from one of ``since`` to ``to``, logged as
    the ``step`` (state name); see ``BookingsTable.advance``."""

    model_config = ConfigDict(frozen=True)

    to: BookingStatus
    since: frozenset[BookingStatus]
    step: str
    #: The same write claims the guest's outcome message (the transition happens once, and no
    #: outcome message goes out before a final status).
    claim_guest_notice: bool = False
    #: Also refused once the guest asked to cancel while the saga was under way.
    unless_cancel_requested: bool = False
    #: More attributes the same write sets.
    extra: dict[str, str] = Field(default_factory=dict)


class Outcome(Model):
    """RecordFailure's result at ``$.outcome``; ``failState`` names the Fail state to end in."""

    status: BookingStatus
    reason: FailureReason
    failState: str
    detail: str


class StepResult(Model):
    """Result of a compensation: whether it changed anything this time."""

    bookingId: str
    changed: bool


class NotifyResult(Model):
    approvalId: str
    notified: bool
    #: Milliseconds from ReserveRoom to this request for approval (the first one only).
    sinceReservedMs: int | None = None


class ConfirmResult(Model):
    bookingId: str
    status: BookingStatus
    #: Milliseconds from the manager's decision to the confirmation (the first one only).
    sinceDecidedMs: int | None = None


def as_state(model: BaseModel) -> dict[str, Any]:
    """Serialise a model to what a Lambda returns into the execution (JSON types only)."""
    return model.model_dump(mode="json", exclude_none=True)


class CancellationRequest(Model):
    """The cancellation state machine's input (``statemachines/cancellation.asl.json``)."""

    model_config = ConfigDict(extra="ignore")

    bookingId: str
    refundCents: Annotated[int, Field(ge=0)]
    requestedBy: str


class CancellationResult(Model):
    bookingId: str
    status: BookingStatus
    changed: bool
