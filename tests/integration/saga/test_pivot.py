"""The pivot (issue 21): once ConfirmBooking's write has made the booking CONFIRMED, the saga only
goes forward; a notice that cannot be sent never refunds, releases or overwrites an outcome.
Faults come from the local engine's FIS-shaped injection (localaws/engine/faults.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from hotel_booking.models import BookingStatus, Decision, PaymentStatus
from localaws.engine.faults import DEPENDENCY_ERROR, INVOCATION_ERROR
from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import guest
from tests.fixtures.saga_driver import SagaDriver
from tests.fixtures.waiting import eventually

SES_ERRORS = ["Throttling", "AccessDenied", "LimitExceededException", "MessageRejected"]
#: Generous: the first booking of a stack pays every step's cold start, and the machine is shared.
WAIT = 90


@pytest.fixture
def driver(saga: SagaDriver) -> Iterator[SagaDriver]:
    yield saga
    saga.cloud.runtime.clear_faults()


def approved(saga: SagaDriver, **fault: Any) -> tuple[dict[str, Any], Any]:
    """A booking the manager approves, with ``fault`` on ConfirmBooking from then on."""
    hotel = saga.hotel(rooms=3)
    req = saga.request(hotel)
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL, timeout=WAIT)
    saga.cloud.runtime.inject(saga.stack.ref("ConfirmBookingFunction"), **fault)
    saga.decide(req["bookingId"], Decision.APPROVE)
    return req, hotel


@pytest.mark.parametrize("code", SES_ERRORS)
def test_an_email_failure_after_confirming_never_undoes_the_booking(
    driver: SagaDriver, code: str
) -> None:
    req, hotel = approved(driver, action=DEPENDENCY_ERROR, service="ses", error=code)
    booking_id = req["bookingId"]
    done = driver.wait_done(booking_id, timeout=WAIT)

    assert done["status"] == "SUCCEEDED"
    assert driver.booking(booking_id).status is BookingStatus.CONFIRMED
    payment = driver.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.RECORDED  # not refunded
    assert driver.inventory(hotel, req) == [2, 2]  # the room stays held
    visited = driver.visited(booking_id)
    assert "RefundPayment" not in visited and "ReleaseRoom" not in visited
    assert driver.guest_emails(booking_id) == []
    alerts = driver.messages("OperationsAlertsTopic", booking_id)
    if code == "MessageRejected":  # refused for good: logged, the outcome stands, no retry
        assert visited[-1] == "BookingConfirmed" and alerts == []
        return
    assert visited[-7:] == [
        "ReadConfirmation",
        "WasItConfirmed",
        "WasGuestTold",
        "SummariseGuestNotTold",
        "AlertNoticeNotSent",
        "AfterNoticeAlert",
        "ConfirmedNoticeNotSent",
    ]
    (alert,) = alerts
    assert alert["Subject"] == f"NoticeNotSent: booking {booking_id} (ConfirmBooking)"
    body = json.loads(alert["Message"])
    assert (body["failedState"], body["error"]) == ("ConfirmBooking", "NotificationError")
    assert code in body["cause"]
    assert req["guest"]["email"] not in alert["Message"]
    assert req["paymentToken"] not in alert["Message"]


def test_confirmed_but_every_answer_lost_goes_forward_without_an_alert(
    driver: SagaDriver,
) -> None:
    """preventExecution false: each attempt confirms (and tells the guest once), and the
    caller still sees Lambda.ServiceException; the record says it is done."""
    req, hotel = approved(driver, action=INVOCATION_ERROR, prevent_execution=False)
    booking_id = req["bookingId"]
    done = driver.wait_done(booking_id, timeout=WAIT)

    assert done["status"] == "SUCCEEDED"
    assert driver.booking(booking_id).status is BookingStatus.CONFIRMED
    assert driver.attempts(booking_id, "ConfirmBookingFunction") == 4
    assert driver.visited(booking_id)[-5:] == [
        "ConfirmBooking",
        "ReadConfirmation",
        "WasItConfirmed",
        "WasGuestTold",
        "BookingConfirmed",
    ]
    assert len(driver.guest_emails(booking_id)) == 1
    assert driver.messages("OperationsAlertsTopic", booking_id) == []
    payment = driver.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.RECORDED
    assert driver.inventory(hotel, req) == [2, 2]


def test_a_confirmation_that_never_ran_is_compensated(driver: SagaDriver) -> None:
    req, hotel = approved(driver, action=INVOCATION_ERROR, prevent_execution=True)
    booking_id = req["bookingId"]
    done = driver.wait_done(booking_id, timeout=WAIT)

    assert done["error"] == "ConfirmationFailed"
    assert "ReadConfirmation" in driver.visited(booking_id)
    assert driver.booking(booking_id).status is BookingStatus.FAILED
    payment = driver.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert driver.inventory(hotel, req) == [3, 3]
    assert len(driver.guest_emails(booking_id)) == 1  # "could not be completed"
    assert driver.messages("OperationsAlertsTopic", booking_id) == []


def test_an_email_failure_after_the_outcome_was_written_is_not_outcome_not_recorded(
    driver: SagaDriver,
) -> None:
    hotel = driver.hotel(rooms=3)
    req = driver.request(hotel, token="tok_chargeDeclined")
    booking_id = req["bookingId"]
    driver.cloud.runtime.inject(
        driver.stack.ref("RecordFailureFunction"),
        action=DEPENDENCY_ERROR,
        service="ses",
        error="Throttling",
    )
    driver.start(req)
    done = driver.wait_done(booking_id, timeout=WAIT)

    assert done["error"] == "OutcomeNotAnnounced"
    booking = driver.booking(booking_id)
    assert (booking.status, booking.reason) == (BookingStatus.FAILED, "PAYMENT_DECLINED")
    assert driver.inventory(hotel, req) == [3, 3]
    (alert,) = driver.messages("OperationsAlertsTopic", booking_id)
    assert alert["Subject"] == f"NoticeNotSent: booking {booking_id} (RecordFailure)"
    assert json.loads(alert["Message"])["error"] == "NotificationError"


def test_a_cancellation_whose_email_fails_stands(driver: SagaDriver) -> None:
    api = ApiClient(driver.cloud, driver.stack)
    hotel = api.create_hotel(rooms=3)
    who = guest("pivot-canceller")
    booking_id = str(api.book(hotel, who)["bookingId"])
    driver.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL, timeout=WAIT)
    driver.decide(booking_id, Decision.APPROVE)
    driver.wait_done(booking_id, timeout=WAIT)
    driver.cloud.runtime.inject(
        driver.stack.ref("FinishCancellationFunction"),
        action=DEPENDENCY_ERROR,
        service="ses",
        error="Throttling",
    )

    assert api.bookings("POST", f"/bookings/{booking_id}/cancel", claims=who).status == 202
    driver.wait_status(booking_id, BookingStatus.CANCELLED, timeout=WAIT)
    alerts = _eventually_one_alert(driver, booking_id)

    assert driver.booking(booking_id).status is BookingStatus.CANCELLED
    payment = driver.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert alerts[0]["Subject"] == f"NoticeNotSent: booking {booking_id} (FinishCancellation)"


def _eventually_one_alert(driver: SagaDriver, booking_id: str) -> list[dict[str, Any]]:
    return eventually(lambda: driver.messages("OperationsAlertsTopic", booking_id), WAIT)


def test_a_refund_whose_answers_are_lost_is_not_a_compensation_failure(
    driver: SagaDriver,
) -> None:
    """RefundPayment refunds on every attempt and its caller never hears: the records show
    the compensation done, so the rooms are released too and nobody is paged."""
    hotel = driver.hotel(rooms=3)
    req = driver.request(hotel)
    booking_id = req["bookingId"]
    driver.start(req)
    driver.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL, timeout=WAIT)
    driver.cloud.runtime.inject(
        driver.stack.ref("RefundPaymentFunction"), action=INVOCATION_ERROR, prevent_execution=False
    )
    driver.decide(booking_id, Decision.REJECT, "full")
    done = driver.wait_done(booking_id, timeout=WAIT)

    assert done["error"] == "BookingRejected"
    assert driver.visited(booking_id)[-4:] == [
        "ReleaseRoom",
        "RecordFailure",
        "HowDidItEnd",
        "BookingRejected",
    ]
    payment = driver.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert driver.inventory(hotel, req) == [3, 3]
    assert driver.messages("OperationsAlertsTopic", booking_id) == []


def test_record_failure_whose_answers_are_lost_ends_as_the_record_says(
    driver: SagaDriver,
) -> None:
    hotel = driver.hotel(rooms=3)
    req = driver.request(hotel, token="tok_chargeDeclined")
    booking_id = req["bookingId"]
    driver.cloud.runtime.inject(
        driver.stack.ref("RecordFailureFunction"), action=INVOCATION_ERROR, prevent_execution=False
    )
    driver.start(req)
    done = driver.wait_done(booking_id, timeout=WAIT)

    assert done["error"] == "PaymentDeclined"
    assert driver.visited(booking_id)[-5:] == [
        "ReadOutcome",
        "WasOutcomeWritten",
        "OutcomeFromRecord",
        "HowDidItEndRecorded",
        "PaymentDeclined",
    ]
    assert "PAYMENT_DECLINED" in done["cause"]
    assert len(driver.guest_emails(booking_id)) == 1
    assert driver.messages("OperationsAlertsTopic", booking_id) == []
