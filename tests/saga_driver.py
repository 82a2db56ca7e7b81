"""Drive bookings through the deployed saga and read back what a user would notice."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from typing import Any

from hotel_booking.dal.dynamo import SagaStore
from hotel_booking.logic.approvals import decide
from hotel_booking.logic.domain import derived_id
from hotel_booking.models import Booking, BookingStatus, Decision, Hotel, Payment
from localaws.cloud import LocalCloud
from localaws.deploy import Stack
from localaws.history import events

_ids = itertools.count(1)
CHECK_IN = dt.date.today() + dt.timedelta(days=30)


class SagaTimeout(AssertionError):
    pass


class Changes:
    """Wakes waiters whenever any execution records a history event (the cloud's hook), so a
    test waits on events instead of polling every few milliseconds."""

    _by_cloud: dict[int, Changes] = {}

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.version = 0

    @classmethod
    def of(cls, cloud: LocalCloud) -> Changes:
        if id(cloud) not in cls._by_cloud:
            changes = cls._by_cloud[id(cloud)] = cls()
            cloud.add_history_listener(changes._heard)
        return cls._by_cloud[id(cloud)]

    def _heard(self, execution_arn: str, event: dict[str, Any]) -> None:
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        """Until an event newer than version ``seen``, or ``timeout`` (a safety net)."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen, timeout)


class SagaDriver:
    def __init__(self, cloud: LocalCloud, stack: Stack) -> None:
        self.cloud = cloud
        self.stack = stack
        self.sfn = cloud.client("stepfunctions")
        self.state_machine_arn = stack.ref("BookingStateMachine")
        self.changes = Changes.of(cloud)
        self.store = SagaStore(
            cloud.client("dynamodb"),
            hotels_table=stack.ref("HotelsTable"),
            inventory_table=stack.ref("InventoryTable"),
            bookings_table=stack.ref("BookingsTable"),
            payments_table=stack.ref("PaymentsTable"),
            approvals_table=stack.ref("ApprovalsTable"),
        )

    # -- given ----------------------------------------------------------------------------
    def hotel(self, rooms: int = 3, price: str = "120.00") -> Hotel:
        n = next(_ids)
        now = dt.datetime.now(dt.UTC)
        hotel = Hotel(
            hotelId=f"h{n}-{self.stack.name}",
            name=f"Hotel {n}",
            city="Lisbon",
            stars=4,
            pricePerNight=price,  # type: ignore[arg-type]
            rooms=rooms,
            managerEmail=f"manager{n}@example.com",
            createdAt=now,
            updatedAt=now,
        )
        self.store.put_hotel(hotel)
        return hotel

    def request(
        self, hotel: Hotel, rooms: int = 1, token: str = "tok_visa", nights: int = 2
    ) -> dict[str, Any]:
        n = next(_ids)
        return {
            "bookingId": f"bk-{n}-{int(time.time() * 1000) % 10**8}",
            "hotelId": hotel.hotelId,
            "guest": {"sub": f"guest-{n}", "name": f"Guest {n}", "email": f"guest{n}@example.com"},
            "checkIn": CHECK_IN.isoformat(),
            "checkOut": (CHECK_IN + dt.timedelta(days=nights)).isoformat(),
            "rooms": rooms,
            "paymentToken": token,
        }

    # -- when -----------------------------------------------------------------------------
    def start(self, request: dict[str, Any]) -> str:
        resp = self.sfn.start_execution(
            stateMachineArn=self.state_machine_arn,
            name=request["bookingId"],
            input=json.dumps(request),
        )
        return str(resp["executionArn"])

    def decide(self, booking_id: str, decision: Decision, reason: str | None = None) -> None:
        decide(
            self.store,
            self.sfn,
            derived_id("apr", booking_id),
            decision,
            "manager@example.com",
            reason,
        )

    # -- then -----------------------------------------------------------------------------
    def execution_arn(self, booking_id: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{booking_id}"

    def wait_status(self, booking_id: str, status: BookingStatus, timeout: float = 15) -> Booking:
        """Poll until the booking has ``status``; fail (never hang) if the saga ended elsewhere."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.changes.version
            booking = self.store.get_booking(booking_id)
            if booking is not None and booking.status is status:
                return booking
            done = self._finished(booking_id)
            if done is not None and (booking is None or booking.status.is_final):
                raise SagaTimeout(
                    f"saga ended {done['status']} ({done.get('error')}: {done.get('cause')}) "
                    f"with booking {booking.status if booking else None}, wanted {status}"
                )
            if time.monotonic() > deadline:
                raise SagaTimeout(
                    f"booking {booking_id} is {booking.status if booking else None} after "
                    f"{timeout}s, wanted {status}"
                )
            self.changes.wait(seen, 0.5)

    def wait_done(self, booking_id: str, timeout: float = 20) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.changes.version
            done = self._finished(booking_id)
            if done is not None:
                return done
            self.changes.wait(seen, 0.5)
        raise SagaTimeout(f"execution {booking_id} still running after {timeout}s")

    def _finished(self, booking_id: str) -> dict[str, Any] | None:
        desc = self.sfn.describe_execution(executionArn=self.execution_arn(booking_id))
        return desc if desc["status"] != "RUNNING" else None

    def history(self, booking_id: str) -> list[dict[str, Any]]:
        return list(events(self.sfn, self.execution_arn(booking_id)))

    def visited(self, booking_id: str) -> list[str]:
        return [
            e["stateEnteredEventDetails"]["name"]
            for e in self.history(booking_id)
            if "stateEnteredEventDetails" in e
        ]

    def attempts(self, booking_id: str, function_logical_id: str) -> int:
        """How many times the execution invoked a function (each retry is one more)."""
        name = self.stack.ref(function_logical_id)
        count = 0
        for e in self.history(booking_id):
            details = e.get("lambdaFunctionScheduledEventDetails") or e.get(
                "taskScheduledEventDetails"
            )
            if details and name in json.dumps(details):
                count += 1
        return count

    def booking(self, booking_id: str) -> Booking:
        booking = self.store.get_booking(booking_id)
        assert booking is not None, f"no booking record for {booking_id}"
        return booking

    def payment(self, booking_id: str) -> Payment | None:
        return self.store.get_payment(booking_id)

    def inventory(self, hotel: Hotel, request: dict[str, Any]) -> list[int]:
        check_in = dt.date.fromisoformat(request["checkIn"])
        check_out = dt.date.fromisoformat(request["checkOut"])
        nights = [check_in + dt.timedelta(days=i) for i in range((check_out - check_in).days)]
        left = self.store.available_rooms(hotel, nights)
        return [left[n] for n in nights]

    def messages(self, topic_logical_id: str, booking_id: str) -> list[dict[str, Any]]:
        return [
            m
            for m in self.cloud.sns_messages(self.stack.ref(topic_logical_id))
            if m["MessageAttributes"].get("bookingId") == booking_id
        ]
