"""An Admin's list of every booking: the ``byMonth`` index walked a bounded read at a time.

The bookings table as template.yaml declares it, on moto in process (no server). Items read
are counted from each Query's ``ScannedCount`` (what DynamoDB bills for), not timed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends

from deploy.bookings import migrate
from hotel_booking.dal.bookings import (
    FIRST_MONTH,
    MONTHS_PER_READ,
    SHARDS,
    BookingsTable,
    index_attributes,
    month_shard,
    read_cap,
)
from hotel_booking.dal.executions import Executions
from hotel_booking.dal.items import to_item
from hotel_booking.logic import bookings as logic
from hotel_booking.logic.callers import Caller
from hotel_booking.models import Booking, BookingStatus, FailureReason, Guest
from hotel_booking.models.domain import ListPosition
from hotel_booking.models.saga import Outcome
from localaws.provision.template import load_template

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-2"
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
GUEST = Guest(sub="g1", email="g1@example.com", name="G")


class Reads:
    """Every read the table makes: the operation and the items it read (ScannedCount)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, int]] = []

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in ("Query", "Scan"):
            self.queries.append((model.name, int(parsed.get("ScannedCount", 0))))

    @property
    def items(self) -> int:
        return sum(n for _, n in self.queries)


@functools.cache
def declared() -> dict[str, Any]:
    """The bookings table's keys and indexes as template.yaml declares them."""
    props = load_template(ROOT / "template.yaml", REGION).resources["BookingsTable"]["Properties"]
    keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {k: props[k] for k in keep}


@dataclasses.dataclass
class World:
    """The table, what it reads, and an account of its own: in the suite this process may
    hold the local stack's resources too (moto's backends are per process, per account)."""

    bookings: BookingsTable
    reads: Reads
    session: boto3.Session
    backend: Any


@pytest.fixture
def world() -> Iterator[World]:
    account = f"{secrets.randbelow(10**12):012d}"

    def own_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    with mock_aws():
        session = boto3.Session(
            region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
        )
        session.events.register("request-created", own_account)
        client = session.client("dynamodb")
        client.create_table(TableName="bookings", **declared())
        reads = Reads()
        client.meta.events.register("after-call.dynamodb", reads)
        bookings = BookingsTable(client, "bookings", clock=lambda: NOW)
        yield World(bookings, reads, session, dynamodb_backends[account][REGION])


def booking(i: int, at: dt.datetime, status: BookingStatus = BookingStatus.CONFIRMED) -> Booking:
    return Booking(
        bookingId=f"b{i:06d}",
        hotelId=f"h{i % 7}",
        guest=GUEST,
        checkIn=dt.date(2027, 1, 10),
        checkOut=dt.date(2027, 1, 12),
        rooms=1,
        status=status,
        createdAt=at,
        updatedAt=at,
    )


def seed(world: World, bookings: list[Booking]) -> None:
    """Items as the write model builds them, straight into the emulator (fast)."""
    for b in bookings:
        world.backend.put_item("bookings", to_item(b) | index_attributes(b))


def every_page(
    bookings: BookingsTable, reads: Reads, limit: int, **query: str
) -> Iterator[tuple[list[str], bool, int, int]]:
    """GET /bookings as an Admin, page after page: ids shown, more?, items read, queries."""
    executions = Executions(None, "arn:aws:states:eu-west-2:1:stateMachine:sm")  # type: ignore[arg-type]
    ports = logic.BookingPorts(
        hotels=None,  # type: ignore[arg-type]  # an Admin's list needs no hotel
        bookings=bookings,
        approvals=None,  # type: ignore[arg-type]
        sagas=executions,
        tasks=executions,
        region=REGION,
        clock=lambda: NOW,
    )
    token = None
    while True:
        reads.queries.clear()
        page = logic.list_bookings(
            ports, ADMIN, {"limit": str(limit)} | query | ({"nextToken": token} if token else {})
        )
        assert {op for op, _ in reads.queries} <= {"Query"}  # never a Scan
        yield (
            [b.bookingId for b in page.items],
            page.nextToken is not None,
            reads.items,
            len(reads.queries),
        )
        token = page.nextToken
        if token is None:
            return


ADMIN = Caller(sub="admin", email="a@example.com", groups=frozenset({"Admin"}))


def test_an_admin_pages_through_every_booking_newest_first_over_shards_and_months(
    world: World,
) -> None:
    # Given 91 bookings made over four months (two in the same microsecond), all shards used
    bookings, reads = world.bookings, world.reads
    made = [booking(i, NOW - dt.timedelta(hours=19 * i)) for i in range(90)]
    made.append(booking(90, made[40].createdAt))
    seed(world, made)
    assert len({month_shard(b.bookingId, b.createdAt) for b in made}) == 4 * SHARDS

    # When the Admin reads the list 20 at a time
    seen: list[str] = []
    for ids, _, items, _ in every_page(bookings, reads, 20):
        seen += ids
        # Then no request reads more than its cap
        assert items <= read_cap(20)

    # Then every booking comes once, newest first (ties by id), and no Scan was made
    expected = sorted(made, key=lambda b: b.position, reverse=True)
    assert seen == [b.bookingId for b in expected]


def test_items_read_per_request_do_not_grow_with_the_table(
    world: World,
) -> None:
    bookings, reads = world.bookings, world.reads
    counts = {}
    for size, offset in ((40, 0), (800, 40)):
        # Given first 40 bookings this month, then 760 more
        seed(
            world,
            [booking(i, NOW - dt.timedelta(minutes=7 * i)) for i in range(offset, size)],
        )
        pages = every_page(bookings, reads, 20)
        first, second = next(pages), next(pages)
        counts[size] = (first[2], second[2], first[3], second[3])
        assert first[1] and len(first[0]) == 20 and len(second[0]) == 20
    # Then a page of 20 reads at most read_cap(20) items, at either size: the first page one
    # query per shard; the last page of the small table walks a few empty months to know it
    for items_1, items_2, queries_1, queries_2 in counts.values():
        assert max(items_1, items_2) <= read_cap(20) <= 3 * 20 + 2 * SHARDS
        assert queries_1 == SHARDS and queries_2 <= MONTHS_PER_READ * SHARDS
    assert counts[800][0] == counts[40][0]


def test_a_status_filter_reads_a_bounded_stretch_and_says_where_to_read_on(
    world: World,
) -> None:
    # Given 100 confirmed bookings, and under them the 3 oldest still awaiting approval
    bookings, reads = world.bookings, world.reads
    seed(world, [booking(i, NOW - dt.timedelta(minutes=i)) for i in range(100)])
    waiting = [
        booking(100 + i, NOW - dt.timedelta(minutes=100 + i), BookingStatus.AWAITING_APPROVAL)
        for i in range(3)
    ]
    seed(world, waiting)
    # When the Admin asks for those awaiting approval, 20 at a time
    pages = list(every_page(bookings, reads, 20, status="AWAITING_APPROVAL"))
    # Then each request stays within its cap; pages without a match still say where to go on
    assert all(items <= read_cap(20) for _, _, items, _ in pages)
    assert [ids for ids, *_ in pages if ids] == [[b.bookingId for b in waiting]]
    assert all(more for _, more, *_ in pages[:-1])
    assert len(pages) > 1


def test_empty_months_are_walked_a_few_at_a_time_down_to_the_first(
    world: World,
) -> None:
    # Given one booking, made in the product's first month
    bookings, reads = world.bookings, world.reads
    old = booking(1, dt.datetime.combine(FIRST_MONTH, dt.time(9), dt.UTC))
    seed(world, [old])
    pages = list(every_page(bookings, reads, 20))
    # Then each request queries at most MONTHS_PER_READ months; the last page ends the list
    assert all(queries <= MONTHS_PER_READ * SHARDS for *_, queries in pages)
    assert [ids for ids, *_ in pages if ids] == [[old.bookingId]]
    assert pages[-1][1] is False
    months = (NOW.year - FIRST_MONTH.year) * 12 + NOW.month - FIRST_MONTH.month + 1
    assert len(pages) == -(-months // MONTHS_PER_READ)


def test_every_write_that_may_create_a_booking_puts_it_in_the_admins_list(
    world: World,
) -> None:
    # A booking the API made (PENDING), and one the saga recorded as failed before any record
    bookings = world.bookings
    pending = booking(1, NOW - dt.timedelta(minutes=5), BookingStatus.PENDING)
    assert bookings.create_pending(pending, "hash")
    failed = booking(2, NOW)
    bookings.record_outcome(
        failed,
        Outcome(
            status=BookingStatus.FAILED,
            reason=FailureReason.ROOM_UNAVAILABLE,
            failState="SoldOut",
            detail="no room",
        ),
        "RecordFailure",
        "arn:aws:states:eu-west-2:1:execution:sm:b000002",
    )
    found = bookings.of_everyone(None, None, 20)
    assert [b.bookingId for b in found.bookings] == ["b000002", "b000001"]
    assert found.resume is None or found.resume < ListPosition(pending.createdAt, "")


def test_the_migration_puts_older_bookings_into_the_admins_list(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given bookings written before the byMonth index: no monthShard
    bookings = world.bookings
    old = [booking(i, NOW - dt.timedelta(days=10 * i)) for i in range(5)]
    for b in old:
        world.backend.put_item("bookings", to_item(b))
    session = world.session
    assert bookings.of_everyone(None, None, 20).bookings == []
    # When the operator runs it dry, then with --apply, then again
    assert migrate(session, {"BookingsTableName": "bookings"}, apply=False) == 5
    assert bookings.of_everyone(None, None, 20).bookings == []
    assert migrate(session, {"BookingsTableName": "bookings"}, apply=True) == 0
    assert migrate(session, {"BookingsTableName": "bookings"}, apply=True) == 0
    # Then the Admin's list shows them all, newest first
    assert [b.bookingId for b in bookings.of_everyone(None, None, 20).bookings] == [
        b.bookingId for b in old
    ]
    assert capsys.readouterr().out.splitlines() == [
        "5 booking(s) without monthShard; 0 written (dry run: --apply writes)",
        "5 booking(s) without monthShard; 5 written",
        "0 booking(s) without monthShard; 0 written",
    ]
