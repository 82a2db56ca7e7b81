"""Every saga path, on local Step Functions, asserting what a user or support person sees:
the booking's final status and reason, the states visited, DynamoDB rows, SNS messages."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest

from hotel_booking.errors import BookingStateConflict
from hotel_booking.logic.ids import approval_id_for
from hotel_booking.models import ApprovalState, BookingStatus, Decision, PaymentStatus
from hotel_booking.models.saga import Transition
from tests.fixtures.saga_driver import SagaDriver
from tests.fixtures.waiting import eventually

HAPPY = ["ReserveRoom", "RecordPayment", "NotifyManager", "ConfirmBooking", "BookingConfirmed"]


def test_happy_path_manager_approves(saga: SagaDriver) -> None:
    # Given a hotel with 3 rooms and a guest booking 1 room for 2 nights at 120.00
    hotel = saga.hotel(rooms=3, price="120.00")
    req = saga.request(hotel, rooms=1, nights=2)

    # When the saga runs and the manager approves
    saga.start(req)
    waiting = saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    assert saga.inventory(hotel, req) == [2, 2]
    saga.decide(req["bookingId"], Decision.APPROVE)
    done = saga.wait_done(req["bookingId"])

    # Then the booking is confirmed, paid, and both people were told
    assert done["status"] == "SUCCEEDED"
    booking = saga.booking(req["bookingId"])
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.reason is None
    assert str(booking.amount) == "240.00"
    assert booking.executionArn == saga.execution_arn(req["bookingId"])
    assert [s.state for s in booking.steps] == HAPPY[:-1]
    assert waiting.steps[-1].state == "NotifyManager"
    assert saga.visited(req["bookingId"]) == HAPPY
    payment = saga.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.RECORDED
    assert str(payment.amount) == "240.00"
    assert saga.inventory(hotel, req) == [2, 2]

    (to_manager,) = saga.manager_messages(hotel, req["bookingId"])
    assert to_manager["MessageAttributes"]["hotelId"] == hotel.hotelId
    assert req["guest"]["name"] in to_manager["Message"]
    assert "Total:    €240.00" in to_manager["Message"]
    assert "(2 nights)" in to_manager["Message"]
    approval = saga.store.approvals.get(approval_id_for(req["bookingId"]))
    assert approval is not None and approval.state is ApprovalState.APPROVED
    assert approval.taskToken not in to_manager["Message"]  # the token never leaves DynamoDB

    (to_guest,) = saga.guest_emails(req["bookingId"])  # through SES, nothing to confirm first
    assert to_guest["To"] == [req["guest"]["email"]]
    assert "confirmed" in to_guest["Subject"]
    assert saga.messages("OperationsAlertsTopic", req["bookingId"]) == []


def test_sold_out_fails_without_touching_inventory(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=2)
    first = saga.request(hotel, rooms=2)
    saga.start(first)
    saga.wait_status(first["bookingId"], BookingStatus.AWAITING_APPROVAL)

    second = saga.request(hotel, rooms=1)
    saga.start(second)
    done = saga.wait_done(second["bookingId"])

    assert done["status"] == "FAILED"
    assert done["error"] == "RoomUnavailable"
    booking = saga.booking(second["bookingId"])
    assert booking.status is BookingStatus.FAILED
    assert booking.reason == "ROOM_UNAVAILABLE"
    assert saga.visited(second["bookingId"]) == [
        "ReserveRoom",
        "RecordFailure",
        "HowDidItEnd",
        "RoomUnavailable",
    ]
    assert saga.attempts(second["bookingId"], "ReserveRoomFunction") == 1  # never retried
    assert saga.payment(second["bookingId"]) is None
    assert saga.inventory(hotel, second) == [0, 0]  # the first booking's rooms only
    (notice,) = saga.guest_emails(second["bookingId"])
    assert "not enough rooms" in notice["Body"]


def test_payment_declined_releases_room_without_retry(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=3)
    req = saga.request(hotel, rooms=2, token="tok_chargeDeclined")
    saga.start(req)
    done = saga.wait_done(req["bookingId"])

    assert done["error"] == "PaymentDeclined"
    booking = saga.booking(req["bookingId"])
    assert (booking.status, booking.reason) == (BookingStatus.FAILED, "PAYMENT_DECLINED")
    assert saga.visited(req["bookingId"]) == [
        "ReserveRoom",
        "RecordPayment",
        "ReleaseRoom",
        "RecordFailure",
        "HowDidItEnd",
        "PaymentDeclined",
    ]
    assert saga.attempts(req["bookingId"], "RecordPaymentFunction") == 1
    assert saga.payment(req["bookingId"]) is None
    assert saga.inventory(hotel, req) == [3, 3]
    assert [m["Subject"] for m in saga.guest_emails(req["bookingId"])] == [
        f"Your booking at {hotel.name} could not be completed"  # status FAILED
    ]
    assert saga.manager_messages(hotel, req["bookingId"]) == []


def test_transient_payment_error_is_retried_then_succeeds(saga: SagaDriver) -> None:
    hotel = saga.hotel()
    req = saga.request(hotel)
    saga.cloud.runtime.inject_fault(
        saga.stack.ref("RecordPaymentFunction"), "TransientError", "gateway timeout", times=1
    )
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    saga.decide(req["bookingId"], Decision.APPROVE)
    done = saga.wait_done(req["bookingId"])

    assert done["status"] == "SUCCEEDED"
    assert saga.attempts(req["bookingId"], "RecordPaymentFunction") == 2
    assert saga.visited(req["bookingId"]) == HAPPY
    assert saga.booking(req["bookingId"]).status is BookingStatus.CONFIRMED
    payment = saga.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.RECORDED


def test_transient_payment_error_exhausting_retries_is_compensated(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=3)
    req = saga.request(hotel, token="tok_processingError")
    saga.start(req)
    done = saga.wait_done(req["bookingId"])

    assert done["error"] == "PaymentFailed"
    assert saga.attempts(req["bookingId"], "RecordPaymentFunction") == 4  # 1 + MaxAttempts 3
    booking = saga.booking(req["bookingId"])
    assert (booking.status, booking.reason) == (BookingStatus.FAILED, "PAYMENT_ERROR")
    assert saga.visited(req["bookingId"]) == [
        "ReserveRoom",
        "RecordPayment",
        "RefundPayment",
        "ReleaseRoom",
        "RecordFailure",
        "HowDidItEnd",
        "PaymentFailed",
    ]
    assert saga.payment(req["bookingId"]) is None
    assert saga.inventory(hotel, req) == [3, 3]


def test_manager_rejects_refunds_and_releases(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=3)
    req = saga.request(hotel, rooms=1)
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    saga.decide(req["bookingId"], Decision.REJECT, "fully booked for a wedding")
    done = saga.wait_done(req["bookingId"])

    assert done["error"] == "BookingRejected"
    assert "wedding" in done["cause"]
    booking = saga.booking(req["bookingId"])
    assert (booking.status, booking.reason) == (BookingStatus.REJECTED, "MANAGER_REJECTED")
    assert saga.visited(req["bookingId"]) == [
        "ReserveRoom",
        "RecordPayment",
        "NotifyManager",
        "RefundPayment",
        "ReleaseRoom",
        "RecordFailure",
        "HowDidItEnd",
        "BookingRejected",
    ]
    payment = saga.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert saga.inventory(hotel, req) == [3, 3]
    (notice,) = saga.guest_emails(req["bookingId"])
    assert "declined" in notice["Subject"]


def test_approval_timeout_expires_the_booking(short_saga: SagaDriver) -> None:
    hotel = short_saga.hotel(rooms=2)
    req = short_saga.request(hotel)
    short_saga.start(req)
    done = short_saga.wait_done(req["bookingId"], timeout=30)

    assert done["error"] == "ApprovalTimedOut"
    booking = short_saga.booking(req["bookingId"])
    assert (booking.status, booking.reason) == (BookingStatus.EXPIRED, "APPROVAL_TIMEOUT")
    assert short_saga.visited(req["bookingId"])[2:] == [
        "NotifyManager",
        "RefundPayment",
        "ReleaseRoom",
        "RecordFailure",
        "HowDidItEnd",
        "ApprovalTimedOut",
    ]
    payment = short_saga.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert short_saga.inventory(hotel, req) == [2, 2]
    approval = short_saga.store.approvals.get(approval_id_for(req["bookingId"]))
    assert approval is not None and approval.state is ApprovalState.EXPIRED
    (notice,) = short_saga.guest_emails(req["bookingId"])
    assert "expired" in notice["Subject"]


def test_notification_failure_refunds_and_releases(short_saga: SagaDriver) -> None:
    # Given SNS refuses the manager notification (the hotel's topic is gone)
    hotel = short_saga.hotel(rooms=2)
    req = short_saga.request(hotel)
    short_saga.hotel_topics.close(hotel.hotelId)
    short_saga.start(req)
    done = short_saga.wait_done(req["bookingId"])

    assert done["error"] == "NotificationFailed"
    assert short_saga.attempts(req["bookingId"], "NotifyManagerFunction") == 4
    booking = short_saga.booking(req["bookingId"])
    assert (booking.status, booking.reason) == (BookingStatus.FAILED, "NOTIFICATION_ERROR")
    payment = short_saga.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert short_saga.inventory(hotel, req) == [2, 2]
    approval = short_saga.store.approvals.get(approval_id_for(req["bookingId"]))
    assert approval is not None and approval.state is ApprovalState.CANCELLED


def test_compensation_failing_once_is_retried(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=2)
    req = saga.request(hotel)
    saga.cloud.runtime.inject_fault(saga.stack.ref("RefundPaymentFunction"), "TransientError")
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    saga.decide(req["bookingId"], Decision.REJECT)
    done = saga.wait_done(req["bookingId"])

    assert done["error"] == "BookingRejected"
    assert saga.attempts(req["bookingId"], "RefundPaymentFunction") == 2
    payment = saga.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert saga.inventory(hotel, req) == [2, 2]
    assert saga.messages("OperationsAlertsTopic", req["bookingId"]) == []


def test_compensation_failing_for_good_alerts_operations(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=2)
    req = saga.request(hotel, token="tok_chargeDeclined")
    saga.cloud.runtime.inject_fault(
        saga.stack.ref("ReleaseRoomFunction"), "TransientError", "inventory table down", times=99
    )
    saga.start(req)
    done = saga.wait_done(req["bookingId"], timeout=30)

    assert done["error"] == "CompensationFailed"
    assert saga.attempts(req["bookingId"], "ReleaseRoomFunction") == 7  # 1 + MaxAttempts 6
    booking = saga.booking(req["bookingId"])
    assert (booking.status, booking.reason) == (BookingStatus.FAILED, "COMPENSATION_FAILED")
    assert saga.visited(req["bookingId"])[-3:] == [
        "RecordFailure",
        "HowDidItEnd",
        "CompensationFailed",
    ]
    (alert,) = saga.messages("OperationsAlertsTopic", req["bookingId"])
    assert "CompensationFailed" in alert["Subject"]
    assert "inventory table down" in alert["Message"]
    # No guest data (the sandbox's decline reason names its test card, as a decline code would).
    for secret in (req["guest"]["email"], req["guest"]["name"], "paymentToken"):
        assert secret not in alert["Message"]
    # Honest: the room was not given back, which is exactly what the alert is for.
    assert saga.inventory(hotel, req) == [1, 1]


def test_same_booking_started_twice_runs_one_saga(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=3)
    req = saga.request(hotel, rooms=1)
    first = saga.start(req)
    try:
        second = saga.start(req)
    except saga.sfn.exceptions.ExecutionAlreadyExists:
        second = first
    assert second == first
    with pytest.raises(saga.sfn.exceptions.ExecutionAlreadyExists):
        saga.start({**req, "rooms": 2})
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)

    executions = saga.sfn.list_executions(stateMachineArn=saga.state_machine_arn)["executions"]
    assert [e["name"] for e in executions].count(req["bookingId"]) == 1
    assert saga.inventory(hotel, req) == [2, 2]


def test_redelivered_steps_change_nothing_twice(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=3)
    req = saga.request(hotel, rooms=1)
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    state = saga.last_state_input(req["bookingId"])

    def redeliver(function: str, step: str) -> dict[str, object]:
        return saga.redeliver(function, step, state)

    redeliver("ReserveRoomFunction", "ReserveRoom")
    payment = redeliver("RecordPaymentFunction", "RecordPayment")

    assert saga.inventory(hotel, req) == [2, 2]
    assert payment["paymentId"] == state["payment"]["paymentId"]
    assert saga.booking(req["bookingId"]).status is BookingStatus.AWAITING_APPROVAL
    saga.decide(req["bookingId"], Decision.APPROVE)
    saga.wait_done(req["bookingId"])
    for _ in range(2):
        redeliver("RefundPaymentFunction", "RefundPayment")
        redeliver("ReleaseRoomFunction", "ReleaseRoom")
    assert saga.inventory(hotel, req) == [3, 3]  # given back exactly once


def test_a_redelivered_reserve_of_the_last_room_after_a_price_change_keeps_its_booking(
    saga: SagaDriver,
) -> None:
    """ReserveRoom reads no booking before its transaction: a redelivery is refused by the
    booking's condition, together with the night that is now full (by its own room) and the
    hotel that changed since; it must still answer with the reservation it made."""
    hotel = saga.hotel(rooms=1, price="100.00")
    req = saga.request(hotel, rooms=1)
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    stored = saga.store.hotels.get(hotel.hotelId)
    assert stored is not None
    assert saga.store.hotels.replace(stored.model_copy(update={"pricePerNight": Decimal("300.00")}))
    answer = saga.redeliver("ReserveRoomFunction", "ReserveRoom", dict(req))

    assert answer["amount"] == "200.00"  # not 600.00
    assert saga.inventory(hotel, req) == [0, 0]
    assert saga.booking(req["bookingId"]).status is BookingStatus.AWAITING_APPROVAL


def test_confirm_tells_the_guest_once_and_a_retry_after_a_failed_send_tells_them(
    saga: SagaDriver,
) -> None:
    """ConfirmBooking confirms and claims the guest's message in one write: a redelivery
    sends nothing again, and once a failed send has given the claim back, the retry sends."""
    hotel = saga.hotel(rooms=2)
    req = saga.request(hotel)
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    saga.decide(req["bookingId"], Decision.APPROVE)
    saga.wait_done(req["bookingId"])
    state = saga.last_state_input(req["bookingId"])

    def redeliver() -> None:
        saga.redeliver("ConfirmBookingFunction", "ConfirmBooking", state)

    assert len(saga.guest_emails(req["bookingId"])) == 1
    redeliver()
    assert len(saga.guest_emails(req["bookingId"])) == 1
    saga.store.bookings.unmark_guest_notified(req["bookingId"])  # as a failed send does
    redeliver()
    assert len(saga.guest_emails(req["bookingId"])) == 2
    booking = saga.booking(req["bookingId"])
    assert booking.status is BookingStatus.CONFIRMED
    assert [s.state for s in booking.steps].count("ConfirmBooking") == 1


def test_a_step_that_moves_a_booking_without_reading_it_first_still_names_the_conflict(
    saga: SagaDriver,
) -> None:
    """``advance`` writes without reading the booking's hotel first: a missing booking, or a
    step input naming another hotel, is refused by the condition and named, not written."""
    hotel = saga.hotel(rooms=2)
    req = saga.request(hotel)
    saga.start(req)
    booking_id = req["bookingId"]
    saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    bookings = saga.store.bookings
    confirm = Transition(
        to=BookingStatus.CONFIRMED, since=frozenset({BookingStatus.AWAITING_APPROVAL}), step="X"
    )

    with pytest.raises(BookingStateConflict, match="is None"):
        bookings.advance("bk_missing", hotel.hotelId, confirm)
    with pytest.raises(BookingStateConflict, match="AWAITING_APPROVAL"):
        bookings.advance(booking_id, "another-hotel", confirm)
    assert bookings.get("bk_missing") is None
    assert saga.booking(booking_id).status is BookingStatus.AWAITING_APPROVAL
    # A late redelivery of an earlier step changes nothing and says so.
    pay = Transition(
        to=BookingStatus.PAYMENT_RECORDED, since=frozenset({BookingStatus.ROOM_RESERVED}), step="X"
    )
    assert not bookings.advance(booking_id, hotel.hotelId, pay)
    assert bookings.advance(booking_id, hotel.hotelId, confirm)
    # The status index is keyed by the step input's hotel: the manager's list of CONFIRMED.
    confirmed = bookings.of_hotel(hotel.hotelId, BookingStatus.CONFIRMED)
    assert [b.bookingId for b in confirmed] == [booking_id]


def test_opening_an_approval_answers_with_the_record_written_and_refuses_a_decided_one(
    saga: SagaDriver,
) -> None:
    approvals = saga.store.approvals
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    opened = approvals.open("ap_open_test", "bk_open_test", "h1", "token-1", expires)
    again = approvals.open("ap_open_test", "bk_open_test", "h1", "token-2", expires)

    assert (opened.taskToken, opened.state) == ("token-1", ApprovalState.PENDING)
    assert (again.taskToken, again.state) == ("token-2", ApprovalState.PENDING)
    assert approvals.get("ap_open_test") == again
    assert approvals.close("ap_open_test", ApprovalState.APPROVED, "manager")
    with pytest.raises(BookingStateConflict, match="already decided"):
        approvals.open("ap_open_test", "bk_open_test", "h1", "token-3", expires)
    stored = approvals.get("ap_open_test")
    assert stored is not None and stored.taskToken == "token-2"


def test_two_bookings_racing_for_the_last_room(saga: SagaDriver) -> None:
    hotel = saga.hotel(rooms=1)
    requests = [saga.request(hotel) for _ in range(2)]
    barrier = threading.Barrier(len(requests))

    def go(req: dict[str, object]) -> None:
        barrier.wait()
        saga.start(req)

    threads = [threading.Thread(target=go, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = []
    for req in requests:
        booking = saga.store.bookings.get(req["bookingId"])
        deadline_ok = None
        for _ in range(1000):
            booking = saga.store.bookings.get(req["bookingId"])
            if booking and booking.status in (
                BookingStatus.AWAITING_APPROVAL,
                BookingStatus.FAILED,
            ):
                deadline_ok = booking
                break
            threading.Event().wait(0.01)
        assert deadline_ok is not None, f"{req['bookingId']} never settled"
        statuses.append((deadline_ok.status, deadline_ok.reason))
    assert sorted(statuses, key=str) == sorted(
        [(BookingStatus.AWAITING_APPROVAL, None), (BookingStatus.FAILED, "ROOM_UNAVAILABLE")],
        key=str,
    )
    assert saga.inventory(hotel, requests[0]) == [0, 0]


def test_malformed_input_fails_with_named_error(saga: SagaDriver) -> None:
    bad = {"bookingId": "bk-malformed-1", "guest": {"name": "x"}, "rooms": 0}
    saga.start(bad)
    done = saga.wait_done("bk-malformed-1")

    assert done["status"] == "FAILED"
    assert done["error"] == "InvalidBookingInput"
    assert "hotelId" in done["cause"] and "rooms" in done["cause"]
    assert saga.visited("bk-malformed-1") == ["ReserveRoom", "InvalidInput"]


def test_names_with_line_breaks_never_fail_the_manager_notification(saga: SagaDriver) -> None:
    # Given a hotel whose name holds CRLF and a guest whose name holds a line break (SNS
    # refuses such subjects, locally too: localaws/aws/sns.py)
    hotel = saga.hotel(name="Grand\r\nHotel\tLisboa")
    req = saga.request(hotel)
    req["guest"]["name"] = "Ann\nSmith"

    # When the saga runs
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)

    # Then the manager is asked (the step publishes just after it sets the status), with a
    # subject of one clean line
    (to_manager,) = eventually(lambda: saga.manager_messages(hotel, req["bookingId"]))
    assert to_manager["Subject"].startswith("Approval needed: Ann Smith at Grand Hotel Lisboa")
    assert "InvalidParameter" not in json.dumps(saga.history(req["bookingId"]), default=str)
    saga.decide(req["bookingId"], Decision.APPROVE)
    assert saga.wait_done(req["bookingId"])["status"] == "SUCCEEDED"


def test_outcome_not_recorded_alert_carries_what_support_needs_and_nothing_secret(
    saga: SagaDriver,
) -> None:
    # Given a booking that fails (declined card) and RecordFailure that fails for good
    hotel = saga.hotel(rooms=2)
    req = saga.request(hotel, token="tok_chargeDeclined")
    saga.cloud.runtime.inject_fault(
        saga.stack.ref("RecordFailureFunction"), "TransientError", "bookings table down", times=99
    )
    saga.start(req)
    done = saga.wait_done(req["bookingId"], timeout=30)

    # Then the state machine pages operations itself
    assert done["error"] == "OutcomeNotRecorded"
    assert saga.visited(req["bookingId"])[-3:] == [
        "SummariseForOperations",
        "AlertOperations",
        "OutcomeNotRecorded",
    ]
    (alert,) = saga.messages("OperationsAlertsTopic", req["bookingId"])
    assert alert["Subject"] == f"OutcomeNotRecorded: booking {req['bookingId']}"
    # with the fields support staff need (issue 9 item 11)...
    body = json.loads(alert["Message"])
    arn = saga.execution_arn(req["bookingId"])
    assert body["bookingId"] == req["bookingId"]
    assert (body["executionName"], body["executionArn"]) == (req["bookingId"], arn)
    assert body["console"] == (
        f"https://{saga.cloud.region}.console.aws.amazon.com/states/home"
        f"#/v2/executions/details/{arn}"
    )
    assert (body["failedState"], body["error"]) == ("RecordFailure", "TransientError")
    assert "bookings table down" in body["cause"]
    assert body["time"]
    # ...and nothing secret: no payment token, no guest data
    for secret in ("tok_chargeDeclined", req["guest"]["email"], req["guest"]["name"]):
        assert secret not in alert["Message"]
