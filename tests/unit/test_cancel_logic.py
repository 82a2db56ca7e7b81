"""cancel_booking with small fakes: the races a guest's cancel can meet, deterministically."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hotel_booking.errors import SagaAlreadyStarted, SagaNotStarted, TaskNoLongerWaiting
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.cancellations import CancellationPolicy, CancellationPorts, cancel_booking
from hotel_booking.logic.ids import approval_id_for, cancellation_id_for
from hotel_booking.logic.problems import BookingNotCancellable, CancellationNotStarted
from hotel_booking.models import Approval, ApprovalState, Booking, BookingStatus, Guest, Hotel

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
GUEST = Caller(sub="g1", email="g1@example.com")


def booking(status: BookingStatus) -> Booking:
    return Booking(
        bookingId="bk_1",
        hotelId="h1",
        guest=Guest(sub="g1", name="Gus", email="g1@example.com"),
        checkIn=dt.date(2030, 3, 1),
        checkOut=dt.date(2030, 3, 3),
        rooms=1,
        amount=Decimal("240.00"),
        status=status,
        createdAt=NOW,
        updatedAt=NOW,
    )


class Hotels:
    def get(self, hotel_id: str, consistent: bool = True) -> Hotel | None:
        return None


class Bookings:
    def __init__(self, booking: Booking, concurrent: Booking | None = None) -> None:
        self.booking = booking
        self.concurrent = concurrent  # what another request wrote first
        self.requested: list[int] = []

    def get(self, booking_id: str, consistent: bool = True) -> Booking | None:
        return self.booking

    def request_cancellation(
        self, booking_id: str, hotel_id: str, refund_cents: int, by: str, at: dt.datetime
    ) -> bool:
        if self.concurrent is not None:
            self.booking = self.concurrent
            return False
        self.requested.append(refund_cents)
        self.booking = self.booking.model_copy(
            update={"status": BookingStatus.CANCELLING, "refundCents": refund_cents}
        )
        return True


class Approvals:
    def __init__(self, state: ApprovalState, wins: bool = True) -> None:
        self.approval = Approval(
            approvalId=approval_id_for("bk_1"),
            bookingId="bk_1",
            hotelId="h1",
            taskToken="token-1",
            state=state,
            expiresAt=NOW + dt.timedelta(days=1),
        )
        self.wins = wins
        self.closed: list[ApprovalState] = []

    def get(self, approval_id: str) -> Approval | None:
        return self.approval

    def open(self, *args: object) -> Approval:
        raise AssertionError("not called")

    def mark_notified(self, approval_id: str) -> None:
        raise AssertionError("not called")

    def close(
        self, approval_id: str, state: ApprovalState, by: str | None = None, why: str | None = None
    ) -> bool:
        if not self.wins:
            return False
        self.closed.append(state)
        return True


class Tasks:
    def __init__(self, gone: bool = False) -> None:
        self.gone = gone
        self.failed: list[tuple[str, str]] = []

    def succeed(self, task_token: str, output_json: str) -> None:
        raise AssertionError("not called")

    def fail(self, task_token: str, error: str, cause: str) -> None:
        if self.gone:
            raise TaskNoLongerWaiting("TaskTimedOut")
        self.failed.append((task_token, error))


class Starter:
    def __init__(self, problem: Exception | None = None) -> None:
        self.problem = problem
        self.started: list[str] = []

    def start(self, name: str, input_json: str) -> str:
        self.started.append(name)
        if self.problem:
            raise self.problem
        return f"arn:{name}"

    def execution_arn(self, name: str) -> str:
        return f"arn:{name}"


def ports(
    bookings: Bookings,
    approvals: Approvals | None = None,
    tasks: Tasks | None = None,
    starter: Starter | None = None,
) -> CancellationPorts:
    return CancellationPorts(
        hotels=Hotels(),
        bookings=bookings,
        approvals=approvals or Approvals(ApprovalState.PENDING),
        tasks=tasks or Tasks(),
        cancellations=starter or Starter(),
        policy=CancellationPolicy(2),
        clock=lambda: NOW,
    )


def test_awaiting_approval_fails_the_task_with_booking_cancelled() -> None:
    approvals, tasks = Approvals(ApprovalState.PENDING), Tasks()
    accepted = cancel_booking(
        ports(Bookings(booking(BookingStatus.AWAITING_APPROVAL)), approvals, tasks), GUEST, "bk_1"
    )
    assert accepted.refundCents == 24000
    assert approvals.closed == [ApprovalState.CANCELLED]
    assert tasks.failed == [("token-1", "BookingCancelled")]


def test_the_manager_decided_first_so_nothing_is_sent() -> None:
    tasks = Tasks()
    with pytest.raises(BookingNotCancellable, match="the hotel has just answered"):
        cancel_booking(
            ports(
                Bookings(booking(BookingStatus.AWAITING_APPROVAL)),
                Approvals(ApprovalState.PENDING, wins=False),
                tasks,
            ),
            GUEST,
            "bk_1",
        )
    assert tasks.failed == []


def test_the_approval_had_timed_out_meanwhile() -> None:
    with pytest.raises(BookingNotCancellable, match="expired"):
        cancel_booking(
            ports(Bookings(booking(BookingStatus.AWAITING_APPROVAL)), tasks=Tasks(gone=True)),
            GUEST,
            "bk_1",
        )


def test_two_cancels_of_a_confirmed_booking_start_one_saga() -> None:
    starter = Starter()
    store = Bookings(booking(BookingStatus.CONFIRMED))
    first = cancel_booking(ports(store, starter=starter), GUEST, "bk_1")
    # The second finds it CANCELLING: answered, and Step Functions refuses the same name
    starter.problem = SagaAlreadyStarted("arn:x")
    second = cancel_booking(ports(store, starter=starter), GUEST, "bk_1")
    assert store.requested == [24000]
    assert first.refundCents == second.refundCents == 24000
    assert starter.started == [cancellation_id_for("bk_1")] * 2


def test_a_concurrent_cancel_wins_the_conditional_write() -> None:
    winner = booking(BookingStatus.CANCELLING).model_copy(update={"refundCents": 24000})
    store = Bookings(booking(BookingStatus.CONFIRMED), concurrent=winner)
    starter = Starter(SagaAlreadyStarted("arn:x"))
    accepted = cancel_booking(ports(store, starter=starter), GUEST, "bk_1")
    assert accepted.refundCents == 24000 and store.requested == []


def test_a_cancellation_that_would_not_start_asks_for_a_retry() -> None:
    store = Bookings(booking(BookingStatus.CONFIRMED))
    with pytest.raises(CancellationNotStarted):
        cancel_booking(ports(store, starter=Starter(SagaNotStarted("throttled"))), GUEST, "bk_1")
    # Recorded as CANCELLING: sending it again starts it
    starter = Starter()
    cancel_booking(ports(store, starter=starter), GUEST, "bk_1")
    assert starter.started == [cancellation_id_for("bk_1")]
