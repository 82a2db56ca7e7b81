"""Throw-away DynamoDB tables for the emulator's own tests (on the session's cloud)."""

from __future__ import annotations

import uuid
from typing import Any

from localaws.cloud import LocalCloud

NEW_AND_OLD_IMAGES = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def new_table(cloud: LocalCloud, prefix: str, stream: bool = False) -> dict[str, Any]:
    """A table keyed by a string ``pk``, named uniquely; its TableDescription."""
    extra = {"StreamSpecification": NEW_AND_OLD_IMAGES} if stream else {}
    description: dict[str, Any] = cloud.client("dynamodb").create_table(
        TableName=f"{prefix}-{uuid.uuid4().hex[:8]}",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )["TableDescription"]
    return description
