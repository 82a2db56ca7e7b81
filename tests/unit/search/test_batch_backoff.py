"""Clearing the search table (a projection rebuild) writes in BatchWriteItem batches; what
DynamoDB answers as UnprocessedItems (a throttled partition) is sent again after a growing,
jittered pause, and a batch that never gets through fails loudly instead of spinning."""

from __future__ import annotations

from typing import Any

import pytest

from hotel_booking.search import dynamo
from hotel_booking.search.dynamo import SearchTable, WritesNotProcessed

TABLE = "search"


class Throttled:
    """BatchWriteItem that leaves the last write unprocessed ``times`` times."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.sent: list[int] = []

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        writes = RequestItems[TABLE]
        self.sent.append(len(writes))
        if self.times > 0:
            self.times -= 1
            return {"UnprocessedItems": {TABLE: writes[-1:]}}
        return {"UnprocessedItems": {}}


def deletes(n: int) -> list[Any]:
    return [{"DeleteRequest": {"Key": {"hotelId": {"S": f"h{i}"}}}} for i in range(n)]


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(dynamo.time, "sleep", slept.append)
    monkeypatch.setattr(dynamo.random, "uniform", lambda low, high: high)  # the ceiling
    return slept


def test_unprocessed_writes_are_sent_again_after_growing_pauses(pauses: list[float]) -> None:
    db = Throttled(times=3)
    SearchTable(db, TABLE)._batch(deletes(25))  # type: ignore[arg-type]
    assert db.sent == [25, 1, 1, 1]  # only what was left, each time
    assert pauses == [0.1, 0.2, 0.4]


def test_a_batch_that_never_gets_through_fails_naming_what_is_left(pauses: list[float]) -> None:
    db = Throttled(times=100)
    with pytest.raises(WritesNotProcessed, match="1 of 25 writes to search"):
        SearchTable(db, TABLE)._batch(deletes(25))  # type: ignore[arg-type]
    assert len(db.sent) == dynamo.BATCH_ATTEMPTS
    assert max(pauses) == dynamo.BATCH_PAUSE_CAP
