"""DynamoDB Streams records as :class:`~hotel_booking.logic.publishing.Change` values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hotel_booking.dal.items import from_item
from hotel_booking.logic.publishing import Change, Table


def table_name(stream_arn: str) -> str:
    """``arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`` -> ``<name>``."""
    return stream_arn.split(":table/", 1)[-1].split("/stream/", 1)[0]


def change_of(record: Mapping[str, Any], tables: Mapping[str, Table]) -> Change:
    """``tables`` maps a physical table name to the write model it holds."""
    stream = record["dynamodb"]
    seconds = stream.get("ApproximateCreationDateTime")
    at = (
        dt.datetime.fromtimestamp(float(seconds), dt.UTC)
        if seconds is not None
        else dt.datetime.now(dt.UTC)
    )
    old, new = stream.get("OldImage"), stream.get("NewImage")
    return Change(
        table=tables[table_name(record["eventSourceARN"])],
        kind=record["eventName"],
        sequence=str(stream["SequenceNumber"]),
        at=at,
        old=from_item(old) if old else None,
        new=from_item(new) if new else None,
    )
