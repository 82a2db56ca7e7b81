"""What one search, and one page of an Admin's list of every booking, cost in DynamoDB, at 100
and at 10,000 hotels: counted, not timed.

    .venv/bin/python benchmarks/search_cost_bench.py [--hotels 100 10000] [--bookings-per-hotel 10]
        [--bookings-only]

For each size: creates the hotels, bookings, inventory and search tables as template.yaml
declares them (moto, in process), seeds the hotels and the confirmed bookings as the write
model and the projector store them (see ``seed``), then runs every query shape of
``GET /hotels`` (page of 20) and its second page, and the first two pages of an Admin's
``GET /bookings`` (the ``byMonth`` walk, bookings made one a minute back from now), and prints
per request: the DynamoDB calls, the items they read, and the read capacity they cost. RCU is
computed as DynamoDB bills it (moto does not): per call, the item bytes read rounded up to
4 KB, half a unit each for an eventually consistent read, at least 0.5. Figures in
docs/performance.md ("Search cost at scale").
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from hotel_booking.dal.bookings import BookingsTable, index_attributes  # noqa: E402
from hotel_booking.dal.items import to_item  # noqa: E402
from hotel_booking.logic import inventory  # noqa: E402
from hotel_booking.models import Booking, BookingStatus, Guest, Hotel  # noqa: E402
from hotel_booking.models.domain import ListPosition  # noqa: E402
from hotel_booking.search.dynamo import (  # noqa: E402
    BUCKETS_KEY,
    SearchTable,
    hotel_key,
    index_keys,
)
from hotel_booking.search.keys import SORTS  # noqa: E402
from hotel_booking.search.model import SearchQuery  # noqa: E402
from hotel_booking.search.projector import doc_from  # noqa: E402
from hotel_booking.search.query import search  # noqa: E402
from localaws import patches  # noqa: E402
from localaws.provision.template import load_template  # noqa: E402

REGION = "eu-west-2"
TABLES = ("HotelsTable", "InventoryTable", "BookingsTable", "SearchTable")
SYLLABLES = ["ma", "lo", "ri", "ve", "sa", "tor", "bel", "gra", "no", "li", "pa", "cor", "den"]
WORDS = ["Grand", "Royal", "Plaza", "Garden", "Sea", "View", "Park", "Old", "Town", "Palace"]
TODAY = dt.date.today()
_ser = TypeSerializer()
BUSY = TODAY + dt.timedelta(days=30)  # most stays fall around here: many hotels sell out


def size(value: dict[str, Any]) -> int:
    """An attribute value's size as DynamoDB counts it (close enough for billing units)."""
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return (len(v.lstrip("-").replace(".", "").strip("0")) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS"):
        return sum(len(x.encode()) for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(size(x) + 1 for x in v)
    return len(str(v))


def item_size(item: dict[str, Any]) -> int:
    return sum(len(k.encode()) + size(v) for k, v in item.items())


class Meter:
    """Counts each DynamoDB read the search makes (botocore's after-call event)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items = 0
        self.rcu = 0.0

    def __call__(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name not in ("Query", "GetItem"):
            return
        read = parsed.get("Items", []) if name == "Query" else [parsed.get("Item") or {}]
        self.calls[name] += 1
        self.items += len([i for i in read if i])
        units = math.ceil(sum(item_size(i) for i in read) / 4096) or 1
        self.rcu += units * 0.5  # every read here is eventually consistent


def create_tables(client: Any) -> dict[str, str]:
    resources = load_template(ROOT / "template.yaml", REGION).resources
    names = {}
    for logical in TABLES:
        props = dict(resources[logical]["Properties"])
        keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
        kwargs = {k: props[k] for k in keep if k in props}
        client.create_table(TableName=logical, **kwargs)
        names[logical] = logical
    return names


def hotels(n: int, rng: random.Random) -> list[Hotel]:
    now = dt.datetime.now(dt.UTC)
    out = []
    for i in range(n):
        city = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        out.append(
            Hotel(
                hotelId=f"h{i:06d}",
                name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                city=city,
                stars=rng.randint(1, 5),
                pricePerNight=Decimal(rng.randint(4000, 60000)) / 100,
                rooms=rng.choice([2, 5, 10, 20, 40]),
                managerEmail="m@example.com",
                createdAt=now,
                updatedAt=now,
                version=1,
            )
        )
    return out


def seed(client: Any, names: dict[str, str], n: int, per_hotel: int, rng: random.Random) -> None:
    """The items the write model's and the projector's own code build (``to_item``,
    ``inventory.take``, ``dynamo.index_keys``), written straight into the emulator's backend:
    moto's request handling would take an hour for 100,000 bookings, and how an item got
    there changes nothing a search reads."""
    started = time.perf_counter()
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    made = hotels(n, rng)
    buckets: defaultdict[str, set[str]] = defaultdict(set)
    for hotel in made:
        backend.put_item(names["HotelsTable"], to_item(hotel))
        doc = doc_from(hotel)
        indexed = index_keys(doc)
        projected = {k: v for k, v in doc.model_dump().items() if v is not None} | indexed
        backend.put_item(names["SearchTable"], to_item_dict(projected) | hotel_key(hotel.hotelId))
        for sort in SORTS:
            buckets[sort].add(str(indexed[f"{sort}Bucket"]))
    backend.put_item(
        names["SearchTable"], BUCKETS_KEY | {s: {"NS": sorted(b)} for s, b in buckets.items()}
    )
    held: defaultdict[tuple[str, dt.date], int] = defaultdict(int)
    guest = Guest(sub="g", email="guest@example.com", name="Guest")  # one guest: enough here
    now = dt.datetime.now(dt.UTC)
    count = n * per_hotel
    for i in range(count):
        hotel = rng.choice(made)
        start = BUSY if rng.random() < 0.5 else TODAY + dt.timedelta(days=rng.randint(1, 360))
        booking = Booking(
            bookingId=f"b{i:07d}",
            hotelId=hotel.hotelId,
            guest=guest,
            checkIn=start,
            checkOut=start + dt.timedelta(days=rng.randint(1, 4)),
            rooms=1,
            status=BookingStatus.CONFIRMED,
            createdAt=now - dt.timedelta(minutes=i),  # one a minute: the Admin's list walks
            updatedAt=now,
        )
        change = inventory.take(booking, hotel)
        for night in change.nights:
            held[(hotel.hotelId, night)] += change.delta
        backend.put_item(names["BookingsTable"], to_item(booking) | index_attributes(booking))
    for (hotel_id, night), rooms in held.items():
        backend.put_item(
            names["InventoryTable"],
            {
                "hotelId": {"S": hotel_id},
                "night": {"S": night.isoformat()},
                "held": {"N": str(rooms)},
            },
        )
    print(
        f"  seeded {n:,} hotels, {count:,} confirmed bookings, {len(held):,} inventory "
        f"rows in {time.perf_counter() - started:.0f} s"
    )


def to_item_dict(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in data.items()}


def shapes(city: str, word: str) -> dict[str, dict[str, Any]]:
    stay = {"checkIn": BUSY, "checkOut": BUSY + dt.timedelta(days=2), "rooms": 2}
    return {
        "city prefix": {"city": city},
        "city + dates + rooms": {"city": city[:2]} | stay,
        "dates only": stay,
        "price sort": {"sort": "price"},
        "price sort, max price": {"sort": "price", "maxPrice": "150"},
        "stars sort, min 4": {"sort": "stars", "minStars": 4},
        "min 5 stars": {"minStars": 5},
        "name words": {"name": f"{word} palace"},
        "no filter": {},
    }


def measure(
    size_: int, per_hotel: int, searches: bool = True
) -> dict[str, tuple[int, int, float, int, bool]]:
    rng = random.Random(7)
    patches.install_speedups()  # moto as the engine runs it
    with mock_aws():
        client = boto3.client(
            "dynamodb",
            region_name=REGION,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        names = create_tables(client)
        seed(client, names, size_, per_hotel, rng)
        store = SearchTable(client, names["SearchTable"], names["InventoryTable"])
        meter = Meter()
        client.meta.events.register("after-call.dynamodb", meter)
        results = {}
        for label, query in (shapes("Mamama", "grand") if searches else {}).items():
            token = None
            for page_no in (1, 2):
                meter.reset()
                page = search(store, SearchQuery.model_validate(query | {"nextToken": token}))
                calls = sum(meter.calls.values())
                results[f"{label}, page {page_no}"] = (
                    calls,
                    meter.items,
                    meter.rcu,
                    len(page.items),
                    page.nextToken is not None,
                )
                token = page.nextToken
                if token is None:
                    break
        bookings = BookingsTable(client, names["BookingsTable"])
        for label, status in (("no filter", None), ("status CONFIRMED", BookingStatus.CONFIRMED)):
            before: ListPosition | None = None
            for page_no in (1, 2):
                meter.reset()
                walk = bookings.of_everyone(status, before, 20)
                shown = walk.bookings[:20]
                more = len(walk.bookings) > 20 or walk.resume is not None
                results[f"Admin bookings, {label}, page {page_no}"] = (
                    sum(meter.calls.values()),
                    meter.items,
                    meter.rcu,
                    len(shown),
                    more,
                )
                before = shown[-1].position if len(walk.bookings) > 20 else walk.resume
        return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hotels", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--bookings-per-hotel", type=int, default=10)
    parser.add_argument(
        "--bookings-only", action="store_true", help="only the Admin's list of every booking"
    )
    args = parser.parse_args()
    runs = {}
    for n in args.hotels:
        print(f"{n:,} hotels:")
        runs[n] = measure(n, args.bookings_per_hotel, not args.bookings_only)
    small, big = runs[args.hotels[0]], runs[args.hotels[-1]]
    print(
        f"\n{'request (page of 20)':<42}"
        + "".join(f"{f'{n:,} hotels: calls/items/RCU/shown':>38}" for n in args.hotels)
        + f"{'RCU ratio':>11}"
    )
    for label in big:
        row = f"{label:<42}"
        for n in args.hotels:
            got = runs[n].get(label)
            cell = (
                "-"
                if got is None
                else f"{got[0]}/{got[1]}/{got[2]:.1f}/{got[3]}" + ("+" if got[4] else "")
            )
            row += f"{cell:>38}"
        ratio = big[label][2] / small[label][2] if label in small else float("nan")
        print(row + f"{ratio:>11.2f}")
    print("(+ : the answer carries a nextToken; items = index items + inventory rows read)")


if __name__ == "__main__":
    main()
