"""What every table module shares: item conversion, retryable faults, conditional writes.

A table module says what to write and under which condition; this module turns the
DynamoDB answers into what the caller needs: ``False`` for a condition that did not hold,
:class:`TransientError` (retried by the state machine) for throttling and conflicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from hotel_booking.clock import Clock, utc_now
from hotel_booking.errors import TransientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
        # A single-item write that met a transaction in progress on the same item (on AWS;
        # the local engine never answers it): e.g. a PUT of a hotel while a reservation's
        # transaction checks that hotel.
        "TransactionConflictException",
    }
)
#: The single-item writes and the paginated reads a table module names by operation.
Write = Literal["put_item", "update_item", "delete_item"]
Listing = Literal["query", "scan"]

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"

_ser = TypeSerializer()
_de = TypeDeserializer()


def _plain(value: Any) -> Any:
    """Python value -> what TypeSerializer accepts (dates as ISO strings, enums by value)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_item(model: BaseModel) -> dict[str, Any]:
    data = _plain(model.model_dump(mode="python", exclude_none=True))
    return {k: _ser.serialize(v) for k, v in data.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def values(**named: Any) -> dict[str, Any]:
    """Expression attribute values from Python values: ``values(n=1)`` is ``{":n": {"N": "1"}}``."""
    return {f":{k}": _ser.serialize(_plain(v)) for k, v in named.items()}


def key(**parts: str) -> dict[str, Any]:
    return {k: {"S": v} for k, v in parts.items()}


def assignments(
    keep_existing: bool = False, **fields: Any
) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    """``SET`` parts, attribute names and values that write ``fields`` as they are named
    (``keep_existing``: only where the item has no such attribute yet)."""
    sets = [
        f"#{k} = if_not_exists(#{k}, :{k})" if keep_existing else f"#{k} = :{k}" for k in fields
    ]
    return sets, {f"#{k}": k for k in fields}, values(**fields)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def cancellation_reasons(exc: ClientError) -> list[str]:
    """Per item of a cancelled transaction, in order: its reason code (``"None"`` if fine)."""
    return [str(r.get("Code", "None")) for r in exc.response.get("CancellationReasons", [])]


@contextmanager
def transient_faults() -> Iterator[None]:
    """Turn DynamoDB's retryable faults into TransientError, which the state machine retries."""
    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        if code in _TRANSIENT_CODES:
            raise TransientError(f"DynamoDB {code}: {exc}") from exc
        if code == TRANSACTION_CANCELED and set(cancellation_reasons(exc)) - {"None"} == {
            "TransactionConflict"
        }:
            raise TransientError("DynamoDB transaction conflict") from exc
        raise


class Table:
    """One DynamoDB table through the low-level client; subclasses speak in models."""

    def __init__(self, client: DynamoDBClient, table: str, clock: Clock = utc_now) -> None:
        self._db = client
        self.table = table
        self._clock = clock

    def _get(self, consistent: bool = True, **key_parts: str) -> dict[str, Any] | None:
        """Strongly consistent unless the caller says a stale item cannot hurt (an eventually
        consistent read costs half: 0.5 read request unit per 4 KB)."""
        with transient_faults():
            resp = self._db.get_item(
                TableName=self.table, Key=key(**key_parts), ConsistentRead=consistent
            )
        item = resp.get("Item")
        return from_item(item) if item else None

    def _write_if(self, operation: Write, **kwargs: Any) -> bool:
        """A conditional ``put_item``/``update_item``/``delete_item``: False when the
        condition did not hold, True when the write was made."""
        try:
            with transient_faults():
                getattr(self._db, operation)(TableName=self.table, **kwargs)
        except ClientError as exc:
            if error_code(exc) == CONDITION_FAILED:
                return False
            raise
        return True

    def _update_if(self, **kwargs: Any) -> dict[str, Any] | None:
        """A conditional ``update_item`` that answers with the item as written
        (``ReturnValues=ALL_NEW``, no read after the write); None when the condition did not
        hold."""
        try:
            with transient_faults():
                resp = self._db.update_item(TableName=self.table, ReturnValues="ALL_NEW", **kwargs)
        except ClientError as exc:
            if error_code(exc) == CONDITION_FAILED:
                return None
            raise
        return from_item(resp["Attributes"])

    def _write(self, operation: Write, **kwargs: Any) -> None:
        with transient_faults():
            getattr(self._db, operation)(TableName=self.table, **kwargs)

    def _pages(self, operation: Listing, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated ``query`` or ``scan``, converted."""
        with transient_faults():
            for page in self._db.get_paginator(operation).paginate(TableName=self.table, **kwargs):
                for item in page.get("Items", []):
                    yield from_item(item)
