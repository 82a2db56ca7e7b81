"""A manager's decision: close the approval record once, then resume the waiting execution."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel

from hotel_booking.dal.dynamo import SagaStore, now
from hotel_booking.errors import BusinessError
from hotel_booking.models import ApprovalOutcome, ApprovalState, Decision


class ApprovalNotFound(BusinessError):
    """No approval with that id."""


class ApprovalAlreadyDecided(BusinessError):
    """Someone (or an earlier click) decided already; nothing changes."""

    def __init__(self, state: ApprovalState) -> None:
        super().__init__(f"already {state.value.lower()}")
        self.state = state


class ApprovalExpired(BusinessError):
    """The approval window has passed; the saga has compensated or is about to."""


class DecisionResult(BaseModel):
    approvalId: str
    bookingId: str
    state: ApprovalState


def decide(
    store: SagaStore,
    sfn: Any,
    approval_id: str,
    decision: Decision,
    decided_by: str,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> DecisionResult:
    """Exactly one decision wins: the conditional close in DynamoDB is the arbiter, and only
    its winner sends the task token back to Step Functions."""
    approval = store.get_approval(approval_id)
    if approval is None:
        raise ApprovalNotFound(approval_id)
    if approval.state is not ApprovalState.PENDING:
        raise ApprovalAlreadyDecided(approval.state)
    if (at or now()) >= approval.expiresAt:
        raise ApprovalExpired(approval_id)
    state = ApprovalState.APPROVED if decision is Decision.APPROVE else ApprovalState.REJECTED
    if not store.close_approval(approval_id, state, decided_by, reason):
        current = store.get_approval(approval_id)
        raise ApprovalAlreadyDecided(current.state if current else state)
    if decision is Decision.APPROVE:
        outcome = ApprovalOutcome(approvalId=approval_id, decision=decision, decidedBy=decided_by)
        sfn.send_task_success(taskToken=approval.taskToken, output=outcome.model_dump_json())
    else:
        sfn.send_task_failure(
            taskToken=approval.taskToken,
            error="BookingRejected",
            cause=json.dumps({"reason": reason or "rejected by the hotel", "by": decided_by}),
        )
    return DecisionResult(approvalId=approval_id, bookingId=approval.bookingId, state=state)
