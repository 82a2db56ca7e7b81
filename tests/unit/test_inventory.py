"""The inventory rules and the Step Functions wrapper, with no AWS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hotel_booking.dal.executions import Executions
from hotel_booking.errors import SagaAlreadyStarted, SagaNotStarted, TaskNoLongerWaiting
from hotel_booking.logic import inventory
from hotel_booking.models import Guest, Stay
from tests.fixtures.samples import HOTEL

NIGHT = dt.date(2030, 7, 1)
STAY = Stay(
    bookingId="b1",
    hotelId="h1",
    guest=Guest(sub="g", name="G", email="g@example.com"),
    checkIn=NIGHT,
    checkOut=NIGHT + dt.timedelta(days=2),
    rooms=2,
)


def test_a_night_nobody_booked_has_all_the_rooms() -> None:
    nights = STAY.nights
    assert inventory.rooms_left(HOTEL, {nights[0]: 2}, nights) == {nights[0]: 1, nights[1]: 3}
    assert inventory.has_room(HOTEL, {nights[0]: 2}, nights)
    assert not inventory.has_room(HOTEL, {nights[0]: 3}, nights)


def test_a_stay_cannot_take_more_rooms_than_the_hotel_has() -> None:
    assert inventory.capacity_problem(HOTEL, 3) is None
    assert inventory.capacity_problem(HOTEL, 4) == "Sea View has only 3 rooms"


def test_a_reservation_takes_the_rooms_on_every_night_and_a_release_gives_them_back() -> None:
    take = inventory.take(STAY, HOTEL.model_copy(update={"version": 7}))
    assert (take.nights, take.delta, take.limit, take.hotelVersion) == (
        tuple(STAY.nights),
        2,
        3,
        7,
    )
    back = inventory.give_back(STAY)
    assert (back.nights, back.delta, back.limit, back.hotelVersion) == (
        tuple(STAY.nights),
        -2,
        None,
        None,
    )


def test_only_a_lower_room_count_is_checked_against_what_the_nights_hold() -> None:
    assert inventory.lowers(HOTEL, 2)
    assert not inventory.lowers(HOTEL, 3)
    assert not inventory.lowers(HOTEL, 5)
    held = {NIGHT: 2, NIGHT + dt.timedelta(days=1): 1, NIGHT + dt.timedelta(days=2): 3}
    assert inventory.overbooked_nights(held, 1) == [NIGHT, NIGHT + dt.timedelta(days=2)]
    assert inventory.overbooked_nights(held, 3) == []


def test_while_the_room_count_is_being_lowered_no_night_fills_beyond_the_new_count() -> None:
    marked = HOTEL.model_copy(update={"loweringTo": 1})
    nights = STAY.nights
    assert inventory.bookable_rooms(marked) == 1
    assert inventory.rooms_left(marked, {nights[0]: 1}, nights) == {nights[0]: 0, nights[1]: 1}
    assert inventory.capacity_problem(marked, 2) == "Sea View has only 1 room"
    assert inventory.take(STAY, marked).limit == 1
    assert inventory.lowers(marked, 1) is False  # already marked down to 1
    assert inventory.lowers(marked, 3) is False  # raising lifts the mark


class FakeSfn:
    def __init__(self, code: str) -> None:
        self.code = code

    def _fail(self, operation: str) -> Any:
        raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, operation)

    def start_execution(self, **kwargs: Any) -> Any:
        return self._fail("StartExecution")

    def send_task_success(self, **kwargs: Any) -> Any:
        return self._fail("SendTaskSuccess")


MACHINE = "arn:aws:states:eu-west-2:1:stateMachine:sm"


def test_step_functions_errors_become_domain_errors() -> None:
    with pytest.raises(SagaAlreadyStarted) as started:
        Executions(FakeSfn("ExecutionAlreadyExists"), MACHINE).start("b1", "{}")
    assert started.value.execution_arn == "arn:aws:states:eu-west-2:1:execution:sm:b1"
    with pytest.raises(SagaNotStarted):
        Executions(FakeSfn("ThrottlingException"), MACHINE).start("b1", "{}")
    for code in ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken"):
        with pytest.raises(TaskNoLongerWaiting):
            Executions(FakeSfn(code), MACHINE).succeed("token", "{}")
    with pytest.raises(ClientError):  # anything else is a fault, not a decision
        Executions(FakeSfn("AccessDeniedException"), MACHINE).succeed("token", "{}")
