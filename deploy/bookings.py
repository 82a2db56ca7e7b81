"""python -m deploy migrate-bookings [--apply]: put every booking written before the byMonth
index (issue 23) into it, so an Admin's list of every booking shows it. A dry run unless
--apply; docs/deploy.md."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def migrate(session: Any, outputs: dict[str, str], apply: bool) -> int:
    """Print what was found and written; the number of bookings still outside the index."""
    if str(ROOT / "functions") not in sys.path:
        sys.path.insert(0, str(ROOT / "functions"))
    from hotel_booking.dal.bookings import BookingsTable

    table = BookingsTable(session.client("dynamodb"), outputs["BookingsTableName"])
    missing, written = table.add_month_shards(apply)
    print(
        f"{missing} booking(s) without monthShard; {written} written"
        + ("" if apply else " (dry run: --apply writes)")
    )
    return missing - written
