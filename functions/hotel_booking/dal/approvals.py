"""The approvals table: one record per booking's approval, the only place a task token lives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hotel_booking.dal.items import Table, values
from hotel_booking.errors import BookingStateConflict
from hotel_booking.models import Approval, ApprovalState


class ApprovalsTable(Table):
    def get(self, approval_id: str) -> Approval | None:
        item = self._get(approvalId=approval_id)
        return Approval.model_validate(item) if item else None

    def open(
        self, approval_id: str, booking_id: str, hotel_id: str, token: str, expires: dt.datetime
    ) -> Approval:
        """Create the approval record, or hand a redelivered step's new task token to it."""
        written = self._update_if(
            Key={"approvalId": {"S": approval_id}},
            UpdateExpression=(
                "SET bookingId = :b, hotelId = :h, taskToken = :t, "
                "expiresAt = :e, #s = if_not_exists(#s, :pending)"
            ),
            ConditionExpression="attribute_not_exists(approvalId) OR #s = :pending",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=values(
                b=booking_id, h=hotel_id, t=token, e=expires, pending=ApprovalState.PENDING
            ),
        )
        if written is None:
            raise BookingStateConflict(f"approval {approval_id} was already decided")
        return Approval.model_validate(written)

    def mark_notified(self, approval_id: str) -> None:
        self._write(
            "update_item",
            Key={"approvalId": {"S": approval_id}},
            UpdateExpression="SET notifiedAt = :at",
            ExpressionAttributeValues=values(at=self._clock()),
        )

    def close(
        self, approval_id: str, state: ApprovalState, by: str | None = None, why: str | None = None
    ) -> bool:
        """PENDING -> ``state``, exactly once: True for the caller that made the change."""
        sets = ["#s = :state", "decidedAt = :at"]
        named: dict[str, Any] = {
            "state": state,
            "at": self._clock(),
            "pending": ApprovalState.PENDING,
        }
        if by:
            sets.append("decidedBy = :by")
            named["by"] = by
        if why:
            sets.append("decisionReason = :why")
            named["why"] = why
        return self._write_if(
            "update_item",
            Key={"approvalId": {"S": approval_id}},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(approvalId) AND #s = :pending",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=values(**named),
        )
