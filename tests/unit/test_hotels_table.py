"""The hotels table's versioned writes, on a fake client (no AWS)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from hotel_booking.dal.hotels import HotelsTable
from hotel_booking.errors import TransientError
from tests.fixtures.samples import HOTEL


class Client:
    """Answers put_item with the given error codes in turn, then succeeds."""

    def __init__(self, *codes: str) -> None:
        self.codes = list(codes)
        self.puts: list[dict[str, Any]] = []

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        self.puts.append(kwargs)
        if self.codes:
            code = self.codes.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": code}}, "PutItem")
        return {}


def table(client: Client) -> HotelsTable:
    hotels = HotelsTable(client, "hotels")
    hotels._sleep = lambda seconds: None  # type: ignore[method-assign]
    return hotels


def test_a_write_is_conditioned_on_the_version_read_and_bumps_it() -> None:
    client = Client()
    stored = table(client).replace(HOTEL.model_copy(update={"version": 4}))
    assert stored is not None and stored.version == 5
    (put,) = client.puts
    assert put["Item"]["version"] == {"N": "5"}
    assert put["ExpressionAttributeValues"] == {":v": {"N": "4"}}
    assert "#version = :v" in put["ConditionExpression"]


def test_a_hotel_changed_meanwhile_is_not_overwritten() -> None:
    assert table(Client("ConditionalCheckFailedException")).replace(HOTEL) is None


def test_a_transaction_in_progress_on_the_hotel_is_waited_out() -> None:
    client = Client("TransactionConflictException", "TransactionConflictException")
    stored = table(client).replace(HOTEL)
    assert stored is not None and stored.version == 1
    assert len(client.puts) == 3


def test_a_conflict_that_does_not_clear_is_a_transient_fault() -> None:
    client = Client(*["TransactionConflictException"] * 10)
    with pytest.raises(TransientError):
        table(client).replace(HOTEL)
    assert len(client.puts) == 4
