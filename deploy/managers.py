"""python -m deploy migrate-managers [--apply]: name by sub the manager of every hotel stored
with only an email (before issue 9 item 2). A dry run unless --apply; docs/managers.md."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def migrate(session: Any, outputs: dict[str, str], apply: bool) -> int:
    """Print one line per hotel without a manager sub; the number left unmanaged."""
    if str(ROOT / "functions") not in sys.path:
        sys.path.insert(0, str(ROOT / "functions"))
    from hotel_booking.dal.hotels import HotelsTable
    from hotel_booking.dal.users import CognitoUsers
    from hotel_booking.logic.managers import assign_missing_managers

    hotels = HotelsTable(session.client("dynamodb"), outputs["HotelsTableName"])
    users = CognitoUsers(session.client("cognito-idp"), outputs["UserPoolId"])
    results = assign_missing_managers(hotels, users, apply)
    for r in results:
        print(f"{r.hotelId}  {r.managerEmail}  {r.managerSub or '-'}  {r.why}")
    left = sum(1 for r in results if r.managerSub is None)
    print(f"{len(results)} hotel(s) without a manager sub; {left} left for an Admin to assign")
    return left
