"""Ids: derived from the booking where a retry must find the same record, fresh elsewhere."""

from __future__ import annotations

import uuid

# A fixed namespace so an id derived from a bookingId is the same on every retry.
_NAMESPACE = uuid.UUID("6f1c8d2e-3b7a-4c55-9a0e-2d4b8f1e7c31")


def _derived(prefix: str, seed: str) -> str:
    return f"{prefix}_{uuid.uuid5(_NAMESPACE, f'{prefix}:{seed}').hex[:20]}"


def approval_id_for(booking_id: str) -> str:
    """The booking's one approval record (NotifyManager, decisions, RecordFailure)."""
    return _derived("apr", booking_id)


def payment_id_for(booking_id: str) -> str:
    return _derived("pay", booking_id)


#: The cancellation saga's executions are named after the booking (support_console reads it).
CANCELLATION_PREFIX = "cancel-"
_EXECUTION_NAME_MAX = 80


def cancellation_id_for(booking_id: str) -> str:
    """The booking's one cancellation execution (Step Functions refuses a second of that name,
    so cancelling twice starts nothing twice); an id too long for a name gets a derived one."""
    name = f"{CANCELLATION_PREFIX}{booking_id}"
    return name if len(name) <= _EXECUTION_NAME_MAX else _derived("cxl", booking_id)


def charge_reference_for(idempotency_key: str) -> str:
    """The sandbox gateway's reference for a charge."""
    return _derived("ch", idempotency_key)


def booking_id_for(sub: str, idempotency_key: str) -> str:
    """A guest's booking sent with an Idempotency-Key: the same request finds the same id."""
    return _derived("bk", f"{sub}:{idempotency_key}")


def new_booking_id() -> str:
    return f"bk_{uuid.uuid4().hex[:20]}"


def new_hotel_id() -> str:
    return f"ht_{uuid.uuid4().hex[:20]}"
