"""Signed approve/reject links: HMAC-SHA256 over what the link may do, and until when.

The link carries the approval id, the decision, an expiry and a signature; never the task
token, which stays in DynamoDB. Changing any part (another booking, the other decision, a
later expiry) breaks the signature.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from hotel_booking.models import Decision


class LinkProblem(StrEnum):
    """Why a link is refused: the API maps these to 403 and 410 pages."""

    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


def _sign(key: bytes, approval_id: str, decision: Decision, expires: int) -> str:
    message = f"v1:{approval_id}:{decision.value}:{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def approval_link(
    base_url: str, key: bytes, approval_id: str, decision: Decision, expires: int
) -> str:
    query = urlencode(
        {
            "decision": decision.value,
            "expires": str(expires),
            "sig": _sign(key, approval_id, decision, expires),
        }
    )
    return f"{base_url.rstrip('/')}/approvals/{approval_id}?{query}"


@dataclass(frozen=True)
class LinkSigner:
    """Makes the approve/reject links for the manager's email."""

    base_url: str
    key: Callable[[], bytes]

    def links(self, approval_id: str, expires: dt.datetime) -> dict[Decision, str]:
        epoch = int(expires.timestamp())
        return {
            d: approval_link(self.base_url, self.key(), approval_id, d, epoch) for d in Decision
        }


def check_link(
    key: bytes,
    approval_id: str,
    decision: str | None,
    expires: str | None,
    signature: str | None,
    now: float | None = None,
) -> LinkProblem | None:
    """None when the link is genuine and in time; otherwise what is wrong with it.

    The signature is checked first (constant-time), so a tampered link is never told apart
    from an expired one."""
    if not (decision and expires and signature) or decision not in Decision._value2member_map_:
        return LinkProblem.BAD_SIGNATURE
    if not (approval_id.isascii() and expires.isascii() and signature.isascii()):
        # Every genuine link is ASCII; anything else (replacement characters, lone surrogates
        # from bytes that were not UTF-8) could not even be compared or signed.
        return LinkProblem.BAD_SIGNATURE
    try:
        expires_at = int(expires)
    except ValueError:
        return LinkProblem.BAD_SIGNATURE
    expected = _sign(key, approval_id, Decision(decision), expires_at)
    if not hmac.compare_digest(expected, signature):
        return LinkProblem.BAD_SIGNATURE
    if (time.time() if now is None else now) >= expires_at:
        return LinkProblem.EXPIRED
    return None
