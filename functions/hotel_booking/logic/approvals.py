"""A manager's decision: close the approval record once, then resume the waiting execution."""

from __future__ import annotations

import datetime as dt
import json

from hotel_booking.clock import utc_now
from hotel_booking.logic.ports import ApprovalRepository, TaskResumer
from hotel_booking.models import ApprovalState, Decision
from hotel_booking.models.base import Model
from hotel_booking.models.domain import ApprovalOutcome

#: The reason a rejection carries when the manager gave none (guests are not shown it).
REJECTED_BY_DEFAULT = "rejected by the hotel"


class ApprovalError(Exception):
    """Why a decision was not taken (the API and the link pages each say it their way)."""


class ApprovalNotFound(ApprovalError):
    """No approval with that id."""


class ApprovalAlreadyDecided(ApprovalError):
    """Someone (or an earlier click) decided already; nothing changes."""

    def __init__(self, state: ApprovalState) -> None:
        super().__init__(f"already {state.value.lower()}")
        self.state = state


class ApprovalExpired(ApprovalError):
    """The approval window has passed; the saga has compensated or is about to."""


class DecisionResult(Model):
    approvalId: str
    bookingId: str
    state: ApprovalState


def decide(
    approvals: ApprovalRepository,
    tasks: TaskResumer,
    approval_id: str,
    decision: Decision,
    decided_by: str,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> DecisionResult:
    """Exactly one decision wins: the conditional close in DynamoDB is the arbiter, and only
    its winner sends the task token back to Step Functions."""
    # Consistent: a redelivered NotifyManager replaces the task token, and the one to answer
    # is the newest.
    approval = approvals.get(approval_id)
    if approval is None:
        raise ApprovalNotFound(approval_id)
    if approval.state is not ApprovalState.PENDING:
        raise ApprovalAlreadyDecided(approval.state)
    if (at or utc_now()) >= approval.expiresAt:
        raise ApprovalExpired(approval_id)
    state = ApprovalState.APPROVED if decision is Decision.APPROVE else ApprovalState.REJECTED
    if not approvals.close(approval_id, state, decided_by, reason):
        current = approvals.get(approval_id)
        raise ApprovalAlreadyDecided(current.state if current else state)
    if decision is Decision.APPROVE:
        outcome = ApprovalOutcome(
            approvalId=approval_id,
            decision=decision,
            decidedBy=decided_by,
            decidedAt=at or utc_now(),
            note=reason,
        )
        tasks.succeed(approval.taskToken, outcome.model_dump_json())
    else:
        tasks.fail(
            approval.taskToken,
            "BookingRejected",
            json.dumps({"reason": reason or REJECTED_BY_DEFAULT, "by": decided_by}),
        )
    return DecisionResult(approvalId=approval_id, bookingId=approval.bookingId, state=state)
